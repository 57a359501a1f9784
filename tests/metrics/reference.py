"""Brute-force re-derivations of the metric definitions, written from the papers' formulas with plain loops.

They share no code with tfdis.metrics: binning uses np.histogram's bin counts, information uses the
entropy identity I(X; Y) = H(X) + H(Y) − H(X, Y) over explicit count tables.
"""

import numpy as np


def bin_codes(codes, num_bins):
  """Bin index (0-based) of every value within its column's num_bins equal-width bins on [min, max]."""
  binned = np.zeros(codes.shape, dtype=np.int64)
  for j in range(codes.shape[1]):
    low, high = codes[:, j].min(), codes[:, j].max()
    if low == high:  # np.histogram widens a constant column to [v − 0.5, v + 0.5]: v sits mid-range.
      low, high = low - 0.5, high + 0.5
    width = (high - low) / num_bins
    for n, value in enumerate(codes[:, j]):
      index = int(np.floor((value - low) / width))
      binned[n, j] = min(max(index, 0), num_bins - 1)
  return binned


def entropy(*columns):
  """Joint entropy (nats) of integer columns from their count table."""
  _, counts = np.unique(np.stack(columns, axis=1), axis=0, return_counts=True)
  p = counts / counts.sum()
  return float(-np.sum(p * np.log(p)))


def mutual_information(x, y):
  return entropy(x) + entropy(y) - entropy(x, y)


def information_matrix(codes, factors, num_bins):
  binned = bin_codes(codes, num_bins)
  return np.array([[mutual_information(binned[:, i], factors[:, k]) for k in range(factors.shape[1])]
                   for i in range(codes.shape[1])])


def mig(codes, factors, num_bins=20):
  """Chen et al. 2018 eq. 5 over factors with positive entropy."""
  info = information_matrix(codes, factors, num_bins)
  gaps = []
  for k in range(factors.shape[1]):
    h = entropy(factors[:, k])
    if h > 0:
      top = sorted(info[:, k], reverse=True)
      gaps.append((top[0] - top[1]) / h)
  return float(np.mean(gaps))


def modularity(codes, factors, num_bins=20):
  """Ridgeway & Mozer 2018, Sec. 3: mean over codes of 1 − Σ_{k≠k*} m_k² / ((F − 1) m_k*²)."""
  info = information_matrix(codes, factors, num_bins)
  scores = []
  for row in info:
    best = row.max()
    if best == 0:
      scores.append(0.0)
      continue
    others = sum(m**2 for k, m in enumerate(row) if k != int(np.argmax(row)))
    scores.append(1.0 - others / ((len(row) - 1) * best**2))
  return float(np.mean(scores))


def dci_from_importance(importance):
  """Eastwood & Williams 2018: weighted (1 − entropy) over codes (D) and over factors (C)."""
  num_codes, num_factors = importance.shape
  total = importance.sum()
  d = 0.0
  for i in range(num_codes):
    p = importance[i] / importance[i].sum()
    h = -sum(q * np.log(q) / np.log(num_factors) for q in p if q > 0)
    d += (1 - h) * importance[i].sum() / total
  c = 0.0
  for k in range(num_factors):
    p = importance[:, k] / importance[:, k].sum()
    h = -sum(q * np.log(q) / np.log(num_codes) for q in p if q > 0)
    c += (1 - h) * importance[:, k].sum() / total
  return d, c


def sap_continuous(codes, factors):
  """Kumar et al. 2018, Sec. 3 with R² scores: mean over factors of the top-two gap of corr²."""
  gaps = []
  for k in range(factors.shape[1]):
    scores = sorted((np.corrcoef(codes[:, i], factors[:, k])[0, 1] ** 2 for i in range(codes.shape[1])),
                    reverse=True)
    gaps.append(scores[0] - scores[1])
  return float(np.mean(gaps))
