"""mddAE's evaluation (Song et al. 2020, sec. 4.2–4.4) over NumPy functions of codes [ŷ, z].

- `reconstruction_quality`: RMSE, PSNR and SSIM per image, mean and standard deviation (Table 1's layout).
- `attribute_svm`: case 2's protocol (Fig. 6): per attribute, a linear SVM trained on real images with and
  without it classifies test images that lack it, edited to have it at each intensity; lower error: the
  edit is easier to perceive.
- `class_swap_accuracy`: case 1, measured the same way: a linear classifier of real images reads the class
  of swapped images (`swap_class` to every other class); the fraction read as the target class.

The functions take `encode_fn` (images [n, h, w, c] -> codes [n, C + d]) and `decode_fn` (codes -> images),
NumPy in and out (`evaluate_lib.batched(model.encode)`), and assume the mddAE code layout: ŷ first. The
classifiers see the images average-pooled by `pool` (features of 768 values for 64×64×3 with pool 4),
which keeps a linear SVM on CPU to seconds; the paper does not say what its SVM sees.
"""

import numpy as np
from sklearn import pipeline
from sklearn import preprocessing
from sklearn import svm
import tensorflow as tf

from tfdis import editing
from tfdis import metrics


def features(images, pool=4):
  """[n, h, w, c] images -> [n, (h/pool)·(w/pool)·c] average-pooled, flattened pixels."""
  images = np.asarray(images, np.float32)
  n, h, w, c = images.shape
  if h % pool or w % pool:
    raise ValueError(f"pool={pool} must divide the image size {h}×{w}; pass pool=1 for raw pixels.")
  return images.reshape(n, h // pool, pool, w // pool, pool, c).mean(axis=(2, 4)).reshape(n, -1)


def reconstruction_quality(reconstruct_fn, images):
  """{"rmse", "psnr", "ssim"} means over images and their "_std" (mddAE Table 1), images in [0, 1]."""
  images = np.asarray(images, np.float32)
  reconstructions = np.clip(np.asarray(reconstruct_fn(images), np.float32), 0.0, 1.0)
  mse = np.mean(np.square(reconstructions.astype(np.float64) - images), axis=(1, 2, 3))
  per_image = {"rmse": np.sqrt(mse), "psnr": 10.0 * np.log10(1.0 / np.maximum(mse, 1e-12)),
               "ssim": tf.image.ssim(images, reconstructions, max_val=1.0).numpy()}
  result = {}
  for name, values in per_image.items():
    result[name], result[f"{name}_std"] = float(np.mean(values)), float(np.std(values))
  return result


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


def attribute_svm(encode_fn, decode_fn, real_images, real_attributes, test_images, test_attributes,
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


def attribute_svm_metric(ctx, intensities=(0.5, 1.0, 1.5, 2.0), num_runs=5, pool=4):
  """`evaluate` adapter "attribute_svm": the protocol on ground-truth samples with binary attributes."""
  names = getattr(ctx.sampler, "attribute_names", None)
  if not names:
    raise ValueError("attribute_svm needs a dataset with binary attributes (sampler.attribute_names), such as "
                     "attributes; for exclusive classes use class_swap.")
  rng = ctx.rng("attribute_svm")
  real, real_extras = _sample(ctx, ctx.num_train, rng)
  test, test_extras = _sample(ctx, ctx.num_test, rng)
  return attribute_svm(ctx.representation_fn, ctx.decode_fn, real, real_extras["attributes"] > 0.5, test,
                       test_extras["attributes"] > 0.5, intensities, rng, num_runs, pool, names)


def class_swap_metric(ctx, pool=2):
  """`evaluate` adapter "class_swap": `class_swap_accuracy` on ground-truth samples with class labels.

  The number of classes is the size of factor 0 (the class factor of glyphs).
  """
  rng = ctx.rng("class_swap")
  real, real_extras = _sample(ctx, ctx.num_train, rng)
  test, test_extras = _sample(ctx, ctx.num_test, rng)
  if "label" not in real_extras:
    raise ValueError("class_swap needs a dataset with class labels (element['label']), such as glyphs.")
  num_classes = int(ctx.sampler.factor_sizes[0])
  return class_swap_accuracy(ctx.representation_fn, ctx.decode_fn, real, real_extras["label"], test,
                             test_extras["label"], num_classes, pool)
