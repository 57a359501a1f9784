"""Local MIG / modularity (Rhodes & Lee 2021): the local sampler and locally aligned codes."""

import numpy as np
import pytest

from tests.metrics import fakes
from tfdis import metrics
from tfdis.metrics import local

SMALL = dict(num_clusters=4, num_points=600)


def test_local_factors_stay_in_their_clipped_window():
  rng = np.random.default_rng(0)
  sizes = [40, 20, 3]
  factors = local.sample_local_factors(sizes, np.array([2, 10, 1]), 5000, rng, locality_proportion=0.1)
  assert factors[:, 0].min() == 0 and factors[:, 0].max() == 6       # radius 4, clipped at 0
  assert factors[:, 1].min() == 8 and factors[:, 1].max() == 12      # radius 2
  assert np.all(factors[:, 2] == 1)                                  # 3 < continuity_cutoff: fixed
  whole = local.sample_local_factors(sizes, np.array([0, 19, 2]), 5000, rng, 1.0, continuity_cutoff=0)
  assert [np.unique(whole[:, j]).size for j in range(3)] == sizes


def test_identity_code_is_locally_disentangled():
  # Windows of at most 5 values (radius 2) fall in distinct bins of the 5-bin histogram.
  sampler = fakes.IdentitySampler([10, 12, 14])
  scores = metrics.local_mig(sampler, fakes.identity, 0, locality_proportion=0.2, **SMALL)
  assert scores["local_mig"] > 0.9
  assert scores["local_mig_min"] <= scores["local_mig"] <= scores["local_mig_max"]
  assert metrics.local_modularity(sampler, fakes.identity, 0, locality_proportion=0.2,
                                  **SMALL)["local_modularity"] > 0.9


def _swapping_code(observations):
  """Aligned with (f0, f1) where f0 < 20 and with (f1, f0) elsewhere: globally entangled."""
  observations = np.asarray(observations, np.float64)
  swap = observations[:, :1] >= 20
  return np.where(swap, observations[:, ::-1], observations)


def test_locally_aligned_code_scores_higher_locally_than_globally():
  sampler = fakes.IdentitySampler([40, 40])
  rng = np.random.default_rng(1)
  factors = sampler.sample_factors(4000, rng)
  global_mig = metrics.mig(_swapping_code(factors), factors, num_bins=5)["mig"]
  local_score = metrics.local_mig(sampler, _swapping_code, 2, locality_proportion=0.1, **SMALL)
  assert local_score["local_mig"] > global_mig + 0.3


def test_noise_code_scores_low_locally():
  sampler = fakes.IdentitySampler([10, 10])
  scores = metrics.local_mig(sampler, fakes.noise_representation(3), 0, locality_proportion=0.3, **SMALL)
  assert scores["local_mig"] < 0.1


def test_bad_locality_raises():
  with pytest.raises(ValueError, match="locality_proportion"):
    metrics.local_mig(fakes.IdentitySampler([10, 10]), fakes.identity, 0, locality_proportion=0.0)
