"""gaussian_kl against the closed form in NumPy, for each reduction."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis.regularizers import gaussian_kl


def _numpy_kl(mean, logvar):
  """KL(N(μ, σ²) || N(0, 1)) per entry = ½ (μ² + σ² − log σ² − 1)."""
  return 0.5 * (mean ** 2 + np.exp(logvar) - logvar - 1.0)


@pytest.fixture
def posterior():
  rng = np.random.default_rng(0)
  return rng.normal(size=(5, 3)), rng.normal(scale=0.5, size=(5, 3))


def test_sum_reduction_sums_latents_and_averages_the_batch(posterior):
  mean, logvar = posterior
  got = gaussian_kl(tf.constant(mean), tf.constant(logvar))
  np.testing.assert_allclose(got, _numpy_kl(mean, logvar).sum(axis=1).mean(), rtol=1e-12)


def test_mean_reduction_is_one_over_d_of_the_sum(posterior):
  mean, logvar = posterior
  got = gaussian_kl(tf.constant(mean), tf.constant(logvar), reduction="mean")
  np.testing.assert_allclose(got, _numpy_kl(mean, logvar).mean(), rtol=1e-12)
  np.testing.assert_allclose(3 * got, gaussian_kl(tf.constant(mean), tf.constant(logvar)), rtol=1e-12)


def test_none_keeps_every_example_and_latent(posterior):
  mean, logvar = posterior
  np.testing.assert_allclose(gaussian_kl(tf.constant(mean), tf.constant(logvar), reduction="none"),
                             _numpy_kl(mean, logvar), rtol=1e-12)


def test_the_prior_itself_has_zero_kl():
  assert float(gaussian_kl(tf.zeros([2, 4]), tf.zeros([2, 4]))) == 0.0


def test_unknown_reduction_names_the_choices():
  with pytest.raises(ValueError, match="reduction='max'.*'sum'.*'mean'.*'none'"):
    gaussian_kl(tf.zeros([1, 1]), tf.zeros([1, 1]), reduction="max")
