"""Jacobian penalties of a generator/decoder fn at latents z, exact by default (the Hessian penalty, in
`hessian.py`, shares these conventions and helpers).

Shared conventions:
  * `fn` maps z [batch, d] to a tensor, a list/tuple or a dict of tensors [batch, ...] (several layers of a
    generator). Each output's penalty is reduced to a scalar on its own, then the scalars are summed, as in
    the official multi-layer code (`multi_stack_var_and_reduce`).
  * `layer_weights` (optional) weighs the outputs: a number (all outputs), a sequence (one weight per output
    of `tf.nest.flatten(fn(z))`, i.e. dict outputs in sorted-key order) or a mapping name -> weight for dict
    outputs, in which case only the named outputs are penalized (and differentiated).
  * `method="exact"` uses forward-mode autodiff (tfdis.jacobian); `method="finite_difference"` reproduces the
    papers' estimators with step `epsilon`; all finite-difference evaluations run as one call of fn on the
    concatenated batch.
  * `seed` (None, an int or a `keras.random.SeedGenerator`) draws the Rademacher directions; the same seed
    gives the same directions to both methods.
  * `strategy` is `tfdis.jacobian.batch_jvp`'s batching over directions ("vectorized" by default).
  * The finite-difference batch and the exact Hessian (z tiled over directions) assume fn treats samples
    independently (no BatchNormalization in training mode).
  * `return_outputs=True` returns (penalty, fn(z)): the full primal structure of fn at z from the
    penalty's own pass (the accumulator's primal, or the unshifted rows of the finite-difference batch),
    so a loss computed on it shares that forward pass instead of calling fn again (Grappler does not
    merge two calls: the variable reads are stateful; bench/BENCHMARKS.md).
"""

from collections.abc import Mapping

import gin
import keras
import tensorflow as tf

from tfdis import jacobian

METHODS = ("exact", "finite_difference")
REDUCTIONS = {"mean": tf.reduce_mean, "max": tf.reduce_max, "sum": tf.reduce_sum}


def _check_choice(value, choices, what):
  if value not in choices:
    raise ValueError(f"Unknown {what} {value!r}: use one of {', '.join(map(repr, choices))}.")


def _rademacher(shape, dtype, seed):
  """±1 with probability ½ each."""
  if seed is None:
    bits = tf.random.uniform(shape, maxval=2, dtype=tf.int32)
  else:
    bits = keras.random.randint(shape, 0, 2, dtype="int32", seed=seed)
  return tf.cast(2 * bits - 1, dtype)


def _basis(z):
  """[d, batch, d]: direction i is e_i for every sample."""
  d = z.shape[-1]
  return tf.tile(tf.eye(d, dtype=z.dtype)[:, tf.newaxis, :], [1, tf.shape(z)[0], 1])


def _select_outputs(fn, layer_weights):
  """Returns (flat_fn, weights): flat_fn(z) is (list of penalized tensors, the full fn(z)); weights None, a
  number or a list."""
  if isinstance(layer_weights, Mapping):
    names = sorted(layer_weights)

    def flat_fn(z):
      outputs = fn(z)
      if not isinstance(outputs, Mapping):
        raise ValueError(f"layer_weights is a mapping but fn returns a {type(outputs).__name__}: "
                         "pass a sequence of weights, or make fn return a dict.")
      unknown = sorted(set(names) - set(outputs))
      if unknown:
        raise ValueError(f"layer_weights names {unknown}, which fn does not return; "
                         f"fn returns {sorted(outputs)}.")
      return [outputs[name] for name in names], outputs

    return flat_fn, [layer_weights[name] for name in names]

  def flat_all(z):
    outputs = fn(z)
    return tf.nest.flatten(outputs), outputs

  return flat_all, layer_weights


def _combine(values, weights):
  """Σ_l w_l · values_l over the outputs."""
  if weights is None:
    return tf.add_n(values)
  if isinstance(weights, (list, tuple)):
    if len(weights) != len(values):
      raise ValueError(f"layer_weights has {len(weights)} entries but fn returns {len(values)} outputs: "
                       "give one weight per output (dict outputs in sorted-key order) or a mapping.")
    return tf.add_n([tf.cast(w, v.dtype) * v for w, v in zip(weights, values)])
  return tf.cast(weights, values[0].dtype) * tf.add_n(values)


def _flatten_features(x, leading):
  """[*leading_dims, ...] -> [*leading_dims, n]."""
  return tf.reshape(x, tf.concat([tf.shape(x)[:leading], [-1]], axis=0))


def _first_rows(structure, z):
  """The rows of the unshifted copy (the first batch rows) of every tensor of a stacked batch."""
  return tf.nest.map_structure(lambda y: y[:tf.shape(z)[0]], structure)


def _directional(flat_fn, z, directions, method, epsilon, strategy):
  """(fn(z), per output [K, batch, n]: J·v exactly, or the forward difference (fn(z + ε v) − fn(z)) / ε)."""
  if method == "exact":
    _, tangents, primal = jacobian.batch_jvp(flat_fn, z, directions, strategy=strategy, has_aux=True)
    return primal, [_flatten_features(t, 2) for t in tangents]
  num = tf.shape(directions)[0]
  shifted = z[tf.newaxis] + epsilon * directions  # [K, batch, d]
  stacked = tf.concat([z[tf.newaxis], shifted], axis=0)  # [K + 1, batch, d]
  outputs, primal = flat_fn(tf.reshape(stacked, [-1, z.shape[-1]]))
  result = []
  for y in outputs:
    y = tf.reshape(y, [num + 1, tf.shape(z)[0], -1])  # [K + 1, batch, n]
    result.append((y[1:] - y[:1]) / epsilon)
  return _first_rows(primal, z), result


def _unbiased_variance(x):
  """Sample variance over axis 0 with the 1/(K − 1) (PyTorch) convention."""
  centered = x - tf.reduce_mean(x, axis=0, keepdims=True)
  return tf.reduce_sum(tf.square(centered), axis=0) / tf.cast(tf.shape(x)[0] - 1, x.dtype)


def _check_common(z, method, reduction, epsilon):
  z = jacobian.check_latents(z)
  _check_choice(method, METHODS, "method")
  _check_choice(reduction, tuple(REDUCTIONS), "reduction")
  if method == "finite_difference" and not epsilon > 0:
    raise ValueError(f"epsilon must be > 0 for method='finite_difference', got {epsilon}.")
  return z


def _check_directions(num, name):
  if num is not None and (not isinstance(num, int) or num < 2):
    raise ValueError(f"{name} must be an int >= 2 (a variance needs two directions) or None for the exact "
                     f"value, got {num!r}.")


@gin.register
def orthogonal_jacobian(fn, z, num_directions=None, method="exact", epsilon=0.1, reduction="mean",
                        layer_weights=None, seed=None, strategy="vectorized", return_outputs=False):
  """OroJaR penalty (Wei et al. 2021; eq. 3 per the official code): Σ_{i≠j} (J_iᵀ J_j)², J_i = ∂fn(z)_b/∂z_i.

  With `num_directions=None` the value is exact (d Jacobian columns, J = [J_1 … J_d], per sample
  ‖JᵀJ‖_F² − Σ_i ‖J_i‖⁴). With `num_directions=k` it is the paper's stochastic estimator: for k Rademacher
  v, ½ · unbiased variance over v of ‖Jv‖². As Var_v(‖Jv‖²) = 2 Σ_{i≠j} (JᵀJ)²_ij, the ½ makes its
  expectation the exact value. The official PyTorch code (`orojar_pytorch.py`) omits the ½ and uses the
  unbiased variance, so it is 2× this value in expectation; the official TF code (`orojar_tf.py`) uses the
  biased variance (tf.nn.moments), (k − 1)/k of the unbiased one, so at k = 2 it equals this estimator
  in expectation and is half of PyTorch's. Multiply `layer_weights` accordingly to reproduce either λ.

  Args:
    fn: callable z -> tensor or list/dict of tensors [batch, ...] (see module docstring).
    z: [batch, d] latents.
    num_directions: None (exact) or k >= 2 Rademacher directions (official default k = 2).
    method: "exact" (forward mode) or "finite_difference" (forward difference (fn(z + εv) − fn(z))/ε, the
      official estimator; with num_directions=None, along each basis vector).
    epsilon: finite-difference step ε (official 0.1).
    reduction: "mean", "max" (official) or "sum" of the per-sample penalties over the batch.
    layer_weights: per-output weights (module docstring).
    seed: seed of the Rademacher directions.
    strategy: batching strategy of the exact JVPs.
    return_outputs: also return fn(z) from the penalty's pass (module docstring).

  Returns:
    Scalar: Σ_outputs w · reduction_b(penalty_b); (scalar, fn(z)) with return_outputs.
  """
  z = _check_common(z, method, reduction, epsilon)
  _check_directions(num_directions, "num_directions")
  flat_fn, weights = _select_outputs(fn, layer_weights)
  if num_directions is None:
    primal, columns = _directional(flat_fn, z, _basis(z), method, epsilon, strategy)  # [d, batch, n] each
    per_sample = [_off_diagonal_sq(c) for c in columns]
  else:
    directions = _rademacher([num_directions, tf.shape(z)[0], z.shape[-1]], z.dtype, seed)
    primal, jv = _directional(flat_fn, z, directions, method, epsilon, strategy)  # [k, batch, n] each
    per_sample = [0.5 * _unbiased_variance(tf.reduce_sum(tf.square(t), axis=-1)) for t in jv]
  return _returned(_combine([REDUCTIONS[reduction](p) for p in per_sample], weights), primal, return_outputs)


def _returned(value, primal, return_outputs):
  return (value, primal) if return_outputs else value


def _off_diagonal_sq(columns):
  """[d, batch, n] Jacobian columns -> [batch] Σ_{i≠j} (J_i·J_j)²."""
  gram = tf.einsum("ibn,jbn->bij", columns, columns)  # [batch, d, d]
  return tf.reduce_sum(tf.square(gram), axis=[1, 2]) - tf.reduce_sum(
      tf.square(tf.linalg.diag_part(gram)), axis=-1)


def latent_columns(z, num_directions=None, seed=None):
  """(directions [K, batch, d], scale): all d basis vectors (scale 1), or k of them per sample (scale d/k).

  The k columns of each sample are drawn uniformly without replacement (the first k of a random
  permutation), so each column i is drawn with probability k/d and, for any per-column quantity a_i,
  E[(d/k) Σ_{i drawn} a_i] = Σ_i a_i: the scaled sum is an unbiased estimator.
  """
  d = z.shape[-1]
  if num_directions is None:
    return _basis(z), 1.0
  if not isinstance(num_directions, int) or not 1 <= num_directions <= d:
    raise ValueError(f"num_directions must be an int in [1, d = {d}] (the number of latent columns drawn "
                     f"per sample) or None for all columns, got {num_directions!r}.")
  shape = [tf.shape(z)[0], d]
  noise = tf.random.uniform(shape) if seed is None else keras.random.uniform(shape, seed=seed)
  drawn = tf.argsort(noise, axis=-1)[:, :num_directions]  # [batch, k], distinct per sample
  return tf.transpose(tf.one_hot(drawn, d, dtype=z.dtype), [1, 0, 2]), d / num_directions


def l1_of_columns(columns, scale=1.0):
  """[K, batch, ...] Jacobian columns -> scale · mean_b Σ_{K, ...} |J|."""
  return scale * tf.reduce_mean(tf.reduce_sum(tf.abs(_flatten_features(columns, 2)), axis=[0, 2]))


@gin.register
def jacobian_l1(fn, z, method="exact", epsilon=1e-3, layer_weights=None, strategy="vectorized",
                num_directions=None, seed=None, return_outputs=False):
  """JL1-VAE penalty (Rhodes & Lee 2021): mean over the batch of Σ |∂fn(z)/∂z| (L1 norm of the Jacobian).

  The official code (`vae_jacobian.py`) takes forward differences along every latent dim with ε = 1e-3 on
  sampled z detached from the encoder; pass `tf.stop_gradient(z)` to train only the decoder, as there.

  With `num_directions=k` only k latent columns per sample are differentiated (k forward directions
  instead of d) and their sum is scaled by d/k: as Σ|J| = Σ_i Σ|J_i| is a sum over columns, this is an
  unbiased estimator of the exact value (`latent_columns`). A random-projection estimator (‖Jv‖₁ for
  Rademacher v) would be biased, as |·| is not linear.

  Args:
    fn: callable z -> tensor or list/dict of tensors [batch, ...] (the decoder).
    z: [batch, d] latents.
    method: "exact" or "finite_difference" (forward difference per latent dim, the official estimator).
    epsilon: finite-difference step.
    layer_weights: per-output weights (module docstring).
    strategy: batching strategy of the exact JVPs.
    num_directions: None (every column) or k in [1, d] columns drawn per sample.
    seed: seed of the drawn columns.
    return_outputs: also return fn(z) from the penalty's pass (module docstring).

  Returns:
    Scalar: Σ_outputs w · mean_b Σ_{i, n} |J_{b, n, i}|; (scalar, fn(z)) with return_outputs.
  """
  z = _check_common(z, method, "mean", epsilon)
  flat_fn, weights = _select_outputs(fn, layer_weights)
  directions, scale = latent_columns(z, num_directions, seed)
  primal, columns = _directional(flat_fn, z, directions, method, epsilon, strategy)  # [K, batch, n] each
  return _returned(_combine([l1_of_columns(c, scale) for c in columns], weights), primal, return_outputs)
