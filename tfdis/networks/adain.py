"""LORD's networks (Gabbay & Hoshen 2020; avivga/lord, REFERENCES.md): the AdaIN generator and the encoders.

Generator G(class code, content code):
  content code -> FC (h/16)(w/16)·a/8 -> FC (h/16)(w/16)·a/4 -> FC (h/16)(w/16)·a (LeakyReLU each), reshape;
  4 × [upsample ×2, conv3 a, LeakyReLU, AdaIN modulated by Dense(class code -> 2a) (offset, scale)];
  conv5 64, LeakyReLU, conv7 C, sigmoid. a = `adain_dim` (official 256).
Encoder (stage 2, and the amortized ablation): conv7 s1 w, conv4 s2 2w/4w/4w/4w (LeakyReLU), FC 4w × 2
(LeakyReLU), linear -> code; w = `width` (official 64).
"""

import gin
import keras
import tensorflow as tf

_EPSILON = 1e-7
_LEAK = 0.3


@keras.saving.register_keras_serializable(package="tfdis")
class AdaIN(keras.layers.Layer):
  """Adaptive instance normalization: ((x − μ) / (σ + 1e-7)) · scale + offset, per sample and channel.

  Called on [features [b, h, w, c], params [b, 2c]]; params hold (offset, scale), μ and σ are the spatial
  mean and standard deviation of each sample's channel (the official Keras layer).
  """

  def call(self, inputs):
    features, params = inputs
    channels = features.shape[-1]  # static, so that shapes stay known (TFLite's conv needs them)
    offset = params[:, tf.newaxis, tf.newaxis, :channels]  # [b, 1, 1, c]
    scale = params[:, tf.newaxis, tf.newaxis, channels:]
    mean, variance = tf.nn.moments(features, axes=[1, 2], keepdims=True)  # [b, 1, 1, c]
    return (features - mean) / (tf.sqrt(variance) + _EPSILON) * scale + offset

  def compute_output_shape(self, input_shape):
    return input_shape[0]


@keras.saving.register_keras_serializable(package="tfdis")
class Upsample2x(keras.layers.Layer):
  """Nearest-neighbour ×2 upsampling by repetition: `UpSampling2D(2)` with static output shapes, which the
  TFLite converter needs to lower the following convolution to a builtin op."""

  def call(self, x):
    _, height, width, channels = x.shape
    x = tf.tile(x[:, :, tf.newaxis, :, tf.newaxis, :], [1, 1, 2, 1, 2, 1])  # [b, h, 2, w, 2, c]
    return tf.reshape(x, [-1, 2 * height, 2 * width, channels])

  def compute_output_shape(self, input_shape):
    batch, height, width, channels = input_shape
    return (batch, None if height is None else 2 * height, None if width is None else 2 * width, channels)


def _check_image_shape(image_shape):
  height, width, _ = image_shape
  if height % 16 or width % 16:
    raise ValueError(f"image_shape {tuple(image_shape)}: LORD's networks need height and width multiples of 16 "
                     "(4 upsampling / stride-2 layers); resize or pad the images (gin: @padded_images).")


@gin.register
def adain_generator(image_shape, class_dim=256, content_dim=128, adain_dim=256, name="generator"):
  """Builds LORD's generator: [class codes [b, class_dim], content codes [b, content_dim]] -> images in [0, 1].

  Args:
    image_shape: (h, w, c), h and w multiples of 16.
    class_dim: size of the class code (official 256).
    content_dim: size of the content code (official 128).
    adain_dim: channels of the AdaIN blocks (official 256).
    name: model name.

  Returns:
    A functional `keras.Model` with inputs ("class_code", "content_code") and output [b, h, w, c].
  """
  _check_image_shape(image_shape)
  height, width, channels = image_shape
  cells = (height // 16) * (width // 16)
  class_code = keras.Input(shape=(class_dim,), name="class_code")
  content_code = keras.Input(shape=(content_dim,), name="content_code")
  x = content_code
  for units in (cells * adain_dim // 8, cells * adain_dim // 4, cells * adain_dim):
    x = keras.layers.LeakyReLU(_LEAK)(keras.layers.Dense(units)(x))
  x = keras.layers.Reshape((height // 16, width // 16, adain_dim))(x)
  for block in range(4):
    x = Upsample2x()(x)
    x = keras.layers.LeakyReLU(_LEAK)(keras.layers.Conv2D(adain_dim, 3, padding="same")(x))
    params = keras.layers.Dense(2 * adain_dim, name=f"modulation_{block}")(class_code)
    x = AdaIN(name=f"adain_{block}")([x, params])
  x = keras.layers.LeakyReLU(_LEAK)(keras.layers.Conv2D(64, 5, padding="same")(x))
  images = keras.layers.Conv2D(channels, 7, padding="same", activation="sigmoid")(x)
  return keras.Model([class_code, content_code], images, name=name)


@gin.register
def lord_encoder(image_shape, code_dim, width=64, name="encoder"):
  """Builds LORD's stage-2 encoder: images [b, h, w, c] -> codes [b, code_dim].

  Args:
    image_shape: (h, w, c), h and w multiples of 16.
    code_dim: output size (class_dim for E_y, content_dim for E_c, 2·content_dim for a Gaussian encoder).
    width: filters of the first conv (official 64); the others are 2, 4, 4, 4 times it, the FC layers 4 times.
    name: model name.
  """
  _check_image_shape(image_shape)
  images = keras.Input(shape=tuple(image_shape), name="image")
  x = keras.layers.LeakyReLU(_LEAK)(keras.layers.Conv2D(width, 7, padding="same")(images))
  for multiple in (2, 4, 4, 4):
    x = keras.layers.LeakyReLU(_LEAK)(keras.layers.Conv2D(multiple * width, 4, strides=2, padding="same")(x))
  x = keras.layers.Flatten()(x)
  for _ in range(2):
    x = keras.layers.LeakyReLU(_LEAK)(keras.layers.Dense(4 * width)(x))
  return keras.Model(images, keras.layers.Dense(code_dim)(x), name=name)
