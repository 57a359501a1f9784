"""DCI: the importance-matrix formulas against hand values and a brute-force form, and behaviour."""

import numpy as np
import pytest
from sklearn import ensemble
from sklearn import linear_model

from tests.metrics import reference
from tfdis import metrics
from tfdis.metrics import dci_score as dci_lib


def _small_boosting():
  return ensemble.GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0)


def _split(codes, factors, num_train):
  return codes[:num_train], factors[:num_train], codes[num_train:], factors[num_train:]


@pytest.mark.parametrize("importance, expected", [
    (np.eye(3), (1.0, 1.0)),                    # each code explains one factor, each factor one code
    (np.ones((3, 3)), (0.0, 0.0)),              # everything explains everything
    (np.array([[1.0, 0.0], [1.0, 0.0]]), (1.0, 0.0)),  # two codes share factor 0: pure, not complete
    (np.zeros((2, 2)), (0.0, 0.0)),             # no importance at all
])
def test_scores_of_known_importance_matrices(importance, expected):
  assert dci_lib.disentanglement(importance) == pytest.approx(expected[0], abs=1e-8)
  assert dci_lib.completeness(importance) == pytest.approx(expected[1], abs=1e-8)


def test_scores_match_brute_force_on_random_importance():
  importance = np.random.default_rng(0).uniform(size=(5, 3)) ** 3
  d, c = reference.dci_from_importance(importance)
  assert dci_lib.disentanglement(importance) == pytest.approx(d, abs=1e-8)
  assert dci_lib.completeness(importance) == pytest.approx(c, abs=1e-8)


def test_identity_code_is_disentangled_and_a_rotated_code_is_not():
  rng = np.random.default_rng(1)
  factors = rng.integers(0, 6, size=(1200, 2))
  aligned = factors + rng.normal(scale=0.1, size=factors.shape)
  rotated = aligned @ np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2)
  scores = metrics.dci(*_split(aligned, factors, 900), model_fn=_small_boosting)
  mixed = metrics.dci(*_split(rotated, factors, 900), model_fn=_small_boosting)
  assert scores["disentanglement"] > 0.95 and scores["completeness"] > 0.95
  assert scores["informativeness_test"] > 0.95
  assert mixed["disentanglement"] < scores["disentanglement"] - 0.3
  assert mixed["completeness"] < scores["completeness"] - 0.3


def test_noise_code_is_uninformative():
  rng = np.random.default_rng(2)
  factors = rng.integers(0, 4, size=(800, 2))
  scores = metrics.dci(*_split(rng.normal(size=(800, 3)), factors, 600), model_fn=_small_boosting)
  assert scores["informativeness_test"] < 0.4  # chance is 0.25


def test_permuting_latent_dims_permutes_importances():
  rng = np.random.default_rng(3)
  factors = rng.integers(0, 5, size=(600, 2))
  codes = np.concatenate([factors + rng.normal(scale=0.3, size=factors.shape),
                          rng.normal(size=(600, 1))], axis=1)
  first = dci_lib.importance_matrix(*_split(codes, factors, 400), model_fn=_small_boosting)[0]
  second = dci_lib.importance_matrix(*_split(codes[:, [2, 0, 1]], factors, 400),
                                     model_fn=_small_boosting)[0]
  np.testing.assert_allclose(second, first[[2, 0, 1]], atol=0.02)


def test_linear_models_give_importances_through_their_coefficients():
  rng = np.random.default_rng(4)
  factors = rng.integers(0, 2, size=(400, 2))
  codes = factors + rng.normal(scale=0.1, size=factors.shape)
  scores = metrics.dci(*_split(codes, factors, 300), model_fn=linear_model.LogisticRegression)
  assert scores["disentanglement"] > 0.8


def test_constant_training_factor_raises():
  codes = np.random.default_rng(5).normal(size=(20, 2))
  factors = np.zeros((20, 1), np.int64)
  with pytest.raises(ValueError, match="single value"):
    metrics.dci(codes, factors, codes, factors, model_fn=_small_boosting)


def test_mismatched_code_dims_raise():
  factors = np.arange(20).reshape(10, 2) % 3
  with pytest.raises(ValueError, match="same representation"):
    metrics.dci(np.zeros((10, 2)), factors, np.zeros((10, 3)), factors)
