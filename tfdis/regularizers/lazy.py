"""Lazy regularization (Karras et al. 2020, StyleGAN2 section 3.1): an expensive penalty every N steps.

Applying a penalty on one step in N with its weight multiplied by N keeps its expected contribution to the
gradient unchanged while its compute is paid once per N steps.
"""

import gin
import tensorflow as tf


@gin.register
def lazy_penalty(step, every, weight, penalty_fn, dtype="float32", skip_fn=None):
  """Returns every · weight · penalty_fn() when step % every == 0, else 0, without computing it then.

  The choice is a `tf.cond`: under `tf.function` (a model's `train_step`), with `jit_compile` and in
  replica context only the taken branch runs, and eagerly only the taken Python branch is called. On
  skipped steps the gradient w.r.t. the penalty's variables is zero (None when run eagerly: pass
  `unconnected_gradients=tf.UnconnectedGradients.ZERO` to the tape there).

  With `skip_fn`, the penalty's pass also feeds the loss: `penalty_fn` returns (penalty, outputs) (e.g. a
  penalty's `return_outputs=True`: the generator's image from the same forward pass) and `skip_fn()`
  returns the same outputs without the penalty (the plain forward of skipped steps).

  Args:
    step: int scalar (Python or tensor, e.g. `optimizer.iterations`), the training step.
    every: N >= 1, a Python int or an int scalar tensor.
    weight: the penalty's weight λ (number or scalar tensor).
    penalty_fn: zero-argument callable returning the scalar penalty (build it from the step's tensors
      with a lambda so its compute happens inside the cond), or (penalty, outputs) with skip_fn.
    dtype: dtype of the returned scalar (that of penalty_fn's result).
    skip_fn: None, or a zero-argument callable returning the outputs on skipped steps.

  Returns:
    Scalar: N·λ·penalty on steps that are multiples of N, 0 otherwise (and the outputs, with skip_fn).
    Its mean over N consecutive steps is λ·penalty for a constant penalty.

  Raises:
    ValueError: if `every` is a Python int < 1.
  """
  def scaled(scale):
    if skip_fn is None:
      return tf.cast(scale, dtype) * tf.cast(penalty_fn(), dtype)
    value, outputs = penalty_fn()
    return tf.cast(scale, dtype) * tf.cast(value, dtype), outputs

  if isinstance(every, int):
    if every < 1:
      raise ValueError(f"every must be >= 1, got {every}: use every=1 to apply the penalty on every step.")
    if every == 1:
      return scaled(weight)
  step = tf.cast(step, tf.int64)
  every_t = tf.cast(every, tf.int64)

  def apply():
    return scaled(tf.cast(every_t, dtype) * tf.cast(weight, dtype))

  def skip():
    return tf.zeros([], dtype) if skip_fn is None else (tf.zeros([], dtype), skip_fn())

  return tf.cond(tf.equal(step % every_t, 0), apply, skip)
