"""The "simple GAN" critic of OroJaR's official code (Wei et al. 2021, simplegan_experiments/models/
base_networks.py, `Discriminator`).

Layers (width w = 64 in the official code):
  0: Conv(k4, s2, pad 1) image → w, with bias, no normalization, ReLU.
  1–3: Conv(k4, s2, pad 1) w → 2w → 4w → 8w, no bias, InstanceNorm (affine, eps 1e-6), ReLU.
  then flatten (8w·h/16·w/16 features: 8192 for 64×64 images at w = 64), Dense → 8w with bias, ReLU,
  Dense → 1 with bias: one unbounded critic score per image.
Keras "same" padding of a k4 s2 convolution on an even size pads 1 on each side, as the official padding 1.
The normalization is per image, so the WGAN-GP's per-sample input gradients stay uncoupled; it is
`simple_gan.InstanceNormalization`, whose second derivatives (the gradient penalty's weight gradient) are exact.
"""

import gin
import keras

from tfdis.networks import simple_gan


@gin.register
def simple_discriminator(image_shape=(64, 64, 1), width=64, name="simple_discriminator"):
  """Builds the OroJaR simple-GAN critic images [batch, h, w, c] in [-1, 1] -> scores [batch, 1].

  Args:
    image_shape: (h, w, channels) of the images, h and w multiples of 16 (official: 64×64).
    width: w, the channel width of the first layer (the last conv has 8w channels, the hidden Dense 8w units).
    name: model name.

  Returns:
    A `keras.Model` mapping images to [batch, 1] WGAN critic scores.

  Raises:
    ValueError: if the image height or width is not a positive multiple of 16.
  """
  height, img_width = tuple(image_shape[:2])
  if height % 16 or img_width % 16 or not (height and img_width):
    raise ValueError(f"simple_discriminator halves the image 4 times, so its height and width must be "
                     f"multiples of 16; got image_shape={tuple(image_shape)}: resize the data (official 64×64).")
  images = keras.Input(shape=tuple(image_shape), name="images")
  x = images
  for i, filters in enumerate((width, 2 * width, 4 * width, 8 * width)):
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=i == 0, name=f"conv{i}")(x)
    if i > 0:
      x = simple_gan.InstanceNormalization(epsilon=1e-6, name=f"norm{i}")(x)  # official eps 1e-6, affine
    x = keras.layers.ReLU(name=f"relu{i}")(x)
  x = keras.layers.Flatten(name="flatten")(x)  # [batch, 8w · h/16 · w/16]
  x = keras.layers.Dense(8 * width, activation="relu", name="fc")(x)
  return keras.Model(images, keras.layers.Dense(1, name="score")(x), name=name)
