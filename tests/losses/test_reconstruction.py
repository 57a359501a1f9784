"""Reconstruction losses against direct formulas."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis import losses


def test_bernoulli_matches_formula():
  rng = np.random.RandomState(0)
  x, logits = rng.uniform(size=(3, 4, 4, 1)), rng.normal(size=(3, 4, 4, 1))
  p = 1 / (1 + np.exp(-logits))
  expected = -(x * np.log(p) + (1 - x) * np.log(1 - p)).sum(axis=(1, 2, 3)).mean()
  got = losses.bernoulli_reconstruction(tf.constant(x), tf.constant(logits))
  np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_gaussian_is_summed_squared_error_of_sigmoid():
  x = np.full((2, 2, 2, 1), 0.5)
  got = losses.gaussian_reconstruction(tf.constant(x), tf.zeros((2, 2, 2, 1), tf.float64))
  assert float(got) == 0.0
  got = losses.gaussian_reconstruction(tf.constant(x * 0), tf.zeros((2, 2, 2, 1), tf.float64))
  np.testing.assert_allclose(got, 4 * 0.25)


def test_lookup_by_name_and_unknown_name():
  assert losses.reconstruction_loss("bernoulli") is losses.bernoulli_reconstruction
  with pytest.raises(ValueError, match="gaussian"):
    losses.reconstruction_loss("nope")
