"""Divergences between latent distributions."""

import gin
import tensorflow as tf

REDUCTIONS = ("sum", "mean", "none")


@gin.register
def gaussian_kl(mean, logvar, reduction="sum"):
  """KL(N(mean, exp(logvar)) || N(0, I)) per latent dimension, ½ (mean² + exp(logvar) − logvar − 1), reduced.

  Args:
    mean: [batch, d] posterior means.
    logvar: [batch, d] posterior log-variances.
    reduction: "sum" over the latent dims then the mean over the batch (the VAE's KL term: β-VAE, JL1-VAE,
      LORD's KL ablation); "mean" over the latent dims then over the batch (Lr/Li-VAE's official code,
      1/d of "sum"); "none": the per-example, per-dimension KL [batch, d] (per-latent KL of an evaluation).

  Returns:
    A scalar, or [batch, d] for "none".
  """
  if reduction not in REDUCTIONS:
    raise ValueError(f"gaussian_kl reduction={reduction!r}: use 'sum' (over latent dims), 'mean' (over "
                     "latent dims) or 'none' (the [batch, d] values).")
  per_dim = 0.5 * (tf.square(mean) + tf.exp(logvar) - logvar - 1.0)  # [batch, d]
  if reduction == "none":
    return per_dim
  reduce = tf.reduce_sum if reduction == "sum" else tf.reduce_mean
  return tf.reduce_mean(reduce(per_dim, axis=-1))
