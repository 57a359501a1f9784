"""Adversarial losses as pure functions of critic scores (tensorflow/gan's layout): Wasserstein with the
WGAN-GP gradient penalty (Gulrajani et al. 2017; OroJaR's simple GAN) and the hinge loss (Lim & Ye 2017;
Lr/Li-VAE's projection discriminator).

Scores are [batch] or [batch, 1] tensors. The hinge terms take optional per-example `weights` (1 for the
examples that count, e.g. labeled ones in semi-supervised Lr/Li-VAE); a weighted term is the mean over the
weighted examples, Σ w·v / max(Σ w, 1), and 0 when no example counts.
"""

import tensorflow as tf


def wasserstein_critic_loss(real_scores, fake_scores):
  """mean D(fake) − mean D(real): the critic's Wasserstein loss (WGAN), minimized by the critic."""
  return tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores)


def wasserstein_generator_loss(fake_scores):
  """−mean D(G(z)): the generator's Wasserstein loss."""
  return -tf.reduce_mean(fake_scores)


def gradient_penalty(critic, real, fake, alpha):
  """WGAN-GP: mean over the batch of (‖∇_x D(x)‖₂ − 1)² at x = α·real + (1 − α)·fake.

  The norm is √(Σ g² + 1e-12), finite in gradient where ∇D = 0.

  Args:
    critic: function images [batch, ...] -> scores.
    real: real images [batch, h, w, c].
    fake: generated images, same shape.
    alpha: mixing weights broadcastable to the images, e.g. [batch, 1, 1, 1] drawn from U(0, 1).

  Returns:
    Scalar penalty.
  """
  mixed = alpha * real + (1.0 - alpha) * fake
  with tf.GradientTape() as tape:
    tape.watch(mixed)
    scores = critic(mixed)
  grads = tape.gradient(scores, mixed)
  axes = list(range(1, grads.shape.rank))
  norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=axes) + 1e-12)
  return tf.reduce_mean(tf.square(norms - 1.0))


def _mean(values, weights):
  """The plain mean, or the weighted mean Σ w·v / max(Σ w, 1) (see the module docstring)."""
  if weights is None:
    return tf.reduce_mean(values)
  return tf.reduce_sum(values * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)


def _check_weights(weights, count):
  weights = [None] * count if weights is None else list(weights)
  if len(weights) != count:
    raise ValueError(f"weights has {len(weights)} entries for {count} score tensors: give one per-example "
                     "weight tensor (or None) per score tensor, in the order of the scores.")
  return weights


def hinge_discriminator_loss(real_scores, *fake_scores, weights=None):
  """mean relu(1 − D(real)) + Σ_fakes mean relu(1 + D(fake)) (Lr/Li-VAE's official `loss_hinge_dis`).

  Args:
    real_scores: D(real).
    *fake_scores: D of each kind of fake (reconstructions, samples, ...).
    weights: None, or one per-example weight tensor (or None) per score tensor, real first.
  """
  weights = _check_weights(weights, 1 + len(fake_scores))
  loss = _mean(tf.nn.relu(1.0 - real_scores), weights[0])
  for scores, weight in zip(fake_scores, weights[1:]):
    loss += _mean(tf.nn.relu(1.0 + scores), weight)
  return loss


def hinge_generator_loss(*fake_scores, weights=None):
  """Σ_fakes −mean D(fake) (official `loss_hinge_gen`); `weights` as in `hinge_discriminator_loss`."""
  weights = _check_weights(weights, len(fake_scores))
  return tf.add_n([-_mean(scores, weight) for scores, weight in zip(fake_scores, weights)])
