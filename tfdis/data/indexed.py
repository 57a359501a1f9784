"""A finite, indexed training set: for models with one latent code per training image (LORD).

`indexed` wraps a dataset function: its training set is the first `num_images` elements of the wrapped
function's train stream drawn with `image_seed` (fixed, whatever the run's seed), each given its position
"index" (int64, in [0, num_images)), and optionally a "label" made of several factors. The train split cycles
over that set epoch after epoch, epoch e shuffled with a seed made of (seed, e); `start_index` skips whole
epochs arithmetically, so a resumed run sees what an uninterrupted one would have seen. The set is cached
(in memory, or in `cache_path` for sets larger than memory such as CelebA's 200k images) after its first pass.
Other splits are the wrapped function's own (finite), without "index".
"""

import gin
import numpy as np
import tensorflow as tf

INDEX = "index"
_SHUFFLE_BUFFER = 10_000


def _check(dataset_fn, num_images, class_factors, factor_sizes):
  if dataset_fn is None:
    raise ValueError("indexed wraps a dataset function: bind indexed.dataset_fn = @your_dataset in gin.")
  if num_images <= 0:
    raise ValueError(f"indexed.num_images = {num_images} must be positive.")
  if class_factors and (factor_sizes is None or max(class_factors) >= len(factor_sizes)):
    raise ValueError(f"indexed.class_factors = {list(class_factors)} needs indexed.factor_sizes listing the size "
                     f"of every factor (got {factor_sizes}).")


def class_of_factors(factors, class_factors, factor_sizes):
  """The mixed-radix class number of the `class_factors` columns of `factors` [..., F] (int32 [...])."""
  label = tf.zeros_like(factors[..., 0])
  for k in class_factors:
    label = label * factor_sizes[k] + factors[..., k]
  return label


def num_classes_of(class_factors, factor_sizes):
  """Number of classes `class_of_factors` can give."""
  return int(np.prod([factor_sizes[k] for k in class_factors]))


@gin.register
def indexed(split="train", seed=0, start_index=0, dataset_fn=None, num_images=10_000, image_seed=0,
            class_factors=(), factor_sizes=None, cache_path=""):
  """The first `num_images` elements of `dataset_fn`'s train stream, with "index", cycled and shuffled.

  Args:
    split: "train" (the indexed set, infinite) or another split of `dataset_fn` (passed through).
    seed: seed of the epochs' shuffling.
    start_index: elements to skip (resume).
    dataset_fn: the wrapped dataset function.
    num_images: N, the size of the training set (fewer if the wrapped train stream is shorter).
    image_seed: seed of the wrapped stream that draws the training set.
    class_factors: if given, "label" becomes the class made of these factor columns (mixed radix), e.g.
      smallNORB's category × instance × elevation × lighting (LORD's SmallNorb setting).
    factor_sizes: sizes of all factors (needed with `class_factors`).
    cache_path: file prefix of an on-disk cache; "" caches in memory.

  Returns:
    A `tf.data.Dataset` of unbatched elements {"image", "label", ..., "index"}.
  """
  _check(dataset_fn, num_images, class_factors, factor_sizes)
  def relabel(element):
    if not class_factors:
      return element
    return {**element, "label": class_of_factors(element["factors"], class_factors, factor_sizes)}

  if split != "train":
    return dataset_fn(split=split).map(relabel)
  images = dataset_fn(split="train", seed=image_seed).take(num_images).enumerate()
  images = images.map(lambda i, e: {**relabel(e), INDEX: i}).cache(cache_path)
  first_epoch, offset = divmod(int(start_index), num_images)

  def epoch(e):
    # The order must depend on (seed, e) only. Dropping this function graph's global seed also avoids
    # `random_seed.get_seed` comparing a tensor seed as a Python bool when the global seed is 0.
    tf.compat.v1.get_default_graph().seed = None
    key = tf.cast(seed, tf.int64) * 1_000_003 + e
    return images.shuffle(min(num_images, _SHUFFLE_BUFFER), seed=key, reshuffle_each_iteration=False)

  return tf.data.Dataset.counter(first_epoch).flat_map(epoch).skip(offset)
