"""shapes2d: the dSprites factor grid (Matthey et al. 2017), rendered procedurally.

64x64x1 binary images of a white shape on black, as dSprites'. Factors, in dSprites' order:

  index  name         size  values
  0      shape        3     square, ellipse, heart
  1      scale        6     linspace(0.5, 1, 6)
  2      orientation  40    linspace(0, 2*pi, 40) (0 and 2*pi both present, as in dSprites)
  3      x            32    linspace(0, 1, 32): shape centre at column 13 + 38*x
  4      y            32    linspace(0, 1, 32): shape centre at row 13 + 38*y

dSprites' constant colour factor (size 1) is left out, as disentanglement_lib does, so factor_sizes are
[3, 6, 40, 32, 32] (737,280 combinations) and metric code written for dlib's DSprites runs unchanged. At
scale 1 the square spans 18x18 pixels; at scale 0.5 every shape still spans at least 9 pixels in length.
Like dSprites', images are not antialiased (pixels are 0 or 1).
"""

import math

import gin
import numpy as np
import tensorflow as tf

from tfdis.data.synthetic import base
from tfdis.data.synthetic import draw

SHAPE_NAMES = ("square", "ellipse", "heart")
SCALES = np.linspace(0.5, 1.0, 6)
ORIENTATIONS = np.linspace(0.0, 2.0 * math.pi, 40)
POSITIONS = np.linspace(0.0, 1.0, 32)
_SIZE = 64
_HALF_SIZE = 9.0  # Half the side of the square at scale 1, in pixels.
_MARGIN = 13.0  # Centre of a shape at position 0, in pixels.
_ELLIPSE_ASPECT = 0.5  # Minor over major axis of the ellipse.
TEST_SIZE = 10_000


def _heart(u, v):
  """Implicit heart (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, point down in image coordinates, fit to [-1, 1]^2."""
  x = u * 1.15
  y = -v * 1.15 + 0.12  # Flip to y-up and centre the curve's vertical extent [-1, 1.24].
  return tf.pow(x * x + y * y - 1.0, 3) - x * x * y * y * y <= 0.0


@gin.register
class Shapes2D(base.GroundTruthSampler):
  """dSprites-like ground truth: shape, scale, orientation, x, y (see the module docstring)."""

  factor_sizes = (3, 6, 40, 32, 32)
  factor_names = ("shape", "scale", "orientation", "x", "y")
  image_shape = (_SIZE, _SIZE, 1)

  def render(self, factors):
    """Renders factors int32 [n, 5] to binary images float32 [n, 64, 64, 1]."""
    scale = draw.column(tf.gather(tf.constant(SCALES, tf.float32), factors[:, 1]))
    angle = draw.column(tf.gather(tf.constant(ORIENTATIONS, tf.float32), factors[:, 2]))
    positions = tf.constant(_MARGIN + (_SIZE - 2 * _MARGIN) * POSITIONS, tf.float32)
    cx = draw.column(tf.gather(positions, factors[:, 3]))
    cy = draw.column(tf.gather(positions, factors[:, 4]))
    xs, ys = draw.pixel_grid(_SIZE, _SIZE)
    dx, dy = xs - cx, ys - cy  # [n, H, W]
    cos, sin, size = tf.cos(angle), tf.sin(angle), scale * _HALF_SIZE
    u = (cos * dx + sin * dy) / size  # Shape frame: the image rotated by -angle, in half-sizes.
    v = (cos * dy - sin * dx) / size
    masks = tf.stack([
        tf.maximum(tf.abs(u), tf.abs(v)) <= 1.0,
        u * u + tf.square(v / _ELLIPSE_ASPECT) <= 1.0,
        _heart(u, v),
    ], axis=1)  # [n, 3, H, W]
    chosen = tf.one_hot(factors[:, 0], len(SHAPE_NAMES), on_value=True, off_value=False)
    image = tf.reduce_any(masks & chosen[:, :, tf.newaxis, tf.newaxis], axis=1)
    return tf.cast(image, tf.float32)[..., tf.newaxis]


@gin.register
def shapes2d(split="train", seed=0, start_index=0):
  """dSprites-like shapes: {"image": [64, 64, 1], "factors": int32 [5]}; test split: 10,000 elements.

  Args:
    split: "train" (infinite, deterministic for `seed`) or "test" (fixed).
    seed: integer seed of the train stream.
    start_index: index of the first element (resume).

  Returns:
    A `tf.data.Dataset` of unbatched elements.
  """
  return base.factor_stream(base.shared(Shapes2D), split, seed, start_index, test_size=TEST_SIZE)
