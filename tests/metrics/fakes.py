"""Test data for the metrics: a ground-truth sampler whose observations are its factors plus noise."""

import numpy as np


def _integers(rng, low, high, size):
  if isinstance(rng, np.random.Generator):
    return rng.integers(low, high, size=size)
  return rng.randint(low, high, size=size)


class IdentitySampler:
  """Follows the tfdis.data sampler contract; observation = factors (as floats) + N(0, noise²)."""

  def __init__(self, factor_sizes, noise=0.0):
    self.factor_sizes = list(factor_sizes)
    self.num_factors = len(self.factor_sizes)
    self.factor_names = [f"f{i}" for i in range(self.num_factors)]
    self.noise = noise

  def sample_factors(self, n, rng):
    return np.stack([_integers(rng, 0, size, n) for size in self.factor_sizes], axis=1)

  def sample_observations_from_factors(self, factors, rng):
    factors = np.asarray(factors, np.float64)
    return factors + self.noise * rng.normal(size=factors.shape)


def identity(observations):
  return np.asarray(observations, np.float64)


def noise_representation(num_codes, seed=0):
  """A representation that ignores its input: independent standard normal codes."""
  rng = np.random.default_rng(seed)
  return lambda observations: rng.normal(size=(len(observations), num_codes))
