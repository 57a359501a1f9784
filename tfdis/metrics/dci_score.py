"""Disentanglement, Completeness and Informativeness (Eastwood & Williams 2018, Sec. 2).

An importance matrix R [L, F] comes from one classifier per factor predicting it from all code dims.
Disentanglement of code i is D_i = 1 − H_F(P_i.) with P_ij = R_ij / Σ_k R_ik and weights ρ_i = Σ_j R_ij / ΣR;
completeness of factor j is C_j = 1 − H_L(P̃_.j) with P̃_ij = R_ij / Σ_k R_kj and weights Σ_i R_ij / ΣR;
informativeness is the classifiers' accuracy. Same as disentanglement_lib's `dci._compute_dci`, whose
classifier is a default scikit-learn GradientBoostingClassifier.
"""

import numpy as np
import scipy.stats
from sklearn import ensemble

from tfdis.metrics import utils


def gradient_boosting():
  """disentanglement_lib's DCI classifier (100 trees of depth 3), with a fixed seed for repeatability."""
  return ensemble.GradientBoostingClassifier(random_state=0)


def _weighted_score(importance, axis):
  """Σ over rows/columns of (1 − normalized entropy) weighted by their share of the total importance.

  Args:
    importance: [L, F] non-negative importance matrix.
    axis: 1 for disentanglement (entropy of each code's row over factors), 0 for completeness.
  """
  num_outcomes = importance.shape[axis]
  if num_outcomes == 1:
    per_item = np.ones(importance.shape[1 - axis])  # A single outcome carries no uncertainty.
  else:
    per_item = 1.0 - scipy.stats.entropy(importance + 1e-11, base=num_outcomes, axis=axis)
  weights = importance if importance.sum() > 0 else np.ones_like(importance)
  weights = weights.sum(axis=axis) / weights.sum()
  return float(np.sum(per_item * weights))


def disentanglement(importance):
  """Eastwood & Williams' disentanglement D = Σ_i ρ_i D_i of an [L, F] importance matrix."""
  return _weighted_score(np.asarray(importance, np.float64), axis=1)


def completeness(importance):
  """Eastwood & Williams' completeness C = Σ_j ρ_j C_j of an [L, F] importance matrix."""
  return _weighted_score(np.asarray(importance, np.float64), axis=0)


def _importance_of(model, num_codes):
  if hasattr(model, "feature_importances_"):
    return np.abs(model.feature_importances_)
  if hasattr(model, "coef_"):
    return np.abs(np.reshape(model.coef_, [-1, num_codes])).sum(axis=0)
  raise ValueError(f"{type(model).__name__} has neither feature_importances_ nor coef_: DCI needs a "
                   "classifier that reports per-feature importances.")


def importance_matrix(codes_train, factors_train, codes_test, factors_test, model_fn=gradient_boosting):
  """Fits one classifier per factor; returns (importance [L, F], train accuracy, test accuracy)."""
  num_codes, num_factors = codes_train.shape[1], factors_train.shape[1]
  importance = np.zeros([num_codes, num_factors])
  train_accuracy, test_accuracy = [], []
  for j in range(num_factors):
    model = model_fn()
    model.fit(codes_train, factors_train[:, j])
    importance[:, j] = _importance_of(model, num_codes)
    train_accuracy.append(np.mean(model.predict(codes_train) == factors_train[:, j]))
    test_accuracy.append(np.mean(model.predict(codes_test) == factors_test[:, j]))
  return importance, float(np.mean(train_accuracy)), float(np.mean(test_accuracy))


def dci(codes_train, factors_train, codes_test, factors_test, model_fn=gradient_boosting):
  """DCI scores of a representation (Eastwood & Williams 2018), as disentanglement_lib computes them.

  Args:
    codes_train: [N, L] codes to fit the classifiers on.
    factors_train: [N, F] integer factor classes of `codes_train`.
    codes_test: [M, L] held-out codes.
    factors_test: [M, F] integer factor classes of `codes_test`.
    model_fn: zero-argument callable returning a fresh scikit-learn classifier exposing
      `feature_importances_` (or `coef_`). The default is disentanglement_lib's GradientBoostingClassifier;
      pass e.g. `lambda: GradientBoostingClassifier(n_estimators=10)` for a cheaper estimate.

  Returns:
    {"disentanglement", "completeness", "informativeness_train", "informativeness_test"}; the last two are
    mean classification accuracies over factors (higher is better), as in disentanglement_lib.

  Raises:
    ValueError: for mismatched shapes, non-integer factors, or a factor constant in `factors_train`.
  """
  codes_train, factors_train, codes_test, factors_test = utils.check_train_test(
      codes_train, factors_train, codes_test, factors_test)
  utils.check_varying_factors(factors_train)
  importance, train_accuracy, test_accuracy = importance_matrix(
      codes_train, factors_train, codes_test, factors_test, model_fn)
  return {
      "disentanglement": disentanglement(importance),
      "completeness": completeness(importance),
      "informativeness_train": train_accuracy,
      "informativeness_test": test_accuracy,
  }
