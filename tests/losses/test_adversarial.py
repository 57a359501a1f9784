"""Adversarial losses against direct NumPy formulas and an independent tape."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis.losses import adversarial


def test_hinge_losses():
  real, fake_a, fake_b = tf.constant([2.0, 0.5]), tf.constant([-2.0, 0.0]), tf.constant([1.0, -0.5])
  expected = np.mean([0.0, 0.5]) + np.mean([0.0, 1.0]) + np.mean([2.0, 0.5])
  np.testing.assert_allclose(adversarial.hinge_discriminator_loss(real, fake_a, fake_b), expected)
  np.testing.assert_allclose(adversarial.hinge_generator_loss(fake_a, fake_b), 1.0 - 0.25)


def test_weighted_hinge_is_the_mean_over_weighted_examples_and_zero_without_any():
  real, fake = tf.constant([2.0, 0.5, -1.0]), tf.constant([-2.0, 0.0, 3.0])
  mask = tf.constant([0.0, 1.0, 1.0])
  expected = np.mean([0.5, 2.0]) + np.mean([0.0, 1.0, 4.0])
  got = adversarial.hinge_discriminator_loss(real, fake, weights=[mask, None])
  np.testing.assert_allclose(got, expected, rtol=1e-6)
  np.testing.assert_allclose(adversarial.hinge_generator_loss(real, fake, weights=[mask, None]),
                             -np.mean([0.5, -1.0]) - np.mean([-2.0, 0.0, 3.0]), rtol=1e-6)
  assert float(adversarial.hinge_generator_loss(real, weights=[tf.zeros([3])])) == 0.0


def test_hinge_weights_must_match_the_scores():
  with pytest.raises(ValueError, match="weights has 1 entries for 2 score tensors"):
    adversarial.hinge_discriminator_loss(tf.zeros([2]), tf.zeros([2]), weights=[None])


def test_wasserstein_losses():
  real, fake = tf.constant([[1.0], [3.0]]), tf.constant([[-1.0], [0.0]])
  assert float(adversarial.wasserstein_critic_loss(real, fake)) == pytest.approx(-0.5 - 2.0)
  assert float(adversarial.wasserstein_generator_loss(fake)) == pytest.approx(0.5)


def test_gradient_penalty_of_a_linear_critic_is_its_norm_minus_one_squared():
  """D(x) = Σ w·x has ∇D = w everywhere: the penalty is (‖w‖ − 1)², 0 for a unit w, whatever α."""
  rng = np.random.default_rng(0)
  real, fake = (tf.constant(rng.normal(size=(3, 2, 2, 1)), tf.float32) for _ in range(2))
  alpha = tf.constant(rng.uniform(size=(3, 1, 1, 1)), tf.float32)
  w = tf.constant(rng.normal(size=(1, 2, 2, 1)), tf.float32)
  critic = lambda x: tf.reduce_sum(w * x, axis=[1, 2, 3])
  expected = (np.sqrt(np.sum(np.square(w.numpy()))) - 1.0) ** 2
  assert float(adversarial.gradient_penalty(critic, real, fake, alpha)) == pytest.approx(expected, rel=1e-5)
  unit = w / tf.norm(w)
  unit_critic = lambda x: tf.reduce_sum(unit * x, axis=[1, 2, 3])
  assert float(adversarial.gradient_penalty(unit_critic, real, fake, alpha)) == pytest.approx(0.0, abs=1e-6)


def test_gradient_penalty_is_taken_at_the_mixed_point():
  """A quadratic critic D(x) = ½ Σ x² has ∇D = x: the penalty reads the norm of α·real + (1 − α)·fake."""
  real, fake = tf.fill([2, 3], 2.0), tf.zeros([2, 3])
  alpha = tf.constant([[0.25], [1.0]])
  critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=-1)
  norms = np.array([0.5, 2.0]) * np.sqrt(3.0)
  assert float(adversarial.gradient_penalty(critic, real, fake, alpha)) == pytest.approx(
      np.mean((norms - 1.0) ** 2), rel=1e-5)
