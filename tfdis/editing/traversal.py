"""Latent traversals: decode a code with one dimension swept over a set of values."""

import tensorflow as tf


def traverse(decode_fn, code, dim, values):
  """Decodes `code` with dimension `dim` set to each of `values`.

  Args:
    decode_fn: callable [n, d] codes -> [n, h, w, c] images.
    code: [d] latent code.
    dim: int (or scalar int tensor), the dimension to sweep.
    values: [v] values the dimension takes.

  Returns:
    [v, h, w, c] images.
  """
  values = tf.convert_to_tensor(values, code.dtype)
  codes = tf.tile(code[tf.newaxis], [tf.shape(values)[0], 1])  # [v, d]
  dim = tf.convert_to_tensor(dim, tf.int32)
  mask = tf.one_hot(dim, tf.shape(code)[0], dtype=code.dtype)  # [d]
  codes = codes * (1.0 - mask) + values[:, tf.newaxis] * mask
  return decode_fn(codes)


def traversal_grid(decode_fn, code, values):
  """Traverses every dimension of `code`: returns [d, v, h, w, c] images, row i sweeping dimension i."""
  d = int(code.shape[0])
  return tf.stack([traverse(decode_fn, code, i, values) for i in range(d)])
