"""MIG: analytic extremes, agreement with a brute-force re-derivation, invariances, input errors."""

import numpy as np
import pytest

from tests.metrics import reference
from tfdis import metrics


def _factors(rng, sizes, n):
  return np.stack([rng.integers(0, s, n) for s in sizes], axis=1)


def test_identity_representation_scores_near_one():
  rng = np.random.default_rng(0)
  factors = _factors(rng, [10, 8, 5], 4000)
  # Each factor's values fall in distinct bins; the other dims are independent of it.
  assert metrics.mig(factors.astype(float), factors)["mig"] > 0.97


def test_noise_representation_scores_near_zero():
  rng = np.random.default_rng(1)
  factors = _factors(rng, [10, 8, 5], 4000)
  assert metrics.mig(rng.normal(size=(4000, 4)), factors)["mig"] < 0.03


def test_duplicated_code_has_no_gap():
  rng = np.random.default_rng(2)
  factors = _factors(rng, [6, 6], 2000)
  codes = factors[:, [0, 0, 1, 1]].astype(float)  # Two dims per factor carry the same information.
  assert metrics.mig(codes, factors)["mig"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("num_bins", [20, 5])
def test_matches_brute_force(num_bins):
  rng = np.random.default_rng(3)
  factors = _factors(rng, [4, 7, 3], 500)
  codes = np.concatenate([factors + rng.normal(scale=0.8, size=factors.shape),
                          rng.normal(size=(500, 2))], axis=1)
  assert metrics.mig(codes, factors, num_bins=num_bins)["mig"] == pytest.approx(
      reference.mig(codes, factors, num_bins), abs=1e-10)


def test_invariant_to_permuting_and_rescaling_latent_dims():
  rng = np.random.default_rng(4)
  factors = _factors(rng, [5, 5], 800)
  codes = np.concatenate([factors + rng.normal(scale=0.5, size=factors.shape),
                          rng.normal(size=(800, 1))], axis=1)
  expected = metrics.mig(codes, factors)["mig"]
  permuted = 3.0 * codes[:, [2, 0, 1]] + 7.0
  assert metrics.mig(permuted, factors)["mig"] == pytest.approx(expected, abs=1e-12)


def test_constant_factor_is_left_out():
  rng = np.random.default_rng(5)
  factors = _factors(rng, [6, 6], 1000)
  codes = factors.astype(float)
  with_constant = np.concatenate([factors, np.zeros((1000, 1), np.int64)], axis=1)
  assert metrics.mig(codes, with_constant)["mig"] == pytest.approx(metrics.mig(codes, factors)["mig"])


def test_integral_float_factors_are_accepted():
  rng = np.random.default_rng(6)
  factors = _factors(rng, [4, 4], 300)
  codes = rng.normal(size=(300, 3))
  assert metrics.mig(codes, factors.astype(np.float32)) == metrics.mig(codes, factors)


@pytest.mark.parametrize("codes, factors, message", [
    (np.zeros((10, 2)), np.zeros((9, 2), np.int64), "row for row"),
    (np.zeros((10, 2)), np.full((10, 2), 0.5), "discretize"),
    (np.zeros(10), np.zeros((10, 2), np.int64), r"reshape\(-1, 1\)"),
    (np.zeros((10, 1)), np.zeros((10, 2), np.int64), "at least 2 columns"),
    (np.zeros((1, 2)), np.zeros((1, 2), np.int64), "sample more points"),
    (np.full((10, 2), np.nan), np.zeros((10, 2), np.int64), "NaN"),
    (np.zeros((10, 2)), np.zeros((10, 2), np.int64), "at least one factor that varies"),
])
def test_bad_input_raises_a_clear_error(codes, factors, message):
  with pytest.raises(ValueError, match=message):
    metrics.mig(codes, factors)


def test_bad_num_bins_raises():
  with pytest.raises(ValueError, match="num_bins"):
    metrics.mig(np.zeros((10, 2)), np.arange(20).reshape(10, 2), num_bins=0)
