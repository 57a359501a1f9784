"""Factor-level disentanglement of a generator, a score no reference offers for GANs (tfdis, issue 6).

A GAN has no encoder, so MIG/DCI cannot compare its codes with ground-truth factors directly. On a synthetic
dataset the factors of real images are known: train a factor classifier on real images (one softmax head per
factor), label generated images G(z) with it, and compute MIG and DCI between z and those labels. The
classifier's own held-out accuracy on real images is reported beside the scores, per factor: the scores are
only as trustworthy as the labels. A factor the classifier cannot read (accuracy near chance, 1 / its size)
gets labels that are noise, and the scores say nothing about it; a factor that is partly unidentifiable from
pixels caps the accuracy below 1 (shapes2d's orientation: a square repeats every 90 degrees and an ellipse
every 180, so at most (1/4 + 1/2 + 1) / 3 = 0.58 of its 40 orientations can be told apart). A generator whose
images leave the data distribution gets unreliable labels whatever the classifier's real accuracy.

Real images of a synthetic dataset are nearly free to render, so the default classifier ("strided") is
trained on many of them for few epochs: CoordConv inputs (the image plus two coordinate channels, Liu et al.
2018), stride-2 4x4 convolutions down to 4x4 and a flattened dense layer, so that position survives to the
heads (global average pooling, as in the VP ConvNet, discards it: x/y at chance). "vp" keeps the earlier
VP-ConvNet trunk.
"""

import numpy as np

from tfdis.metrics import dci_score
from tfdis.metrics import mig_score
from tfdis.metrics import utils
from tfdis.metrics.protocols import vp


def _strided_trunk(image_shape, width, seed):
  """CoordConv inputs, stride-2 convolutions (w, w, 2w, 2w, 4w, 4w, ...) down to <= 4x4, flatten, dense 8w."""
  import keras  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top

  class AddCoordinates(keras.layers.Layer):
    """Appends the row and column coordinates in [-1, 1] as two channels (CoordConv)."""

    def call(self, images):
      shape = tf.shape(images)
      rows, columns = tf.meshgrid(tf.linspace(-1.0, 1.0, shape[1]), tf.linspace(-1.0, 1.0, shape[2]),
                                  indexing="ij")
      grid = tf.tile(tf.stack([rows, columns], axis=-1)[tf.newaxis], [shape[0], 1, 1, 1])  # [n, h, w, 2]
      return tf.concat([images, tf.cast(grid, images.dtype)], axis=-1)

  inputs = keras.Input(image_shape)
  x = AddCoordinates()(inputs)
  size, i = max(image_shape[0], image_shape[1]), 0
  while size > 4:
    filters = width * 2 ** (i // 2)
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", activation="relu",
                            kernel_initializer=keras.initializers.HeNormal(seed=seed + i))(x)
    size, i = (size + 1) // 2, i + 1
  x = keras.layers.Flatten()(x)
  x = keras.layers.Dense(8 * width, activation="relu",
                         kernel_initializer=keras.initializers.HeNormal(seed=seed + i))(x)
  return inputs, x


def _factor_classifier(image_shape, factor_sizes, width, learning_rate, seed, architecture="strided"):
  """A classifier with one softmax head per factor, its logits concatenated: [n, sum of factor_sizes]."""
  import keras  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  if architecture == "strided":
    inputs, features = _strided_trunk(image_shape, width, seed)
    logits = keras.layers.Dense(int(sum(factor_sizes)),
                                kernel_initializer=keras.initializers.GlorotUniform(seed=seed))(features)
    model = keras.Model(inputs, logits)
  elif architecture == "vp":
    model = vp._convnet(image_shape, int(sum(factor_sizes)), width, seed)  # pylint: disable=protected-access
  else:
    raise ValueError(f"Unknown factor classifier architecture {architecture!r}; use 'strided' or 'vp'.")
  offsets = np.cumsum([0, *factor_sizes])

  def loss(labels, logits):
    labels = tf.cast(labels, tf.int32)
    return tf.add_n([keras.losses.sparse_categorical_crossentropy(labels[:, f], logits[:, lo:hi], from_logits=True)
                     for f, (lo, hi) in enumerate(zip(offsets[:-1], offsets[1:]))])

  model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss)
  return model, offsets


def _predict_factors(model, offsets, images, batch_size):
  logits = model.predict(images, batch_size=batch_size, verbose=0)
  return np.stack([np.argmax(logits[:, lo:hi], axis=1) for lo, hi in zip(offsets[:-1], offsets[1:])], axis=1)


def factor_level_scores(sampler, generator_fn, latent_dim, rng, num_train=40000, num_test=2000,
                        num_generated=10000, epochs=5, batch_size=64, learning_rate=1e-3, width=32,
                        architecture="strided"):
  """MIG and DCI between a generator's latents and the factors a classifier reads off its images.

  Args:
    sampler: ground-truth sampler of the real data (`factor_sizes`, `sample_factors`,
      `sample_observations_from_factors`), images in [0, 1].
    generator_fn: callable latents float32 [n, latent_dim] -> images [n, H, W, C] in [0, 1].
    latent_dim: d; latents are drawn from the GAN prior N(0, I).
    rng: np.random.RandomState (the ground-truth samplers' convention) or an int seed.
    num_train, num_test: real images to train and to test the factor classifier. Rendering is cheap, so
      many fresh images for few epochs beat few images for many (shapes2d, 2 CPU cores: 40,000 images and
      5 epochs, about 2 minutes, read shape, scale, x and y at about 0.9; see bench/BENCHMARKS.md).
    num_generated: generated images; half fit DCI's regressors, half test them.
    epochs, batch_size, learning_rate, width: classifier training (Adam).
    architecture: "strided" (CoordConv, strided convolutions, flatten; keeps position) or "vp" (the VP
      ConvNet trunk with global average pooling, the earlier choice; width 64 is the VP network's).

  Returns:
    {"classifier_accuracy_mean", "classifier_accuracy/<factor>" per factor (held-out, real images),
     "factors_unreadable": how many factors the classifier reads at less than twice chance (1 / size) on
     real images; their labels of generated images are close to noise and the scores say nothing about
     them (they still enter MIG and DCI: check the per-factor accuracies before trusting the scores),
     "mig", "dci_disentanglement", "dci_completeness", "dci_informativeness_test",
     "factors_varying": how many factors the labels of generated images vary in (DCI uses those)}.
  """
  if num_train < 2 or num_test < 1 or num_generated < 4:
    raise ValueError(f"factor_level_scores needs num_train >= 2, num_test >= 1 and num_generated >= 4, got "
                     f"{num_train}, {num_test}, {num_generated}.")
  rng = np.random.RandomState(rng) if isinstance(rng, (int, np.integer)) else rng
  sizes = [int(s) for s in sampler.factor_sizes]
  names = list(getattr(sampler, "factor_names", range(len(sizes))))
  model, offsets, accuracy = _trained_factor_classifier(sampler, sizes, rng, num_train, num_test, epochs,
                                                        batch_size, learning_rate, width, architecture)
  result = {f"classifier_accuracy/{name}": float(a) for name, a in zip(names, accuracy)}
  result["classifier_accuracy_mean"] = float(np.mean(accuracy))
  result["factors_unreadable"] = float(np.sum(accuracy < 2.0 / np.asarray(sizes)))
  latents = rng.standard_normal([num_generated, latent_dim]).astype(np.float32)
  generated = np.concatenate([np.asarray(generator_fn(latents[i:i + batch_size]), np.float32)
                              for i in range(0, num_generated, batch_size)])
  result.update(_scores_of_generated(latents, _predict_factors(model, offsets, generated, batch_size)))
  return result


def _trained_factor_classifier(sampler, sizes, rng, num_train, num_test, epochs, batch_size, learning_rate,
                               width, architecture):
  """(classifier, offsets, held-out accuracy per factor) of a factor classifier fit on fresh real images."""
  factors_train = sampler.sample_factors(num_train, rng)
  factors_test = sampler.sample_factors(num_test, rng)
  images_train = np.asarray(sampler.sample_observations_from_factors(factors_train, rng), np.float32)
  images_test = np.asarray(sampler.sample_observations_from_factors(factors_test, rng), np.float32)
  model, offsets = _factor_classifier(images_train.shape[1:], sizes, width, learning_rate, utils.seed_from(rng),
                                      architecture)
  model.fit(images_train, factors_train, epochs=epochs, batch_size=batch_size, verbose=0)
  accuracy = np.mean(_predict_factors(model, offsets, images_test, batch_size) == factors_test, axis=0)
  return model, offsets, accuracy


def _scores_of_generated(latents, labels):
  """MIG and DCI of latents [n, d] against the factor labels [n, F] read off their images."""
  num_generated, latent_dim = latents.shape
  num_factors = labels.shape[1]
  # A generator whose images all get one label per factor (e.g. collapsed) has nothing to disentangle: 0.
  any_varies = any(len(np.unique(labels[:, f])) > 1 for f in range(num_factors))
  result = {"mig": mig_score.mig(latents, labels)["mig"] if any_varies and latent_dim > 1 else 0.0}
  half = num_generated // 2
  varying = [f for f in range(num_factors)
             if len(np.unique(labels[:half, f])) > 1 and len(np.unique(labels[half:, f])) > 1]
  result["factors_varying"] = float(len(varying))
  if varying:
    scores = dci_score.dci(latents[:half], labels[:half, varying], latents[half:], labels[half:, varying])
    result.update({"dci_disentanglement": scores["disentanglement"], "dci_completeness": scores["completeness"],
                   "dci_informativeness_test": scores["informativeness_test"]})
  else:
    result.update({"dci_disentanglement": 0.0, "dci_completeness": 0.0, "dci_informativeness_test": 0.0})
  return result
