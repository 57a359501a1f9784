"""Networks of Lr/Li-VAE (Zheng & Sun 2019): code encoders, MLPs for the 2-D toy, the latent classifier and
the projection discriminator with spectral normalization (Miyato & Koyama 2018), and the Gaussian-mixture
prior of the label-relevant code.

Image encoders use the disentanglement_lib convolutional stack of `tfdis.networks.conv` (CPU-sized stand-ins
for the paper's VGG encoders); the decoder is `tfdis.networks.conv_decoder` on the concatenated code, with
batch normalization before every hidden ReLU as in the official generator (`GeneratorFace`). Without it the
sigmoid decoder trained on the squared error at Adam 5e-4 drives its logits to about −200 within ~50 steps,
where the sigmoid's gradient vanishes, and outputs one black image for good (bench/BENCHMARKS.md).
"""

import gin
import keras
import tensorflow as tf

from tfdis.networks import conv

_CONV_FILTERS = (32, 32, 64, 64)
LEAK = 0.1  # slope of the official `lrelu`


def _conv_stack(images, filters, spectral=False, activation="relu"):
  x = images
  for i, f in enumerate(filters):
    conv = keras.layers.Conv2D(f, 4, strides=2, padding="same", name=f"conv{i}")
    x = keras.layers.SpectralNormalization(conv, name=f"sn_conv{i}")(x) if spectral else conv(x)
    x = keras.layers.Activation(activation)(x) if isinstance(activation, str) else activation(x)
  return keras.layers.Flatten()(x)


@gin.register
def conv_code_encoder(image_shape, latent_dim, gaussian=False, logvar_bias_init=0.0, name="encoder"):
  """Conv(k4, s2) 32, 32, 64, 64 → Dense 256 → a code [batch, d] (or (mean, logvar) if `gaussian`).

  Args:
    image_shape: (h, w, c), h and w multiples of 16.
    latent_dim: code size d.
    gaussian: return (mean, logvar) for a VAE posterior instead of a deterministic code.
    logvar_bias_init: initial bias of the log-variance head.
    name: model name.
  """
  if image_shape[0] % 16 or image_shape[1] % 16:
    raise ValueError(f"image_shape {tuple(image_shape)}: height and width must be multiples of 16 "
                     "(4 stride-2 layers); resize or pad the images.")
  images = keras.Input(shape=tuple(image_shape), name="image")
  x = keras.layers.Dense(256, activation="relu")(_conv_stack(images, _CONV_FILTERS))
  return code_heads(images, x, latent_dim, gaussian, logvar_bias_init, name)


def code_heads(inputs, x, latent_dim, gaussian, logvar_bias_init, name):
  code = keras.layers.Dense(latent_dim, name="mean" if gaussian else "code")(x)
  if not gaussian:
    return keras.Model(inputs, code, name=name)
  logvar = keras.layers.Dense(latent_dim, bias_initializer=keras.initializers.Constant(logvar_bias_init),
                              name="logvar")(x)
  return keras.Model(inputs, [code, logvar], name=name)


@gin.register
def mlp_code_encoder(input_dim, latent_dim, units=(32, 64, 64), gaussian=False, name="encoder"):
  """MLP encoder of the 2-D toy (paper sec. 4.1: 3 hidden layers of 32, 64, 64 ReLU units)."""
  inputs = keras.Input(shape=(input_dim,), name="point")
  x = inputs
  for u in units:
    x = keras.layers.Dense(u, activation="relu")(x)
  return code_heads(inputs, x, latent_dim, gaussian, 0.0, name)


@gin.register
def mlp_decoder(latent_dim, output_dim, units=(64, 64, 32), name="decoder"):
  """MLP decoder of the 2-D toy: code [batch, d] → point [batch, output_dim] (linear output)."""
  codes = keras.Input(shape=(latent_dim,), name="code")
  x = codes
  for u in units:
    x = keras.layers.Dense(u, activation="relu")(x)
  return keras.Model(codes, keras.layers.Dense(output_dim, name="output")(x), name=name)


@gin.register
def latent_classifier(latent_dim, num_classes, units=256, name="latent_classifier"):
  """The adversarial classifier on z_u (official `LatentDiscriminator`): Dense 256 ReLU → class logits."""
  codes = keras.Input(shape=(latent_dim,), name="code")
  x = keras.layers.Dense(units, activation="relu")(codes)
  return keras.Model(codes, keras.layers.Dense(num_classes, name="logits")(x), name=name)


def projection_head(inputs, labels, features, num_classes, name):
  """score = w·φ(x) + b + embed(y)·φ(x) (projection discriminator), spectral-normalized linear layer."""
  linear = keras.layers.SpectralNormalization(keras.layers.Dense(1), name="sn_score")(features)
  embedding = keras.layers.Embedding(num_classes, features.shape[-1], name="label_embedding")(labels)
  projection = keras.layers.Dot(axes=1)([embedding, features])
  return keras.Model([inputs, labels], keras.layers.Add(name="score")([linear, projection]), name=name)


@gin.register
def projection_discriminator(image_shape, num_classes, filters=_CONV_FILTERS, units=256,
                             name="discriminator"):
  """Spectral-normalized conv critic with a projection of the label embedding: ([x, y]) → score [batch, 1].

  Args:
    image_shape: (h, w, c) of the images (in [0, 1]).
    num_classes: number of labels y.
    filters: channels of the Conv(k4, s2) layers (LeakyReLU 0.1 as the official lrelu).
    units: width of the spectral-normalized dense layer φ(x).
    name: model name.
  """
  images = keras.Input(shape=tuple(image_shape), name="image")
  labels = keras.Input(shape=(), dtype="int32", name="label")
  x = _conv_stack(images, filters, spectral=True, activation=keras.layers.LeakyReLU(LEAK))
  x = keras.layers.SpectralNormalization(keras.layers.Dense(units), name="sn_fc")(x)
  features = keras.layers.LeakyReLU(LEAK)(x)
  return projection_head(images, labels, features, num_classes, name)


@gin.register
def mlp_projection_discriminator(input_dim, num_classes, units=(32, 64, 64), name="discriminator"):
  """The toy's discriminator (sec. 4.1: 3 hidden layers 32, 64, 64) with spectral norm and projection."""
  inputs = keras.Input(shape=(input_dim,), name="point")
  labels = keras.Input(shape=(), dtype="int32", name="label")
  x = inputs
  for i, u in enumerate(units):
    x = keras.layers.SpectralNormalization(keras.layers.Dense(u), name=f"sn_fc{i}")(x)
    x = keras.layers.LeakyReLU(LEAK)(x)
  return projection_head(inputs, labels, x, num_classes, name)


@keras.saving.register_keras_serializable(package="tfdis")
class GaussianMixturePrior(keras.layers.Layer):
  """Learnable class means μ_k [classes, d] and diagonal precisions Λ_k = softplus(v_k) of the z_s mixture.

  As in the official code (`IdentityCifar`, `IdentityFace`: `variance_c = softplus(variance_c_var)`, the raw
  variable initialised at 0.54 and used as a precision), the trained variable is v (`raw_precisions`), so
  Λ starts at softplus(0.54) ≈ 0.9992; the means start Glorot-uniform (official `xavier_initializer`).
  """

  def __init__(self, num_classes, latent_dim, precision_init=0.54, **kwargs):
    super().__init__(**kwargs)
    self.num_classes, self.latent_dim = int(num_classes), int(latent_dim)
    self.precision_init = float(precision_init)
    self.means = self.add_weight(shape=(self.num_classes, self.latent_dim), name="means",
                                 initializer="glorot_uniform")
    self.raw_precisions = self.add_weight(shape=(self.num_classes, self.latent_dim), name="raw_precisions",
                                          initializer=keras.initializers.Constant(self.precision_init))
    self.built = True

  @property
  def precisions(self):
    """Λ = softplus(v) [classes, d]."""
    return tf.nn.softplus(self.raw_precisions)

  @property
  def log_precisions(self):
    """log Λ = log softplus(v) [classes, d], equal to v below −20 (where softplus(v) = e^v in float32)."""
    v = self.raw_precisions
    return tf.where(v < -20.0, v, tf.math.log(tf.nn.softplus(tf.maximum(v, -20.0))))

  def call(self, labels, noise):
    """Class-conditional codes μ_y + ε / √Λ_y for labels [n] and ε [n, d] (official `z_sample_c`)."""
    means = tf.gather(self.means, labels)
    return means + noise * tf.exp(-0.5 * tf.gather(self.log_precisions, labels))

  def get_config(self):
    return {**super().get_config(), "num_classes": self.num_classes, "latent_dim": self.latent_dim,
            "precision_init": self.precision_init}


def lrli_networks(image_shape, num_classes, relevant_dim, irrelevant_dim, width=256):
  """(encoder_s or None, encoder_u, decoder, latent_classifier, discriminator) for images or 2-D points.

  `image_shape` (h, w, c) gives the convolutional networks; (p,) gives the toy's MLPs (paper sec. 4.1:
  3 hidden layers of 32, 64, 64 units). `relevant_dim` 0 builds no E_s (the cVAE-GAN baseline, whose
  decoder takes a one-hot label of `num_classes` entries instead).
  """
  code_dim = (relevant_dim or num_classes) + irrelevant_dim
  if len(image_shape) == 1:
    (point_dim,) = image_shape
    encoder_s = relevant_dim and mlp_code_encoder(point_dim, relevant_dim, name="encoder_s")
    return (encoder_s or None, mlp_code_encoder(point_dim, irrelevant_dim, gaussian=True, name="encoder_u"),
            mlp_decoder(code_dim, point_dim), latent_classifier(irrelevant_dim, num_classes, width),
            mlp_projection_discriminator(point_dim, num_classes))
  if len(image_shape) != 3:
    raise ValueError(f"image_shape {tuple(image_shape)}: give (h, w, c) images or (p,) points.")
  encoder_s = relevant_dim and conv_code_encoder(image_shape, relevant_dim, name="encoder_s")
  encoder_u = conv_code_encoder(image_shape, irrelevant_dim, gaussian=True, name="encoder_u")
  return (encoder_s or None, encoder_u, conv.conv_decoder(code_dim, image_shape, batch_norm=True),
          latent_classifier(irrelevant_dim, num_classes, width), projection_discriminator(image_shape, num_classes))
