"""Local MIG and local modularity (Rhodes & Lee 2021, "Local Disentanglement in Variational
Auto-Encoders Using Jacobian L1 Regularization", Sec. 5).

A representation can be disentangled locally (axis-aligned with the factors near every point) while its
global MIG is low, e.g. when the aligned axes rotate across the factor space. The local scores average
MIG / modularity over clusters: each cluster draws a random factor centroid and samples points whose
factors lie within a window around it. Same protocol as the authors' disentanglement_lib fork
(travers-rhodes/jlonevae, `local_sample_factors`): a factor with `size` values varies within
centroid ± floor(size · locality_proportion) (clipped to its range); factors with fewer than
`continuity_cutoff` values stay at the centroid; 20 clusters of 10,000 points, 5-bin histograms.
"""

import numpy as np

from tfdis.metrics import mig_score
from tfdis.metrics import modularity as modularity_lib
from tfdis.metrics import utils


def sample_local_factors(factor_sizes, centroid, num_points, rng, locality_proportion,
                         continuity_cutoff=10):
  """Samples [num_points, F] integer factors uniformly in a window around `centroid`.

  Args:
    factor_sizes: [F] number of values of each factor (values 0 .. size − 1).
    centroid: [F] integer factor values at the window centre.
    num_points: rows to sample.
    rng: np.random.Generator or RandomState.
    locality_proportion: window radius as a fraction of each factor's number of values; 1.0 covers
      the whole range from any centroid.
    continuity_cutoff: factors with fewer values than this are treated as unordered and held fixed.

  Returns:
    int64 [num_points, F] factors.
  """
  sizes = np.asarray(factor_sizes, np.int64)
  radius = np.where(sizes >= continuity_cutoff, np.floor(sizes * locality_proportion), 0).astype(np.int64)
  low = np.maximum(0, centroid - radius)
  high = np.minimum(sizes - 1, centroid + radius)
  columns = [utils.integers(rng, high[j] + 1, size=num_points, low=low[j]) for j in range(sizes.size)]
  return np.stack(columns, axis=1).astype(np.int64)


def _local_clusters(sampler, representation_fn, rng, locality_proportion, num_clusters, num_points,
                    continuity_cutoff, batch_size):
  """Yields (codes [num_points, L], factors [num_points, F]) for each local cluster."""
  if not 0 < locality_proportion <= 1:
    raise ValueError(f"locality_proportion must be in (0, 1], got {locality_proportion!r}.")
  for name, value in (("num_clusters", num_clusters), ("num_points", num_points),
                      ("batch_size", batch_size)):
    if int(value) != value or value < 1:
      raise ValueError(f"{name} must be a positive integer, got {value!r}.")
  if num_points < 2:
    raise ValueError("num_points must be at least 2 per cluster.")
  sizes = np.asarray(sampler.factor_sizes, np.int64)
  for _ in range(num_clusters):
    centroid = np.array([utils.integers(rng, size) for size in sizes])
    factors = sample_local_factors(sizes, centroid, num_points, rng, locality_proportion,
                                   continuity_cutoff)
    codes = [np.asarray(representation_fn(sampler.sample_observations_from_factors(
        factors[start:start + batch_size], rng)), np.float64)
             for start in range(0, num_points, batch_size)]
    yield np.concatenate(codes), factors


def _summary(name, values):
  values = np.asarray(values, np.float64)
  finite = values[np.isfinite(values)]
  if finite.size == 0:
    return {name: float("nan"), f"{name}_std": float("nan"), f"{name}_min": float("nan"),
            f"{name}_max": float("nan")}
  return {name: float(finite.mean()), f"{name}_std": float(finite.std()), f"{name}_min": float(finite.min()),
          f"{name}_max": float(finite.max())}


def local_mig(sampler, representation_fn, rng, locality_proportion=0.1, num_clusters=20, num_points=10000,
              num_bins=5, continuity_cutoff=10, batch_size=256):
  """Local MIG (Rhodes & Lee 2021): MIG within local clusters of the factor space, averaged.

  Args:
    sampler: ground-truth sampler with `factor_sizes` and `sample_observations_from_factors`.
    representation_fn: callable observations [n, ...] -> codes [n, L] (NumPy), L >= 2.
    rng: np.random.Generator, np.random.RandomState or int seed.
    locality_proportion: window radius as a fraction of each factor's range; the paper reports
      0.1, 0.2, 0.3, 0.6 and 1.0.
    num_clusters: clusters (centroids) to average over.
    num_points: points sampled per cluster.
    num_bins: histogram bins per code dimension.
    continuity_cutoff: factors with fewer values stay fixed at the centroid.
    batch_size: observations per `representation_fn` call.

  Returns:
    {"local_mig", "local_mig_std", "local_mig_min", "local_mig_max"} over clusters. Within a cluster,
    factors that do not vary are left out of the mean, as in the authors' code.
  """
  rng = utils.make_rng(rng)
  num_bins = utils.check_num_bins(num_bins)
  scores = []
  for codes, factors in _local_clusters(sampler, representation_fn, rng, locality_proportion,
                                        num_clusters, num_points, continuity_cutoff, batch_size):
    codes = utils.check_codes(codes)
    if codes.shape[1] < 2:
      raise ValueError("MIG compares the two most informative code dims: codes need at least 2 columns.")
    information = utils.discrete_mutual_info(utils.histogram_discretize(codes, num_bins), factors)
    scores.append(mig_score.mig_from_information(information, utils.discrete_entropy(factors)))
  return _summary("local_mig", scores)


def local_modularity(sampler, representation_fn, rng, locality_proportion=0.1, num_clusters=20,
                     num_points=10000, num_bins=5, continuity_cutoff=10, batch_size=256):
  """Local modularity (Rhodes & Lee 2021): Ridgeway & Mozer's modularity within local clusters.

  Args and sampling are those of `local_mig`.

  Returns:
    {"local_modularity", "local_modularity_std", "local_modularity_min", "local_modularity_max"}.
  """
  rng = utils.make_rng(rng)
  num_bins = utils.check_num_bins(num_bins)
  scores = []
  for codes, factors in _local_clusters(sampler, representation_fn, rng, locality_proportion,
                                        num_clusters, num_points, continuity_cutoff, batch_size):
    codes = utils.check_codes(codes)
    information = utils.discrete_mutual_info(utils.histogram_discretize(codes, num_bins), factors)
    scores.append(modularity_lib.modularity_from_information(information))
  return _summary("local_modularity", scores)
