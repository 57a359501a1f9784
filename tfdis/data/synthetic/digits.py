"""glyphs: ten classes of stroke-drawn digit-like glyphs with style factors; MNIST's role.

32x32x1, a white stroke on black. Each class is a fixed set of line segments (arcs as polylines) in a glyph
frame x in [-0.5, 0.5], y in [-1, 1] (y down), placed on the image by a per-example affine map; the stroke is
antialiased from the distance of each pixel to the nearest segment. Factors:

  index  name       size  values
  0      class      10    digit-like glyph 0..9 (also "label")
  1      thickness  6     stroke half-width linspace(0.8, 2.0, 6) pixels
  2      slant      8     shear linspace(-0.3, 0.3, 8) (positive leans right)
  3      width      6     horizontal scale linspace(0.7, 1.3, 6)
  4      x          7     centre column 16 + linspace(-3, 3, 7)
  5      y          7     centre row 16 + linspace(-3, 3, 7)

A glyph is 20 pixels tall.
"""

import gin
import numpy as np
import tensorflow as tf

from tfdis.data.synthetic import base
from tfdis.data.synthetic import draw

THICKNESS = np.linspace(0.8, 2.0, 6)
SLANT = np.linspace(-0.3, 0.3, 8)
WIDTH = np.linspace(0.7, 1.3, 6)
OFFSET = np.linspace(-3.0, 3.0, 7)
_SIZE = 32
_SCALE = 10.0  # Pixels per glyph unit: the glyph frame's y in [-1, 1] spans 20 pixels.
TEST_SIZE = 10_000


def _arc(cx, cy, rx, ry, start, end, steps):
  """Points [steps + 1, 2] along an elliptic arc from angle `start` to `end` (degrees, y down)."""
  angles = np.radians(np.linspace(start, end, steps + 1))
  return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1)


def _line(*points):
  return np.array(points, np.float64)


def _segments(*polylines):
  """Segments [k, 4] (x0, y0, x1, y1) joining consecutive points of each polyline."""
  return np.concatenate([np.concatenate([p[:-1], p[1:]], axis=1) for p in polylines], axis=0)


def _glyph_table():
  """Segments of the ten glyphs, padded by repeating a segment: float32 [10, S, 4]."""
  glyphs = [
      _segments(_arc(0, 0, 0.5, 1, 0, 360, 12)),
      _segments(_line((-0.25, -0.7), (0, -1), (0, 1)), _line((-0.25, 1), (0.25, 1))),
      _segments(np.concatenate([_arc(0, -0.5, 0.5, 0.5, -180, 30, 6),
                                _line((-0.5, 1), (0.5, 1))])),
      _segments(_arc(0, -0.5, 0.45, 0.5, -160, 90, 6), _arc(0, 0.5, 0.5, 0.5, -90, 160, 6)),
      _segments(_line((0.25, -1), (-0.5, 0.4), (0.5, 0.4)), _line((0.25, -1), (0.25, 1))),
      _segments(np.concatenate([_line((0.5, -1), (-0.4, -1), (-0.45, -0.1)),
                                _arc(0, 0.45, 0.5, 0.55, -150, 150, 7)])),
      _segments(_line((0.35, -1), (-0.45, 0.4)), _arc(0, 0.5, 0.5, 0.5, 0, 360, 8)),
      _segments(_line((-0.5, -1), (0.5, -1), (-0.1, 1))),
      _segments(_arc(0, -0.5, 0.42, 0.5, 0, 360, 8), _arc(0, 0.5, 0.5, 0.5, 0, 360, 8)),
      _segments(_arc(0, -0.5, 0.5, 0.5, 0, 360, 8), _line((0.5, -0.5), (0.35, 1))),
  ]
  num_segments = max(len(g) for g in glyphs)
  padded = [np.concatenate([g, np.repeat(g[-1:], num_segments - len(g), axis=0)]) for g in glyphs]
  return np.stack(padded).astype(np.float32)


GLYPH_SEGMENTS = _glyph_table()


@gin.register
class Glyphs(base.GroundTruthSampler):
  """Digit-like glyph ground truth: class and five style factors (see the module docstring)."""

  factor_sizes = (10, len(THICKNESS), len(SLANT), len(WIDTH), len(OFFSET), len(OFFSET))
  factor_names = ("class", "thickness", "slant", "width", "x", "y")
  image_shape = (_SIZE, _SIZE, 1)

  def render(self, factors):
    """Renders factors int32 [n, 6] to float32 [n, 32, 32, 1]."""
    def value(table, i):  # [n, 1, 1, 1], broadcasting over segments and pixels.
      return tf.reshape(tf.gather(tf.constant(table, tf.float32), factors[:, i]), [-1, 1, 1, 1])

    half_width, slant, width = value(THICKNESS, 1), value(SLANT, 2), value(WIDTH, 3)
    cx, cy = _SIZE / 2 + value(OFFSET, 4), _SIZE / 2 + value(OFFSET, 5)
    segments = tf.gather(tf.constant(GLYPH_SEGMENTS), factors[:, 0])  # [n, S, 4]
    gx0, gy0, gx1, gy1 = (segments[:, :, i, tf.newaxis, tf.newaxis] for i in range(4))

    def to_pixels(gx, gy):  # Glyph frame -> pixels: scale, widen, shear by the slant, translate.
      return cx + _SCALE * (width * gx - slant * gy), cy + _SCALE * gy

    x0, y0 = to_pixels(gx0, gy0)
    x1, y1 = to_pixels(gx1, gy1)
    xs, ys = draw.pixel_grid(_SIZE, _SIZE)
    distance = draw.segment_distance(xs[:, tf.newaxis], ys[:, tf.newaxis], x0, y0, x1, y1)
    ink = draw.stroke(tf.reduce_min(distance, axis=1), half_width[:, 0])  # [n, H, W]
    return ink[..., tf.newaxis]

  def extras(self, factors):
    return {"label": factors[:, 0]}


@gin.register
def glyphs(split="train", seed=0, start_index=0):
  """Digit-like glyphs: {"image": [32, 32, 1], "label": int32, "factors": int32 [6]}; test: 10,000.

  Args:
    split: "train" (infinite, deterministic for `seed`) or "test" (fixed).
    seed: integer seed of the train stream.
    start_index: index of the first element (resume).

  Returns:
    A `tf.data.Dataset` of unbatched elements.
  """
  return base.factor_stream(base.shared(Glyphs), split, seed, start_index, test_size=TEST_SIZE)

