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
