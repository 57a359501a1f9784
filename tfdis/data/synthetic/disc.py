"""circles: one white disc on black, moved and resized: the quick start's data (three factors, 32x32x1).

A dataset a β-VAE disentangles in a CPU minute, so that the quick start's traversal and scores show what
disentanglement looks like (dSprites' five factors need hundreds of thousands of steps). Antialiased edges,
so that a one-pixel move changes the image smoothly. Factors:

  index  name    size  values
  0      x       16    disc centre at column 8 + 16 * x / 15 (8..24 of 32)
  1      y       16    disc centre at row 12 + 8 * y / 15 (12..20: half of x's span)
  2      radius  4     3, 4, 5 or 6 pixels

4,096 combinations; every disc lies wholly inside the image. y spans half of x's range on purpose: with equal
spans the (x, y) plane is rotation-symmetric and a VAE has no reason to align its latents with x and y rather
than with any rotation of them (Rolinek et al. 2019); measured at the quick start's settings, equal spans
gave MIG 0.15-0.54 (β 4-8, seed 0) with x and y mixed in the traversal, unequal ones 0.63-0.69.
"""

import gin
import tensorflow as tf

from tfdis.data.synthetic import base
from tfdis.data.synthetic import draw

_SIZE = 32
POSITIONS = 16
RADII = (3.0, 4.0, 5.0, 6.0)
_MARGIN = 8.0  # Centre of a disc at position 0, in pixels.
X_SPAN = 16.0  # Pixels between the first and the last x.
Y_SPAN = 8.0  # Pixels between the first and the last y.
TEST_SIZE = 4_096


@gin.register
class Circles(base.GroundTruthSampler):
  """One disc: x, y (16 values each) and radius (4 values); see the module docstring."""

  factor_sizes = (POSITIONS, POSITIONS, len(RADII))
  factor_names = ("x", "y", "radius")
  image_shape = (_SIZE, _SIZE, 1)

  def render(self, factors):
    """Renders factors int32 [n, 3] to float32 [n, 32, 32, 1]: a white disc on black."""
    factors = tf.cast(factors, tf.float32)
    cx = draw.column(_MARGIN + X_SPAN / (POSITIONS - 1) * factors[:, 0])
    cy = draw.column(_MARGIN + (_SIZE - 2 * _MARGIN - Y_SPAN) / 2 + Y_SPAN / (POSITIONS - 1) * factors[:, 1])
    radius = draw.column(tf.gather(tf.constant(RADII), tf.cast(factors[:, 2], tf.int32)))
    xs, ys = draw.pixel_grid(_SIZE, _SIZE)
    distance = tf.sqrt(tf.square(xs - cx) + tf.square(ys - cy))
    return draw.coverage(distance - radius)[..., tf.newaxis]


@gin.register
def circles(split="train", seed=0, start_index=0):
  """One disc moved and resized: {"image": [32, 32, 1], "factors": int32 [3]}; test split: 4,096 elements.

  The arguments and the stream are every dataset function's (`tfdis.data`: split, seed, start_index).
  """
  return base.factor_stream(base.shared(Circles), split, seed, start_index, test_size=TEST_SIZE)
