"""mddAE's edits of the soft target ŷ (Song et al. 2020, sec. 3.5): class swap and attribute intensity.

Case 1 (exclusive classes, ŷ a softmax): `swap_class` exchanges the target class's element with the largest
one, so ŷ keeps its values (and its sum of 1) and the target becomes the predicted class. Case 2
(independent attributes, ŷ sigmoids): `set_attribute` sets one element to any real value; values above 1
(e.g. 1.7) are allowed at editing time and give stronger attributes. The decoder then renders the edited ŷ
with the image's unchanged latent z.
"""

import tensorflow as tf


def _check_targets(soft_targets):
  soft_targets = tf.convert_to_tensor(soft_targets)
  if soft_targets.shape.rank != 2:
    raise ValueError(f"soft_targets must be [batch, num_targets], got shape {soft_targets.shape}: add a "
                     "batch axis with soft_targets[None].")
  return soft_targets


def _column_mask(indices, soft_targets):
  """One-hot [batch, C] masks of `indices` [batch] (a scalar index applies to every row)."""
  indices = tf.convert_to_tensor(indices, tf.int32)
  indices = tf.broadcast_to(indices, tf.shape(soft_targets)[:1])
  return tf.one_hot(indices, tf.shape(soft_targets)[1], dtype=soft_targets.dtype)


def swap_class(soft_targets, target_class):
  """Exchanges element `target_class` of each ŷ with its largest element (case 1).

  At most two elements move, so the values of ŷ (and their sum, 1 for a softmax) are kept, and the target
  class holds the maximum. A target that already is the maximum leaves ŷ unchanged.

  Args:
    soft_targets: [batch, C] soft targets ŷ.
    target_class: int32 [batch] or scalar, the class each image should show.

  Returns:
    [batch, C] edited soft targets.
  """
  soft_targets = _check_targets(soft_targets)
  target = _column_mask(target_class, soft_targets)  # [batch, C]
  largest = tf.one_hot(tf.argmax(soft_targets, axis=1, output_type=tf.int32), tf.shape(soft_targets)[1],
                       dtype=soft_targets.dtype)  # [batch, C]
  target_value = tf.reduce_sum(soft_targets * target, axis=1, keepdims=True)  # [batch, 1]
  largest_value = tf.reduce_max(soft_targets, axis=1, keepdims=True)  # [batch, 1]
  delta = largest_value - target_value
  return soft_targets + delta * target - delta * largest


def set_attribute(soft_targets, index, value):
  """Sets element `index` of each ŷ to `value`, leaving the others unchanged (case 2).

  Args:
    soft_targets: [batch, C] soft targets ŷ.
    index: int32 [batch] or scalar, the attribute to set.
    value: float [batch] or scalar, its new intensity: any real value, above 1 included.

  Returns:
    [batch, C] edited soft targets.
  """
  soft_targets = _check_targets(soft_targets)
  mask = _column_mask(index, soft_targets)  # [batch, C]
  value = tf.broadcast_to(tf.convert_to_tensor(value, soft_targets.dtype), tf.shape(soft_targets)[:1])
  return soft_targets * (1.0 - mask) + value[:, tf.newaxis] * mask


def intensity_sweep(decode_fn, soft_targets, latents, index, values):
  """Renders each image with attribute `index` set to each of `values` (Fig. 5 of the paper).

  Args:
    decode_fn: callable (ŷ [m, C], z [m, d]) -> images [m, h, w, c].
    soft_targets: [n, C] soft targets of the images.
    latents: [n, d] their latent codes z.
    index: int32 [n] or scalar, the attribute each row sweeps.
    values: [n, v] (or [v], shared by all rows) intensities.

  Returns:
    [n, v, h, w, c] images.
  """
  soft_targets = _check_targets(soft_targets)
  n = tf.shape(soft_targets)[0]
  values = tf.convert_to_tensor(values, soft_targets.dtype)
  if values.shape.rank == 1:
    values = tf.tile(values[tf.newaxis], [n, 1])
  v = tf.shape(values)[1]
  index = tf.broadcast_to(tf.convert_to_tensor(index, tf.int32), [n])
  repeat = lambda t: tf.reshape(tf.repeat(t[:, tf.newaxis], v, axis=1), [n * v, -1])  # noqa: E731
  edited = set_attribute(repeat(soft_targets), tf.repeat(index, v), tf.reshape(values, [-1]))  # [n·v, C]
  images = decode_fn(edited, repeat(latents))  # [n·v, h, w, c]
  return tf.reshape(images, tf.concat([[n, v], tf.shape(images)[1:]], 0))


def class_analogies(decode_fn, soft_targets, latents):
  """Renders each image as every class by `swap_class` (Fig. 3's analogy grid, case 1).

  Args:
    decode_fn: callable (ŷ [m, C], z [m, d]) -> images [m, h, w, c].
    soft_targets: [n, C] soft targets of the images.
    latents: [n, d] their latent codes z.

  Returns:
    [n, C, h, w, c] images; column k shows class k in the style z of row n.
  """
  soft_targets = _check_targets(soft_targets)
  n, c = tf.shape(soft_targets)[0], tf.shape(soft_targets)[1]
  rows = tf.reshape(tf.repeat(soft_targets[:, tf.newaxis], c, axis=1), [n * c, -1])  # [n·C, C]
  classes = tf.tile(tf.range(c), [n])  # [n·C]: 0..C-1 for each image
  z = tf.reshape(tf.repeat(latents[:, tf.newaxis], c, axis=1), [n * c, -1])
  images = decode_fn(swap_class(rows, classes), z)
  return tf.reshape(images, tf.concat([[n, c], tf.shape(images)[1:]], 0))
