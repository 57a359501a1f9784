"""The OroJaR simple-GAN critic against the official `Discriminator` (simplegan_experiments/models/base_networks.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis.networks import discriminators
from tfdis.networks import simple_gan


def _layer_list(model):
  """(type, filters/units, kernel, strides, bias, epsilon, activation) of every layer after the input."""
  rows = []
  for layer in model.layers[1:]:
    kind = type(layer).__name__
    if isinstance(layer, keras.layers.Conv2D):
      rows.append((kind, layer.filters, layer.kernel_size, layer.strides, layer.padding, layer.use_bias))
    elif isinstance(layer, keras.layers.Dense):
      rows.append((kind, layer.units, layer.activation.__name__, layer.use_bias))
    elif isinstance(layer, simple_gan.InstanceNormalization):
      rows.append((kind, layer.epsilon, tuple(layer.gamma.shape)))
    else:
      rows.append((kind,))
  return rows


def test_layers_are_the_official_critic():
  model = discriminators.simple_discriminator((64, 64, 1), width=64)
  conv = lambda f, bias: ("Conv2D", f, (4, 4), (2, 2), "same", bias)
  norm = lambda c: ("InstanceNormalization", 1e-6, (c,))
  assert _layer_list(model) == [
      conv(64, True), ("ReLU",),
      conv(128, False), norm(128), ("ReLU",),
      conv(256, False), norm(256), ("ReLU",),
      conv(512, False), norm(512), ("ReLU",),
      ("Flatten",), ("Dense", 512, "relu", True), ("Dense", 1, "linear", True)]
  assert model.get_layer("fc").kernel.shape == (8192, 512)  # official FC 512·4·4 -> 512
  assert model.count_params() == (16 * 64 + 64) + 16 * 64 * 128 + 16 * 128 * 256 + 16 * 256 * 512 + 2 * (
      128 + 256 + 512) + (8192 * 512 + 512) + (512 + 1)


def test_fc_input_follows_the_image_size():
  model = discriminators.simple_discriminator((32, 48, 3), width=4)
  assert model.get_layer("fc").kernel.shape == (32 * 2 * 3, 32)
  assert model(tf.zeros((2, 32, 48, 3))).shape == (2, 1)


def test_same_padding_is_the_official_padding_one():
  conv = keras.layers.Conv2D(3, 4, strides=2, padding="same")
  x = tf.random.stateless_normal((2, 8, 8, 2), seed=[0, 1])
  padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
  same = conv(x)
  reference = tf.nn.conv2d(padded, conv.kernel, 2, "VALID") + conv.bias
  np.testing.assert_allclose(same, reference, atol=1e-6)


@pytest.mark.parametrize("shape", [(28, 28, 1), (64, 40, 1)])
def test_sizes_the_four_halvings_cannot_take_are_rejected(shape):
  with pytest.raises(ValueError, match="multiples of 16"):
    discriminators.simple_discriminator(shape)


def test_weights_start_from_keras_defaults():
  # A departure from the official code, which keeps PyTorch's default init (kaiming_uniform(a=√5): weights and
  # biases U(±1/√fan_in)); tfdis keeps Keras's (Glorot-uniform kernels, zero biases) for both networks.
  networks = [discriminators.simple_discriminator((64, 64, 1), width=2),
              simple_gan.simple_generator(3, (64, 64, 1), width=2)]
  layers = [l for net in networks for l in net.layers
            if isinstance(l, (keras.layers.Conv2D, keras.layers.Conv2DTranspose, keras.layers.Dense))]
  assert len(layers) == 6 + 6
  for layer in layers:
    assert isinstance(layer.kernel_initializer, keras.initializers.GlorotUniform), layer.name
    assert not layer.use_bias or not np.any(layer.bias.numpy()), layer.name
