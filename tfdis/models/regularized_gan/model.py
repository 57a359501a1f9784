"""WGAN-GP "simple GAN" with a Jacobian/Hessian penalty on generator layers: OroJaR (Wei et al. 2021),
Hessian Penalty (Peebles et al. 2020) and the unregularized baseline, as in OroJaR's official simple-GAN code.

The data are images in [0, 1]; the networks work in [-1, 1] (real images are rescaled, `decode` rescales the
tanh output back). A GAN has no encoder: `encode` raises, traversals start from fixed latents.
"""

import gin
import keras
import tensorflow as tf

from tfdis import editing
from tfdis import regularizers
from tfdis.losses import adversarial
from tfdis.models import base
from tfdis.networks import discriminators
from tfdis.networks import simple_gan

PENALTIES = {"none": None, "orthogonal_jacobian": regularizers.orthogonal_jacobian,
             "hessian_penalty": regularizers.hessian_penalty}


@keras.saving.register_keras_serializable(package="tfdis")
class RegularizedGAN(base.DisentanglementModel):
  """WGAN-GP whose generator loss adds λ · penalty(generator layers at z).

  Compile with one optimizer (the generator's, `self.optimizer`); `compile` clones it for the critic
  (`self.d_optimizer`, tracked by the model, so `tf.train.Checkpoint(model=model)` saves it) unless
  `d_optimizer` is given, and builds both on their own variables (`build_optimizers`).

  Logs: "jacobian_penalty" is the weighted term λ·penalty of the generator loss; the unweighted penalty is
  logged beside it under the penalty's own name ("orthogonal_jacobian" or "hessian_penalty").

  Args:
    generator: model z [batch, d] -> dict of feature maps and "image" [batch, h, w, c] in [-1, 1].
    discriminator: model images in [-1, 1] -> critic scores [batch, 1].
    penalty: "none", "orthogonal_jacobian" (OroJaR) or "hessian_penalty".
    penalty_weight: λ.
    penalty_layers: names of the generator outputs to penalize.
    layer_weights: one weight per `penalty_layers` entry (None: all 1).
    penalty_kwargs: further keyword arguments of the penalty function, e.g. {"num_directions": 2,
      "method": "finite_difference"} for OroJaR's official estimator (default exact).
    gp_weight: weight of the WGAN-GP gradient penalty (official 10).
    n_critic: critic steps per generator step (official 1).
    lazy_every: apply the penalty on one generator step in N, weighted N·λ (`regularizers.lazy_penalty`).
    seed: seed of the latents, interpolation weights and penalty directions, and of the summary latents.
  """

  LOSS_NAMES = ("loss", "d_loss", "gradient_penalty", "jacobian_penalty")
  NETWORKS = ("generator", "discriminator")
  SETTINGS = ("penalty", "penalty_weight", "penalty_layers", "layer_weights", "penalty_kwargs", "gp_weight",
              "n_critic", "lazy_every", "seed")
  OPTIMIZERS = ("d_optimizer",)

  def __init__(self, generator, discriminator, penalty="none", penalty_weight=0.0,
               penalty_layers=simple_gan.FEATURE_NAMES, layer_weights=None, penalty_kwargs=None,
               gp_weight=10.0, n_critic=1, lazy_every=1, seed=None, **kwargs):
    super().__init__(**kwargs)
    if penalty not in PENALTIES:
      raise ValueError(f"Unknown penalty {penalty!r}: use one of {', '.join(map(repr, PENALTIES))}.")
    if PENALTIES[penalty] is not None:
      self.trackers[penalty] = keras.metrics.Mean(name=penalty)
    penalty_layers = list(penalty_layers)
    layer_weights = [1.0] * len(penalty_layers) if layer_weights is None else list(layer_weights)
    if len(layer_weights) != len(penalty_layers):
      raise ValueError(f"{len(layer_weights)} layer_weights for {len(penalty_layers)} penalty_layers.")
    self.generator, self.discriminator = generator, discriminator
    self.penalty, self.penalty_weight = penalty, float(penalty_weight)
    self.penalty_layers, self.layer_weights = penalty_layers, [float(w) for w in layer_weights]
    self.penalty_kwargs = dict(penalty_kwargs or {})
    self.gp_weight, self.n_critic, self.lazy_every = float(gp_weight), int(n_critic), int(lazy_every)
    self.seed = seed
    self.seed_generator = keras.random.SeedGenerator(seed)

  @property
  def latent_dim(self):
    return int(self.generator.inputs[0].shape[-1])

  @property
  def image_shape(self):
    return tuple(int(s) for s in self.generator.output["image"].shape[1:])

  def clone_optimizer(self, name, **overrides):
    """The critic's optimizer: a clone of the generator's, named "d_" + its name."""
    return super().clone_optimizer("d_" + self.optimizer.name, **overrides)

  def optimizer_variables(self):
    """The generator's optimizer trains the generator, the critic's the critic."""
    return {"optimizer": self.generator.trainable_variables,
            "d_optimizer": self.discriminator.trainable_variables}

  def call(self, latents, training=False):
    return self.generator(latents, training=training)["image"]

  def sample_latents(self, batch):
    """z ~ N(0, I), [batch, d]."""
    return keras.random.normal([batch, self.latent_dim], seed=self.seed_generator)

  def encode(self, images):
    raise NotImplementedError("A GAN has no encoder: start edits from latents (decode, traversals of z).")

  def decode(self, codes):
    """Images [batch, h, w, c] in [0, 1] generated from latents `codes` [batch, d]."""
    return 0.5 * (self.generator(codes, training=False)["image"] + 1.0)

  def penalty_value(self, latents, return_outputs=False):
    """The unweighted generator penalty at `latents` (0 for penalty "none"); with `return_outputs`,
    (penalty, generator outputs at `latents` from the penalty's own forward pass)."""
    if PENALTIES[self.penalty] is None:
      return tf.zeros([])
    weights = dict(zip(self.penalty_layers, self.layer_weights))
    return PENALTIES[self.penalty](lambda z: self.generator(z, training=True), latents,
                                   layer_weights=weights, seed=self.seed_generator,
                                   return_outputs=return_outputs, **self.penalty_kwargs)

  def generator_terms(self, latents):
    """{"loss": −mean D(G(z)) + λ·penalty, "jacobian_penalty": λ·penalty, <penalty name>: penalty}.

    The penalty terms are the lazy estimates (N·penalty on one step in N, else 0). One generator pass: on
    penalized steps the image comes from the penalty's forward pass."""
    plain = lambda: self.generator(latents, training=True)
    if PENALTIES[self.penalty] is None:
      penalty, outputs, unweighted = tf.zeros([]), plain(), {}
    else:
      value, outputs = regularizers.lazy_penalty(
          self.optimizer.iterations, self.lazy_every, 1.0,
          lambda: self.penalty_value(latents, return_outputs=True), skip_fn=plain)
      penalty, unweighted = self.penalty_weight * value, {self.penalty: value}
    loss = adversarial.wasserstein_generator_loss(self.discriminator(outputs["image"], training=True))
    return {"loss": loss + penalty, "jacobian_penalty": penalty, **unweighted}

  def gradient_penalty(self, real, fake):
    """WGAN-GP (`losses.adversarial.gradient_penalty`) at α·real + (1 − α)·fake, α ~ U(0, 1) per example."""
    alpha = keras.random.uniform([tf.shape(real)[0], 1, 1, 1], seed=self.seed_generator)
    return adversarial.gradient_penalty(lambda x: self.discriminator(x, training=True), real, fake, alpha)

  def discriminator_terms(self, real, latents):
    """{"d_loss": ½(mean D(fake) − mean D(real)) + gp_weight·GP, "gradient_penalty": GP}; real in [-1, 1].

    The ½ is the official code's (`gan_model.py`: `(loss_D_fake + loss_D_real) * 0.5`, GP not halved); the
    generator's adversarial loss −mean D(G(z)) is not halved there either.
    """
    fake = self.generator(latents, training=True)["image"]
    wasserstein = 0.5 * adversarial.wasserstein_critic_loss(self.discriminator(real, training=True),
                                                            self.discriminator(fake, training=True))
    gradient_penalty = self.gradient_penalty(real, fake)
    return {"d_loss": wasserstein + self.gp_weight * gradient_penalty, "gradient_penalty": gradient_penalty}

  def train_step(self, data):
    real = 2.0 * data["image"] - 1.0
    batch = tf.shape(real)[0]
    for _ in range(self.n_critic):
      with tf.GradientTape() as tape:
        d_terms = self.discriminator_terms(real, self.sample_latents(batch))
      self.minimize(tape, d_terms["d_loss"], self.discriminator.trainable_variables, self.d_optimizer)
    with tf.GradientTape() as tape:
      g_terms = self.generator_terms(self.sample_latents(batch))
    self.minimize(tape, g_terms["loss"], self.generator.trainable_variables, self.optimizer)
    return self.record({**d_terms, **g_terms})

  def test_step(self, data):
    real = 2.0 * data["image"] - 1.0
    latents = self.sample_latents(tf.shape(real)[0])
    return self.record({**self.discriminator_terms(real, latents), **self.generator_terms(latents)})

  def latent_traversal(self, images, values):
    """Traverses every dimension of the first fixed summary latent (a GAN cannot encode `images`)."""
    del images
    return editing.traversal_grid(self.decode, self.summary_latents(1)[0], values)

  def summary_images(self, images):
    return {"inputs": images,
            "samples": self.decode(self.summary_latents(tf.shape(images)[0])),
            "traversal": self.latent_traversal(images, tf.linspace(-2.0, 2.0, 7))}


@gin.register
def regularized_gan(image_shape, latent_dim=6, width=64, penalty="none", penalty_weight=0.0,
                    penalty_layers=simple_gan.FEATURE_NAMES, layer_weights=None, penalty_kwargs=None,
                    gp_weight=10.0, n_critic=1, lazy_every=1, seed=None):
  """Builds a `RegularizedGAN` with OroJaR's simple-GAN generator and critic (64×64 images).

  Args:
    image_shape: (64, 64, c) of the training images.
    latent_dim: nz (official 6 on dSprites).
    width: channel width w of both networks (official 64).
    penalty, penalty_weight, penalty_layers, layer_weights, penalty_kwargs, gp_weight, n_critic, lazy_every,
      seed: as in `RegularizedGAN`.

  Returns:
    An uncompiled, built `RegularizedGAN`.
  """
  model = RegularizedGAN(
      simple_gan.simple_generator(latent_dim, tuple(image_shape), width=width),
      discriminators.simple_discriminator(tuple(image_shape), width=width),
      penalty=penalty, penalty_weight=penalty_weight, penalty_layers=penalty_layers,
      layer_weights=layer_weights, penalty_kwargs=penalty_kwargs, gp_weight=gp_weight, n_critic=n_critic,
      lazy_every=lazy_every, seed=seed, name="regularized_gan")
  return base.built(model, (latent_dim,))
