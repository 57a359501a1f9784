"""The "simple GAN" 64×64 generator of OroJaR's official code (Wei et al. 2021, simplegan_experiments).

Layers (width w = 64 in the paper, nz = 6 on dSprites):
  0: ConvTranspose(nz → 8w, k4, s1, valid) on the 1×1 latent: 4×4, with bias, no norm, no activation.
  1–4: ConvTranspose(k4, s2) 8w → 4w → 2w → w → w (8×8 … 64×64), no bias, InstanceNorm (affine,
       eps 1e-6), LeakyReLU 0.2.
  5: Conv(k3, s1) → image channels, with bias, tanh.
The regularized features are the outputs of the convolutions of layers 0–3 *before* normalization
(4×4×8w, 8×8×4w, 16×16×2w, 32×32×w), as in the official `reg_layer='conv'`, `select_layers=[0, 1, 2, 3]`.
"""

import gin
import keras
import tensorflow as tf

FEATURE_NAMES = ("layer0", "layer1", "layer2", "layer3")


@keras.saving.register_keras_serializable(package="tfdis")
class InstanceNormalization(keras.layers.Layer):
  """Affine instance normalization over the spatial axes of [batch, h, w, c], with exact 2nd derivatives.

  Same function as `keras.layers.GroupNormalization(groups=c)`, which computes the variance with
  `tf.nn.moments`; that stops the gradient of the mean inside the variance. First derivatives stay exact,
  but derivatives of derivatives do not: the gradient w.r.t. the weights of an exact Jacobian penalty
  (reverse over forward) and forward-over-forward Hessians through the layer miss a term (measured: 0.7%
  and 5% off on a small network). Here the variance is differentiated through the mean as well.
  """

  def __init__(self, epsilon=1e-6, **kwargs):
    super().__init__(**kwargs)
    self.epsilon = epsilon

  def build(self, input_shape):
    channels = input_shape[-1]
    self.gamma = self.add_weight(shape=(channels,), initializer="ones", name="gamma")
    self.beta = self.add_weight(shape=(channels,), initializer="zeros", name="beta")

  def call(self, x):
    mean = tf.reduce_mean(x, axis=[1, 2], keepdims=True)  # [batch, 1, 1, c]
    centered = x - mean
    variance = tf.reduce_mean(tf.square(centered), axis=[1, 2], keepdims=True)
    return centered * (tf.math.rsqrt(variance + self.epsilon) * self.gamma) + self.beta

  def get_config(self):
    return {**super().get_config(), "epsilon": self.epsilon}


@gin.register
def simple_generator(latent_dim=6, image_shape=(64, 64, 1), width=64, name="simple_generator"):
  """Builds the OroJaR simple-GAN generator z -> {"layer0", ..., "layer3", "image"}.

  Args:
    latent_dim: nz, the number of latent dims.
    image_shape: (64, 64, channels) of the generated images.
    width: w, the channel width of the last layers (the first has 8w channels).
    name: model name.

  Returns:
    A `keras.Model` mapping [batch, nz] latents to a dict: "layer0" [batch, 4, 4, 8w], "layer1"
    [batch, 8, 8, 4w], "layer2" [batch, 16, 16, 2w], "layer3" [batch, 32, 32, w] (pre-normalization
    feature maps) and "image" [batch, 64, 64, channels] in [-1, 1].

  Raises:
    ValueError: if image_shape is not 64×64×C.
  """
  height, img_width, channels = image_shape
  if (height, img_width) != (64, 64):
    raise ValueError(f"simple_generator makes 64×64 images, got image_shape={tuple(image_shape)}; "
                     "resize the data to 64×64.")
  latents = keras.Input(shape=(latent_dim,), name="z")
  x = keras.layers.Reshape((1, 1, latent_dim))(latents)
  x = keras.layers.Conv2DTranspose(8 * width, 4, strides=1, padding="valid", name="conv0")(x)
  features = {"layer0": x}
  for i, filters in enumerate((4 * width, 2 * width, width, width), start=1):
    x = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                                     name=f"conv{i}")(x)
    if i < len(FEATURE_NAMES):
      features[FEATURE_NAMES[i]] = x
    x = InstanceNormalization(epsilon=1e-6, name=f"norm{i}")(x)  # official eps 1e-6, affine
    x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(x)
  image = keras.layers.Conv2D(channels, 3, padding="same", activation="tanh", name="image")(x)
  return keras.Model(latents, {**features, "image": image}, name=name)
