"""mddAE (Song et al. 2020) and its baselines AE, disAE, disAE-XCov: one autoencoder, five variants.

The encoder gives a soft target ŷ (softmax of eq. 4 for exclusive classes, sigmoid of eq. 5 for independent
attributes) and a latent z; the decoder renders [ŷ, z]. The loss (eq. 1, 7) is
  ‖x − x̂‖² + α·DSSIM(x, x̂) + β·CE/BCE(y, ŷ) + γ·dCov²(ŷ, z) or XCov(ŷ, z),
batch-averaged except the decorrelation term, which is a statistic of the (per-replica) batch.

‖x − x̂‖² is averaged over pixels by default (`pixel_reduction="mean"`), as in the authors' follow-up
code up to its factor ½ (zjsong/CDNet, AE-XCov: `torch.mean(0.5 * (x − x̂)**2)`) and as the paper's weights
imply (α = 1 on a DSSIM in [0, ½] and β = 1 only balance a per-pixel error). Summed over the pixels (eq. 2
as written; "sum") the error is h·w·c times heavier (1,024× on 32×32 glyphs) against β·CE and
γ·decorrelation: ŷ then stays nearly uniform, the decorrelation has no effect, z carries the class, and the
decoder ignores ŷ (class swaps at chance; bench/BENCHMARKS.md, mddAE section). Per image the sum is
exactly h·w·c times the mean (tests/models/test_mddae_range.py).

Image range (`image_range`): "unit" (default) trains on the data contract's [0, 1] with a sigmoid decoder;
"symmetric" is the paper's CelebA setting (sec. 4, images on [−1, 1]; the authors' CDNet decoder ends in
tanh): the encoder reads 2x − 1, the decoder ends in tanh, and the squared error is taken on [−1, 1]
(4× the [0, 1] error of the same images). DSSIM is taken on the images mapped back to [0, 1], MS-SSIM's
dynamic range (its luminance term is not shift-invariant). Either way every public method (`encode`,
`decode`, edits, export signatures) takes and returns images in [0, 1].

| variant      | discriminator (β) | decoder input in training | decorrelation (γ) |
|--------------|-------------------|---------------------------|-------------------|
| `ae`         | off               | ŷ (unsupervised units)    | off               |
| `disae`      | on                | discrete label y          | off               |
| `disae_xcov` | on                | discrete label y          | XCov (eq. 15)     |
| `mddae_xcov` | on                | ŷ                         | XCov (eq. 15)     |
| `mddae_dcov` | on                | ŷ                         | dCov² (eq. 14)    |

At test and editing time every variant decodes [ŷ, z] from the encoder (no label is needed), which is how
the paper measures reconstructions (Table 1) and edits (sec. 3.5). Codes exported and traversed are the
concatenation [ŷ, z] ([batch, C + d]).
"""

import gin
import keras
import tensorflow as tf

from tfdis import editing
from tfdis import losses
from tfdis import networks
from tfdis import regularizers
from tfdis.models import base

# variant -> (discriminator, decoder fed the label in training, decorrelation penalty name or None)
VARIANTS = {
    "ae": (False, False, None),
    "disae": (True, True, None),
    "disae_xcov": (True, True, "xcov"),
    "mddae_xcov": (True, False, "xcov"),
    "mddae_dcov": (True, False, "dcov"),
}
DECORRELATIONS = {"xcov": regularizers.cross_covariance, "dcov": regularizers.distance_covariance}
TARGET_KINDS = ("classes", "attributes")
IMAGE_RANGES = ("unit", "symmetric")
SWEEP_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0)


@keras.saving.register_keras_serializable(package="tfdis")
class MddAE(base.DisentanglementModel):
  """The mddAE family; see the module docstring.

  Args:
    encoder: model x -> (target pre-activations a [batch, C], z [batch, d]).
    decoder: model (ŷ [batch, C], z [batch, d]) -> logits [batch, h, w, c].
    variant: a key of `VARIANTS`.
    targets: "classes" (softmax ŷ, cross-entropy with element["label"]) or "attributes" (sigmoid ŷ, binary
      cross-entropy with element["attributes"]).
    alpha: DSSIM weight (0 turns MS-SSIM off, as the paper does for 28-px MNIST).
    beta: discriminative loss weight.
    gamma: decorrelation weight.
    pixel_reduction: "mean" squared error over pixels (the authors' follow-up code; default) or "sum" (eq. 2 as
      written, ‖x − x̂‖², which swamps the other terms; see the module docstring).
    target_names: names of the C classes or attributes (export metadata and editor sliders); default
      "0", "1", ...
    image_range: "unit" ([0, 1], sigmoid decoder; default) or "symmetric" ([−1, 1], tanh decoder, the
      paper's CelebA range); see the module docstring.
  """

  LOSS_NAMES = ("loss", "reconstruction", "squared_error", "dssim", "discriminative", "decorrelation")
  NETWORKS = ("encoder", "decoder")
  SETTINGS = ("variant", "targets", "alpha", "beta", "gamma", "pixel_reduction", "target_names", "image_range")

  def __init__(self, encoder, decoder, variant="mddae_dcov", targets="classes", alpha=1.0, beta=1.0, gamma=5.0,
               pixel_reduction="mean", target_names=None, image_range="unit", **kwargs):
    super().__init__(**kwargs)
    if variant not in VARIANTS:
      raise ValueError(f"Unknown mddAE variant {variant!r}: use one of {sorted(VARIANTS)}.")
    if targets not in TARGET_KINDS:
      raise ValueError(f"targets={targets!r}: use 'classes' (exclusive labels, softmax) or 'attributes' "
                       "(independent binary attributes, sigmoid).")
    if image_range not in IMAGE_RANGES:
      raise ValueError(f"image_range={image_range!r}: use 'unit' (images in [0, 1], sigmoid decoder) or "
                       "'symmetric' ([-1, 1], tanh decoder: the paper's CelebA range).")
    self.encoder, self.decoder, self.image_range = encoder, decoder, image_range
    self.variant, self.targets = variant, targets
    self.alpha, self.beta, self.gamma = float(alpha), float(beta), float(gamma)
    self.pixel_reduction = pixel_reduction
    losses.squared_error(tf.zeros([1, 1, 1, 1]), tf.zeros([1, 1, 1, 1]), pixel_reduction)  # checks it.
    self.discriminator, self.feeds_label, decorrelation = VARIANTS[variant]
    self.decorrelation_fn = DECORRELATIONS.get(decorrelation)
    self.target_names = tuple(str(k) for k in range(self.num_targets)) if target_names is None else tuple(
        target_names)
    if len(self.target_names) != self.num_targets:
      raise ValueError(f"target_names has {len(self.target_names)} names for {self.num_targets} targets: "
                       "give one name per class or attribute, in the dataset's order.")

  @property
  def num_targets(self):
    return int(self.encoder.outputs[0].shape[-1])

  @property
  def latent_dim(self):
    """Size of the exported code [ŷ, z]."""
    return self.num_targets + int(self.encoder.outputs[1].shape[-1])

  def soft_targets(self, logits):
    """ŷ from the pre-activations a: softmax(−a) (eq. 4, the paper's sign) or sigmoid(a) (eq. 5)."""
    return tf.nn.softmax(-logits) if self.targets == "classes" else tf.sigmoid(logits)

  def model_range(self, images):
    """Images [0, 1] → the range the networks and the squared error work in ([−1, 1] if "symmetric")."""
    return 2.0 * images - 1.0 if self.image_range == "symmetric" else images

  def render(self, soft_targets, z, training=False):
    """Decoded images in the model's range: sigmoid ([0, 1]) or tanh ([−1, 1]) of the decoder's logits."""
    logits = self.decoder([soft_targets, z], training=training)
    return tf.tanh(logits) if self.image_range == "symmetric" else tf.sigmoid(logits)

  def unit_range(self, images):
    """Images in the model's range → [0, 1]."""
    return 0.5 * (images + 1.0) if self.image_range == "symmetric" else images

  def encode_parts(self, images, training=False):
    """(ŷ [batch, C], z [batch, d]) of `images` [batch, h, w, c] in [0, 1]."""
    logits, z = self.encoder(self.model_range(images), training=training)
    return self.soft_targets(logits), z

  def decode_parts(self, soft_targets, z, training=False):
    """Images [batch, h, w, c] in [0, 1] rendered from ŷ (any real values) and z."""
    return self.unit_range(self.render(soft_targets, z, training))

  def encode(self, images):
    """Codes [ŷ, z] [batch, C + d]."""
    return tf.concat(self.encode_parts(images), axis=-1)

  def decode(self, codes):
    """Images from codes [ŷ, z] [batch, C + d]."""
    return self.decode_parts(codes[:, :self.num_targets], codes[:, self.num_targets:])

  def call(self, images, training=False):
    return self.decode_parts(*self.encode_parts(images, training), training=training)

  def labels_of(self, data):
    """The discrete targets y [batch, C] of a batch: one-hot labels or 0/1 attributes."""
    key = "label" if self.targets == "classes" else "attributes"
    if key not in data:
      raise ValueError(f"mddAE with targets={self.targets!r} trains on element[{key!r}], which this dataset "
                       f"lacks (it has {sorted(data)}); use a dataset with {key}s or switch mddae.targets.")
    if self.targets == "classes":
      return tf.one_hot(tf.cast(data[key], tf.int32), self.num_targets)
    return tf.cast(data[key], tf.float32)

  def discriminative_loss(self, labels, logits):
    """Cross-entropy −Σ y log ŷ (eq. 8) or attribute-mean binary cross-entropy (eq. 9), batch mean."""
    if self.targets == "classes":
      return tf.reduce_mean(-tf.reduce_sum(labels * tf.nn.log_softmax(-logits), axis=-1))
    per_attribute = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return tf.reduce_mean(per_attribute)

  def loss_terms(self, data, training):
    """The loss terms of eq. 1 on a batch, each a per-replica batch mean; switched-off terms read 0."""
    images = data["image"]
    targets = self.model_range(images)
    logits, z = self.encoder(targets, training=training)
    soft_targets = self.soft_targets(logits)
    zero = tf.zeros([])
    labels = self.labels_of(data) if self.discriminator else None
    decoded = self.render(labels if self.feeds_label else soft_targets, z, training)  # in the model's range
    squared = losses.squared_error(targets, decoded, self.pixel_reduction)
    dssim = losses.dssim(images, self.unit_range(decoded)) if self.alpha else zero
    reconstruction = squared + self.alpha * dssim
    discriminative = self.discriminative_loss(labels, logits) if self.discriminator else zero
    decorrelation = self.decorrelation_fn(soft_targets, z) if self.decorrelation_fn else zero
    total = reconstruction + self.beta * discriminative + self.gamma * decorrelation
    return {"loss": total, "reconstruction": reconstruction, "squared_error": squared, "dssim": dssim,
            "discriminative": discriminative, "decorrelation": decorrelation}

  def train_step(self, data):
    with tf.GradientTape() as tape:
      terms = self.loss_terms(data, training=True)
    self.minimize(tape, terms["loss"], self.trainable_variables)
    return self.record(terms)

  def test_step(self, data):
    return self.record(self.loss_terms(data, training=False))

  def swap_class(self, images, target_class):
    """Case 1: each image rendered as class `target_class` [batch] in its own style z."""
    soft_targets, z = self.encode_parts(images)
    return self.decode_parts(editing.swap_class(soft_targets, target_class), z)

  def class_analogies(self, images):
    """Case 1: [batch, C, h, w, c], each image rendered as every class in its own style z."""
    return editing.class_analogies(self.decode_parts, *self.encode_parts(images))

  def set_attribute(self, images, index, value):
    """Case 2: each image rendered with attribute `index` [batch] at intensity `value` [batch]."""
    soft_targets, z = self.encode_parts(images)
    return self.decode_parts(editing.set_attribute(soft_targets, index, value), z)

  def attribute_sweep(self, images, index, values):
    """[batch, v, h, w, c]: each image with attribute `index` [batch] at each of `values` [batch, v]."""
    return editing.intensity_sweep(self.decode_parts, *self.encode_parts(images), index, values)

  def summary_images(self, images):
    soft_targets, z = self.encode_parts(images)
    pictures = {"inputs": images, "reconstructions": self.decode_parts(soft_targets, z)}
    if self.targets == "classes":
      pictures["analogies"] = editing.class_analogies(self.decode_parts, soft_targets, z)
    else:  # row a: the first image with attribute a at each intensity of SWEEP_VALUES.
      rows = tf.repeat(soft_targets[:1], self.num_targets, axis=0)
      pictures["intensity_sweep"] = editing.intensity_sweep(
          self.decode_parts, rows, tf.repeat(z[:1], self.num_targets, axis=0), tf.range(self.num_targets),
          tf.constant(SWEEP_VALUES))
    return pictures


@gin.register
def mddae(image_shape, num_targets, targets="classes", variant="mddae_dcov", latent_dim=8, alpha=1.0, beta=1.0,
          gamma=5.0, filters=networks.mddae.DEFAULT_FILTERS, hidden=256, pixel_reduction="mean",
          target_names=None, image_range="unit"):
  """Builds an `MddAE` of the given variant with the conv/FC encoder and its mirror decoder.

  Args:
    image_shape: (h, w, c) of the training images, sides multiples of 2^len(filters).
    num_targets: C, number of classes or attributes.
    targets: "classes" or "attributes".
    variant: "ae", "disae", "disae_xcov", "mddae_xcov" or "mddae_dcov".
    latent_dim: size d of z.
    alpha, beta, gamma: loss weights (paper: 1, 1, 5; α = 0 for 28/32-px images).
    filters: filters of the stride-2 convolutions.
    hidden: width of the fully connected layers.
    pixel_reduction: "mean" (the authors' follow-up code; default) or "sum" (eq. 2 as written).
    target_names: optional names of the classes or attributes.
    image_range: "unit" ([0, 1], default) or "symmetric" ([−1, 1], tanh: the paper's CelebA range).

  Returns:
    An uncompiled, built `MddAE`.
  """
  model = MddAE(
      networks.mddae_encoder(image_shape, num_targets, latent_dim, filters, hidden),
      networks.mddae_decoder(num_targets, latent_dim, image_shape, filters, hidden),
      variant=variant, targets=targets, alpha=alpha, beta=beta, gamma=gamma, pixel_reduction=pixel_reduction,
      target_names=target_names, image_range=image_range, name="mddae")
  return base.built(model, image_shape)
