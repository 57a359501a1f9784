"""Fréchet distance between Gaussians and the Fréchet Inception Distance (Heusel et al. 2017).

FID = ‖μ_a − μ_b‖² + tr(Σ_a) + tr(Σ_b) − 2·tr((Σ_a Σ_b)^½) between Gaussians fitted (mean, covariance with
N − 1) to InceptionV3 pool3 features [N, 2048] of two image sets. The trace of the matrix square root is
computed one of three ways, equal in exact arithmetic:

- "sqrtm": `scipy.linalg.sqrtm(Σ_a Σ_b)`, as TTUR and pytorch-fid do: if the result is not finite, ε·I is
  added to both covariances; small imaginary parts (numerical error) are dropped and a diagonal imaginary
  part above 1e-3 raises. Cost O(D³) in a Schur decomposition: about 2 minutes for D = 2048 on 2 shared
  CPU cores.
- "eigh": Σ (λ_i)^½ over the eigenvalues of the symmetric Σ_a^½ Σ_b Σ_a^½ (which are those of Σ_a Σ_b),
  negative round-off clipped to 0; symmetric eigensolvers only, a few times faster than "sqrtm".
- "svd" (features only): with centred features A [n_a, D], B [n_b, D], Σ_a Σ_b's non-zero eigenvalues
  are the squared singular values of A Bᵀ / √((n_a − 1)(n_b − 1)), so the trace is their sum. Exact and
  cheap while n_a·n_b is small (few images, e.g. tests); O(n_a·n_b·min(n_a, n_b)) otherwise.

FIDs are comparable only between runs with the same weights file, image size and number of images (FID is
biased upward for small N); see `inception.py` for why these are not published-FID numbers.
"""

import warnings

import gin
import numpy as np
from scipy import linalg

from tfdis.metrics.generative import inception
from tfdis.metrics.generative import weights

METHODS = ("sqrtm", "eigh", "svd")


def feature_statistics(features):
  """Mean [D] and covariance [D, D] (rows are samples, N − 1 normalisation) of features [N, D]."""
  features = np.asarray(features, np.float64)
  if features.ndim != 2 or features.shape[0] < 2:
    raise ValueError(f"features must be a 2-D [num_samples >= 2, num_features] array, got shape "
                     f"{features.shape}.")
  return features.mean(axis=0), np.atleast_2d(np.cov(features, rowvar=False))


def _sqrtm(matrix):
  """scipy's sqrtm without its singular-matrix warning: the callers check the result themselves."""
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", linalg.LinAlgWarning)
    return linalg.sqrtm(matrix)


def _trace_sqrt_product_sqrtm(sigma1, sigma2, eps):
  root = _sqrtm(sigma1 @ sigma2)
  if not np.all(np.isfinite(root)):
    offset = eps * np.eye(sigma1.shape[0])
    root = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
  if np.iscomplexobj(root):
    largest = np.max(np.abs(np.diagonal(root).imag))
    if largest > 1e-3:
      raise ValueError(f"the square root of Σ1·Σ2 has an imaginary diagonal part of {largest:.3g}: the "
                       "covariances are too far from positive semi-definite; try method='eigh'.")
    root = root.real
  return float(np.trace(root))


def _trace_sqrt_product_eigh(sigma1, sigma2):
  values, vectors = linalg.eigh(sigma1)
  root1 = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T  # Σ1^½, symmetric
  middle = root1 @ sigma2 @ root1
  eigenvalues = linalg.eigvalsh((middle + middle.T) / 2.0)
  return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def _check_statistics(mu1, sigma1, mu2, sigma2):
  mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
  sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
  dim = mu1.shape[0]
  if mu1.shape != (dim,) or mu2.shape != (dim,) or sigma1.shape != (dim, dim) or sigma2.shape != (dim, dim):
    raise ValueError(f"means must be [D] and covariances [D, D] with one D; got {mu1.shape}, {sigma1.shape}, "
                     f"{mu2.shape}, {sigma2.shape}.")
  return mu1, sigma1, mu2, sigma2


def frechet_distance(mu1, sigma1, mu2, sigma2, method="sqrtm", eps=1e-6):
  """Squared Fréchet (2-Wasserstein) distance between N(mu1, sigma1) and N(mu2, sigma2).

  Args:
    mu1: mean [D].
    sigma1: covariance [D, D] (symmetric positive semi-definite).
    mu2: mean [D].
    sigma2: covariance [D, D].
    method: "sqrtm" (the standard implementations' way) or "eigh" (see the module docstring).
    eps: diagonal offset used by "sqrtm" when the product's square root is not finite.

  Returns:
    The distance, a float >= 0 up to round-off.
  """
  mu1, sigma1, mu2, sigma2 = _check_statistics(mu1, sigma1, mu2, sigma2)
  if method == "sqrtm":
    trace_root = _trace_sqrt_product_sqrtm(sigma1, sigma2, eps)
  elif method == "eigh":
    trace_root = _trace_sqrt_product_eigh(sigma1, sigma2)
  else:
    raise ValueError(f"method must be 'sqrtm' or 'eigh' for statistics ('svd' needs the features: use "
                     f"frechet_distance_from_features), got {method!r}.")
  diff = mu1 - mu2
  return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_root)


def frechet_distance_from_features(features_a, features_b, method="sqrtm"):
  """Fréchet distance between Gaussians fitted to features [N_a, D] and [N_b, D]; `method` in METHODS."""
  mu1, sigma1 = feature_statistics(features_a)
  mu2, sigma2 = feature_statistics(features_b)
  if method != "svd":
    return frechet_distance(mu1, sigma1, mu2, sigma2, method=method)
  centred_a = np.asarray(features_a, np.float64) - mu1  # [N_a, D]
  centred_b = np.asarray(features_b, np.float64) - mu2  # [N_b, D]
  if centred_a.shape[1] != centred_b.shape[1]:
    raise ValueError(f"features have {centred_a.shape[1]} and {centred_b.shape[1]} dims.")
  singular = linalg.svdvals(centred_a @ centred_b.T)
  trace_root = np.sum(singular) / np.sqrt((centred_a.shape[0] - 1) * (centred_b.shape[0] - 1))
  diff = mu1 - mu2
  return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_root)


@gin.register
def fid(images_a, images_b, weights_path=None, batch_size=50, method="sqrtm"):
  """Fréchet Inception Distance between two image sets, with Keras' InceptionV3 pool3 features.

  Not comparable with published FIDs (see the module docstring); an FID computed from randomly
  initialised weights, as in the tests, is meaningless: report only FIDs computed with the ImageNet
  weights file below, and name that file, the image size and N with them.

  Args:
    images_a: [N_a, H, W, C] images in [0, 1], C in {1, 3} (e.g. real); resized to 299×299.
    images_b: [N_b, H', W', C'] images in [0, 1] (e.g. generated). The literature uses 50,000.
    weights_path: the Keras InceptionV3 weights *without* the top,
      `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5` (where to get it: `weights.INCEPTION_NO_TOP`).
    batch_size: images per forward pass.
    method: "sqrtm" (standard), "eigh" or "svd" (see the module docstring).

  Returns:
    {"fid": ...}.

  Raises:
    ValueError / FileNotFoundError: if the weights file is not given / not found / not InceptionV3's.
  """
  weights.require_file(weights_path, weights.INCEPTION_NO_TOP, "weights_path", "fid")
  if method not in METHODS:
    raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
  features_a = inception.inception_features(images_a, weights_path, batch_size)
  features_b = inception.inception_features(images_b, weights_path, batch_size)
  return {"fid": frechet_distance_from_features(features_a, features_b, method)}
