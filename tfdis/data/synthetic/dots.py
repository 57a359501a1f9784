"""three_dots: three dots at independent positions, the multi-object data of JL1-VAE (Rhodes & Lee 2021).

Follows the reference generator (travers-rhodes/jlonevae, `ThreeDots`): 64x64x1, black dots (0) on a white
background (1), dot radius 0.08 of the image side (5.12 pixels), antialiased edges, dots free to overlap.
Factors (each of `granularity` values, default 64, as the reference's):

  index  name    value
  0, 1   x0, y0  dot 0 centre at pixel (64 * x0 / (granularity - 1), 64 * y0 / (granularity - 1))
  2, 3   x1, y1  dot 1
  4, 5   x2, y2  dot 2

x is the column, y the row, (0, 0) the top left corner; dots near the border are partly outside the image.
The dots are interchangeable, so the map from factors to images is not injective (as in the reference).
"""

import gin
import tensorflow as tf

from tfdis.data.synthetic import base
from tfdis.data.synthetic import draw

NUM_DOTS = 3
RADIUS = 0.08  # Fraction of the image side.
_SIZE = 64
TEST_SIZE = 10_000


@gin.register
class ThreeDots(base.GroundTruthSampler):
  """Three-dots ground truth: (x, y) of each of three dots on a grid of `granularity` values per axis.

  Args:
    granularity: number of values of each position factor.
  """

  factor_names = ("x0", "y0", "x1", "y1", "x2", "y2")
  image_shape = (_SIZE, _SIZE, 1)

  def __init__(self, granularity=64):
    self.granularity = granularity
    self.factor_sizes = (granularity,) * (2 * NUM_DOTS)

  def render(self, factors):
    """Renders factors int32 [n, 6] to float32 [n, 64, 64, 1]: black dots on white."""
    centres = tf.cast(factors, tf.float32) * (_SIZE / (self.granularity - 1))  # [n, 6], pixels
    centres = tf.reshape(centres, [-1, NUM_DOTS, 2, 1, 1])
    xs, ys = draw.pixel_grid(_SIZE, _SIZE)
    distance = tf.sqrt(tf.square(xs[:, tf.newaxis] - centres[:, :, 0]) +
                       tf.square(ys[:, tf.newaxis] - centres[:, :, 1]))  # [n, 3, H, W]
    ink = tf.reduce_max(draw.coverage(distance - RADIUS * _SIZE), axis=1)
    return (1.0 - ink)[..., tf.newaxis]


@gin.register
def three_dots(split="train", seed=0, start_index=0, granularity=64):
  """Three dots: {"image": [64, 64, 1], "factors": int32 [6]}; test split: 10,000 elements.

  Args:
    split: "train" (infinite, deterministic for `seed`) or "test" (fixed).
    seed: integer seed of the train stream.
    start_index: index of the first element (resume).
    granularity: number of values of each position factor (use the same in `ThreeDots`).

  Returns:
    A `tf.data.Dataset` of unbatched elements.
  """
  return base.factor_stream(base.shared(ThreeDots, granularity), split, seed, start_index, test_size=TEST_SIZE)
