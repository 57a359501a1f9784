"""moons: the 2-D toy of the Lr/Li-VAE paper (Zheng & Sun 2019, section 4.1).

Three classes of points on upper half circles of radius 1 centred at x = -2.2, 0, 2.2 (2.2 apart), with
isotropic Gaussian noise: x is label relevant, y label irrelevant. Class k and angle t ~ U(0, pi) give
point = (2.2 * (k - 1) + cos t, sin t) + noise * N(0, I).

Exception to the image contract (DESIGN.md): elements are {"point": float32 [2], "label": int32}, with no
"image"; models for this toy are MLPs over "point". The test split has 3,000 elements.
"""

import math

import gin
import tensorflow as tf

from tfdis.data import streams

NUM_CLASSES = 3
SPACING = 2.2
TEST_SIZE = 3_000
_CHUNK = 1024


def sample_moons(seed, num, noise=0.1):
  """Draws `num` points and labels from a stateless seed [2]: (float32 [num, 2], int32 [num])."""
  seeds = tf.random.experimental.stateless_split(seed, 3)
  labels = tf.random.stateless_uniform([num], seeds[0], 0, NUM_CLASSES, dtype=tf.int32)
  angle = tf.random.stateless_uniform([num], seeds[1], 0.0, math.pi)
  centre = SPACING * (tf.cast(labels, tf.float32) - (NUM_CLASSES - 1) / 2)
  points = tf.stack([centre + tf.cos(angle), tf.sin(angle)], axis=1)
  return points + noise * tf.random.stateless_normal([num, 2], seeds[2]), labels


@gin.register
def moons(split="train", seed=0, start_index=0, noise=0.1):
  """Three noisy half circles: {"point": float32 [2], "label": int32}; test split: 3,000 elements.

  Args:
    split: "train" (infinite, deterministic for `seed`) or "test" (fixed).
    seed: integer seed of the train stream.
    start_index: index of the first element (resume).
    noise: standard deviation of the Gaussian noise.

  Returns:
    A `tf.data.Dataset` of unbatched elements.
  """
  def sample_chunk(chunk_seed):
    points, labels = sample_moons(chunk_seed, _CHUNK, noise)
    return {"point": points, "label": labels}

  num_examples = TEST_SIZE if split == streams.TEST else None
  return streams.chunked_stream(sample_chunk, split, seed, start_index, _CHUNK, num_examples)
