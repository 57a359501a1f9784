"""mddAE's encoder and decoder (Song et al. 2020, sec. 3.1 and 4.1): Conv then FC, and its mirror.

The paper gives the layout (convolutions followed by fully connected layers; a symmetric decoder with
transposed convolutions) and leaves the sizes to its supplement. Here: `len(filters)` Conv(k4, s2, ReLU)
layers, Dense `hidden` ReLU, then two linear heads, the target pre-activations a [C] (the model applies the
softmax of eq. 4 or the sigmoid of eq. 5) and the latent z [d]. The decoder takes [ŷ, z] through Dense
`hidden` ReLU, Dense to the smallest feature map, and ConvTranspose(k4, s2) layers back to the image, ending
in logits. Any image size divisible by 2^len(filters) works (28-px MNIST with two layers).
"""

import gin
import keras

DEFAULT_FILTERS = (32, 64, 128, 256)


def _smallest_map(image_shape, filters):
  height, width, channels = image_shape
  scale = 2**len(filters)
  if not filters or height % scale or width % scale:
    raise ValueError(f"image_shape {tuple(image_shape)} with {len(filters)} stride-2 layers (filters="
                     f"{tuple(filters)}): height and width must be multiples of {scale}; pass fewer filters "
                     "(e.g. (32, 64) for 28-px images) or resize the images.")
  return height // scale, width // scale, channels


@gin.register
def mddae_encoder(image_shape, num_targets, latent_dim, filters=DEFAULT_FILTERS, hidden=256, name="encoder"):
  """Builds x -> (a, z): target pre-activations [batch, C] and latent codes [batch, d].

  Args:
    image_shape: (height, width, channels), both sides multiples of 2^len(filters).
    num_targets: C, the number of classes or attributes.
    latent_dim: d, the size of z.
    filters: filters of the stride-2 convolutions.
    hidden: width of the fully connected layer.
    name: model name.

  Returns:
    A `keras.Model` mapping [batch, h, w, c] images to [a, z].
  """
  _smallest_map(image_shape, filters)
  images = keras.Input(shape=tuple(image_shape), name="image")
  x = images
  for width in filters:
    x = keras.layers.Conv2D(width, 4, strides=2, padding="same", activation="relu")(x)
  x = keras.layers.Dense(hidden, activation="relu")(keras.layers.Flatten()(x))
  targets = keras.layers.Dense(num_targets, name="target_logits")(x)
  codes = keras.layers.Dense(latent_dim, name="z")(x)
  return keras.Model(images, [targets, codes], name=name)


@gin.register
def mddae_decoder(num_targets, latent_dim, image_shape, filters=DEFAULT_FILTERS, hidden=256, name="decoder"):
  """Builds (ŷ, z) -> logits [batch, h, w, c], the mirror of `mddae_encoder`.

  Args:
    num_targets: C, the size of ŷ.
    latent_dim: d, the size of z.
    image_shape: (height, width, channels) of the output.
    filters: the encoder's filters (used in reverse).
    hidden: width of the fully connected layer.
    name: model name.

  Returns:
    A `keras.Model` mapping [ŷ [batch, C], z [batch, d]] to logits.
  """
  height, width, channels = _smallest_map(image_shape, filters)
  targets = keras.Input(shape=(num_targets,), name="soft_targets")
  codes = keras.Input(shape=(latent_dim,), name="z")
  x = keras.layers.Concatenate()([targets, codes])
  x = keras.layers.Dense(hidden, activation="relu")(x)
  x = keras.layers.Dense(height * width * filters[-1], activation="relu")(x)
  x = keras.layers.Reshape((height, width, filters[-1]))(x)
  for size in reversed(filters[:-1]):
    x = keras.layers.Conv2DTranspose(size, 4, strides=2, padding="same", activation="relu")(x)
  logits = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same", name="logits")(x)
  return keras.Model([targets, codes], logits, name=name)
