"""lazy_penalty: the amortized value is right and skipped steps do not compute the penalty."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import regularizers


def tiny_model():
  keras.utils.set_random_seed(0)
  return keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh")])


def test_amortized_value_gradient_and_skipped_compute():
  model = tiny_model()
  x = tf.constant([[0.5, -1.0], [2.0, 0.3]])
  calls = tf.Variable(0)

  def penalty():
    calls.assign_add(1)  # runs only when the penalty is computed
    return tf.reduce_sum(tf.square(model(x)))

  @tf.function
  def step(i):
    with tf.GradientTape() as tape:
      value = regularizers.lazy_penalty(i, 4, 0.5, penalty)
    return value, tape.gradient(value, model.trainable_variables)

  with tf.GradientTape() as tape:
    full = 0.5 * tf.reduce_sum(tf.square(model(x)))
  full_grads = tape.gradient(full, model.trainable_variables)
  values, grads = zip(*[step(tf.constant(i)) for i in range(8)])
  assert calls.numpy() == 2  # steps 0 and 4 only
  np.testing.assert_allclose(np.mean(values), full.numpy(), rtol=1e-6)
  np.testing.assert_allclose(values[4], 4 * full.numpy(), rtol=1e-6)
  for i in range(8):
    for g, f in zip(grads[i], full_grads):
      np.testing.assert_allclose(g, 4 * f if i % 4 == 0 else np.zeros_like(f), rtol=1e-6)


def test_eager_skips_compute_and_every_one_always_applies():
  calls = []
  penalty = lambda: calls.append(1) or tf.constant(3.0)
  assert regularizers.lazy_penalty(5, 16, 2.0, penalty).numpy() == 0.0
  assert not calls
  assert regularizers.lazy_penalty(32, 16, 2.0, penalty).numpy() == 96.0
  assert regularizers.lazy_penalty(7, 1, 2.0, penalty).numpy() == 6.0
  assert len(calls) == 2


def test_under_xla_with_a_variable_step():
  step = tf.Variable(0, dtype=tf.int64)
  penalty = lambda: regularizers.lazy_penalty(step, 3, 1.0, lambda: tf.constant(2.0))
  fn = tf.function(penalty, jit_compile=True)
  values = []
  for _ in range(6):
    values.append(fn().numpy())
    step.assign_add(1)
  assert values == [6.0, 0.0, 0.0, 6.0, 0.0, 0.0]


def test_bad_every_raises():
  with pytest.raises(ValueError, match="every must be >= 1"):
    regularizers.lazy_penalty(0, 0, 1.0, lambda: tf.constant(1.0))


def test_skip_fn_returns_the_outputs_of_the_taken_branch():
  model = tiny_model()
  x = tf.constant([[0.5, -1.0], [2.0, 0.3]])
  penalized, plain = tf.Variable(0), tf.Variable(0)

  def penalty():
    penalized.assign_add(1)
    y = model(x)  # one pass feeds the penalty and the returned outputs
    return tf.reduce_sum(tf.square(y)), y

  def skip():
    plain.assign_add(1)
    return model(x)

  step = tf.function(lambda i: regularizers.lazy_penalty(i, 3, 0.5, penalty, skip_fn=skip))
  results = [step(tf.constant(i)) for i in range(6)]
  assert (penalized.numpy(), plain.numpy()) == (2, 4)
  for i, (value, outputs) in enumerate(results):
    np.testing.assert_allclose(outputs, model(x), rtol=1e-6)
    want = 1.5 * np.sum(np.square(model(x))) if i % 3 == 0 else 0.0
    np.testing.assert_allclose(value, want, rtol=1e-6)
  value, outputs = regularizers.lazy_penalty(4, 1, 0.5, penalty, skip_fn=skip)
  np.testing.assert_allclose(value, 0.5 * np.sum(np.square(outputs)), rtol=1e-6)
