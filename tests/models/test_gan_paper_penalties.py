"""The OroJaR and Hessian Penalty paper configs' penalties against NumPy ports of the official estimators.

Ports of `orojar_pytorch.orojar` and `hessian_penalty_pytorch.hessian_penalty` (as copied into OroJaR's
simplegan_experiments/models), written from their formulas: per layer, the unbiased variance over k = 2
Rademacher directions of a finite-difference quantity, reduced by max, summed over the layers. The penalty of
a paper config, on a tiny generator built from that config, is compared with the port by Monte Carlo: the
means of independent draws must agree within 4 combined standard errors.
"""

import gin
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import regularizers
from tfdis import runs

TINY = ["regularized_gan.width = 2", "LATENT_DIM = 3", "regularized_gan.seed = 0"]
BATCH, DRAWS, CHUNK = 32, 400, 50


def _paper_gan(config):
  keras.utils.set_random_seed(0)
  runs.parse_gin([config], TINY)
  try:
    return runs.configured("train.model_fn")(image_shape=(64, 64, 1))
  finally:
    gin.clear_config()


def _layers_fn(model):
  """x [n, d] -> the penalized maps as float64 [n, features], computed only up to them (as the official G)."""
  outputs = model.generator.output
  layers = keras.Model(model.generator.input, [outputs[name] for name in model.penalty_layers])
  return lambda x: [np.asarray(y, np.float64).reshape(len(x), -1) for y in layers(tf.constant(x, tf.float32))]


def _official_orojar(layers_fn, z, rng, k=2, epsilon=1e-3):
  """One official OroJaR value per draw: Σ_layers max_b Var_unbiased_v ‖(G(z + εv) − G(z))/ε‖², [DRAWS]."""
  base = layers_fn(z)
  values = []
  for _ in range(DRAWS // CHUNK):
    v = 2.0 * rng.integers(0, 2, size=(CHUNK, k) + z.shape) - 1.0  # [draws, k, batch, d]
    shifted = layers_fn((z + epsilon * v).reshape(-1, z.shape[-1]))
    total = 0.0
    for y, y0 in zip(shifted, base):
      first = (y.reshape(CHUNK, k, *y0.shape) - y0) / epsilon  # [draws, k, batch, n]
      total = total + np.var(np.sum(first**2, axis=-1), axis=1, ddof=1).max(axis=-1)
    values.append(total)
  return np.concatenate(values)


def _official_hessian_penalty(layers_fn, z, rng, k=2, epsilon=0.1):
  """One official Hessian Penalty per draw: Σ_layers max_{b,n} Var_unbiased_v of the central 2nd difference."""
  base = layers_fn(z)
  values = []
  for _ in range(DRAWS // CHUNK):
    x = epsilon * (2.0 * rng.integers(0, 2, size=(CHUNK, k) + z.shape) - 1.0)
    plus, minus = layers_fn((z + x).reshape(-1, z.shape[-1])), layers_fn((z - x).reshape(-1, z.shape[-1]))
    total = 0.0
    for p, m, y0 in zip(plus, minus, base):
      shape = (CHUNK, k) + y0.shape
      second = (p.reshape(shape) - 2.0 * y0 + m.reshape(shape)) / epsilon**2  # [draws, k, batch, n]
      total = total + np.var(second, axis=1, ddof=1).reshape(CHUNK, -1).max(axis=-1)
    values.append(total)
  return np.concatenate(values)


def _draws_of_the_config(model, z):
  penalty = tf.function(model.penalty_value)
  return np.array([float(penalty(tf.constant(z, tf.float32))) for _ in range(DRAWS)])


def _standard_error(*samples):
  return np.sqrt(sum(np.var(s, ddof=1) / len(s) for s in samples))


def test_orojar_config_is_the_official_objective_in_the_eps_to_zero_limit():
  model = _paper_gan("gin/papers/orojar/shapes2d.gin")
  z = np.random.default_rng(0).normal(size=(BATCH, 3)).astype(np.float32)
  official = _official_orojar(_layers_fn(model), z.astype(np.float64), np.random.default_rng(1))
  ours = _draws_of_the_config(model, z)
  error = _standard_error(official, ours)
  assert abs(ours.mean() - official.mean()) < 4 * error, (ours.mean(), official.mean(), error)
  # The former default, max over the batch of 2 × the exact per-sample value, fails the same criterion.
  fn = lambda x: model.generator(x, training=True)
  former = float(regularizers.orthogonal_jacobian(fn, tf.constant(z), reduction="max",
                                                  layer_weights={n: 2.0 for n in model.penalty_layers}))
  assert abs(former - official.mean()) > 4 * error, (former, official.mean(), error)


def test_hessian_penalty_config_is_the_official_estimator():
  model = _paper_gan("gin/papers/hessian_penalty/shapes2d.gin")
  z = np.random.default_rng(2).normal(size=(BATCH, 3)).astype(np.float32)
  official = _official_hessian_penalty(_layers_fn(model), z.astype(np.float64), np.random.default_rng(3))
  ours = _draws_of_the_config(model, z)
  error = _standard_error(official, ours)
  assert abs(ours.mean() - official.mean()) < 4 * error, (ours.mean(), official.mean(), error)
  # Exact second derivatives (the former default) fail it: another objective on a piecewise-linear generator.
  seed = keras.random.SeedGenerator(4)
  exact_fn = tf.function(lambda: regularizers.hessian_penalty(
      lambda x: model.generator(x, training=True), tf.constant(z), k=2, reduction="max",
      layer_weights={n: 1.0 for n in model.penalty_layers}, seed=seed))
  exact = np.mean([float(exact_fn()) for _ in range(50)])
  assert abs(exact - official.mean()) > 4 * error, (exact, official.mean(), error)


@pytest.mark.parametrize("family,configs", [
    ("orojar", ["celeba", "dsprites", "shapes2d"]), ("hessian_penalty", ["dsprites", "shapes2d"])])
def test_every_config_of_a_family_binds_the_tested_penalty(family, configs):
  bound = []
  for name in configs:
    runs.parse_gin([f"gin/papers/{family}/{name}.gin"], [])
    try:
      bound.append({key: runs.configured(f"regularized_gan.{key}")
                    for key in ("penalty", "penalty_kwargs", "penalty_layers", "layer_weights")})
    finally:
      gin.clear_config()
  assert all(b == bound[0] for b in bound), bound
