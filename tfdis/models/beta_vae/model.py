"""β-VAE (Higgins et al. 2017) with the encoder/decoder of disentanglement_lib; the baseline of JL1-VAE."""

import gin
import keras
import tensorflow as tf

from tfdis import losses
from tfdis import networks
from tfdis.models import base
from tfdis.regularizers import gaussian_kl


@keras.saving.register_keras_serializable(package="tfdis")
class BetaVAE(base.DisentanglementModel):
  """Gaussian-encoder VAE trained on reconstruction + β·KL(q(z|x) || N(0, I)).

  Args:
    encoder: model x -> (mean, logvar), each [batch, d].
    decoder: model z -> logits [batch, h, w, c].
    beta: weight of the KL term (β = 1 is the plain VAE).
    reconstruction: name of a loss in `tfdis.losses.RECONSTRUCTION_LOSSES` ("bernoulli" or "gaussian").
    seed: seed of the reparameterization noise.
  """

  LOSS_NAMES = ("loss", "reconstruction", "kl")
  NETWORKS = ("encoder", "decoder")
  SETTINGS = ("beta", "reconstruction", "seed")

  def __init__(self, encoder, decoder, beta=1.0, reconstruction="bernoulli", seed=None, **kwargs):
    super().__init__(**kwargs)
    self.encoder = encoder
    self.decoder = decoder
    self.beta = float(beta)
    self.reconstruction = reconstruction
    self.reconstruction_fn = losses.reconstruction_loss(reconstruction)
    self.seed = seed
    self.seed_generator = keras.random.SeedGenerator(seed)

  @property
  def latent_dim(self):
    return int(self.decoder.inputs[0].shape[-1])

  def call(self, images, training=False):
    mean, logvar = self.encoder(images, training=training)
    codes = self.sample(mean, logvar) if training else mean
    return self.decoder(codes, training=training)

  def sample(self, mean, logvar):
    """Draws z ~ q(z|x) by reparameterization."""
    return base.gaussian_sample(mean, logvar, self.seed_generator)

  def posterior(self, images):
    """(mean, logvar) [batch, d] of q(z|x) for `images` [batch, h, w, c] in [0, 1] (per-latent KL, evaluate)."""
    mean, logvar = self.encoder(images, training=False)
    return mean, logvar

  def encode(self, images):
    """Posterior means [batch, d] of `images` [batch, h, w, c] in [0, 1]."""
    return self.encoder(images, training=False)[0]

  def decode(self, codes):
    """Images [batch, h, w, c] in [0, 1] decoded from `codes` [batch, d]."""
    return tf.sigmoid(self.decoder(codes, training=False))

  def loss_terms(self, images, training):
    """The loss terms on a batch: {"loss", "reconstruction", "kl"}, each a per-replica batch mean."""
    mean, logvar = self.encoder(images, training=training)
    logits = self.decoder(self.sample(mean, logvar), training=training)
    reconstruction = self.reconstruction_fn(images, logits)
    kl = gaussian_kl(mean, logvar)
    return {"loss": reconstruction + self.beta * kl, "reconstruction": reconstruction, "kl": kl}

  def train_step(self, data):
    with tf.GradientTape() as tape:
      terms = self.loss_terms(data["image"], training=True)
    self.minimize(tape, terms["loss"], self.trainable_variables)
    return self.record(terms)

  def test_step(self, data):
    return self.record(self.loss_terms(data["image"], training=False))

  def summary_images(self, images):
    values = tf.linspace(-2.0, 2.0, 7)
    return {"inputs": images,
            "reconstructions": self.decode(self.encode(images)),
            "traversal": self.latent_traversal(images, values)}


@gin.register
def beta_vae(image_shape, latent_dim=10, beta=1.0, reconstruction="bernoulli", seed=None,
             logvar_bias_init=0.0):
  """Builds a `BetaVAE` with the disentanglement_lib convolutional encoder and decoder.

  Args:
    image_shape: (h, w, c) of the training images.
    latent_dim: number of latent dimensions.
    beta: KL weight.
    reconstruction: "bernoulli" or "gaussian".
    seed: noise seed.
    logvar_bias_init: initial bias of the encoder's log-variance head.

  Returns:
    An uncompiled, built `BetaVAE`.
  """
  model = BetaVAE(
      networks.conv_encoder(image_shape, latent_dim, logvar_bias_init=logvar_bias_init),
      networks.conv_decoder(latent_dim, image_shape),
      beta=beta, reconstruction=reconstruction, seed=seed, name="beta_vae")
  return base.built(model, image_shape)
