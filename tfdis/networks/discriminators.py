"""The "simple GAN" 64×64 discriminator of OroJaR's official code (Wei et al. 2021, simplegan_experiments).

It mirrors `tfdis.networks.simple_gan.simple_generator`: Conv(k4, s2) image → w → 2w → 4w → 8w (32×32 … 4×4),
LeakyReLU 0.2, no normalization (WGAN-GP penalizes per-sample input gradients, which batch statistics would
couple), then Conv(k4, valid) 8w → 1 on the 4×4 map: one unbounded critic score per image.
"""

import gin
import keras


@gin.register
def simple_discriminator(image_shape=(64, 64, 1), width=64, name="simple_discriminator"):
  """Builds the OroJaR simple-GAN critic images [batch, 64, 64, c] in [-1, 1] -> scores [batch, 1].

  Args:
    image_shape: (64, 64, channels) of the images.
    width: w, the channel width of the first layer (the last has 8w channels).
    name: model name.

  Returns:
    A `keras.Model` mapping images to [batch, 1] WGAN critic scores.

  Raises:
    ValueError: if image_shape is not 64×64×C.
  """
  if tuple(image_shape[:2]) != (64, 64):
    raise ValueError(f"simple_discriminator takes 64×64 images, got image_shape={tuple(image_shape)}; "
                     "resize the data to 64×64.")
  images = keras.Input(shape=tuple(image_shape), name="images")
  x = images
  for i, filters in enumerate((width, 2 * width, 4 * width, 8 * width)):
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", name=f"conv{i}")(x)
    x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(x)
  x = keras.layers.Conv2D(1, 4, padding="valid", name="score")(x)  # 4×4 -> 1×1
  return keras.Model(images, keras.layers.Flatten(name="flatten")(x), name=name)
