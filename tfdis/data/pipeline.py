"""Batching and prefetching for training and evaluation code.

A training run that has taken `step` steps of `global_batch_size` resumes with
`dataset_fn(split="train", seed=seed, start_index=step * global_batch_size)`: `train_batches` does exactly
that, so the resumed run sees the batches the uninterrupted run would have seen.
"""

import numpy as np
import tensorflow as tf


def without_autotune(dataset):
  """`dataset` with tf.data autotuning off; every iterator tfdis makes reads through this.

  An autotuned iterator runs a model thread that sleeps between its optimization passes. Under TensorFlow 2.21,
  deleting such an iterator from a garbage collection (Keras' iterators sit in reference cycles) waits for the
  sleep to end, up to about 20 s with no CPU used (bench/idle_stalls.py). Without autotuning,
  `AUTOTUNE` parallelism means one call per CPU core and a prefetch buffer of one element.
  """
  options = tf.data.Options()
  options.autotune.enabled = False
  return dataset.with_options(options)


def deterministic(dataset):
  """`dataset` with deterministic element order enforced (parallel maps keep their input order)."""
  options = tf.data.Options()
  options.deterministic = True
  return dataset.with_options(options)


def batched(dataset, batch_size, drop_remainder=True):
  """Batches an unbatched contract dataset; with `drop_remainder` every batch has `batch_size` rows.

  Args:
    dataset: a `tf.data.Dataset` of unbatched elements.
    batch_size: rows per batch (the global batch under `tf.distribute`: Keras splits it per replica).
    drop_remainder: drop a last partial batch (static batch shapes, as XLA and TPUs want).

  Returns:
    A `tf.data.Dataset` of batches.
  """
  return dataset.batch(batch_size, drop_remainder=drop_remainder, num_parallel_calls=tf.data.AUTOTUNE,
                       deterministic=True)


def prefetched(dataset, buffer_size=tf.data.AUTOTUNE):
  """`dataset` prefetched so that the input pipeline runs ahead of the training step."""
  return dataset.prefetch(buffer_size)


def train_batches(dataset_fn, batch_size, seed=0, step=0):
  """Batches of a dataset function's train stream, resumed after `step` steps of `batch_size`.

  Args:
    dataset_fn: a dataset function `fn(split, seed, start_index)` (tfdis.data).
    batch_size: global batch size.
    seed: seed of the train stream.
    step: number of batches already consumed.

  Returns:
    An infinite, prefetched `tf.data.Dataset` of batches.
  """
  dataset = dataset_fn(split="train", seed=seed, start_index=step * batch_size)
  return without_autotune(prefetched(deterministic(batched(dataset, batch_size))))


def eval_batches(dataset_fn, batch_size, split="test"):
  """Batches of a finite split, the last one partial: for evaluation over every element."""
  return without_autotune(prefetched(batched(dataset_fn(split=split), batch_size, drop_remainder=False)))


def take_numpy(dataset, num):
  """The first `num` elements of an unbatched dataset as a dict of NumPy arrays with leading dim `num`.

  Fewer rows are returned when a finite dataset has fewer elements.
  """
  rows = without_autotune(dataset.take(num).batch(max(num, 1)))
  for batch in rows.as_numpy_iterator():
    return batch
  return {key: np.zeros((0, *spec.shape), spec.dtype.as_numpy_dtype)
          for key, spec in dataset.element_spec.items()}
