"""Modularity and explicitness: analytic values, brute-force agreement, invariances."""

import numpy as np
import pytest
from sklearn import linear_model
from sklearn import metrics as sk_metrics
from sklearn import preprocessing

from tests.metrics import reference
from tfdis import metrics
from tfdis.metrics import modularity


@pytest.mark.parametrize("information, expected", [
    (np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), 1.0),  # each code informs about one factor
    (np.array([[1.0, 1.0, 1.0]]), 0.0),                   # one code equally about all
    (np.array([[0.0, 0.0], [3.0, 0.0]]), 0.5),            # an uninformative code scores 0
    (np.array([[2.0, 1.0]]), 0.75),                       # 1 − 1² / (1 · 2²)
])
def test_modularity_of_known_information(information, expected):
  assert modularity.modularity_from_information(information) == pytest.approx(expected)


def _data(seed, n=600):
  rng = np.random.default_rng(seed)
  factors = rng.integers(0, 4, size=(n, 2))
  codes = np.concatenate([factors + rng.normal(scale=0.6, size=factors.shape),
                          rng.normal(size=(n, 1))], axis=1)
  return codes[:400], factors[:400], codes[400:], factors[400:]


def test_matches_brute_force():
  codes_train, factors_train, codes_test, factors_test = _data(0)
  scores = metrics.modularity_explicitness(codes_train, factors_train, codes_test, factors_test)
  assert scores["modularity"] == pytest.approx(reference.modularity(codes_train, factors_train), abs=1e-10)
  # Explicitness: multi-class ROC-AUC of a logistic regression on standardized codes, macro over classes.
  scaler = preprocessing.StandardScaler().fit(codes_train)
  expected = []
  for j in range(2):
    model = linear_model.LogisticRegression().fit(scaler.transform(codes_train), factors_train[:, j])
    expected.append(sk_metrics.roc_auc_score(
        preprocessing.label_binarize(factors_test[:, j], classes=model.classes_),
        model.predict_proba(scaler.transform(codes_test)), average="macro"))
  assert scores["explicitness_test"] == pytest.approx(np.mean(expected), abs=1e-6)


def test_identity_code_is_modular_and_explicit():
  rng = np.random.default_rng(1)
  factors = rng.integers(0, 5, size=(800, 3))
  codes = factors.astype(float)
  scores = metrics.modularity_explicitness(codes[:600], factors[:600], codes[600:], factors[600:])
  assert scores["modularity"] > 0.99
  assert scores["explicitness_test"] > 0.95


def test_invariant_to_permuting_latent_dims():
  codes_train, factors_train, codes_test, factors_test = _data(2)
  order = [2, 0, 1]
  first = metrics.modularity_explicitness(codes_train, factors_train, codes_test, factors_test)
  second = metrics.modularity_explicitness(codes_train[:, order], factors_train, codes_test[:, order],
                                           factors_test)
  assert second == pytest.approx(first, abs=1e-4)


def test_constant_code_dim_does_not_break_standardization():
  codes_train, factors_train, codes_test, factors_test = _data(3)
  codes_train[:, 2] = 1.0
  codes_test[:, 2] = 1.0
  scores = metrics.modularity_explicitness(codes_train, factors_train, codes_test, factors_test)
  assert all(np.isfinite(v) for v in scores.values())
