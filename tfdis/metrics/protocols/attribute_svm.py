"""mddAE's attribute classification protocol (Song et al. 2020, Sec. 4.4, Fig. 6).

For each attribute: (1) split real training images into those with and without the attribute, (2) train
a linear SVM on the two subsets, (3) edit test images that lack the attribute so that they have it at a
given intensity, (4) report the SVM's error rate on the edited images (lower: the edit is easier to
perceive). The paper runs the SVM 5 times and reports the mean; here a run is a different random
training subsample of the real images (and SVM seed).
"""

import numpy as np
from sklearn import pipeline
from sklearn import preprocessing
from sklearn import svm

from tfdis.metrics import utils


def _flatten(images, name):
  images = np.asarray(images, np.float64)
  if images.ndim < 2:
    raise ValueError(f"{name} must be [num_images, ...] images or features, got shape {images.shape}.")
  return images.reshape(images.shape[0], -1)


def _check_binary(attributes, num_images, name, allowed=(0, 1)):
  attributes = np.asarray(attributes)
  if attributes.ndim == 1:
    attributes = attributes[:, np.newaxis]
  if attributes.ndim != 2 or attributes.shape[0] != num_images:
    raise ValueError(f"{name} must be [{num_images}, num_attributes], got shape {attributes.shape}.")
  if not np.all(np.isin(attributes, allowed)):
    raise ValueError(f"{name} must hold values in {allowed} (-1: not evaluated, where allowed): "
                     "threshold soft attributes first, e.g. attributes > 0.5.")
  return attributes.astype(np.int64)


def _check_edited(edited_images_by_intensity, num_values, num_attributes):
  """{intensity: (flattened images [M, D], binary targets [M, A])}, checked against the real images."""
  edited = {}
  for intensity, (images, targets) in edited_images_by_intensity.items():
    images = _flatten(images, f"edited images at {intensity}")
    if images.shape[1] != num_values:
      raise ValueError(f"edited images at {intensity} have {images.shape[1]} values per image but real "
                       f"images have {num_values}: pass both in the same format.")
    targets = _check_binary(targets, images.shape[0], f"targets at {intensity}", allowed=(-1, 0, 1))
    if targets.shape[1] != num_attributes:
      raise ValueError(f"targets at {intensity} have {targets.shape[1]} attributes, real_attributes "
                       f"{num_attributes}.")
    edited[intensity] = (images, targets)
  return edited


def _fit_svm(features, labels, c, seed):
  """A standardized linear SVM; class weights balanced since attributes like Eyeglasses are rare."""
  model = pipeline.make_pipeline(preprocessing.StandardScaler(),
                                 svm.LinearSVC(C=c, class_weight="balanced", random_state=seed))
  return model.fit(features, labels)


def _run_errors(real, attributes, edited, rng, num_runs, train_fraction, c, names):
  """{"real" or intensity: [num_runs, A] error rates} of the per-run, per-attribute SVMs."""
  num_attributes = attributes.shape[1]
  num_train = int(round(train_fraction * real.shape[0]))
  errors = {key: np.full([num_runs, num_attributes], np.nan) for key in ["real", *edited]}
  for run in range(num_runs):
    order = rng.permutation(real.shape[0])
    train, held_out = order[:num_train], order[num_train:]
    for a in range(num_attributes):
      if np.unique(attributes[train, a]).size < 2:
        raise ValueError(f"attribute {names[a]} has a single value in a training subsample: it needs "
                         "real images both with and without it.")
      model = _fit_svm(real[train], attributes[train, a], c, utils.seed_from(rng))
      errors["real"][run, a] = np.mean(model.predict(real[held_out]) != attributes[held_out, a])
      for intensity, (images, targets) in edited.items():
        evaluated = targets[:, a] >= 0
        if evaluated.any():
          errors[intensity][run, a] = np.mean(model.predict(images[evaluated]) != targets[evaluated, a])
  return errors


def attribute_svm_error(real_images, real_attributes, edited_images_by_intensity, rng, num_runs=5,
                        train_fraction=0.8, c=1.0, attribute_names=None):
  """Error rate of per-attribute linear SVMs on edited images, per edit intensity (mddAE, Fig. 6).

  Args:
    real_images: [N, ...] real images (flattened) or features of them.
    real_attributes: [N, A] binary attributes of `real_images`.
    edited_images_by_intensity: {intensity: (images [M, ...], target_attributes [M, A])}: edited images in
      the format of `real_images` and the binary attributes each edit should have produced; a target of
      -1 leaves that attribute of that image out. The paper's setting: test images lacking attribute a,
      edited to have it, with targets 1 in column a and -1 elsewhere (one call or rows per attribute).
    rng: np.random.Generator / RandomState / int seed for the training subsamples.
    num_runs: SVM runs averaged (the paper: 5).
    train_fraction: fraction of the real images each run trains on; the rest measure the SVM's own
      error on real images ("real_error"), which should be low for the protocol to be meaningful.
    c: SVM regularization constant.
    attribute_names: optional [A] names used in the result keys (default "0", "1", ...).

  Returns:
    {"error_{intensity}": mean over attributes and runs, "error_{intensity}_{name}": per attribute,
     "real_error": held-out error on real images, "real_error_{name}"}; intensities formatted with "g".
  """
  rng = utils.make_rng(rng)
  real = _flatten(real_images, "real_images")
  attributes = _check_binary(real_attributes, real.shape[0], "real_attributes")
  num_attributes = attributes.shape[1]
  names = [str(a) for a in range(num_attributes)] if attribute_names is None else list(attribute_names)
  if len(names) != num_attributes:
    raise ValueError(f"attribute_names has {len(names)} names for {num_attributes} attributes.")
  if not 0 < train_fraction < 1:
    raise ValueError(f"train_fraction must be in (0, 1), got {train_fraction!r}.")
  edited = _check_edited(edited_images_by_intensity, real.shape[1], num_attributes)
  errors = _run_errors(real, attributes, edited, rng, num_runs, train_fraction, c, names)
  result = {}
  for key, values in errors.items():
    prefix = "real_error" if key == "real" else f"error_{key:g}"
    if np.isnan(values).all():
      continue
    result[prefix] = float(np.nanmean(values))
    result.update({f"{prefix}_{name}": float(values[:, a].mean()) for a, name in enumerate(names)
                   if not np.isnan(values[:, a]).any()})
  return result
