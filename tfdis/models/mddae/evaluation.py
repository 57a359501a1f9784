"""mddAE's evaluation (Song et al. 2020, sec. 4.2–4.4) and two checks beyond the paper's, over codes [ŷ, z].

The paper's protocols:
- `attribute_svm` (case 2, Fig. 6): per attribute, a linear SVM trained on real images with and without it
  classifies test images that lack it, edited to have it at each intensity; lower error: the edit is easier
  to perceive (`attribute_svm_errors` on NumPy functions).
- `class_swap` (case 1), measured the same way: a linear classifier of real images reads the class of
  swapped images (`swap_class` to every other class); the fraction read as the target class.
- Reconstruction quality with standard deviations (Table 1): `metrics.reconstruction_quality(with_std=True)`.

Beyond the paper (the mddAE study, gin/metrics/mddae_style.gin):
- `mddae_style`: each test image is swapped to one other class (drawn at random); a ridge regression of
  real images' style factors (every factor but the class) reads the swapped image's style, scored by R²
  against the source's true style (`tfdis.metrics.style_preservation`). Beside it,
  "style_r2_reconstruction": the same score of plain reconstructions, which separates what the swap loses
  from what the autoencoder's blur already costs the regression (it is fitted on sharp real images).
- `style_code_class`: a logistic-regression probe predicts the class from the style code z alone on held-out
  images; a disentangled z scores near chance (beside it). Its target is the floor, not the ceiling.

The protocol functions take `encode_fn` (images [n, h, w, c] -> codes [n, C + d]) and `decode_fn` (codes ->
images), NumPy in and out (`evaluate_lib.batched(model.encode)`), and assume the mddAE code layout: ŷ
first. The classifiers see the images average-pooled by `pool` (features of 768 values for 64×64×3 with
pool 4), which keeps a linear SVM on CPU to seconds; the paper does not say what its SVM sees. The
gin-registered metrics `(ctx) -> dict` run them on the evaluation `Context`'s ground-truth sampler.
"""

import gin
import numpy as np
from sklearn import pipeline
from sklearn import preprocessing
from sklearn import svm
import tensorflow as tf

from tfdis import editing
from tfdis import metrics

CLASS_FACTOR = 0  # the class factor of glyphs


def features(images, pool=4):
  """[n, h, w, c] images -> [n, (h/pool)·(w/pool)·c] average-pooled, flattened pixels."""
  images = np.asarray(images, np.float32)
  n, h, w, c = images.shape
  if h % pool or w % pool:
    raise ValueError(f"pool={pool} must divide the image size {h}×{w}; pass pool=1 for raw pixels.")
  return images.reshape(n, h // pool, pool, w // pool, pool, c).mean(axis=(2, 4)).reshape(n, -1)


def attribute_edits(encode_fn, decode_fn, images, attributes, intensities):
  """{intensity: (edited images, targets)} for `metrics.attribute_svm_error` (the paper's step 3).

  For each attribute a, the images lacking it are decoded with ŷ_a set to the intensity; their targets are
  1 in column a and -1 (not evaluated) elsewhere.
  """
  attributes = np.asarray(attributes)
  codes = np.asarray(encode_fn(np.asarray(images, np.float32)))
  rows = [np.flatnonzero(attributes[:, a] == 0) for a in range(attributes.shape[1])]
  targets = np.concatenate([np.where(np.arange(attributes.shape[1]) == a, 1, -1)[np.newaxis].repeat(len(r), 0)
                            for a, r in enumerate(rows)])
  edited = {}
  for intensity in intensities:
    batches = []
    for a, r in enumerate(rows):
      moved = codes[r].copy()
      moved[:, a] = intensity
      batches.append(np.asarray(decode_fn(moved)))
    edited[float(intensity)] = (np.concatenate(batches), targets)
  return edited


def attribute_svm_errors(encode_fn, decode_fn, real_images, real_attributes, test_images, test_attributes,
                  intensities=(0.5, 1.0, 1.5, 2.0), rng=0, num_runs=5, pool=4, attribute_names=None):
  """The paper's attribute classification protocol (Fig. 6) on pooled pixels; see the module docstring.

  Returns:
    `metrics.attribute_svm_error`'s dict: "error_{intensity}" (mean over attributes and runs),
    "error_{intensity}_{name}", "real_error" (the SVMs on held-out real images).
  """
  edited = attribute_edits(encode_fn, decode_fn, test_images, test_attributes, intensities)
  edited = {k: (features(images, pool), targets) for k, (images, targets) in edited.items()}
  return metrics.attribute_svm_error(features(real_images, pool), real_attributes, edited, rng,
                                     num_runs=num_runs, attribute_names=attribute_names)


def class_swap_accuracy(encode_fn, decode_fn, real_images, real_labels, test_images, test_labels,
                        num_classes, pool=2, seed=0):
  """Case 1: fraction of swapped images (every test image × every other class) read as the target class.

  Returns:
    {"swap_accuracy", "real_accuracy"}: the classifier on swapped images and on the real test images.
  """
  classifier = pipeline.make_pipeline(preprocessing.StandardScaler(), svm.LinearSVC(C=0.1, random_state=seed))
  classifier.fit(features(real_images, pool), np.asarray(real_labels))
  test_labels = np.asarray(test_labels)
  codes = np.asarray(encode_fn(np.asarray(test_images, np.float32)))
  soft, z = codes[:, :num_classes], codes[:, num_classes:]
  correct = total = 0
  for target in range(num_classes):
    rows = np.flatnonzero(test_labels != target)
    swapped = editing.swap_class(tf.constant(soft[rows]), target).numpy()
    images = np.asarray(decode_fn(np.concatenate([swapped, z[rows]], axis=1)))
    correct += int(np.sum(classifier.predict(features(images, pool)) == target))
    total += len(rows)
  real = float(np.mean(classifier.predict(features(test_images, pool)) == test_labels))
  return {"swap_accuracy": correct / max(total, 1), "real_accuracy": real}


def _sample(ctx, n, rng):
  """n ground-truth images with their extras ("label", "attributes") from the evaluation's sampler."""
  factors = ctx.sampler.sample_factors(n, rng)
  extras = {k: np.asarray(v) for k, v in ctx.sampler.extras(tf.constant(factors, tf.int32)).items()}
  return ctx.sampler.sample_observations_from_factors(factors, rng), extras


@gin.register(denylist=["ctx"])
def attribute_svm(ctx, intensities=(0.5, 1.0, 1.5, 2.0), num_runs=5, pool=4):
  """Case 2 (Fig. 6) on ground-truth samples with binary attributes: `attribute_svm_errors`."""
  names = getattr(ctx.sampler, "attribute_names", None)
  if not names:
    raise ValueError("attribute_svm needs a dataset with binary attributes (sampler.attribute_names), such as "
                     "attributes; for exclusive classes use class_swap.")
  rng = ctx.rng("attribute_svm")
  real, real_extras = _sample(ctx, ctx.num_train, rng)
  test, test_extras = _sample(ctx, ctx.num_test, rng)
  return attribute_svm_errors(ctx.representation_fn, ctx.decode_fn, real, real_extras["attributes"] > 0.5, test,
                              test_extras["attributes"] > 0.5, intensities, rng, num_runs, pool, names)


@gin.register(denylist=["ctx"])
def class_swap(ctx, pool=2):
  """Case 1 on ground-truth samples with class labels: `class_swap_accuracy`; classes: factor 0's size."""
  rng = ctx.rng("class_swap")
  real, real_extras = _sample(ctx, ctx.num_train, rng)
  test, test_extras = _sample(ctx, ctx.num_test, rng)
  if "label" not in real_extras:
    raise ValueError("class_swap needs a dataset with class labels (element['label']), such as glyphs.")
  num_classes = int(ctx.sampler.factor_sizes[CLASS_FACTOR])
  return class_swap_accuracy(ctx.representation_fn, ctx.decode_fn, real, real_extras["label"], test,
                             test_extras["label"], num_classes, pool)


def swap_to_random_class(encode_fn, decode_fn, images, labels, num_classes, rng):
  """Decodes each image with ŷ swapped to one other class, uniformly drawn: (images, target classes)."""
  labels = np.asarray(labels)
  targets = (labels + 1 + rng.randint(num_classes - 1, size=len(labels))) % num_classes
  codes = np.asarray(encode_fn(np.asarray(images, np.float32)))
  soft, z = codes[:, :num_classes], codes[:, num_classes:]
  swapped = editing.swap_class(tf.constant(soft, tf.float32), tf.constant(targets, tf.int32)).numpy()
  return np.asarray(decode_fn(np.concatenate([swapped, z], axis=1))), targets


def _ground_truth(ctx, n, rng):
  factors = ctx.sampler.sample_factors(n, rng)
  return ctx.sampler.sample_observations_from_factors(factors, rng), np.asarray(factors)


def _num_classes(ctx):
  if getattr(ctx.sampler, "factor_names", (None,))[CLASS_FACTOR] != "class":
    raise ValueError("mddae_style and style_code_class need a sampler whose factor 0 is the class, such as "
                     "glyphs (gin/datasets/glyphs.gin).")
  return int(ctx.sampler.factor_sizes[CLASS_FACTOR])


@gin.register(denylist=["ctx"])
def mddae_style(ctx, pool=4):
  """Style R² of class-swapped test images and of their plain reconstructions (see the module docstring)."""
  num_classes = _num_classes(ctx)
  rng = ctx.rng("mddae_style")
  real, real_factors = _ground_truth(ctx, ctx.num_train, rng)
  test, test_factors = _ground_truth(ctx, ctx.num_test, rng)
  swapped, _ = swap_to_random_class(ctx.representation_fn, ctx.decode_fn, test, test_factors[:, CLASS_FACTOR],
                                    num_classes, rng)
  reconstructed = np.asarray(ctx.decode_fn(np.asarray(ctx.representation_fn(test))))
  style = [k for k in range(real_factors.shape[1]) if k != CLASS_FACTOR]
  names = [ctx.sampler.factor_names[k] for k in style]
  reference = (features(real, pool), real_factors[:, style], features(test, pool),
               test_factors[:, style])
  result = metrics.style_preservation(*reference, features(swapped, pool), test_factors[:, style],
                                      names)
  unswapped = metrics.style_preservation(*reference, features(reconstructed, pool),
                                         test_factors[:, style], names)
  return {**result, "style_r2_reconstruction": unswapped["style_r2"]}


@gin.register(denylist=["ctx"])
def style_code_class(ctx):
  """Held-out accuracy of the class read from the style code z alone, chance beside."""
  num_classes = _num_classes(ctx)
  rng = ctx.rng("style_code_class")
  images, factors = _ground_truth(ctx, ctx.num_train, rng)
  z = np.asarray(ctx.representation_fn(images))[:, num_classes:]
  if z.shape[1] == 0:
    raise ValueError("style_code_class needs codes [ŷ, z] with a non-empty z (mddAE's layout).")
  return metrics.leakage(z, factors[:, CLASS_FACTOR], rng, classifier="logistic")
