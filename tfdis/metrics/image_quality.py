"""Image quality and diversity: RMSE, PSNR, SSIM, MS-SSIM and intra-class diversity.

Images are float arrays [N, H, W, C] in [0, 1]. Every score is computed per image (pair) and averaged,
as in mddAE's Table 1 (Song et al. 2020). SSIM and MS-SSIM are TensorFlow's `tf.image.ssim` /
`tf.image.ssim_multiscale` (Wang et al. 2003/2004: 11×11 Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03);
TensorFlow is imported on first use so that the NumPy metrics of `tfdis.metrics` load without it.

MS-SSIM and small images: each of the 5 standard scales halves the image (TensorFlow rounds odd sizes
up), and the coarsest must still hold the `filter_size` window, so the default needs
ceil(min(H, W) / 2⁴) >= 11, i.e. at least 161 px (176 px is the bound usually quoted). For smaller images
`num_scales=None` uses the largest number of scales that fits (e.g. 3 for 64 px, 2 for 32 px) with the
first power factors of Wang et al. renormalized to sum to 1, so that MS-SSIM(x, x) stays 1. Scores at
different numbers of scales are not comparable: report the image size with them.
"""

import numpy as np

from tfdis.metrics import utils

# Wang, Simoncelli & Bovik 2003, "Multi-scale structural similarity for image quality assessment".
MS_SSIM_POWER_FACTORS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _check_images(images, name):
  images = np.asarray(images)
  if images.ndim != 4:
    raise ValueError(f"{name} must be a 4-D [num_images, height, width, channels] array, got shape "
                     f"{images.shape}; add a batch axis with {name}[None] or a channel axis with "
                     f"{name}[..., None].")
  images = images.astype(np.float32)
  if images.size and (images.min() < -1e-6 or images.max() > 1 + 1e-6):
    raise ValueError(f"{name} must lie in [0, 1] (found [{images.min():.3g}, {images.max():.3g}]); "
                     "rescale images in [-1, 1] with (x + 1) / 2.")
  return images


def _check_image_pair(images, references):
  images = _check_images(images, "images")
  references = _check_images(references, "references")
  if images.shape != references.shape:
    raise ValueError(f"images {images.shape} and references {references.shape} must have the same shape.")
  return images, references


def _per_image_mse(images, references):
  images, references = _check_image_pair(images, references)
  return np.mean(np.square(images.astype(np.float64) - references), axis=(1, 2, 3))


def _per_image_psnr(images, references):
  with np.errstate(divide="ignore"):
    return 10.0 * np.log10(1.0 / _per_image_mse(images, references))


def _per_image_ssim(images, references, filter_size=11):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  images, references = _check_image_pair(images, references)
  _check_window(images, filter_size)
  return tf.image.ssim(images, references, max_val=1.0, filter_size=filter_size).numpy()


def rmse(images, references):
  """Root mean squared error per image, averaged: {"rmse"} (mddAE Table 1)."""
  return {"rmse": float(np.sqrt(_per_image_mse(images, references)).mean())}


def psnr(images, references):
  """Peak signal-to-noise ratio 10·log10(1 / MSE) per image (dB), averaged: {"psnr"}.

  An image equal to its reference has infinite PSNR, and so has the mean.
  """
  return {"psnr": float(_per_image_psnr(images, references).mean())}


def _check_window(images, filter_size):
  height, width = images.shape[1:3]
  if min(height, width) < filter_size:
    raise ValueError(f"images of {height}×{width} px are smaller than the {filter_size}-px SSIM window: "
                     "pass a smaller filter_size.")


def ssim(images, references, filter_size=11):
  """Structural similarity (Wang et al. 2004) per image, averaged over images: {"ssim"}."""
  return {"ssim": float(np.mean(_per_image_ssim(images, references, filter_size)))}


def reconstruction_quality(reconstructions, images, with_std=False):
  """{"rmse", "psnr", "ssim"} of `reconstructions` against `images` ([N, H, W, C] in [0, 1]), per-image means.

  The one reconstruction score of the evaluate suites and the fidelity benches. `with_std` adds each score's
  standard deviation over images as "<name>_std" (mddAE's Table 1 reports mean ± std).
  """
  per_image = {"rmse": np.sqrt(_per_image_mse(reconstructions, images)),
               "psnr": _per_image_psnr(reconstructions, images),
               "ssim": _per_image_ssim(reconstructions, images)}
  results = {name: float(np.mean(values)) for name, values in per_image.items()}
  if with_std:
    with np.errstate(invalid="ignore"):  # the std of infinite PSNRs (perfect reconstructions) is NaN
      results.update({f"{name}_std": float(np.std(values)) for name, values in per_image.items()})
  return results


def ms_ssim_power_factors(height, width, filter_size=11, num_scales=None):
  """The MS-SSIM power factors for images of this size (see the module docstring).

  Args:
    height: image height.
    width: image width.
    filter_size: SSIM window size.
    num_scales: scales to use (1 to 5); None for the most that fit.

  Returns:
    Tuple of `num_scales` weights summing to 1 (the standard 5 when they fit).
  """
  fits = 0
  while fits < len(MS_SSIM_POWER_FACTORS) and -(-min(height, width) // 2**fits) >= filter_size:
    fits += 1
  if num_scales is None:
    num_scales = fits
  if num_scales < 1 or num_scales > fits:
    raise ValueError(f"{height}×{width} px images fit at most {fits} MS-SSIM scales with a "
                     f"{filter_size}-px window; pass num_scales between 1 and {fits} or a smaller "
                     "filter_size.")
  factors = np.asarray(MS_SSIM_POWER_FACTORS[:num_scales])
  return tuple(float(f) for f in factors / factors.sum())


def _ms_ssim_values(images, references, filter_size, num_scales, batch_size=256):
  """Per-pair MS-SSIM [N] of already checked image arrays."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  power_factors = ms_ssim_power_factors(images.shape[1], images.shape[2], filter_size, num_scales)
  values = [tf.image.ssim_multiscale(images[i:i + batch_size], references[i:i + batch_size], max_val=1.0,
                                     power_factors=power_factors, filter_size=filter_size).numpy()
            for i in range(0, images.shape[0], batch_size)]
  return np.concatenate(values) if values else np.zeros([0])


def ms_ssim(images, references, filter_size=11, num_scales=None):
  """Multi-scale SSIM (Wang et al. 2003) per image, averaged: {"ms_ssim"}.

  Args:
    images: [N, H, W, C] in [0, 1].
    references: same shape.
    filter_size: SSIM window size.
    num_scales: number of scales; None picks the most that fit (5 from 176 px, see module docstring).
  """
  images, references = _check_image_pair(images, references)
  return {"ms_ssim": float(np.mean(_ms_ssim_values(images, references, filter_size, num_scales)))}


def _class_pairs(count, max_pairs, rng):
  """Index pairs (i < j) of a class with `count` images, all of them or `max_pairs` drawn at random."""
  first, second = np.triu_indices(count, k=1)
  if max_pairs is not None and first.size > max_pairs:
    chosen = rng.permutation(first.size)[:max_pairs]
    first, second = first[chosen], second[chosen]
  return first, second


def intra_class_diversity(images, labels, filter_size=11, num_scales=None, max_pairs_per_class=None,
                          rng=None):
  """Intra-class diversity: mean over classes of the mean 1 − MS-SSIM over pairs of a class's images.

  The Lr/Li-VAE paper (Zheng & Sun 2019, Sec. 4.2, Table 2) adopts "the average negative MS-SSIM between
  all pairs" of a class from Ben-Yosef & Weinshall 2018 and reports positive values, higher for more
  diverse samples; negative is read as the dissimilarity 1 − MS-SSIM, which is 0 for identical images.

  Args:
    images: [N, H, W, C] generated images in [0, 1].
    labels: [N] integer class of each image; classes with a single image are skipped.
    filter_size: SSIM window size.
    num_scales: MS-SSIM scales; None picks the most that fit.
    max_pairs_per_class: if set, average over that many random pairs of each class instead of all.
    rng: np.random.Generator / RandomState / int seed for the pair subsample.

  Returns:
    {"intra_class_diversity": mean over classes, "intra_class_diversity_std": spread over classes}.
  """
  images = _check_images(images, "images")
  labels = np.asarray(labels)
  if labels.shape != (images.shape[0],):
    raise ValueError(f"labels must be a [num_images] = [{images.shape[0]}] array of classes, got shape "
                     f"{labels.shape}.")
  rng = utils.make_rng(rng)
  per_class = []
  for label in np.unique(labels):
    members = np.flatnonzero(labels == label)
    if members.size < 2:
      continue
    first, second = _class_pairs(members.size, max_pairs_per_class, rng)
    values = _ms_ssim_values(images[members[first]], images[members[second]], filter_size, num_scales)
    per_class.append(1.0 - float(np.mean(values)))
  if not per_class:
    raise ValueError("no class has two images: intra-class diversity needs pairs of the same class.")
  return {"intra_class_diversity": float(np.mean(per_class)),
          "intra_class_diversity_std": float(np.std(per_class))}
