"""Dataset adapters: dataset functions that wrap another dataset function (gin: `adapter.dataset_fn = @x`).

- `partially_labeled`: hides the label of a fraction of the examples (label −1), for semi-supervised
  training (Lr/Li-VAE sec. 3.6). Which examples stay labeled is a pure function of (seed, element index), so
  resumed runs see the same split.
- `points_as_images`: copies a vector feature (the `moons` toy's "point") into "image", so that the
  training launcher, which reads "image", trains MLP models on it.
"""

import gin
import tensorflow as tf

UNLABELED = -1


def _check_dataset_fn(dataset_fn, adapter):
  if dataset_fn is None:
    raise ValueError(f"{adapter} wraps a dataset function: bind {adapter}.dataset_fn = @your_dataset in gin.")


@gin.register
def partially_labeled(split="train", seed=0, start_index=0, dataset_fn=None, labeled_fraction=0.1,
                      labeled_seed=0):
  """`dataset_fn`'s elements, with "label" set to −1 on all but a `labeled_fraction` of them.

  Args:
    split, seed, start_index: as for any dataset function; the test split keeps every label.
    dataset_fn: the wrapped dataset function (its elements must have "label").
    labeled_fraction: probability that an example keeps its label, in (0, 1].
    labeled_seed: seed of the labeled/unlabeled draw (per element index).

  Returns:
    A `tf.data.Dataset` of unbatched elements.
  """
  _check_dataset_fn(dataset_fn, "partially_labeled")
  if not 0.0 < labeled_fraction <= 1.0:
    raise ValueError(f"labeled_fraction={labeled_fraction} must be in (0, 1].")
  dataset = dataset_fn(split=split, seed=seed, start_index=start_index)
  if "label" not in dataset.element_spec:
    raise ValueError(f"partially_labeled needs a dataset with labels; {dataset_fn} gives "
                     f"{sorted(dataset.element_spec)}.")
  if split != "train":
    return dataset

  def hide(index, element):
    draw = tf.random.stateless_uniform([], seed=tf.stack([tf.cast(labeled_seed, tf.int64), index]))
    label = tf.where(draw < labeled_fraction, tf.cast(element["label"], tf.int32), UNLABELED)
    return {**element, "label": label}

  return dataset.enumerate(start=start_index).map(hide, num_parallel_calls=tf.data.AUTOTUNE)


@gin.register
def points_as_images(split="train", seed=0, start_index=0, dataset_fn=None, key="point"):
  """`dataset_fn`'s elements with "image" = element[`key`] (a float vector, not an image in [0, 1])."""
  _check_dataset_fn(dataset_fn, "points_as_images")
  dataset = dataset_fn(split=split, seed=seed, start_index=start_index)
  if key not in dataset.element_spec:
    raise ValueError(f"points_as_images: the elements have no {key!r} (they have {sorted(dataset.element_spec)}).")
  return dataset.map(lambda element: {**element, "image": element[key]})


@gin.register
def padded_images(split="train", seed=0, start_index=0, dataset_fn=None, size=32):
  """`dataset_fn`'s elements with "image" zero-padded (or centrally cropped) to `size` x `size`
  (MNIST's 28x28 to 32x32, for encoders whose input sides must be multiples of 16)."""
  _check_dataset_fn(dataset_fn, "padded_images")
  dataset = dataset_fn(split=split, seed=seed, start_index=start_index)
  return dataset.map(lambda e: {**e, "image": tf.image.resize_with_crop_or_pad(e["image"], size, size)})
