"""LORD (Gabbay & Hoshen 2020, ICLR): latent optimization of class and content codes, then amortization.

Stage 1 (eq. 6-7): one class embedding per class, shared by all its images, and one content embedding per
training image, with Gaussian noise (σ) added to the content code in training and an activation decay λ‖c‖²,
optimized jointly with the AdaIN generator (embeddings at `latent_lr_multiplier` × the generator's rate).
Stage 2 (eq. 8): class and content encoders learn to reproduce the stage-1 codes (MSE, weight `code_weight`)
and, through the fine-tuned generator, the image, with a fresh optimizer. Learning rates follow the official
PyTorch code (`tfdis.models.lord.optimizers`): cosine decay to `min_learning_rate` within each stage. Both
stages are phases of one run, picked in Python from the step counter before every step, each with its own
traced step function (an in-graph `tf.cond` cannot hold optimizer updates under MirroredStrategy).

The data are the indexed training set of `tfdis.data.indexed`: {"image", "label" (class), "index" (image)}.
Ablations of the paper's Table 3: `amortized=True` (codes from the encoders, class codes averaged per class
within the batch; with `content_kl` > 0 a Gaussian content encoder and KL instead of noise), `content_noise=0,
content_decay=0` (no regularization), and `stage1_steps >= train steps` (no second stage).
"""

import gin
import keras
import tensorflow as tf

from tfdis import distribute
from tfdis import editing
from tfdis.losses import perceptual
from tfdis.models import base
from tfdis.models.lord import optimizers as lord_optimizers
from tfdis.models.lord import pictures as lord_pictures
from tfdis.networks import adain
from tfdis.regularizers import gaussian_kl

STAGE1, STAGE2 = "stage1", "stage2"


@keras.saving.register_keras_serializable(package="tfdis")
class LORD(base.DisentanglementModel):
  """Class/content disentanglement by shared latent optimization (stage 1) and amortized encoders (stage 2).

  Compile with the generator's optimizer, learning rate r (float). `compile` replaces it by clones of its class
  and settings: `self.optimizer` (generator, stage 1, r), `latent_optimizer` (embeddings, r ×
  `latent_lr_multiplier`), `encoder_optimizer` (encoders of the amortized ablation, stage 1, r), each decayed
  (cosine) to `min_learning_rate` over `stage1_steps`; and `stage2_optimizer` (generator and encoders, stage 2,
  `stage2_learning_rate` decayed to `min_learning_rate` over `train_steps − stage1_steps`), fresh at the switch.
  `self.optimizer.iterations` counts every step of the run, in stage 2 too (it is the run's step).

  Args:
    generator: model [class codes, content codes] -> images in [0, 1].
    class_encoder: model images -> class codes [b, class_dim].
    content_encoder: model images -> content codes [b, content_dim] (2·content_dim when `content_kl` > 0).
    num_classes: number of classes (rows of the class embedding).
    num_images: number of training images (rows of the content embedding).
    stage1_steps: steps of stage 1; later steps train stage 2.
    content_noise: σ of the Gaussian noise added to content codes in stage 1 (official 1).
    content_decay: λ of the activation decay λ · mean_b ‖c‖² (official 0.001).
    latent_lr_multiplier: embedding learning rate over the generator's (official 10).
    code_weight: weight of the stage-2 code errors (mean squared, official PyTorch 10).
    amortized: stage-1 codes from the encoders instead of embeddings (ablation).
    content_kl: KL weight of a Gaussian content encoder, amortized only (ablation "w/ KL"); 0: noise.
    vgg_weights_path: VGG16 notop weights file of the perceptual loss; None: L1 + MS-SSIM fallback (logged).
    min_learning_rate: rate every cosine decay ends at (official 1e-5); None: constant rates.
    stage2_learning_rate: initial rate of the fresh stage-2 optimizer (official 1e-4).
    train_steps: steps of the whole run, to decay the stage-2 rate over its steps; None: constant in stage 2.
    seed: seed of the content noise.
  """

  LOSS_NAMES = ("loss", "reconstruction", "content_decay", "content_kl", "class_code_error", "content_code_error")
  NETWORKS = ("generator", "class_encoder", "content_encoder")
  SETTINGS = ("num_classes", "num_images", "stage1_steps", "content_noise", "content_decay",
              "latent_lr_multiplier", "code_weight", "amortized", "content_kl", "vgg_weights_path",
              "min_learning_rate", "stage2_learning_rate", "train_steps", "seed")
  IMAGE_NETWORK = "class_encoder"

  def __init__(self, generator, class_encoder, content_encoder, num_classes, num_images, stage1_steps,
               content_noise=1.0, content_decay=0.001, latent_lr_multiplier=10.0, code_weight=10.0,
               amortized=False, content_kl=0.0, vgg_weights_path=None, min_learning_rate=1e-5,
               stage2_learning_rate=1e-4, train_steps=None, seed=None, **kwargs):
    super().__init__(**kwargs)
    if content_kl and not amortized:
      raise ValueError("content_kl > 0 needs amortized=True: the KL ablation regularizes a content encoder.")
    self.generator, self.class_encoder, self.content_encoder = generator, class_encoder, content_encoder
    self.num_classes, self.num_images, self.stage1_steps = int(num_classes), int(num_images), int(stage1_steps)
    self.content_noise, self.content_decay = float(content_noise), float(content_decay)
    self.latent_lr_multiplier, self.code_weight = float(latent_lr_multiplier), float(code_weight)
    self.amortized, self.content_kl = bool(amortized), float(content_kl)
    self.vgg_weights_path, self.seed = vgg_weights_path, seed
    self.min_learning_rate, self.stage2_learning_rate = min_learning_rate, float(stage2_learning_rate)
    self.train_steps = None if train_steps is None else int(train_steps)
    self.reconstruction_fn, self.reconstruction_name = perceptual.lord_reconstruction_loss(vgg_weights_path)
    def init(offset):  # U(−0.05, 0.05), as the official code.
      return keras.initializers.RandomUniform(-0.05, 0.05, seed=None if seed is None else seed + offset)
    self.class_embedding = keras.layers.Embedding(num_classes, self.class_dim, embeddings_initializer=init(0),
                                                  name="class_embedding")
    self.content_embedding = keras.layers.Embedding(num_images, self.content_dim, embeddings_initializer=init(1),
                                                    name="content_embedding")
    self.seed_generator = keras.random.SeedGenerator(seed)
    self.latent_optimizer = self.encoder_optimizer = self.stage2_optimizer = None
    self.phase = STAGE1

  @property
  def class_dim(self):
    return int(self.generator.inputs[0].shape[-1])

  @property
  def content_dim(self):
    return int(self.generator.inputs[1].shape[-1])

  @property
  def latent_dim(self):
    return self.class_dim + self.content_dim

  def compile(self, optimizer="adam", **kwargs):
    """Compiles with clones of the generator's `optimizer` for each group and stage, with their schedules."""
    optimizer = keras.optimizers.get(optimizer)
    rate, name = lord_optimizers.base_learning_rate(optimizer), optimizer.name

    def make(prefix, initial, steps):
      schedule = lord_optimizers.cosine_decay(initial, steps, self.min_learning_rate)
      return base.clone_optimizer(optimizer, prefix + name, learning_rate=schedule)

    super().compile(optimizer=make("", rate, self.stage1_steps), **kwargs)
    lord_optimizers.check_stage_boundary(self.stage1_steps, self.steps_per_execution)
    stage2_steps = None if self.train_steps is None else max(self.train_steps - self.stage1_steps, 0)
    self.latent_optimizer = make("latent_", rate * self.latent_lr_multiplier, self.stage1_steps)
    self.encoder_optimizer = make("encoder_", rate, self.stage1_steps)
    self.stage2_optimizer = make("stage2_", self.stage2_learning_rate, stage2_steps)
    self.optimizer.build(self.generator.trainable_variables)
    self.latent_optimizer.build(self.embedding_variables)
    self.encoder_optimizer.build(self.encoder_variables)
    self.stage2_optimizer.build(self.stage2_variables)

  @property
  def embedding_variables(self):
    return self.class_embedding.trainable_variables + self.content_embedding.trainable_variables

  @property
  def encoder_variables(self):
    return self.class_encoder.trainable_variables + self.content_encoder.trainable_variables

  @property
  def stage2_variables(self):
    """What stage 2 trains, as the official code: the generator (fine-tuned) and both encoders."""
    return self.generator.trainable_variables + self.encoder_variables

  def phase_at(self, step):
    """The phase that trains step `step` (0-based): stage 1 before `stage1_steps`, then stage 2."""
    return STAGE1 if step < self.stage1_steps else STAGE2

  def make_train_function(self, force=False):
    """One traced step function per phase, chosen before every step from the optimizer's step counter."""
    if self.train_function is not None and not force:
      return self.train_function
    functions = {}
    for phase in (STAGE1, STAGE2):  # Each is traced on its first call, with `self.phase` set to its phase.
      super().make_train_function(force=True)
      functions[phase] = self.train_function

    def train_function(iterator):
      self.phase = self.phase_at(int(self.optimizer.iterations.numpy()))
      return functions[self.phase](iterator)

    self.train_function = train_function
    return train_function

  def call(self, images, training=False):
    return self.decode(self.encode(images))

  def encode_class(self, images):
    """Class codes [b, class_dim] of `images` [b, h, w, c] (stage-2 class encoder E_y)."""
    return self.class_encoder(images, training=False)

  def encode_content(self, images):
    """Content codes [b, content_dim] of `images` (stage-2 content encoder E_c; the mean if Gaussian)."""
    return self.content_encoder(images, training=False)[:, :self.content_dim]

  def encode_parts(self, images):
    return self.encode_class(images), self.encode_content(images)

  def encode(self, images):
    """Codes [b, class_dim + content_dim]: the class code, then the content code."""
    return tf.concat(self.encode_parts(images), axis=-1)

  def decode(self, codes, content_codes=None):
    """Images from codes [b, class_dim + content_dim], or from (class codes, content codes)."""
    if content_codes is None:
      codes, content_codes = codes[:, :self.class_dim], codes[:, self.class_dim:]
    return self.generator([codes, content_codes], training=False)

  def transfer(self, class_images, content_images):
    """G(E_y(class_images), E_c(content_images)) (eq. 9), pairwise: [n, h, w, c]."""
    return editing.transfer(self.encode_parts, self.decode, class_images, content_images)

  def training_codes(self, labels, indices):
    """The stage-1 (class, content) embeddings of training images of class `labels` at `indices`."""
    return self.class_embedding(labels), self.content_embedding(indices)

  def _noisy(self, content):
    if not self.content_noise:
      return content
    return content + self.content_noise * keras.random.normal(tf.shape(content), seed=self.seed_generator)

  def stage1_codes(self, data, training):
    """(class codes, content codes fed to G, {"content_decay", "content_kl"}) of a batch in stage 1."""
    images, labels = data["image"], tf.cast(data["label"], tf.int32)
    if self.amortized:  # Class codes: per-class means of the encoder's codes within the batch (paper sec. 5).
      means = tf.math.unsorted_segment_mean(self.class_encoder(images, training=training), labels,
                                            self.num_classes)
      class_codes, content = tf.gather(means, labels), self.content_encoder(images, training=training)
    else:
      class_codes, content = self.training_codes(labels, data["index"])
    if self.content_kl:
      mean, logvar = content[:, :self.content_dim], content[:, self.content_dim:]
      codes = base.gaussian_sample(mean, logvar, self.seed_generator) if training else mean
      return class_codes, codes, {"content_decay": tf.zeros([]), "content_kl": gaussian_kl(mean, logvar)}
    decay = tf.reduce_mean(tf.reduce_sum(tf.square(content), axis=-1))
    codes = self._noisy(content) if training else content
    return class_codes, codes, {"content_decay": decay, "content_kl": tf.zeros([])}

  def stage1_terms(self, data, training=True):
    """Eq. 6: reconstruction of G(e_y, c + z) + λ‖c‖² (or the KL ablation); per-replica batch means."""
    class_codes, content_codes, terms = self.stage1_codes(data, training)
    reconstruction = self.reconstruction_fn(data["image"], self.generator([class_codes, content_codes],
                                                                          training=training))
    loss = reconstruction + self.content_decay * terms["content_decay"] + self.content_kl * terms["content_kl"]
    zero = tf.zeros([])
    return {"loss": loss, "reconstruction": reconstruction, **terms, "class_code_error": zero,
            "content_code_error": zero}

  def stage2_terms(self, data, training=True):
    """Eq. 8: reconstruction of G(E_y(x), E_c(x)) + α (‖E_y(x) − e_y‖² + ‖E_c(x) − c‖²) (mean squared)."""
    images = data["image"]
    class_codes = self.class_encoder(images, training=training)
    content_codes = self.content_encoder(images, training=training)[:, :self.content_dim]
    target_class, target_content = map(tf.stop_gradient, self.training_codes(
        tf.cast(data["label"], tf.int32), data["index"]))
    class_error = tf.reduce_mean(tf.square(class_codes - target_class))
    content_error = tf.reduce_mean(tf.square(content_codes - target_content))
    reconstruction = self.reconstruction_fn(images, self.generator([class_codes, content_codes],
                                                                   training=training))
    zero = tf.zeros([])
    return {"loss": reconstruction + self.code_weight * (class_error + content_error),
            "reconstruction": reconstruction, "content_decay": zero, "content_kl": zero,
            "class_code_error": class_error, "content_code_error": content_error}

  def _minimize_groups(self, tape, loss, groups):
    """One gradient of the replica-scaled `loss`, applied group by group: [(variables, optimizer), ...]."""
    variables = [v for group, _ in groups for v in group]
    grads = tape.gradient(loss, variables, output_gradients=distribute.replica_scale(tf.ones_like(loss)))
    start = 0
    for group, optimizer in groups:
      optimizer.apply(grads[start:start + len(group)], group)
      start += len(group)

  def train_step(self, data):
    if self.phase == STAGE1:
      codes, codes_optimizer = ((self.encoder_variables, self.encoder_optimizer) if self.amortized else
                                (self.embedding_variables, self.latent_optimizer))
      groups = [(self.generator.trainable_variables, self.optimizer), (codes, codes_optimizer)]
    else:  # A fresh optimizer; the generator's stage-1 optimizer only counts the run's steps.
      groups = [(self.stage2_variables, self.stage2_optimizer)]
      self.optimizer.iterations.assign_add(1)
    with tf.GradientTape() as tape:
      terms = self.stage1_terms(data) if self.phase == STAGE1 else self.stage2_terms(data)
    self._minimize_groups(tape, terms["loss"], groups)
    return self.record(terms)

  def test_step(self, data):
    terms = self.stage1_terms(data, training=False) if self.phase == STAGE1 else self.stage2_terms(data, False)
    return self.record(terms)

  def summary_images(self, images):
    """Inputs, reconstructions and the transfer grid (`pictures.summary_images`)."""
    return lord_pictures.summary_images(self, images)


@gin.register
def lord(image_shape, num_classes=gin.REQUIRED, num_images=gin.REQUIRED, stage1_steps=gin.REQUIRED,
         class_dim=256, content_dim=128, adain_dim=256, encoder_width=64, **kwargs):
  """Builds a `LORD` model with the official AdaIN generator and conv encoders (REFERENCES.md).

  Args:
    image_shape: (h, w, c), h and w multiples of 16.
    num_classes, num_images, stage1_steps: as in `LORD` (num_images: `indexed.num_images`).
    class_dim, content_dim: class and content code sizes (official 256, 128).
    adain_dim, encoder_width: generator width, encoders' first conv width (official 256, 64).
    **kwargs: the other `LORD` arguments (content_noise, content_decay, amortized, vgg_weights_path,
      min_learning_rate, stage2_learning_rate, train_steps, ...).

  Returns:
    An uncompiled, built `LORD`.
  """
  content_out = content_dim * (2 if kwargs.get("content_kl") else 1)
  model = LORD(adain.adain_generator(image_shape, class_dim, content_dim, adain_dim),
               adain.lord_encoder(image_shape, class_dim, encoder_width, name="class_encoder"),
               adain.lord_encoder(image_shape, content_out, encoder_width, name="content_encoder"),
               num_classes, num_images, stage1_steps, name="lord", **kwargs)
  base.built(model, image_shape)
  model.training_codes(tf.zeros([1], tf.int32), tf.zeros([1], tf.int32))
  return model
