"""Modularity and explicitness (Ridgeway & Mozer 2018, "Learning Deep Disentangled Embeddings With the
F-Statistic Loss", Sec. 3).

Modularity of code dim i is 1 − δ_i with δ_i = Σ_{j≠j*} m_ij² / ((F − 1) m_ij*²), m the [L, F] mutual
information and j* its most informative factor; explicitness is the ROC-AUC of a logistic regression
predicting each factor from the whole code. Same as disentanglement_lib's `modularity_explicitness`
(20-bin histograms, codes standardized with the training mean and deviation, one-vs-rest macro ROC-AUC).
"""

import numpy as np
from sklearn import linear_model
from sklearn import metrics as sk_metrics

from tfdis.metrics import utils


def modularity_from_information(mutual_information):
  """Mean modularity over code dims of an [L, F] mutual-information matrix (0 for an uninformative dim)."""
  squared = np.square(mutual_information)  # [L, F]
  largest = squared.max(axis=1)
  num_factors = squared.shape[1]
  informative = largest > 0
  per_code = np.zeros(squared.shape[0])
  if num_factors == 1:
    per_code[informative] = 1.0  # A single factor: every informative dim is trivially modular.
  else:
    deviation = (squared.sum(axis=1) - largest)[informative] / (largest[informative] * (num_factors - 1))
    per_code[informative] = 1.0 - deviation
  return float(np.mean(per_code))


def _macro_roc_auc(classes, factor, probabilities):
  """Macro ROC-AUC over the one-hot columns of `factor` that have both positives and negatives."""
  one_hot = factor[:, np.newaxis] == classes[np.newaxis, :]  # [N, K]
  scores = [sk_metrics.roc_auc_score(one_hot[:, k], probabilities[:, k]) for k in range(classes.size)
            if 0 < one_hot[:, k].sum() < one_hot.shape[0]]
  return float(np.mean(scores)) if scores else float("nan")


def explicitness_per_factor(codes_train, factor_train, codes_test, factor_test):
  """(train, test) ROC-AUC of a logistic regression predicting one factor from standardized codes."""
  classifier = linear_model.LogisticRegression().fit(codes_train, factor_train)
  return (_macro_roc_auc(classifier.classes_, factor_train, classifier.predict_proba(codes_train)),
          _macro_roc_auc(classifier.classes_, factor_test, classifier.predict_proba(codes_test)))


def modularity_explicitness(codes_train, factors_train, codes_test, factors_test, num_bins=20):
  """Modularity and explicitness of a representation, as disentanglement_lib computes them.

  Args:
    codes_train: [N, L] codes; modularity uses these only.
    factors_train: [N, F] integer factor classes of `codes_train`.
    codes_test: [M, L] held-out codes for the test explicitness.
    factors_test: [M, F] integer factor classes of `codes_test`.
    num_bins: histogram bins per code dimension for the mutual information.

  Returns:
    {"modularity", "explicitness_train", "explicitness_test"}, each in [0, 1].

  Raises:
    ValueError: for mismatched shapes, non-integer factors, or a factor constant in `factors_train`.
  """
  codes_train, factors_train, codes_test, factors_test = utils.check_train_test(
      codes_train, factors_train, codes_test, factors_test)
  num_bins = utils.check_num_bins(num_bins)
  utils.check_varying_factors(factors_train)
  information = utils.discrete_mutual_info(utils.histogram_discretize(codes_train, num_bins),
                                           factors_train)
  mean, std = codes_train.mean(axis=0), codes_train.std(axis=0)
  std = np.where(std > 0, std, 1.0)  # A constant code dim stays 0 instead of dividing by zero.
  train, test = (codes_train - mean) / std, (codes_test - mean) / std
  explicitness = np.array([explicitness_per_factor(train, factors_train[:, j], test, factors_test[:, j])
                           for j in range(factors_train.shape[1])])  # [F, 2]
  return {
      "modularity": modularity_from_information(information),
      "explicitness_train": float(np.mean(explicitness[:, 0])),
      "explicitness_test": float(np.mean(explicitness[:, 1])),
  }
