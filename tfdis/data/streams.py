"""Resumable streams: element i of a "train" stream is a pure function of (seed, i).

Every dataset function in tfdis returns a stream built by one of these helpers, so that a run resumed at
element k (`start_index=k`) sees exactly the elements a run from 0 would have seen from k on, at the cost of
at most one chunk (synthetic data) or one epoch of unread records (tfds data), never of k decoded elements.

- `chunked_stream`: procedural data. Chunk c of `chunk_size` elements is drawn from the stateless seed
  fold_in([seed, split_key], c), so chunks are independent and the stream can start at any chunk.
- `permuted_indices`: in-memory arrays. Epoch e is the permutation `index_shuffle(., [seed, e])` of 0..N-1.
"""

import tensorflow as tf

TRAIN = "train"
TEST = "test"
SPLITS = (TRAIN, TEST)
# Stream keys: the test split uses seed 0 and its own key, so it is fixed and never overlaps a train stream.
_SPLIT_KEYS = {TRAIN: 0, TEST: 1}


def check_split(split, splits=SPLITS):
  """Raises a ValueError naming the known splits when `split` is not one of them."""
  if split not in splits:
    raise ValueError(f"Unknown split {split!r}: use one of {', '.join(map(repr, splits))}.")


def chunk_seed(seed, split, chunk):
  """The stateless seed [2] of chunk `chunk` (int64 tensor) of a split's stream."""
  base = tf.constant([seed if split == TRAIN else 0, _SPLIT_KEYS[split]], tf.int64)
  return tf.random.experimental.stateless_fold_in(base, tf.cast(chunk, tf.int64))


def chunked_stream(sample_chunk, split, seed=0, start_index=0, chunk_size=256, num_examples=None):
  """A stream of unbatched elements produced `chunk_size` at a time.

  Args:
    sample_chunk: function (seed [2] int64 tensor) -> dict of tensors with leading dim `chunk_size`;
      must be a pure function of its seed (stateless random ops only).
    split: "train" (infinite, seeded by `seed`) or "test" (fixed: `seed` is ignored).
    seed: integer seed of the train stream.
    start_index: index of the first element returned.
    chunk_size: elements per chunk; fixed per dataset, since it defines which element is which.
    num_examples: size of a finite split, or None for an infinite one.

  Returns:
    A `tf.data.Dataset` of unbatched elements, element i depending only on (seed, split, i).
  """
  check_split(split)
  first_chunk, offset = divmod(int(start_index), chunk_size)
  if num_examples is None:
    chunks = tf.data.Dataset.counter(first_chunk)
  else:
    chunks = tf.data.Dataset.range(first_chunk, -(-num_examples // chunk_size))
  dataset = chunks.map(lambda c: sample_chunk(chunk_seed(seed, split, c)),
                       num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
  dataset = dataset.unbatch().skip(offset)
  if num_examples is not None:
    dataset = dataset.take(max(num_examples - int(start_index), 0))
  return dataset


def permuted_indices(num_examples, seed=0, start_index=0, shuffle=True, repeat=True):
  """Indices into an array of `num_examples` items: epoch after epoch of seeded permutations.

  Args:
    num_examples: N, the number of items.
    seed: integer seed; epoch e is the permutation drawn from the stateless seed [seed, e].
    start_index: position of the first index returned in the (infinite) index stream.
    shuffle: False gives 0..N-1 in order every epoch.
    repeat: False stops after the epoch holding `start_index` (a finite, fixed split).

  Returns:
    A `tf.data.Dataset` of int64 scalars.
  """
  positions = tf.data.Dataset.counter(int(start_index)) if repeat else tf.data.Dataset.range(
      int(start_index), num_examples)
  if not shuffle:
    return positions.map(lambda i: i % num_examples)

  def index(i):
    epoch, position = i // num_examples, i % num_examples
    key = tf.stack([tf.constant(seed, tf.int64), epoch])
    return tf.random.experimental.index_shuffle(position, key, tf.constant(num_examples - 1, tf.int64))

  return positions.map(index)
