"""LORD's reconstruction loss: VGG16 features from a weights file, and the logged L1 + MS-SSIM fallback."""

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis.losses import perceptual


@pytest.fixture(scope="module")
def vgg_file(tmp_path_factory):
  """A randomly initialised notop VGG16 saved as a weights file (the user's ImageNet file stands in)."""
  keras.utils.set_random_seed(0)
  vgg = keras.applications.VGG16(include_top=False, weights=None, input_shape=(None, None, 3))
  path = str(tmp_path_factory.mktemp("vgg") / "vgg16_notop.weights.h5")
  vgg.save_weights(path)
  return path, vgg


def _images(seed, shape=(2, 32, 32, 3)):
  return tf.random.stateless_uniform(shape, seed=[seed, 0])


def test_features_are_those_of_the_saved_network(vgg_file):
  path, vgg = vgg_file
  features = perceptual.vgg16_features(path)
  inputs = perceptual._vgg_input(_images(1))  # pylint: disable=protected-access
  outputs = features(inputs)
  assert [tuple(f.shape[1:]) for f in outputs] == [(32, 32, 64), (16, 16, 128), (8, 8, 256), (4, 4, 512),
                                                     (1, 1, 512)]
  reference = keras.Model(vgg.input, vgg.get_layer("block3_conv2").output)(inputs)
  np.testing.assert_allclose(outputs[2], reference, rtol=1e-4, atol=1e-4)


def test_perceptual_loss_is_zero_on_equal_images_and_works_on_small_gray_ones(vgg_file):
  loss, name = perceptual.lord_reconstruction_loss(vgg_file[0])
  assert "perceptual" in name
  x, y = _images(2, (2, 16, 16, 1)), _images(3, (2, 16, 16, 1))  # upsampled to 32 and tiled to RGB inside
  assert float(loss(x, x)) == pytest.approx(0.0, abs=1e-6)
  assert float(loss(x, y)) > float(perceptual.l1_loss(x, y)) > 0.0


def test_fallback_is_l1_plus_dssim_and_says_so(caplog):
  with caplog.at_level(logging.WARNING):
    loss, name = perceptual.lord_reconstruction_loss(None)
  assert "fallback" in name and "L1 + DSSIM" in caplog.text
  x, y = _images(4, (2, 32, 32, 1)), _images(5, (2, 32, 32, 1))
  assert float(loss(x, x)) == pytest.approx(0.0, abs=1e-6)
  expected = np.mean(np.abs(x - y)) + 0.5 * (1.0 - np.mean(perceptual.reconstruction.ms_ssim(
      x, y, perceptual.reconstruction.fitting_power_factors(32, 32))))
  assert float(loss(x, y)) == pytest.approx(expected, rel=1e-5)


def test_a_missing_weights_file_is_an_error_naming_the_fix(tmp_path):
  with pytest.raises(FileNotFoundError, match="notop VGG16 weights"):
    perceptual.lord_reconstruction_loss(str(tmp_path / "missing.h5"))
