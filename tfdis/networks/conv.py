"""The convolutional encoder/decoder of disentanglement_lib (Locatello et al. 2019), used by β-VAE and JL1-VAE.

Encoder: 4 × Conv(k4, s2, ReLU) with 32, 32, 64, 64 filters, Dense 256 ReLU, Dense 2·d (mean, log-variance).
Decoder: Dense 256 ReLU, Dense (h/16)·(w/16)·64 ReLU, 3 × ConvTranspose(k4, s2, ReLU) with 64, 32, 32 filters,
ConvTranspose(k4, s2) to the image's channels; the decoder returns logits. `batch_norm=True` (Lr/Li-VAE)
batch-normalizes its hidden layers.
"""

import gin
import keras

_ENCODER_FILTERS = (32, 32, 64, 64)
_DECODER_FILTERS = (64, 32, 32)


def _check_image_shape(image_shape):
  height, width, channels = image_shape
  if height % 16 or width % 16:
    raise ValueError(f"image_shape {tuple(image_shape)}: height and width must be multiples of 16 "
                     "(4 stride-2 layers); resize or pad the images.")
  return height, width, channels


@gin.register
def conv_encoder(image_shape, latent_dim, logvar_bias_init=0.0, name="encoder"):
  """Builds the Gaussian encoder x -> (mean, logvar).

  Args:
    image_shape: (height, width, channels), height and width multiples of 16.
    latent_dim: number of latent dimensions d.
    logvar_bias_init: initial bias of the log-variance head (JL1-VAE's official code uses −3).
    name: model name.

  Returns:
    A `keras.Model` mapping [batch, h, w, c] images to a pair of [batch, d] tensors.
  """
  _check_image_shape(image_shape)
  images = keras.Input(shape=tuple(image_shape), name="image")
  x = images
  for filters in _ENCODER_FILTERS:
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", activation="relu")(x)
  x = keras.layers.Flatten()(x)
  x = keras.layers.Dense(256, activation="relu")(x)
  mean = keras.layers.Dense(latent_dim, name="mean")(x)
  logvar = keras.layers.Dense(
      latent_dim, bias_initializer=keras.initializers.Constant(logvar_bias_init), name="logvar")(x)
  return keras.Model(images, [mean, logvar], name=name)


@gin.register
def conv_decoder(latent_dim, image_shape, batch_norm=False, name="decoder"):
  """Builds the decoder z -> logits.

  Args:
    latent_dim: number of latent dimensions d.
    image_shape: (height, width, channels) of the output, height and width multiples of 16.
    batch_norm: batch-normalize every hidden layer before its ReLU (no biases there), as the official
      Lr/Li-VAE generator does; synchronized across replicas, so one and two replicas take the same step.
    name: model name.

  Returns:
    A `keras.Model` mapping [batch, d] codes to [batch, h, w, c] logits.
  """
  height, width, channels = _check_image_shape(image_shape)
  # Without batch_norm the layers are exactly disentanglement_lib's (ReLU inside; checkpoints unchanged).
  options = {"use_bias": False} if batch_norm else {"activation": "relu"}

  def normalized(x):
    return keras.layers.ReLU()(keras.layers.BatchNormalization(synchronized=True)(x)) if batch_norm else x

  codes = keras.Input(shape=(latent_dim,), name="code")
  x = normalized(keras.layers.Dense(256, **options)(codes))
  x = normalized(keras.layers.Dense((height // 16) * (width // 16) * 64, **options)(x))
  x = keras.layers.Reshape((height // 16, width // 16, 64))(x)
  for filters in _DECODER_FILTERS:
    x = normalized(keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", **options)(x))
  logits = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same", name="logits")(x)
  return keras.Model(codes, logits, name=name)
