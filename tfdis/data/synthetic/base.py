"""Ground-truth samplers for procedural data, and the dataset stream that renders their factors.

A sampler holds a discrete factor grid (`factor_sizes`) and a vectorized TF renderer from factor indices to
images. The same renderer serves the metrics (`sample_observations_from_factors`, NumPy in and out) and the
training stream (`factor_stream`, rendered a chunk at a time inside `tf.data`), so a factor vector always
gives the same image wherever it is rendered. The image is a pure function of the factors: "continuous"
factors (position, thickness, pose) take evenly spaced values on a documented grid, as dSprites' do.
"""

import functools

import numpy as np
import tensorflow as tf

from tfdis.data import streams

# Images rendered per call of the renderer, in the streams and in `sample_observations_from_factors` alike:
# XLA compiles one program per input shape, so every call renders exactly this many (padding the last).
CHUNK_SIZE = 64


def random_integers(rng, high, size):
  """Integers in [0, high) from a `np.random.RandomState` or a `np.random.Generator`."""
  if isinstance(rng, np.random.Generator):
    return rng.integers(0, high, size=size)
  return rng.randint(0, high, size=size)


@functools.lru_cache(maxsize=None)
def shared(sampler_class, *args):
  """One sampler per (class, constructor arguments), so its renderer is traced and compiled once."""
  return sampler_class(*args)


class GroundTruthSampler:
  """A factor grid and a renderer; subclasses set the class attributes and implement `render`.

  Attributes:
    factor_sizes: tuple, number of values of each factor.
    factor_names: tuple of str, one per factor.
    image_shape: tuple (H, W, C).
  """

  factor_sizes = ()
  factor_names = ()
  image_shape = ()

  @property
  def num_factors(self):
    """F, the number of factors."""
    return len(self.factor_sizes)

  def render(self, factors):
    """Renders images from factors with TF ops.

    Args:
      factors: int32 tensor [n, F] of factor indices.

    Returns:
      float32 tensor [n, H, W, C] in [0, 1].
    """
    raise NotImplementedError

  def extras(self, factors):
    """Elements other than "image" and "factors" ("label", "attributes") derived from `factors` [n, F]."""
    del factors
    return {}

  def compiled_render(self, factors):
    """`render` compiled by XLA, which fuses its elementwise ops (up to 14x faster on CPU than unfused)."""
    if not hasattr(self, "_compiled_render"):
      self._compiled_render = tf.function(
          self.render, jit_compile=True,
          input_signature=[tf.TensorSpec([None, self.num_factors], tf.int32)])
    return self._compiled_render(tf.cast(factors, tf.int32))

  def elements(self, factors):
    """A batch of contract elements (DESIGN.md, Data) for `factors` (int32 [n, F])."""
    factors = tf.cast(factors, tf.int32)
    return {"image": self.compiled_render(factors), "factors": factors, **self.extras(factors)}

  def sample_factors(self, num, rng):
    """Draws `num` factor vectors uniformly from the grid: int64 array [num, F]."""
    columns = [random_integers(rng, size, num) for size in self.factor_sizes]
    return np.stack(columns, axis=1).astype(np.int64)

  def sample_observations_from_factors(self, factors, rng=None):
    """Renders `factors` (int [n, F]) to float32 images [n, H, W, C]; `rng` is unused (deterministic).

    Renders on the CPU, as the `tf.data` streams do, so that both give bit-identical images.
    """
    del rng
    factors = np.asarray(factors, np.int32).reshape(-1, self.num_factors)
    images = []
    for start in range(0, len(factors), CHUNK_SIZE):
      chunk = factors[start:start + CHUNK_SIZE]
      padded = np.concatenate([chunk, np.zeros((CHUNK_SIZE - len(chunk), self.num_factors), np.int32)])
      with tf.device("/CPU:0"):
        images.append(self.compiled_render(padded).numpy()[:len(chunk)])
    return np.concatenate(images or [np.zeros((0, *self.image_shape), np.float32)], axis=0)

  def sample(self, num, rng):
    """Draws factors and renders them: (factors [num, F], images [num, H, W, C])."""
    factors = self.sample_factors(num, rng)
    return factors, self.sample_observations_from_factors(factors, rng)

  def sample_factors_tf(self, seed, num):
    """Factors drawn uniformly from the grid with a stateless seed [2]: int32 tensor [num, F]."""
    sizes = tf.constant(self.factor_sizes, tf.float32)
    uniform = tf.random.stateless_uniform([num, self.num_factors], seed=seed)
    indices = tf.cast(tf.floor(uniform * sizes), tf.int32)
    return tf.minimum(indices, tf.constant(self.factor_sizes, tf.int32) - 1)


def factor_stream(sampler, split="train", seed=0, start_index=0, test_size=10_000, chunk_size=CHUNK_SIZE):
  """The dataset of a sampler: uniformly drawn factors rendered a chunk at a time.

  Args:
    sampler: a `GroundTruthSampler`.
    split: "train" (infinite, deterministic for `seed`) or "test" (`test_size` fixed elements).
    seed: integer seed of the train stream.
    start_index: index of the first element returned (resume).
    test_size: number of elements of the test split.
    chunk_size: elements rendered per call of the renderer.

  Returns:
    A `tf.data.Dataset` of unbatched contract elements.
  """
  def sample_chunk(chunk_seed):
    return sampler.elements(sampler.sample_factors_tf(chunk_seed, chunk_size))

  num_examples = test_size if split == streams.TEST else None
  return streams.chunked_stream(sample_chunk, split, seed, start_index, chunk_size, num_examples)
