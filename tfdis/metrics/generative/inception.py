"""Inception features and the Inception Score (Salimans et al. 2016), from a user-supplied weights file.

The network is Keras' `keras.applications.InceptionV3` filled from the file the user gives (see
`weights.py`); nothing is downloaded. Images [N, H, W, C] in [0, 1] (C = 1 or 3; grey is repeated to RGB)
are resized bilinearly to 299×299 and scaled to [−1, 1] as Keras' `inception_v3.preprocess_input` does.

Comparability: published Inception Scores (and FIDs) use the 2015 TF graph of Szegedy et al.
(1008 classes; pytorch-fid / TTUR ship its weights), not Keras' InceptionV3 ImageNet weights (1000
classes). Scores computed here are comparable with each other, for the same weights file and image size,
not with published numbers. With randomly initialised weights (the tests) a score means nothing.
"""

import gin
import numpy as np
from scipy import special

from tfdis.metrics import image_quality
from tfdis.metrics.generative import weights

INCEPTION_SIZE = 299


def preprocess(images, size=INCEPTION_SIZE):
  """[n, H, W, 1 or 3] in [0, 1] -> float32 tensor [n, size, size, 3] in [−1, 1] (Keras' "tf" mode)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  images = tf.convert_to_tensor(images, tf.float32)
  if images.shape[-1] == 1:
    images = tf.repeat(images, 3, axis=-1)
  images = tf.image.resize(images, (size, size), method="bilinear")
  return images * 2.0 - 1.0


def check_rgb_or_grey(images, name):
  """Checks [N, H, W, C] in [0, 1] with C in {1, 3}; returns float32 NumPy images."""
  images = image_quality._check_images(images, name)  # pylint: disable=protected-access
  if images.shape[-1] not in (1, 3):
    raise ValueError(f"{name} must have 1 (grey) or 3 (RGB) channels, got {images.shape[-1]}.")
  return images


def batched_outputs(model, images, batch_size, preprocess_fn):
  """Runs `model` on `images` in batches of `batch_size` (the last one padded: one traced shape).

  A single batch runs eagerly: tracing the network (seconds on a CPU) only pays off over several batches.

  Returns:
    NumPy array [N, ...] (one output) or list of arrays (several outputs).
  """
  if int(batch_size) != batch_size or batch_size < 1:
    raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
  if images.shape[0] <= batch_size:
    result = model(preprocess_fn(images), training=False)
    return [np.asarray(r) for r in result] if isinstance(result, (list, tuple)) else np.asarray(result)
  outputs = []
  for start in range(0, images.shape[0], batch_size):
    batch = images[start:start + batch_size]
    count = batch.shape[0]
    if count < batch_size:
      batch = np.concatenate([batch, np.zeros((batch_size - count, *batch.shape[1:]), batch.dtype)])
    result = model.predict_on_batch(preprocess_fn(batch))
    result = result if isinstance(result, (list, tuple)) else [result]
    outputs.append([np.asarray(r)[:count] for r in result])
  merged = [np.concatenate(parts) for parts in zip(*outputs)]
  return merged[0] if len(merged) == 1 else merged


def inception_network(weights_path, include_top, caller):
  """Keras InceptionV3 loaded from `weights_path`: pool3 features [n, 2048] or softmax [n, 1000]."""
  if include_top:
    return weights.keras_application("InceptionV3", weights_path, weights.INCEPTION_TOP, "weights_path",
                                      caller, include_top=True)
  return weights.keras_application("InceptionV3", weights_path, weights.INCEPTION_NO_TOP, "weights_path",
                                   caller, include_top=False, pooling="avg")


def inception_features(images, weights_path, batch_size=50):
  """Pool3 (global average pool) features of InceptionV3: float64 [N, 2048].

  Args:
    images: [N, H, W, C] in [0, 1], C in {1, 3}.
    weights_path: `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5` (see `weights.py`).
    batch_size: images per forward pass.
  """
  images = check_rgb_or_grey(images, "images")
  model = inception_network(weights_path, include_top=False, caller="inception_features")
  return batched_outputs(model, images, batch_size, preprocess).astype(np.float64)


def inception_score_from_probabilities(probabilities, splits=10):
  """Inception Score exp(E_x KL(p(y|x) ‖ p(y))) of class probabilities, per split, as Salimans et al.

  The N rows are cut into `splits` consecutive parts (part k holds rows k·N//splits to (k+1)·N//splits,
  as in the original code); each part's marginal p(y) is its mean row.

  Args:
    probabilities: [N, K] rows summing to 1 (softmax outputs).
    splits: number of parts (N >= splits).

  Returns:
    {"inception_score": mean over parts, "inception_score_std": their standard deviation}. Uniform
    predictions score 1; confident predictions spread evenly over K classes score K.
  """
  probabilities = np.asarray(probabilities, np.float64)
  if probabilities.ndim != 2:
    raise ValueError(f"probabilities must be a 2-D [num_images, num_classes] array, got shape "
                     f"{probabilities.shape}.")
  if int(splits) != splits or not 1 <= splits <= probabilities.shape[0]:
    raise ValueError(f"splits must be an integer between 1 and the number of images "
                     f"({probabilities.shape[0]}), got {splits!r}.")
  if np.any(probabilities < 0) or not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3):
    raise ValueError("probabilities must be non-negative rows summing to 1 (softmax outputs).")
  num = probabilities.shape[0]
  scores = []
  for k in range(splits):
    part = probabilities[k * num // splits:(k + 1) * num // splits]  # [n_k, K]
    marginal = part.mean(axis=0, keepdims=True)  # [1, K]
    kl = special.xlogy(part, part) - special.xlogy(part, marginal)  # 0·log 0 = 0
    scores.append(np.exp(np.mean(np.sum(kl, axis=1))))
  return {"inception_score": float(np.mean(scores)), "inception_score_std": float(np.std(scores))}


@gin.register
def inception_score(images, weights_path=None, splits=10, batch_size=50):
  """Inception Score of generated images with Keras' InceptionV3 (1000 ImageNet classes).

  Not comparable with published Inception Scores (see the module docstring); and a score computed from
  randomly initialised weights, as in the tests, is meaningless: report only scores computed with the
  ImageNet weights file below, and name that file with them.

  Args:
    images: [N, H, W, C] generated images in [0, 1], C in {1, 3}; resized to 299×299.
    weights_path: the Keras InceptionV3 weights *with* the top,
      `inception_v3_weights_tf_dim_ordering_tf_kernels.h5` (where to get it: `weights.INCEPTION_TOP`).
    splits: parts the images are cut into (the literature uses 10 over 50,000 images).
    batch_size: images per forward pass.

  Returns:
    {"inception_score", "inception_score_std"}.

  Raises:
    ValueError / FileNotFoundError: if the weights file is not given / not found / not InceptionV3's.
  """
  images = check_rgb_or_grey(images, "images")
  model = inception_network(weights_path, include_top=True, caller="inception_score")
  probabilities = batched_outputs(model, images, batch_size, preprocess)
  return inception_score_from_probabilities(probabilities, splits)
