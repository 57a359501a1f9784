"""LORD's AdaIN layer, generator and encoder."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis.networks import adain


def test_adain_sets_each_channel_mean_and_std_to_the_class_modulation():
  features = tf.random.stateless_normal([3, 8, 8, 4], seed=[0, 1]) * 5.0 + 2.0
  offset = tf.constant(np.random.RandomState(0).normal(size=(3, 4)), tf.float32)
  scale = tf.constant(np.random.RandomState(1).uniform(0.5, 2.0, size=(3, 4)), tf.float32)
  out = adain.AdaIN()([features, tf.concat([offset, scale], -1)])
  mean, variance = tf.nn.moments(out, axes=[1, 2])
  np.testing.assert_allclose(mean, offset, atol=1e-4)
  np.testing.assert_allclose(tf.sqrt(variance), scale, rtol=1e-3)


def test_generator_maps_class_and_content_codes_to_images_in_unit_range():
  generator = adain.adain_generator((32, 32, 3), class_dim=6, content_dim=4, adain_dim=8)
  class_codes = tf.random.stateless_normal([2, 6], seed=[0, 2])
  content_codes = tf.random.stateless_normal([2, 4], seed=[0, 3])
  images = generator([class_codes, content_codes]).numpy()
  assert images.shape == (2, 32, 32, 3) and images.min() >= 0.0 and images.max() <= 1.0
  # The class code reaches the image only through the AdaIN modulations, and it does reach it.
  other = generator([class_codes[::-1], content_codes]).numpy()
  assert np.abs(other - images).max() > 1e-6


def test_encoder_outputs_codes_and_rejects_bad_sizes():
  encoder = adain.lord_encoder((32, 32, 1), 5, width=4)
  assert encoder(tf.zeros([3, 32, 32, 1])).shape == (3, 5)
  with pytest.raises(ValueError, match="multiples of 16"):
    adain.lord_encoder((28, 28, 1), 5, width=4)
