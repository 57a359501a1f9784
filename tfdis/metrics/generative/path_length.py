"""Perceptual Path Length (Karras et al. 2019, StyleGAN Sec. 3.2), as OroJaR reports it (Wei et al. 2021).

For each sample: latents z_0, z_1 ~ N(0, I), t ~ U(0, 1) ("full"; t = 0 for "end"); the two endpoints
e_0 = slerp(z_0, z_1; t) and e_1 = slerp(z_0, z_1; t + ε) are rendered and their distance is divided by
ε². PPL is the mean of the distances between their 1st (rounded down) and 99th (rounded up) percentiles.
OroJaR's `perceptual_path_length_v2.py` (ProGAN experiments): 100,000 samples, ε = 1e-4, slerp in z,
LPIPS-VGG on images bilinearly upsampled to 256×256 (no centre crop; larger images are box-averaged
down to 256). Here TF2's `tf.image.resize` does the resizing (half-pixel centres; the reference used
TF1's). As in StyleGAN, slerp returns unit-norm latents: a generator trained on N(0, I) latents without
normalising them sees latents of norm 1. `space="w"` interpolates linearly (lerp) between latents drawn
by `latent_fn` instead, e.g. a mapping network's outputs.

The default distance is LPIPS (see `perceptual.py`) from the user's weight files; a PPL computed from
randomly initialised weights is meaningless.
"""

import gin
import numpy as np

from tfdis.metrics import utils
from tfdis.metrics.generative import perceptual

SPACES = ("z", "w")
SAMPLINGS = ("full", "end")


def _normalize(vectors):
  return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def slerp(a, b, t):
  """Spherical interpolation between the directions of a and b [n, d] at t [n, 1]: unit vectors [n, d]."""
  a, b = _normalize(a), _normalize(b)
  cosine = np.clip(np.sum(a * b, axis=-1, keepdims=True), -1.0, 1.0)
  angle = t * np.arccos(cosine)
  orthogonal = _normalize(b - cosine * a)  # unit vector of b's component orthogonal to a
  return _normalize(a * np.cos(angle) + orthogonal * np.sin(angle))


def lerp(a, b, t):
  """Linear interpolation a + (b − a)·t of [n, d] arrays at t [n, 1]."""
  return a + (b - a) * t


def trimmed_mean(distances, low=1.0, high=99.0):
  """Mean of `distances` within their [low, high] percentiles (lower / higher rank, inclusive)."""
  lo = np.percentile(distances, low, method="lower")
  hi = np.percentile(distances, high, method="higher")
  return float(np.mean(distances[(distances >= lo) & (distances <= hi)]))


def _standard_normal(rng, num, latent_dim):
  return rng.normal(size=(num, latent_dim))


def _path_distances(generator_fn, distance_fn, latents, t, epsilon, space):
  """Distances / ε² [n] between the renders at t and t + ε of the paths latents[0] → latents[1]."""
  interpolate = slerp if space == "z" else lerp
  start = interpolate(latents[0], latents[1], t).astype(np.float32)  # [n, d]
  end = interpolate(latents[0], latents[1], t + epsilon).astype(np.float32)
  images = np.asarray(generator_fn(np.concatenate([start, end])))
  count = start.shape[0]
  distances = np.asarray(distance_fn(images[:count], images[count:]), np.float64)
  if distances.shape != (count,):
    raise ValueError(f"distance_fn returned shape {distances.shape} for {count} image pairs; it must "
                     "return one distance per pair, [num_pairs].")
  return distances / epsilon**2


def _check_arguments(num_samples, epsilon, space, sampling, batch_size):
  if space not in SPACES or sampling not in SAMPLINGS:
    raise ValueError(f"space must be one of {SPACES} and sampling one of {SAMPLINGS}, got {space!r}, "
                     f"{sampling!r}.")
  if int(num_samples) != num_samples or num_samples < 1 or int(batch_size) != batch_size or batch_size < 1:
    raise ValueError(f"num_samples and batch_size must be positive integers, got {num_samples!r}, "
                     f"{batch_size!r}.")
  if not epsilon > 0:
    raise ValueError(f"epsilon must be positive, got {epsilon!r}.")


@gin.register
def perceptual_path_length(generator_fn, latent_dim, rng, distance_fn=None, num_samples=100_000,
                           epsilon=1e-4, space="z", sampling="full", batch_size=64, latent_fn=None,
                           weights_path=None, linear_weights_path=None, image_size=256):
  """Perceptual Path Length of a generator (see the module docstring).

  Args:
    generator_fn: callable float32 latents [n, latent_dim] -> images [n, H, W, C] (NumPy or tensors; in
      [0, 1] for the default LPIPS distance).
    latent_dim: number of latent dims.
    rng: np.random.Generator, RandomState or int seed (latents and t).
    distance_fn: callable (images_a, images_b) -> [n] distances; None for LPIPS from `weights_path` and
      `linear_weights_path` on images resized to `image_size` (OroJaR's setting).
    num_samples: number of path segments (OroJaR: 100,000).
    epsilon: step ε in t (OroJaR: 1e-4).
    space: "z" (slerp, OroJaR) or "w" (lerp).
    sampling: "full" (t ~ U(0, 1)) or "end" (t = 0).
    batch_size: path segments per `generator_fn` call (2·batch_size latents).
    latent_fn: callable (rng, n) -> [n, latent_dim] latents to interpolate between; default N(0, I).
    weights_path: VGG16 weights for the default distance (see `perceptual.lpips_distance_fn`).
    linear_weights_path: LPIPS linear-layer .npz for the default distance.
    image_size: images are resized to this size for the default distance; None keeps their size.

  Returns:
    {"ppl": trimmed mean distance / ε², "ppl_std": standard deviation of all distances / ε²}.
  """
  _check_arguments(num_samples, epsilon, space, sampling, batch_size)
  if distance_fn is None:
    distance_fn = perceptual.lpips_distance_fn(weights_path, linear_weights_path, image_size=image_size,
                                               caller="perceptual_path_length")
  rng = utils.make_rng(rng)
  latent_fn = latent_fn or (lambda generator, n: _standard_normal(generator, n, latent_dim))
  distances = []
  for start in range(0, num_samples, batch_size):
    count = min(batch_size, num_samples - start)
    latents = np.stack([np.asarray(latent_fn(rng, count), np.float64) for _ in range(2)])  # [2, n, d]
    if latents.shape[1:] != (count, latent_dim):
      raise ValueError(f"latent_fn returned shape {latents.shape[1:]}; expected [{count}, {latent_dim}].")
    t = rng.uniform(size=(count, 1)) if sampling == "full" else np.zeros((count, 1))
    distances.append(_path_distances(generator_fn, distance_fn, latents, t, epsilon, space))
  distances = np.concatenate(distances)
  return {"ppl": trimmed_mean(distances), "ppl_std": float(np.std(distances))}
