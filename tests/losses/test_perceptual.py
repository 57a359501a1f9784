"""LORD's reconstruction loss: the official Keras perceptual loss from a weights file, and the logged fallback."""

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


def _tf1_bilinear(images, size):
  """NumPy port of TF1 `resize_images` bilinear (align_corners=False): source = target · in / out."""
  def axis_weights(n_in):
    source = np.arange(size) * (n_in / size)
    low = np.floor(source).astype(int)
    return low, np.minimum(low + 1, n_in - 1), source - low
  y0, y1, fy = axis_weights(images.shape[1])
  x0, x1, fx = axis_weights(images.shape[2])
  fy, fx = fy[None, :, None, None], fx[None, None, :, None]
  rows = images[:, y0] * (1 - fy) + images[:, y1] * fy
  return rows[:, :, x0] * (1 - fx) + rows[:, :, x1] * fx


def _official_keras_loss(vgg, images, reconstructions):
  """avivga/lord's loss in NumPy around the saved network: resize to 64, ×255, caffe, mean of 5 layer L1s."""
  trunk = keras.Model(vgg.input, [vgg.get_layer(name).output for name in perceptual.VGG_LAYERS])
  def features(x):
    x = _tf1_bilinear(np.asarray(x, np.float64), 64)
    x = np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x
    x = 255.0 * x[..., ::-1] - np.array([103.939, 116.779, 123.68])  # RGB -> BGR, minus the ImageNet mean
    return [np.asarray(f, np.float64) for f in trunk(x.astype(np.float32))]
  per_image = [np.abs(p - t).mean(axis=(1, 2, 3)) for p, t in zip(features(reconstructions), features(images))]
  return np.mean(np.sum([w / 5.0 for w in per_image], axis=0))


@pytest.mark.parametrize("shape", [(2, 64, 64, 3), (2, 32, 32, 1), (2, 48, 48, 3)], ids=["64rgb", "32gray", "48"])
def test_perceptual_loss_is_the_official_keras_formula(vgg_file, shape):
  path, vgg = vgg_file
  loss, name = perceptual.lord_reconstruction_loss(path)
  assert name == "vgg16_perceptual_keras"
  x, y = _images(2, shape), _images(3, shape)
  assert float(loss(x, x)) == pytest.approx(0.0, abs=1e-6)
  assert float(loss(x, y)) == pytest.approx(_official_keras_loss(vgg, x, y), rel=1e-4)


def test_the_resize_port_is_tf1_bilinear():
  x = _images(6, (1, 5, 7, 2)).numpy()
  resized = tf.compat.v1.image.resize(x, [64, 64], method=tf.image.ResizeMethod.BILINEAR)
  np.testing.assert_allclose(_tf1_bilinear(x, 64), resized, atol=1e-6)


def test_fallback_is_l1_plus_dssim_and_says_so(caplog):
  with caplog.at_level(logging.WARNING):
    loss, name = perceptual.lord_reconstruction_loss(None)
  assert name == "l1_ms_ssim_fallback" and "L1 + DSSIM" in caplog.text and "VGG_WEIGHTS" in caplog.text
  x, y = _images(4, (2, 32, 32, 1)), _images(5, (2, 32, 32, 1))
  assert float(loss(x, x)) == pytest.approx(0.0, abs=1e-6)
  expected = np.mean(np.abs(x - y)) + 0.5 * (1.0 - np.mean(perceptual.reconstruction.ms_ssim(
      x, y, perceptual.reconstruction.fitting_power_factors(32, 32))))
  assert float(loss(x, y)) == pytest.approx(expected, rel=1e-5)


def test_a_missing_weights_file_is_an_error_naming_the_fix(tmp_path):
  with pytest.raises(FileNotFoundError, match="notop VGG16 weights"):
    perceptual.lord_reconstruction_loss(str(tmp_path / "missing.h5"))
