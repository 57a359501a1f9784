"""mddAE's reconstruction terms: squared error (eq. 2) and DSSIM over a differentiable MS-SSIM (eq. 6)."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis import losses
from tfdis import metrics
from tfdis.metrics import image_quality

RNG = np.random.RandomState(0)
X = tf.constant(RNG.uniform(size=(3, 64, 64, 3)), tf.float32)
NOISY = tf.constant(np.clip(X.numpy() + 0.1 * RNG.normal(size=X.shape), 0, 1), tf.float32)
FACTORS = (0.2, 0.3, 0.5)


@pytest.mark.parametrize("other", [NOISY, tf.constant(RNG.uniform(size=X.shape), tf.float32)])
def test_ms_ssim_equals_tensorflow_in_value_and_gradient(other):
  with tf.GradientTape(persistent=True) as tape:
    tape.watch(other)
    ours = losses.ms_ssim(X, other, FACTORS)
    reference = tf.image.ssim_multiscale(X, other, 1.0, power_factors=FACTORS)
    ours_sum, reference_sum = tf.reduce_sum(ours), tf.reduce_sum(reference)
  np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-5)
  grad, reference_grad = tape.gradient(ours_sum, other), tape.gradient(reference_sum, other)
  if np.isfinite(reference_grad.numpy()).all():
    np.testing.assert_allclose(grad, reference_grad, rtol=1e-3, atol=1e-6)


def test_gradient_stays_finite_where_tensorflows_is_nan():
  negative = 1.0 - X  # anti-correlated: every cs <= 0, MS-SSIM = 0
  with tf.GradientTape(persistent=True) as tape:
    tape.watch(negative)
    ours = tf.reduce_sum(losses.ms_ssim(X, negative, FACTORS))
    reference = tf.reduce_sum(tf.image.ssim_multiscale(X, negative, 1.0, power_factors=FACTORS))
  assert float(ours) == float(reference) == 0.0
  assert np.isnan(tape.gradient(reference, negative).numpy()).any()
  assert np.isfinite(tape.gradient(ours, negative).numpy()).all()


def test_dssim_is_zero_for_identical_images_and_half_for_anticorrelated_ones():
  assert float(losses.dssim(X, X)) == pytest.approx(0.0, abs=1e-6)
  assert float(losses.dssim(X, 1.0 - X)) == pytest.approx(0.5)
  expected = 0.5 * (1.0 - metrics.ms_ssim(NOISY.numpy(), X.numpy())["ms_ssim"])
  assert float(losses.dssim(X, NOISY)) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("size", [28, 32, 64, 200])
def test_power_factors_agree_with_the_metric(size):
  assert losses.reconstruction.fitting_power_factors(size, size) == pytest.approx(
      image_quality.ms_ssim_power_factors(size, size))


def test_too_small_or_too_many_scales_are_clear_errors():
  with pytest.raises(ValueError, match="alpha = 0"):
    losses.dssim(tf.zeros([1, 8, 8, 1]), tf.zeros([1, 8, 8, 1]))
  with pytest.raises(ValueError, match="fitting_power_factors"):
    losses.ms_ssim(X, X, (0.2,) * 5)


def test_squared_error_sums_or_averages_pixels():
  diff = np.square(X.numpy() - NOISY.numpy())
  assert float(losses.squared_error(X, NOISY)) == pytest.approx(diff.sum(axis=(1, 2, 3)).mean(), rel=1e-5)
  assert float(losses.squared_error(X, NOISY, "mean")) == pytest.approx(diff.mean(), rel=1e-5)
  with pytest.raises(ValueError, match="'sum'"):
    losses.squared_error(X, NOISY, "max")
