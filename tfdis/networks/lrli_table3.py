"""The CIFAR-10 networks of Lr/Li-VAE (Zheng & Sun 2019, appendix B.3, Table 3), with the official code's
details where the table is silent (ZhilZheng/Lr-LiVAE `nets.py`: `IdentityCifar`, `AttributeCifar`,
`GeneratorCifar`, and `DiscriminatorMnistSN`, the one official critic with Table 3's layers):

  encoders:      conv 32, 64, 128, 256 (k5, s2, BN, ReLU) → fc 1024 (BN, ReLU) → fc d (z_s 100, z_u 200 twice)
  decoder:       fc 1024 = 2·2·256 (BN, ReLU) → deconv 256 s2, 256 s1, 128 s2, 64 s2, 32 s2 (k5, BN, ReLU)
                 → deconv 3 s1 (k5), logits: the model's sigmoid mapped to [−1, 1] is tanh(logits / 2)
  discriminator: conv 32 s1, 128 s2, 256 s2, 256 s2 (k5, spectral norm, LeakyReLU) → fc 512 (SN, LeakyReLU)
                 → fc 1 (SN) + projection of the label embedding

Batch normalization is synchronized across replicas (as in `tfdis.networks.conv`), so one and two replicas
take the same step. The latent classifier is `tfdis.networks.lrli.latent_classifier` (fc 256 → classes, as
the paper's B.3 and the official `LatentDiscriminator`).
"""

import gin
import keras

from tfdis.networks import lrli

ENCODER_FILTERS = (32, 64, 128, 256)
DECODER_LAYERS = ((256, 2), (256, 1), (128, 2), (64, 2), (32, 2))  # (filters, stride) after the 2x2x256 map
DISCRIMINATOR_LAYERS = ((32, 1), (128, 2), (256, 2), (256, 2))
KERNEL = 5


def _bn_relu(x):
  return keras.layers.ReLU()(keras.layers.BatchNormalization(synchronized=True)(x))


def _check(image_shape, stride_product):
  if len(image_shape) != 3 or image_shape[0] % stride_product or image_shape[1] % stride_product:
    raise ValueError(f"image_shape {tuple(image_shape)}: the Table 3 networks take (h, w, c) images with h and "
                     f"w multiples of {stride_product} (CIFAR-10: (32, 32, 3)); resize or pad the images.")


@gin.register
def table3_encoder(image_shape, latent_dim, gaussian=False, name="encoder"):
  """Table 3 encoder: x → a code [batch, d], or (mean, logvar) if `gaussian` (E_u)."""
  _check(image_shape, 16)
  images = keras.Input(shape=tuple(image_shape), name="image")
  x = images
  for filters in ENCODER_FILTERS:
    x = _bn_relu(keras.layers.Conv2D(filters, KERNEL, strides=2, padding="same", use_bias=False)(x))
  x = _bn_relu(keras.layers.Dense(1024, use_bias=False, name="fc1024")(keras.layers.Flatten()(x)))
  return lrli.code_heads(images, x, latent_dim, gaussian, 0.0, name)


@gin.register
def table3_decoder(latent_dim, image_shape, name="decoder"):
  """Table 3 decoder: [z_s, z_u] [batch, d] → logits [batch, h, w, c]."""
  _check(image_shape, 16)
  height, width, channels = image_shape
  codes = keras.Input(shape=(latent_dim,), name="code")
  x = _bn_relu(keras.layers.Dense((height // 16) * (width // 16) * 256, use_bias=False, name="fc1024")(codes))
  x = keras.layers.Reshape((height // 16, width // 16, 256))(x)
  for filters, stride in DECODER_LAYERS:
    x = _bn_relu(keras.layers.Conv2DTranspose(filters, KERNEL, strides=stride, padding="same", use_bias=False)(x))
  logits = keras.layers.Conv2DTranspose(channels, KERNEL, strides=1, padding="same", name="logits")(x)
  return keras.Model(codes, logits, name=name)


@gin.register
def table3_discriminator(image_shape, num_classes, name="discriminator"):
  """Table 3 projection critic: ([x in [−1, 1], y]) → score [batch, 1]."""
  _check(image_shape, 8)
  images = keras.Input(shape=tuple(image_shape), name="image")
  labels = keras.Input(shape=(), dtype="int32", name="label")
  x = images
  for i, (filters, stride) in enumerate(DISCRIMINATOR_LAYERS):
    conv = keras.layers.Conv2D(filters, KERNEL, strides=stride, padding="same", name=f"conv{i}")
    x = keras.layers.LeakyReLU(lrli.LEAK)(keras.layers.SpectralNormalization(conv, name=f"sn_conv{i}")(x))
  x = keras.layers.SpectralNormalization(keras.layers.Dense(512), name="sn_fc")(keras.layers.Flatten()(x))
  return lrli.projection_head(images, labels, keras.layers.LeakyReLU(lrli.LEAK)(x), num_classes, name)


def table3_networks(image_shape, num_classes, relevant_dim, irrelevant_dim, width=256):
  """(encoder_s or None, encoder_u, decoder, latent_classifier, discriminator) of Table 3."""
  code_dim = (relevant_dim or num_classes) + irrelevant_dim
  encoder_s = relevant_dim and table3_encoder(image_shape, relevant_dim, name="encoder_s")
  return (encoder_s or None, table3_encoder(image_shape, irrelevant_dim, gaussian=True, name="encoder_u"),
          table3_decoder(code_dim, image_shape), lrli.latent_classifier(irrelevant_dim, num_classes, width),
          table3_discriminator(image_shape, num_classes))
