"""Reconstruction losses, summed over pixels and averaged over the batch (disentanglement_lib convention)."""

import gin
import tensorflow as tf


@gin.register
def bernoulli_reconstruction(images, logits):
  """Bernoulli negative log-likelihood of `images` in [0, 1] under decoder `logits`.

  Args:
    images: [batch, h, w, c] targets in [0, 1].
    logits: [batch, h, w, c] decoder outputs before the sigmoid.

  Returns:
    Scalar: mean over the batch of the per-image summed sigmoid cross-entropy.
  """
  per_pixel = tf.nn.sigmoid_cross_entropy_with_logits(labels=images, logits=logits)
  return tf.reduce_mean(tf.reduce_sum(per_pixel, axis=[1, 2, 3]))


@gin.register
def gaussian_reconstruction(images, logits):
  """Squared error between `images` and sigmoid(`logits`) (a fixed-variance Gaussian), summed per image."""
  per_pixel = tf.square(images - tf.sigmoid(logits))
  return tf.reduce_mean(tf.reduce_sum(per_pixel, axis=[1, 2, 3]))


RECONSTRUCTION_LOSSES = {
    "bernoulli": bernoulli_reconstruction,
    "gaussian": gaussian_reconstruction,
}


def reconstruction_loss(name):
  """Returns the reconstruction loss called `name`, or raises a ValueError listing the known ones."""
  if name not in RECONSTRUCTION_LOSSES:
    raise ValueError(f"Unknown reconstruction loss {name!r}: use one of {sorted(RECONSTRUCTION_LOSSES)}.")
  return RECONSTRUCTION_LOSSES[name]


# mddAE (Song et al. 2020, eq. 2, 6, 7): squared error and the structural dissimilarity of MS-SSIM.
_SSIM_K1, _SSIM_K2, _SSIM_SIGMA = 0.01, 0.03, 1.5
_MS_SSIM_POWER_FACTORS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)  # Wang, Simoncelli & Bovik 2003


@gin.register
def squared_error(images, reconstructions, reduction="sum"):
  """‖x − x̂‖² per image (mddAE eq. 2), averaged over the batch.

  Args:
    images: [batch, h, w, c] targets.
    reconstructions: [batch, h, w, c] decoded images.
    reduction: "sum" over pixels (eq. 2 as written) or "mean" over pixels (the per-pixel MSE).

  Returns:
    Scalar batch mean of the per-image squared error.
  """
  if reduction not in ("sum", "mean"):
    raise ValueError(f"reduction={reduction!r}: use 'sum' (eq. 2, ‖x − x̂‖²) or 'mean' (per-pixel MSE).")
  per_pixel = tf.square(images - reconstructions)
  per_image = (tf.reduce_sum if reduction == "sum" else tf.reduce_mean)(per_pixel, axis=[1, 2, 3])
  return tf.reduce_mean(per_image)


def _gaussian_window(size, sigma, channels, dtype):
  """The [size, size, channels, 1] depthwise Gaussian window of `tf.image.ssim`."""
  coords = tf.range(size, dtype=dtype) - (size - 1) / 2.0
  g = tf.exp(-0.5 * tf.square(coords) / sigma**2)
  window = g[:, tf.newaxis] * g[tf.newaxis, :]
  window = window / tf.reduce_sum(window)
  return tf.tile(window[:, :, tf.newaxis, tf.newaxis], [1, 1, channels, 1])


def _ssim_terms(x, y, window):
  """Per-image, per-channel (ssim, cs) [batch, c] with `tf.image.ssim`'s constants (VALID Gaussian window)."""
  blur = lambda t: tf.nn.depthwise_conv2d(t, window, [1, 1, 1, 1], "VALID")  # noqa: E731
  c1, c2 = _SSIM_K1**2, _SSIM_K2**2
  mean_x, mean_y = blur(x), blur(y)
  luminance_num = 2.0 * mean_x * mean_y
  luminance_den = tf.square(mean_x) + tf.square(mean_y)
  luminance = (luminance_num + c1) / (luminance_den + c1)
  cs = (2.0 * blur(x * y) - luminance_num + c2) / (blur(tf.square(x) + tf.square(y)) - luminance_den + c2)
  return tf.reduce_mean(luminance * cs, axis=[1, 2]), tf.reduce_mean(cs, axis=[1, 2])


def _safe_power(values, exponent):
  """relu(values)^exponent, exactly, with a zero (not NaN) gradient where values <= 0."""
  positive = values > 0
  safe = tf.where(positive, values, tf.ones_like(values))
  return tf.where(positive, tf.pow(safe, exponent), tf.zeros_like(values))


def ms_ssim(images, reconstructions, power_factors, filter_size=11):
  """Differentiable multi-scale SSIM per image [batch], equal in value to `tf.image.ssim_multiscale`.

  Written out because the gradient of `tf.image.ssim_multiscale` is NaN as soon as one scale's contrast-
  structure term cs is <= 0 (relu(cs)^p has an infinite derivative at 0, times the relu's 0), which is
  common for the reconstructions of an untrained decoder. Here the power is taken only of positive values
  (`_safe_power`): same value, zero gradient there. Images must be at least `filter_size`
  pixels at the coarsest scale; `fitting_power_factors(h, w)` gives factors that fit.

  Args:
    images, reconstructions: [batch, h, w, c] in [0, 1], h and w even at every scale but the last.
    power_factors: exponents per scale, finest first (Wang et al. 2003: 5 scales).
    filter_size: Gaussian window size (σ = 1.5).
  """
  height, width, channels = images.shape[1:]
  if min(height, width) // 2**(len(power_factors) - 1) < filter_size:
    raise ValueError(f"{height}×{width} images are too small for {len(power_factors)} MS-SSIM scales with a "
                     f"{filter_size}-px window: pass power_factors=tfdis.losses.reconstruction.fitting_power_factors(h, w).")
  window = _gaussian_window(filter_size, _SSIM_SIGMA, channels, images.dtype)
  x, y, factors = images, reconstructions, []
  for scale, exponent in enumerate(power_factors):
    if scale:
      x, y = (tf.nn.avg_pool2d(t, 2, 2, "VALID") for t in (x, y))
    ssim, cs = _ssim_terms(x, y, window)  # [batch, c] each
    last = scale == len(power_factors) - 1
    factors.append(_safe_power(ssim if last else cs, exponent))
  return tf.reduce_mean(tf.reduce_prod(tf.stack(factors), axis=0), axis=-1)


def fitting_power_factors(height, width, filter_size=11):
  """Wang et al.'s first MS-SSIM power factors, as many scales as fit the window, renormalized to sum to 1.

  The same rule as `tfdis.metrics.image_quality.ms_ssim_power_factors` (kept here so that losses do not import the
  metrics package): scale k holds ceil(min(h, w) / 2^k) >= `filter_size` pixels, e.g. 3 scales at 64 px.
  """
  fits = 0
  while fits < len(_MS_SSIM_POWER_FACTORS) and -(-min(height, width) // 2**fits) >= filter_size:
    fits += 1
  if not fits:
    raise ValueError(f"{height}×{width} images are smaller than the {filter_size}-px SSIM window: turn DSSIM "
                     "off (alpha = 0) or pass a smaller filter_size.")
  factors = _MS_SSIM_POWER_FACTORS[:fits]
  return tuple(f / sum(factors) for f in factors)


@gin.register
def dssim(images, reconstructions, power_factors=None, filter_size=11):
  """Structural dissimilarity ½(1 − MS-SSIM(x, x̂)) (mddAE eq. 6), averaged over the batch.

  Args:
    images: [batch, h, w, c] targets in [0, 1].
    reconstructions: [batch, h, w, c] decoded images in [0, 1].
    power_factors: MS-SSIM exponents per scale; None: the most scales of Wang et al. that fit the image
      size (3 for 64 px), renormalized to sum to 1 (`fitting_power_factors`).
    filter_size: Gaussian window size.

  Returns:
    Scalar in [0, 1].
  """
  if power_factors is None:
    power_factors = fitting_power_factors(images.shape[1], images.shape[2], filter_size)
  return tf.reduce_mean(0.5 * (1.0 - ms_ssim(images, reconstructions, power_factors, filter_size)))
