"""Hessian Penalty (Peebles et al. 2020) of a generator fn at latents z, exact by default.

The conventions (outputs, `layer_weights`, `method`, `seed`, `strategy`, `return_outputs`) are those of
`jacobian_penalties`, whose helpers it shares.
"""

import gin
import tensorflow as tf

from tfdis import jacobian
from tfdis.regularizers import jacobian_penalties as shared

# pylint: disable=protected-access  (the helpers shared with jacobian_penalties)


def _second_directional(flat_fn, z, directions, method, epsilon, strategy):
  """(fn(z), per output [K, batch, n]: vᵀHv exactly, or (fn(z + εv) − 2 fn(z) + fn(z − εv)) / ε²)."""
  if method == "exact":
    _, second, primal = jacobian.batch_second_directional_derivative(flat_fn, z, directions,
                                                                     strategy=strategy, has_aux=True)
    return primal, [shared._flatten_features(s, 2) for s in second]
  num = tf.shape(directions)[0]
  stacked = tf.concat([z[tf.newaxis], z + epsilon * directions, z - epsilon * directions], axis=0)
  outputs, primal = flat_fn(tf.reshape(stacked, [-1, z.shape[-1]]))  # [(2K + 1)·batch, ...] each
  result = []
  for y in outputs:
    y = tf.reshape(y, [2 * num + 1, tf.shape(z)[0], -1])
    result.append((y[1:num + 1] - 2.0 * y[:1] + y[num + 1:]) / epsilon**2)
  return shared._first_rows(primal, z), result


def _exact_off_diagonal_hessian(flat_fn, z, strategy):
  """(fn(z), per output [batch, n]: 2 Σ_{i≠j} H_ij² = 4 Σ_{i<j} H_ij²), forward-over-forward on the
  d(d−1)/2 pairs."""
  d = z.shape[-1]
  pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
  if not pairs:
    outputs, primal = flat_fn(z)
    return primal, [tf.zeros_like(shared._flatten_features(y, 1)) for y in outputs]
  eye = tf.eye(d, dtype=z.dtype)
  batch = tf.shape(z)[0]
  u = tf.tile(tf.gather(eye, [i for i, _ in pairs])[:, tf.newaxis], [1, batch, 1])  # [P, batch, d]
  v = tf.tile(tf.gather(eye, [j for _, j in pairs])[:, tf.newaxis], [1, batch, 1])
  _, mixed, primal = jacobian.batch_second_directional_derivative(flat_fn, z, u, v, strategy, has_aux=True)
  return primal, [4.0 * tf.reduce_sum(tf.square(shared._flatten_features(h, 2)), axis=0) for h in mixed]


@gin.register
def hessian_penalty(fn, z, k=2, method="exact", epsilon=0.1, reduction="max", layer_weights=None,
                    seed=None, strategy="tile", return_outputs=False):
  """Hessian Penalty (Peebles et al. 2020, eq. 5): per output element, Var_v(vᵀHv) over k Rademacher v.

  vᵀHv = d²/dt² fn(z + tv) is exact (forward-over-forward) or the official central second difference
  (fn(z + εv) − 2 fn(z) + fn(z − εv))/ε² (official code: x = ε·v, divided by ε²; biased by O(ε²), and
  the official tips warn that it is sensitive to ε). The variance is unbiased (1/(k − 1)), as in the
  official PyTorch code, so its expectation is Var_v(vᵀHv) = 2 Σ_{i≠j} H_ij²; the official TF code's biased
  variance is (k − 1)/k of it. `k=None` gives that expectation exactly (exact method only). Then
  `reduction` over all batch·output elements (official: max), summed over the outputs.

  Args:
    fn: callable z -> tensor or list/dict of tensors [batch, ...].
    z: [batch, d] latents.
    k: number of Rademacher directions (>= 2), or None for the exact 2 Σ_{i≠j} H_ij².
    method: "exact" or "finite_difference".
    epsilon: finite-difference step ε (official 0.1).
    reduction: "max", "mean" or "sum" over every element of an output, batch included.
    layer_weights: per-output weights (module docstring).
    seed: seed of the Rademacher directions.
    strategy: batching of the exact second derivatives (`jacobian.batch_second_directional_derivative`).
    return_outputs: also return fn(z) from the penalty's pass (module docstring).

  Returns:
    Scalar: Σ_outputs w · reduction(per-element penalty); (scalar, fn(z)) with return_outputs.
  """
  z = shared._check_common(z, method, reduction, epsilon)
  shared._check_directions(k, "k")
  flat_fn, weights = shared._select_outputs(fn, layer_weights)
  if k is None:
    if method != "exact":
      raise ValueError("k=None (the exact expectation) needs method='exact'; give k >= 2 directions "
                       "for the finite-difference estimator.")
    primal, per_element = _exact_off_diagonal_hessian(flat_fn, z, strategy)
  else:
    directions = shared._rademacher([k, tf.shape(z)[0], z.shape[-1]], z.dtype, seed)
    primal, second = _second_directional(flat_fn, z, directions, method, epsilon, strategy)  # [k, batch, n]
    per_element = [shared._unbiased_variance(s) for s in second]
  return shared._returned(shared._combine([shared.REDUCTIONS[reduction](p) for p in per_element], weights), primal, return_outputs)
