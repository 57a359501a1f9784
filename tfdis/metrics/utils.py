"""Shared helpers of the metrics: input checks, histogram discretization, discrete information, rng draws.

The discretization and information estimates follow disentanglement_lib's `evaluation/metrics/utils.py`
(Locatello et al. 2019): every code dimension is binned with `np.histogram`'s equal-width edges and
information is in nats (scikit-learn's `mutual_info_score`).
"""

import numpy as np
from sklearn import metrics as sk_metrics


def check_codes(codes, name="codes", min_points=2):
  """Returns `codes` as a finite float64 [N, L] array, or raises a ValueError naming the fix."""
  codes = np.asarray(codes)
  if codes.ndim != 2:
    raise ValueError(f"{name} must be a 2-D [num_points, num_codes] array, got shape {codes.shape}; "
                     f"reshape a single code dimension with {name}.reshape(-1, 1).")
  if not np.issubdtype(codes.dtype, np.number) and codes.dtype != bool:
    raise ValueError(f"{name} must be numeric, got dtype {codes.dtype}.")
  codes = codes.astype(np.float64)
  if codes.shape[0] < min_points:
    raise ValueError(f"{name} has {codes.shape[0]} points; this metric needs at least {min_points}: "
                     "sample more points.")
  if not np.all(np.isfinite(codes)):
    raise ValueError(f"{name} contains NaN or inf values; check the encoder outputs.")
  return codes


def check_factors(factors, name="factors", min_points=2):
  """Returns `factors` as an int64 [N, F] array of class indices, or raises a ValueError naming the fix.

  Float arrays are accepted when every value is a whole number (factors often travel as float32 tensors).
  """
  factors = np.asarray(factors)
  if factors.ndim != 2:
    raise ValueError(f"{name} must be a 2-D [num_points, num_factors] array, got shape {factors.shape}; "
                     f"reshape a single factor with {name}.reshape(-1, 1).")
  if factors.shape[0] < min_points:
    raise ValueError(f"{name} has {factors.shape[0]} points; this metric needs at least {min_points}: "
                     "sample more points.")
  if np.issubdtype(factors.dtype, np.integer) or factors.dtype == bool:
    return factors.astype(np.int64)
  if np.issubdtype(factors.dtype, np.floating) and np.all(np.isfinite(factors)) and np.all(
      factors == np.round(factors)):
    return factors.astype(np.int64)
  raise ValueError(f"{name} must hold integer factor classes (dtype {factors.dtype} has non-integer "
                   "values): discretize continuous factors first, e.g. np.digitize(values, bin_edges), "
                   "or use sap(..., continuous_factors=True).")


def check_pair(codes, factors, suffix="", min_points=2):
  """Checks one (codes, factors) pair: shapes, dtypes and matching number of points."""
  codes = check_codes(codes, "codes" + suffix, min_points)
  factors = check_factors(factors, "factors" + suffix, min_points)
  if codes.shape[0] != factors.shape[0]:
    raise ValueError(f"codes{suffix} has {codes.shape[0]} points but factors{suffix} has "
                     f"{factors.shape[0]}: pass the factors that generated each code, row for row.")
  return codes, factors


def check_train_test(codes_train, factors_train, codes_test, factors_test, min_points=2):
  """Checks train and test pairs and that they share the number of code dims and of factors."""
  codes_train, factors_train = check_pair(codes_train, factors_train, "_train", min_points)
  codes_test, factors_test = check_pair(codes_test, factors_test, "_test", min_points)
  if codes_train.shape[1] != codes_test.shape[1]:
    raise ValueError(f"codes_train has {codes_train.shape[1]} dims but codes_test has "
                     f"{codes_test.shape[1]}: encode both sets with the same representation.")
  if factors_train.shape[1] != factors_test.shape[1]:
    raise ValueError(f"factors_train has {factors_train.shape[1]} factors but factors_test has "
                     f"{factors_test.shape[1]}.")
  return codes_train, factors_train, codes_test, factors_test


def check_varying_factors(factors, name="factors_train"):
  """Raises a ValueError if a factor takes a single value (no classifier can be trained on it)."""
  for j in range(factors.shape[1]):
    if np.unique(factors[:, j]).size < 2:
      raise ValueError(f"factor {j} takes a single value in {name}; a classifier needs two classes: "
                       "sample more points or drop that factor.")


def check_num_bins(num_bins):
  if int(num_bins) != num_bins or num_bins < 1:
    raise ValueError(f"num_bins must be a positive integer, got {num_bins!r}.")
  return int(num_bins)


def histogram_discretize(codes, num_bins):
  """Bins every code dimension into `num_bins` equal-width bins spanning its own [min, max].

  Same binning as disentanglement_lib's `_histogram_discretize`: edges from `np.histogram`, bin index
  from `np.digitize` against all edges but the last, so the indices run from 1 to `num_bins`.

  Args:
    codes: [N, L] float array.
    num_bins: number of bins per dimension.

  Returns:
    [N, L] int64 array of bin indices.
  """
  discretized = np.empty(codes.shape, dtype=np.int64)
  for j in range(codes.shape[1]):
    edges = np.histogram_bin_edges(codes[:, j], bins=num_bins)
    discretized[:, j] = np.digitize(codes[:, j], edges[:-1])
  return discretized


def discrete_mutual_info(discrete_codes, factors):
  """Mutual information (nats) between every discrete code dimension and every factor: [L, F]."""
  num_codes, num_factors = discrete_codes.shape[1], factors.shape[1]
  mi = np.zeros([num_codes, num_factors])
  for i in range(num_codes):
    for j in range(num_factors):
      mi[i, j] = sk_metrics.mutual_info_score(factors[:, j], discrete_codes[:, i])
  return mi


def discrete_entropy(factors):
  """Entropy (nats) of every factor's empirical distribution: [F]."""
  return np.array([sk_metrics.mutual_info_score(factors[:, j], factors[:, j])
                   for j in range(factors.shape[1])])


def make_rng(rng):
  """Returns `rng` if it is a NumPy Generator/RandomState, a new Generator if it is an int or None."""
  if isinstance(rng, (np.random.Generator, np.random.RandomState)):
    return rng
  if rng is None or isinstance(rng, (int, np.integer)):
    return np.random.default_rng(rng)
  raise ValueError(f"rng must be a np.random.Generator, a np.random.RandomState or an int seed, got "
                   f"{type(rng).__name__}.")


def integers(rng, high, size=None, low=0):
  """Uniform integers in [low, high) from a Generator or a RandomState (disentanglement_lib's kind)."""
  if isinstance(rng, np.random.Generator):
    return rng.integers(low, high, size=size)
  return rng.randint(low, high, size=size)


def seed_from(rng):
  """An int seed for scikit-learn / Keras drawn from `rng`, so that a run is reproducible from `rng`."""
  return int(integers(rng, 2**31 - 1))
