"""Divergences between latent distributions."""

import gin
import tensorflow as tf


@gin.register
def gaussian_kl(mean, logvar):
  """KL(N(mean, exp(logvar)) || N(0, I)), summed over latent dims, averaged over the batch.

  Args:
    mean: [batch, d] posterior means.
    logvar: [batch, d] posterior log-variances.

  Returns:
    Scalar: mean over the batch of ½ Σ_d (mean² + exp(logvar) − logvar − 1).
  """
  per_dim = 0.5 * (tf.square(mean) + tf.exp(logvar) - logvar - 1.0)  # [batch, d]
  return tf.reduce_mean(tf.reduce_sum(per_dim, axis=-1))
