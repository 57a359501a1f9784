"""Separated Attribute Predictability (Kumar et al. 2018, "Variational Inference of Disentangled Latent
Concepts from Unlabeled Observations", Sec. 3).

A score matrix S [L, F] says how well each single code dim predicts each factor; SAP is the mean over
factors of the gap between the two highest entries of the factor's column. Same as disentanglement_lib's
`sap_score._compute_sap`: discrete factors use a LinearSVC(C=0.01, class_weight="balanced") test
accuracy, continuous factors the squared correlation on the training set.
"""

import numpy as np
from sklearn import svm

from tfdis.metrics import utils


def _squared_correlation(code, factor):
  """R² of a linear fit of `factor` on `code`: cov² / (var_code · var_factor), 0 for a constant code."""
  cov = np.cov(code, factor, ddof=1)
  if cov[0, 0] <= 1e-12:
    return 0.0
  if cov[1, 1] <= 0:
    return 0.0
  return float(cov[0, 1] ** 2 / (cov[0, 0] * cov[1, 1]))


def _svm_accuracy(code_train, factor_train, code_test, factor_test):
  """Test accuracy of a linear SVM predicting a discrete factor from one code dim."""
  classifier = svm.LinearSVC(C=0.01, class_weight="balanced")
  classifier.fit(code_train[:, np.newaxis], factor_train)
  return float(np.mean(classifier.predict(code_test[:, np.newaxis]) == factor_test))


def score_matrix(codes_train, factors_train, codes_test, factors_test, continuous_factors=False):
  """The [L, F] matrix of single-dimension predictability scores (Kumar et al. 2018, Sec. 3)."""
  num_codes, num_factors = codes_train.shape[1], factors_train.shape[1]
  scores = np.zeros([num_codes, num_factors])
  for i in range(num_codes):
    for j in range(num_factors):
      if continuous_factors:
        scores[i, j] = _squared_correlation(codes_train[:, i], factors_train[:, j])
      else:
        scores[i, j] = _svm_accuracy(codes_train[:, i], factors_train[:, j], codes_test[:, i],
                                     factors_test[:, j])
  return scores


def sap_from_scores(scores):
  """Mean over factors of the gap between the two largest scores of each column of an [L, F] matrix."""
  ordered = np.sort(scores, axis=0)
  return float(np.mean(ordered[-1] - ordered[-2]))


def sap(codes_train, factors_train, codes_test, factors_test, continuous_factors=False):
  """SAP score of a representation, as disentanglement_lib computes it.

  Args:
    codes_train: [N, L] codes (L >= 2) to fit the per-dimension predictors on.
    factors_train: [N, F] factors of `codes_train`: integer classes, or real values when
      `continuous_factors`.
    codes_test: [M, L] held-out codes (used for discrete factors only, as in disentanglement_lib).
    factors_test: [M, F] factors of `codes_test`.
    continuous_factors: treat factors as continuous (R² scores) instead of discrete (SVM accuracy).

  Returns:
    {"sap": float in [0, 1]}.

  Raises:
    ValueError: for mismatched shapes, fewer than 2 code dims, non-integer discrete factors, or a
      discrete factor constant in `factors_train`.
  """
  if continuous_factors:
    codes_train = utils.check_codes(codes_train, "codes_train")
    factors_train = utils.check_codes(factors_train, "factors_train")
    if codes_train.shape[0] != factors_train.shape[0]:
      raise ValueError(f"codes_train has {codes_train.shape[0]} points but factors_train has "
                       f"{factors_train.shape[0]}: pass the factors of each code, row for row.")
  else:
    codes_train, factors_train, codes_test, factors_test = utils.check_train_test(
        codes_train, factors_train, codes_test, factors_test)
    utils.check_varying_factors(factors_train)
  if codes_train.shape[1] < 2:
    raise ValueError("SAP compares the two most predictive code dims: codes need at least 2 columns.")
  scores = score_matrix(codes_train, factors_train, codes_test, factors_test, continuous_factors)
  return {"sap": sap_from_scores(scores)}
