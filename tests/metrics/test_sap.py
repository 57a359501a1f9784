"""SAP: the continuous form against brute-force correlations, analytic discrete values, invariances."""

import numpy as np
import pytest

from tests.metrics import reference
from tfdis import metrics
from tfdis.metrics import sap_score


def test_continuous_matches_brute_force_squared_correlations():
  rng = np.random.default_rng(0)
  factors = rng.uniform(size=(300, 3))
  codes = np.concatenate([factors @ rng.normal(size=(3, 3)), rng.normal(size=(300, 1))], axis=1)
  codes += 0.2 * rng.normal(size=codes.shape)
  score = metrics.sap(codes, factors, None, None, continuous_factors=True)["sap"]
  assert score == pytest.approx(reference.sap_continuous(codes, factors), abs=1e-10)


def test_continuous_identity_scores_one_and_a_constant_code_zero():
  factors = np.random.default_rng(1).uniform(size=(2000, 2))
  codes = np.concatenate([factors, np.ones((2000, 1))], axis=1)
  scores = sap_score.score_matrix(codes, factors, None, None, continuous_factors=True)
  np.testing.assert_allclose(scores[2], 0.0)
  # The gap is 1 − corr(f0, f1)², with independent uniform factors close to 1.
  assert metrics.sap(codes, factors, None, None, continuous_factors=True)["sap"] == pytest.approx(
      1.0, abs=0.01)


def test_binary_factors_read_from_one_dim_give_a_gap_of_one_half():
  # The matching dim predicts its balanced binary factor perfectly, an independent dim at chance 1/2.
  rng = np.random.default_rng(2)
  factors = rng.integers(0, 2, size=(1200, 2))
  codes = factors + rng.normal(scale=0.05, size=factors.shape)
  score = metrics.sap(codes[:800], factors[:800], codes[800:], factors[800:])["sap"]
  assert score == pytest.approx(0.5, abs=0.06)


def test_noise_code_scores_near_zero():
  rng = np.random.default_rng(3)
  factors = rng.integers(0, 3, size=(900, 2))
  codes = rng.normal(size=(900, 3))
  assert metrics.sap(codes[:600], factors[:600], codes[600:], factors[600:])["sap"] < 0.08


def test_invariant_to_permuting_latent_dims():
  rng = np.random.default_rng(4)
  factors = rng.integers(0, 3, size=(600, 2))
  codes = np.concatenate([factors + rng.normal(scale=0.3, size=factors.shape),
                          rng.normal(size=(600, 1))], axis=1)
  split = lambda c: (c[:400], factors[:400], c[400:], factors[400:])
  assert metrics.sap(*split(codes[:, [2, 0, 1]]))["sap"] == pytest.approx(
      metrics.sap(*split(codes))["sap"], abs=1e-12)


def test_single_code_dim_raises():
  factors = np.arange(20).reshape(10, 2) % 3
  with pytest.raises(ValueError, match="at least 2 columns"):
    metrics.sap(np.zeros((10, 1)), factors, np.zeros((10, 1)), factors)
