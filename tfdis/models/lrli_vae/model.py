"""Lr/Li-VAE (Zheng & Sun 2019): label-relevant code z_s = E_s(x) under a Gaussian-mixture (GM) loss,
label-irrelevant code z_u ~ E_u(x) with KL to N(0, I) and an adversarial latent classifier pushed toward a
uniform prediction, decoder G([z_s, z_u]) and a projection pixel discriminator (hinge loss) on
reconstructions and class-conditional samples. Also the cVAE-GAN baseline (`CVAEGAN`: one encoder, one-hot
label fed to the decoder).

Training follows the official alternation (ZhilZheng/Lr-LiVAE): `gm_steps` GM updates, each of E_s and
the means by `gm_optimizer` and of the precisions by their own `variance_optimizer` (official
`variance_solver`, learning rate ÷10 every 10 epochs: `variance_decay_steps`), then one joint step in which
all the other objectives are taken from one forward pass:
  E_u: 10·rec + KL + adv;  G: 10·rec + hinge;  D: hinge;  classifier: CE;  E_s: 10·rec + 10·λ·likelihood.
With `fresh_gm_batches` each GM update takes its own batch and the joint step the last of them, as the
official loop feeds it: `train_step` then receives `gm_steps` batches stacked into one (the launcher draws
`batches_per_step` × BATCH_SIZE examples per step) and splits it. Without it every update reuses one batch.
Data: images in [0, 1] (sigmoid outputs) or 2-D points (the toy, linear outputs). The official code trains on
images in [−1, 1] (tanh generator); its squared error and discriminator see that range, and so do ours
(`model_range`): "10·rec" is 10 · mean((2x − 2x̂)²), four times the [0, 1] error. Semi-supervised mode
(sec. 3.6): examples with label −1 are unlabeled; their z_s follows the mixture's overall Gaussian and they
are left out of the GM classification, latent-classifier and discriminator terms.
"""

import gin
import keras
import tensorflow as tf

from tfdis.editing import lrli as edits
from tfdis.models import base
from tfdis.models.lrli_vae import objectives as objectives
from tfdis.networks import lrli as nets
from tfdis.networks import lrli_table3 as table3

OPTIMIZERS = ("gm_optimizer", "variance_optimizer", "s_optimizer", "u_optimizer", "c_optimizer", "d_optimizer")


@keras.saving.register_keras_serializable(package="tfdis")
class LrLiVAE(objectives.Objectives, base.DisentanglementModel):
  """Lr/Li-VAE; see the module docstring. `self.optimizer` trains the decoder (one step per train_step);
  `compile` clones it into the other `OPTIMIZERS`, the `variance_optimizer` with the step-decay schedule
  (tracked by the model, so `tf.train.Checkpoint(model=model)` saves them and the schedule's position).

  Args:
    encoder_s: x -> z_s [batch, d_s] (None for the cVAE-GAN baseline).
    encoder_u: x -> (mean, logvar) [batch, d_u].
    decoder: [z_s, z_u] -> logits (images) or points.
    latent_classifier: z_u -> class logits.
    discriminator: [x, label] -> score [batch, 1].
    num_classes: number of labels.
    alpha, lam: GM margin α and likelihood weight λ (official 0, 0.1).
    gm_steps: GM updates per joint step (official 3).
    fresh_gm_batches: give each GM update its own batch (official); see the module docstring.
    variance_decay_steps: train steps between the ÷`1/variance_decay_rate` decays of the precisions'
      learning rate (official: 10 epochs); None keeps it constant.
    variance_decay_rate: factor of each decay (official 0.1).
    reconstruction_weight, kl_weight, adversarial_weight, likelihood_weight, gan_weight: loss weights
      (official 10, 1, 1, 10, 1); reconstruction is the mean squared error in `model_range`.
    semi_supervised: accept unlabeled examples (label −1).
    output_activation: "sigmoid" (images in [0, 1]) or "linear" (points).
    seed: seed of z_u sampling and of the class-conditional samples.
  """

  LOSS_NAMES = ("loss", "reconstruction", "kl", "gm_classification", "gm_likelihood", "latent_classifier",
                "latent_adversarial", "g_loss", "d_loss")
  NETWORKS = ("encoder_s", "encoder_u", "decoder", "latent_classifier", "discriminator")
  SETTINGS = ("num_classes", "alpha", "lam", "gm_steps", "fresh_gm_batches", "variance_decay_steps",
              "variance_decay_rate", "reconstruction_weight", "kl_weight", "adversarial_weight",
              "likelihood_weight", "gan_weight", "semi_supervised", "output_activation", "seed")
  OPTIMIZERS = OPTIMIZERS
  IMAGE_NETWORK = "encoder_u"

  def __init__(self, encoder_s, encoder_u, decoder, latent_classifier, discriminator, num_classes, alpha=0.0,
               lam=0.1, gm_steps=3, fresh_gm_batches=False, variance_decay_steps=None, variance_decay_rate=0.1,
               reconstruction_weight=10.0, kl_weight=1.0, adversarial_weight=1.0, likelihood_weight=10.0,
               gan_weight=1.0, semi_supervised=False, output_activation="sigmoid", seed=None, **kwargs):
    super().__init__(**kwargs)
    if output_activation not in ("sigmoid", "linear"):
      raise ValueError(f"output_activation={output_activation!r}: use 'sigmoid' for images in [0, 1] or "
                       "'linear' for points.")
    self.encoder_s, self.encoder_u, self.decoder = encoder_s, encoder_u, decoder
    self.latent_classifier, self.discriminator = latent_classifier, discriminator
    self.num_classes, self.alpha, self.lam = int(num_classes), float(alpha), float(lam)
    self.gm_steps, self.fresh_gm_batches = int(gm_steps), bool(fresh_gm_batches)
    if variance_decay_steps is not None and int(variance_decay_steps) <= 0:
      raise ValueError(f"variance_decay_steps={variance_decay_steps}: give a positive number of train steps "
                       "between decays of the precisions' learning rate, or None for a constant rate.")
    self.variance_decay_steps = None if variance_decay_steps is None else int(variance_decay_steps)
    self.variance_decay_rate = float(variance_decay_rate)
    self.reconstruction_weight, self.kl_weight = float(reconstruction_weight), float(kl_weight)
    self.adversarial_weight, self.likelihood_weight = float(adversarial_weight), float(likelihood_weight)
    self.gan_weight, self.semi_supervised = float(gan_weight), bool(semi_supervised)
    self.output_activation = output_activation
    self.seed = seed
    self.seed_generator = keras.random.SeedGenerator(seed)
    self.prior = nets.GaussianMixturePrior(self.num_classes, self.relevant_dim, name="prior")

  @property
  def relevant_dim(self):
    return int(self.encoder_s.outputs[0].shape[-1])

  @property
  def irrelevant_dim(self):
    return int(self.encoder_u.outputs[0].shape[-1])

  @property
  def latent_dim(self):
    return self.relevant_dim + self.irrelevant_dim

  @property
  def batches_per_step(self):
    """Batches one `train_step` consumes: `gm_steps` with `fresh_gm_batches` (the launcher stacks them)."""
    return max(self.gm_steps, 1) if self.fresh_gm_batches else 1

  def variance_schedule(self, learning_rate):
    """The precisions' learning rate per `variance_optimizer` update: `learning_rate` · rate^⌊step / decay⌋.

    Official: base_lr / 10^⌊iteration / (10 · examples // batch)⌋ with one iteration = `gm_steps` updates.
    """
    if self.variance_decay_steps is None:
      return learning_rate
    return keras.optimizers.schedules.ExponentialDecay(
        learning_rate, decay_steps=max(self.gm_steps, 1) * self.variance_decay_steps,
        decay_rate=self.variance_decay_rate, staircase=True)

  def clone_optimizer(self, name, **overrides):
    """A clone of the decoder's optimizer; the `variance_optimizer`'s follows `variance_schedule` from the
    decoder's initial learning rate (read from the config: under MirroredStrategy the attribute is a
    MirroredVariable)."""
    if name == "variance_optimizer":
      overrides["learning_rate"] = self.variance_schedule(float(self.optimizer.get_config()["learning_rate"]))
    return super().clone_optimizer(name, **overrides)

  def optimizer_variables(self):
    """{optimizer attribute: the variables it trains}."""
    encoder_s = self.encoder_s.trainable_variables if self.encoder_s is not None else []
    return {"optimizer": self.decoder.trainable_variables,
            "gm_optimizer": encoder_s + [self.prior.means], "variance_optimizer": [self.prior.raw_precisions],
            "s_optimizer": encoder_s,
            "u_optimizer": self.encoder_u.trainable_variables,
            "c_optimizer": self.latent_classifier.trainable_variables,
            "d_optimizer": self.discriminator.trainable_variables}

  # Codes and decoding.
  def relevant_codes(self, images, labels=None, training=False):
    """z_s = E_s(x); `labels` are unused (the cVAE-GAN baseline feeds them instead)."""
    del labels
    return self.encoder_s(images, training=training)

  def class_codes(self, labels, noise):
    """z_s of class `labels` [n] from noise ε [n, d_s]: μ_y + ε/√Λ_y."""
    return self.prior(labels, noise)

  def encode_parts(self, images, labels=None):
    """(z_s [n, d_s], posterior mean of z_u [n, d_u]) of `images`."""
    return self.relevant_codes(images, labels), self.encoder_u(images, training=False)[0]

  def encode(self, images):
    """Codes [n, d_s + d_u] = [z_s, mean z_u]."""
    return tf.concat(self.encode_parts(images), axis=-1)

  def generate(self, codes, training=False):
    out = self.decoder(codes, training=training)
    return tf.sigmoid(out) if self.output_activation == "sigmoid" else out

  def decode(self, codes):
    """Images (or points) from codes [n, d_s + d_u]."""
    return self.generate(codes)

  def call(self, images, training=False):
    return self.decode(self.encode(images))

  def sample(self, labels, noise):
    """Class-conditional samples: labels [n], noise [n, d_s + d_u] ~ N(0, I)."""
    return edits.class_samples(self.class_codes, self.decode, labels, noise, self.relevant_dim)

  def transfer(self, identity_images, other_images):
    return edits.transfer(self.encode_parts, self.decode, identity_images, other_images)

  def inpaint(self, images, masks):
    return edits.inpaint(self.call, images, masks)

  def gm_step(self, images, labels, labeled):
    """One GM update: E_s and the means by `gm_optimizer`, the precisions by `variance_optimizer`."""
    with tf.GradientTape(persistent=True) as tape:
      classification, likelihood = self.gm_terms(self.relevant_codes(images, training=True), labels, labeled)
      loss = classification + self.lam * likelihood
    variables = self.optimizer_variables()
    for name in ("gm_optimizer", "variance_optimizer"):
      self.minimize(tape, loss, variables[name], getattr(self, name))
    del tape

  def step_batches(self, data):
    """(the `gm_steps` GM batches, the joint step's batch) of one `train_step`'s `data`."""
    if self.batches_per_step == 1:
      return [data] * self.gm_steps, data
    size = data["image"].shape[0]
    if size is not None and size % self.batches_per_step:
      raise ValueError(f"fresh_gm_batches: a batch of {size} examples (per replica) does not split into "
                       f"gm_steps={self.gm_steps} equal batches; feed batches_per_step × the batch size "
                       "(the launcher does) or set fresh_gm_batches=False.")
    parts = {key: tf.split(value, self.batches_per_step) for key, value in data.items()}
    batches = [{key: parts[key][i] for key in data} for i in range(self.batches_per_step)]
    return batches, batches[-1]  # official: the joint step is fed the last GM batch

  def train_step(self, data):
    gm_batches, data = self.step_batches(data)
    for batch in gm_batches:
      self.gm_step(batch["image"], *self._labels(batch))
    images = data["image"]
    labels, labeled = self._labels(data)
    with tf.GradientTape(persistent=True) as tape:
      terms = self.joint_terms(images, labels, labeled)
      objectives = self.objectives(terms)
    variables = self.optimizer_variables()
    for name, loss in objectives.items():
      self.minimize(tape, loss, variables[name], getattr(self, name))
    del tape
    return self.record(self.with_total(terms))

  def test_step(self, data):
    labels, labeled = self._labels(data)
    return self.record(self.with_total(self.joint_terms(data["image"], labels, labeled, training=False)))

  def summary_images(self, images):
    if images.shape.rank == 2:  # points: no pictures (bench/fidelity_lrli_vae.py draws the toy's scatter).
      return {}
    n = tf.shape(images)[0]
    labels = tf.range(n) % self.num_classes
    noise = self.summary_latents(n)
    masks = tf.cast(tf.range(images.shape[2]) >= images.shape[2] // 2, images.dtype)[None, None, :, None]
    return {"inputs": images, "reconstructions": self(images), "class_samples": self.sample(labels, noise),
            "transfer": edits.transfer_grid(self.encode_parts, self.decode, images[:4], images[:4]),
            "inpaint_right_half": self.inpaint(images, tf.broadcast_to(masks, tf.shape(images[..., :1])))}


def networks(architecture, image_shape):
  """The network builder of `architecture` ("conv" or "table3") for `image_shape`."""
  builders = {"conv": nets.lrli_networks, "table3": table3.table3_networks}
  if architecture not in builders:
    raise ValueError(f"architecture={architecture!r}: use 'conv' (the library's conv stack) or 'table3' "
                     "(the paper's CIFAR-10 networks, Table 3).")
  return nets.lrli_networks if len(image_shape) == 1 else builders[architecture]


@gin.register
def lrli_vae(image_shape, num_classes=10, relevant_dim=16, irrelevant_dim=16, alpha=0.0, lam=0.1, gm_steps=3,
             fresh_gm_batches=False, steps_per_epoch=None, variance_decay_epochs=10, variance_decay_rate=0.1,
             reconstruction_weight=10.0, kl_weight=1.0, adversarial_weight=1.0, likelihood_weight=10.0,
             gan_weight=1.0, semi_supervised=False, architecture="conv", seed=None):
  """Builds an `LrLiVAE` for `image_shape` (h, w, c) images or (p,) points; arguments as in `LrLiVAE`, and:

  Args:
    steps_per_epoch: train steps per epoch (dataset size // batch; synthetic streams are infinite, so it is
      a setting); None: the precisions' learning rate stays constant.
    variance_decay_epochs: epochs between decays of the precisions' learning rate (official 10; None: none).
    architecture: "conv" (the library's conv stack) or "table3" (the paper's CIFAR-10 networks,
      `tfdis.networks.lrli_table3`); points always use the toy's MLPs.

  Returns:
    An uncompiled, built `LrLiVAE`.
  """
  if relevant_dim <= 0 or irrelevant_dim <= 0 or num_classes < 2:
    raise ValueError(f"lrli_vae needs relevant_dim, irrelevant_dim > 0 and num_classes >= 2; got "
                     f"{relevant_dim}, {irrelevant_dim}, {num_classes}.")
  output = "linear" if len(image_shape) == 1 else "sigmoid"
  decay = None if steps_per_epoch is None or variance_decay_epochs is None else int(
      steps_per_epoch * variance_decay_epochs)
  model = LrLiVAE(*networks(architecture, image_shape)(image_shape, num_classes, relevant_dim, irrelevant_dim),
                  num_classes, alpha=alpha, lam=lam, gm_steps=gm_steps, fresh_gm_batches=fresh_gm_batches,
                  variance_decay_steps=decay, variance_decay_rate=variance_decay_rate,
                  reconstruction_weight=reconstruction_weight,
                  kl_weight=kl_weight, adversarial_weight=adversarial_weight,
                  likelihood_weight=likelihood_weight, gan_weight=gan_weight, semi_supervised=semi_supervised,
                  output_activation=output, seed=seed, name="lrli_vae")
  return base.built(model, image_shape)
