"""The Gaussian-mixture (GM) loss of Lr/Li-VAE (Zheng & Sun 2019, eqs. 6–9); its hinge GAN losses are in
`tfdis.losses.adversarial`.

With learnable class means μ_k and diagonal precisions Λ_k = exp(log_precisions_k) (official code:
`lgm_logits` in ZhilZheng/Lr-LiVAE, Λ = softplus(v)), for a code z of class y:

  d_k = ½ (z − μ_k)ᵀ diag(Λ_k) (z − μ_k)                      (Mahalanobis distance, halved)
  p_k = exp(−d_k (1 + α·1[k = y])) · √det Λ_k                  (margin α on the true class)
  classification = −log(p_y / Σ_k p_k)                         (eq. 8)
  likelihood     = d_y − ½ log det Λ_y                           (eq. 7, up to a constant)
  GM loss        = mean(classification) + λ · mean(likelihood)    (eq. 9)

The official code adds 1e-8 to Σ p and 1e-4 inside the logs; here the softmax is taken in log space
(exact and stable), which differs from it by less than those constants.
"""

import gin
import tensorflow as tf


def _check(z, means, log_precisions):
  if z.shape.rank != 2 or means.shape.rank != 2 or means.shape != log_precisions.shape:
    raise ValueError(f"gaussian_mixture_loss takes z [batch, d] and means, log_precisions [classes, d] of "
                     f"equal shapes; got z {z.shape}, means {means.shape}, log_precisions "
                     f"{log_precisions.shape}.")
  if z.shape[-1] is not None and means.shape[-1] is not None and z.shape[-1] != means.shape[-1]:
    raise ValueError(f"z has {z.shape[-1]} dimensions but the mixture's means have {means.shape[-1]}: "
                     "build the mixture with the code's dimension.")


def mahalanobis_distances(z, means, log_precisions):
  """d_k = ½ (z − μ_k)ᵀ diag(exp(log_precisions_k)) (z − μ_k), as [batch, classes]."""
  diff = z[:, tf.newaxis, :] - means[tf.newaxis]  # [batch, classes, d]
  return 0.5 * tf.reduce_sum(tf.square(diff) * tf.exp(log_precisions)[tf.newaxis], axis=-1)


def gaussian_mixture_terms(z, labels, means, log_precisions, alpha=0.0):
  """Per-example GM terms: (classification [batch], likelihood [batch], logits [batch, classes]).

  Args:
    z: [batch, d] label-relevant codes.
    labels: [batch] int class of each code, in [0, classes).
    means: [classes, d] class means μ_k.
    log_precisions: [classes, d] log of the diagonal precisions Λ_k.
    alpha: classification margin α ≥ 0 (official 0).

  Returns:
    classification: −log softmax(logits)_y; likelihood: d_y − ½ log det Λ_y; logits: log p_k (with the
    margin), whose argmax is the predicted class when alpha = 0.
  """
  z = tf.convert_to_tensor(z, tf.float32)
  means, log_precisions = tf.convert_to_tensor(means), tf.convert_to_tensor(log_precisions)
  _check(z, means, log_precisions)
  distances = mahalanobis_distances(z, means, log_precisions)  # [batch, classes]
  onehot = tf.one_hot(labels, tf.shape(means)[0], dtype=z.dtype)
  half_log_det = 0.5 * tf.reduce_sum(log_precisions, axis=-1)  # [classes]
  logits = -distances * (1.0 + alpha * onehot) + half_log_det[tf.newaxis]
  classification = -tf.reduce_sum(onehot * tf.nn.log_softmax(logits, axis=-1), axis=-1)
  likelihood = tf.reduce_sum(onehot * (distances - half_log_det[tf.newaxis]), axis=-1)
  return classification, likelihood, logits


@gin.register
def gaussian_mixture_loss(z, labels, means, log_precisions, alpha=0.0, lam=0.1):
  """GM loss (eq. 9): mean classification + λ · mean likelihood; see the module docstring.

  Args:
    z: [batch, d] codes; labels: [batch] int classes; means, log_precisions: [classes, d].
    alpha: margin α (official 0).
    lam: weight λ of the likelihood term (official 0.1).

  Returns:
    Scalar loss.
  """
  classification, likelihood, _ = gaussian_mixture_terms(z, labels, means, log_precisions, alpha)
  return tf.reduce_mean(classification) + lam * tf.reduce_mean(likelihood)


def mixture_moments(means, log_precisions):
  """Mean and log-precision of the single Gaussian with the moments of the uniform mixture (sec. 3.6).

  μ = mean_k μ_k, σ² = mean_k (1/Λ_k + μ_k²) − μ²; unlabeled codes follow N(μ, diag σ²).

  Returns:
    (mean [d], log_precision [d]).
  """
  mean = tf.reduce_mean(means, axis=0)
  variance = tf.reduce_mean(tf.exp(-log_precisions) + tf.square(means), axis=0) - tf.square(mean)
  return mean, -tf.math.log(variance)


def gaussian_likelihood(z, mean, log_precision):
  """½ (z − μ)ᵀ diag(Λ) (z − μ) − ½ log det Λ per example [batch]: eq. 7 for one Gaussian."""
  return (0.5 * tf.reduce_sum(tf.square(z - mean) * tf.exp(log_precision), axis=-1)
          - 0.5 * tf.reduce_sum(log_precision))
