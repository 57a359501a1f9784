"""Vectorized drawing primitives: antialiased coverage masks of simple shapes on a pixel grid.

All functions broadcast: centres and sizes shaped [n, 1, 1] (or [n, k, 1, 1]) against a grid [1, H, W] give
masks [n, H, W] (or [n, k, H, W]). A mask holds the fraction of each pixel covered, approximated by
clip(0.5 - signed_distance, 0, 1) with distances in pixels.
"""

import tensorflow as tf


def pixel_grid(height, width):
  """Pixel-centre coordinates (x = column + 0.5, y = row + 0.5), each float32 [1, H, W]."""
  ys, xs = tf.meshgrid(tf.range(height, dtype=tf.float32) + 0.5,
                       tf.range(width, dtype=tf.float32) + 0.5, indexing="ij")
  return xs[tf.newaxis], ys[tf.newaxis]


def column(values):
  """Reshapes a vector [n] to [n, 1, 1] to broadcast against a grid [1, H, W]."""
  return tf.reshape(tf.cast(values, tf.float32), [-1, 1, 1])


def coverage(signed_distance):
  """Antialiased coverage of a region given a signed distance in pixels (negative inside)."""
  return tf.clip_by_value(0.5 - signed_distance, 0.0, 1.0)


def ellipse(xs, ys, cx, cy, rx, ry):
  """Coverage of the filled axis-aligned ellipse with centre (cx, cy) and radii (rx, ry)."""
  radius = tf.sqrt(tf.square((xs - cx) / rx) + tf.square((ys - cy) / ry))
  return coverage((radius - 1.0) * tf.minimum(rx, ry))


def rectangle(xs, ys, x0, y0, x1, y1):
  """Coverage of the filled axis-aligned rectangle [x0, x1] x [y0, y1]."""
  inside_x = coverage(tf.maximum(x0 - xs, xs - x1))
  inside_y = coverage(tf.maximum(y0 - ys, ys - y1))
  return inside_x * inside_y


def segment_distance(xs, ys, x0, y0, x1, y1):
  """Distance from each pixel centre to the segment (x0, y0)-(x1, y1)."""
  dx, dy = x1 - x0, y1 - y0
  length2 = tf.maximum(dx * dx + dy * dy, 1e-6)
  t = tf.clip_by_value(((xs - x0) * dx + (ys - y0) * dy) / length2, 0.0, 1.0)
  return tf.sqrt(tf.square(xs - x0 - t * dx) + tf.square(ys - y0 - t * dy))


def stroke(distance, half_width):
  """Coverage of a stroke of `half_width` pixels around a curve, given the distance to the curve."""
  return coverage(distance - half_width)


def paint(image, mask, colour):
  """Paints `colour` ([n, 1, 1, C] or [C]) over `image` [n, H, W, C] where `mask` [n, H, W] covers it."""
  mask = mask[..., tf.newaxis]
  return image * (1.0 - mask) + mask * colour
