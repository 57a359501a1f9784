"""GM loss of Lr/Li-VAE against a direct NumPy transcription of the official `lgm_logits`; hinge losses."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis.losses import gaussian_mixture as gm


def official_lgm(z, labels, means, precisions, alpha, lam):
  """ZhilZheng/Lr-LiVAE `lgm_logits` + `GM_loss`, in NumPy, loop by loop, with its epsilons."""
  batch, classes = len(z), len(means)
  distance = np.zeros((batch, classes))
  for b in range(batch):
    for k in range(classes):
      diff = z[b] - means[k]
      distance[b, k] = diff @ np.diag(precisions[k]) @ diff / 2.0
  onehot = np.eye(classes)[labels]
  probability = np.exp(-(distance + onehot * alpha * distance)) * np.sqrt(np.prod(precisions, axis=1))
  likelihood = lam * (np.sum(onehot * distance, 1) - np.log(np.prod(precisions[labels], 1) + 1e-4) / 2.0)
  class_probability = np.sum(onehot * probability, 1)
  classification = -np.log(class_probability / (probability.sum(1) + 1e-8) + 1e-4)
  return classification.mean() + likelihood.mean(), classification, likelihood / lam


def _problem(seed=0, batch=6, classes=4, dim=3):
  rng = np.random.RandomState(seed)
  means = rng.normal(size=(classes, dim))
  labels = rng.randint(0, classes, size=batch)
  z = means[labels] + 0.5 * rng.normal(size=(batch, dim))  # near their class: probabilities not tiny
  log_precisions = rng.uniform(-0.5, 0.5, size=(classes, dim))
  return z, labels, means, log_precisions


@pytest.mark.parametrize("alpha,lam", [(0.0, 0.1), (0.3, 0.01)])
def test_loss_matches_the_official_formula(alpha, lam):
  z, labels, means, log_precisions = _problem()
  expected, classification, likelihood = official_lgm(z, labels, means, np.exp(log_precisions), alpha, lam)
  args = [tf.constant(a, tf.float32) for a in (z, labels, means, log_precisions)]
  args[1] = tf.cast(args[1], tf.int32)
  # The official 1e-4 inside the logs shifts each term by at most ~1e-4 / value.
  np.testing.assert_allclose(gm.gaussian_mixture_loss(*args, alpha=alpha, lam=lam), expected, atol=2e-3)
  terms = gm.gaussian_mixture_terms(*args, alpha=alpha)
  np.testing.assert_allclose(terms[0], classification, atol=2e-3)
  np.testing.assert_allclose(terms[1], likelihood, atol=2e-3)


def test_exact_without_the_official_epsilons_and_logits_classify():
  z, labels, means, log_precisions = _problem(seed=1)
  precisions = np.exp(log_precisions)
  distance = 0.5 * np.sum((z[:, None] - means[None]) ** 2 * precisions[None], -1)
  log_p = -distance + 0.5 * np.sum(log_precisions, 1)
  log_softmax = log_p - np.log(np.exp(log_p).sum(1, keepdims=True))
  classification, likelihood, logits = gm.gaussian_mixture_terms(
      tf.constant(z, tf.float32), tf.constant(labels), tf.constant(means, tf.float32),
      tf.constant(log_precisions, tf.float32))
  np.testing.assert_allclose(classification, -log_softmax[np.arange(len(z)), labels], rtol=1e-5)
  np.testing.assert_allclose(likelihood, distance[np.arange(len(z)), labels] - 0.5 * log_precisions[labels].sum(1),
                             rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(logits, log_p, rtol=1e-5, atol=1e-6)


def test_margin_raises_the_loss_and_codes_at_their_mean_classify_correctly():
  z, labels, means, log_precisions = _problem(seed=2)
  args = (tf.constant(z, tf.float32), tf.constant(labels), tf.constant(means, tf.float32),
          tf.constant(log_precisions, tf.float32))
  assert float(gm.gaussian_mixture_loss(*args, alpha=0.5)) > float(gm.gaussian_mixture_loss(*args, alpha=0.0))
  _, _, logits = gm.gaussian_mixture_terms(tf.constant(means, tf.float32) * 1.0, tf.range(4), *args[2:])
  np.testing.assert_array_equal(np.argmax(logits, 1), np.arange(4))


def test_mixture_moments_match_samples_of_the_mixture():
  rng = np.random.RandomState(3)
  means, log_precisions = rng.normal(size=(3, 2)), rng.uniform(-1, 1, size=(3, 2))
  labels = rng.randint(0, 3, size=200_000)
  samples = means[labels] + rng.normal(size=(200_000, 2)) * np.exp(-0.5 * log_precisions[labels])
  mean, log_precision = gm.mixture_moments(tf.constant(means), tf.constant(log_precisions))
  np.testing.assert_allclose(mean, samples.mean(0), atol=0.02)
  np.testing.assert_allclose(np.exp(-log_precision.numpy()), samples.var(0), rtol=0.02)
  z = tf.constant(rng.normal(size=(4, 2)))
  direct = 0.5 * np.sum((z.numpy() - mean.numpy()) ** 2 * np.exp(log_precision), 1) - 0.5 * np.sum(log_precision)
  np.testing.assert_allclose(gm.gaussian_likelihood(z, mean, log_precision), direct, rtol=1e-6)


def test_mismatched_shapes_are_clear_errors():
  with pytest.raises(ValueError, match="dimensions but the mixture"):
    gm.gaussian_mixture_loss(tf.zeros([2, 3]), tf.zeros([2], tf.int32), tf.zeros([4, 2]), tf.zeros([4, 2]))
  with pytest.raises(ValueError, match="equal shapes"):
    gm.gaussian_mixture_loss(tf.zeros([2, 2]), tf.zeros([2], tf.int32), tf.zeros([4, 2]), tf.zeros([3, 2]))
