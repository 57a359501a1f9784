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


def sweep(decode_fn, codes, dims, values):
  """Decodes each code with one dimension swept: the batched form of `traverse`.

  Args:
    decode_fn: callable [m, d] codes -> [m, h, w, c] images.
    codes: [n, d] codes.
    dims: [n] int32, the dimension each row sweeps.
    values: [n, v] values that dimension takes.

  Returns:
    [n, v, h, w, c] images; row i is `traverse(decode_fn, codes[i], dims[i], values[i])`.
  """
  mask = tf.expand_dims(tf.one_hot(dims, tf.shape(codes)[1], dtype=codes.dtype), 1)  # [n, 1, d]
  swept = tf.expand_dims(codes, 1) * (1.0 - mask) + tf.expand_dims(values, 2) * mask  # [n, v, d]
  return _decode_rows(decode_fn, swept)


def local_sweep(decode_fn, codes, dims, offsets):
  """Decodes each code moved along one latent axis: code + offset · e_dim, for each offset (JL1-VAE).

  Args:
    decode_fn: callable [m, d] codes -> [m, h, w, c] images.
    codes: [n, d] codes.
    dims: [n] int32, the axis each row moves along.
    offsets: [n, v] offsets along that axis (0 gives the code's own decoding).

  Returns:
    [n, v, h, w, c] images.
  """
  axis = tf.expand_dims(tf.one_hot(dims, tf.shape(codes)[1], dtype=codes.dtype), 1)  # [n, 1, d]
  moved = tf.expand_dims(codes, 1) + tf.expand_dims(offsets, 2) * axis  # [n, v, d]
  return _decode_rows(decode_fn, moved)


def _decode_rows(decode_fn, codes):
  """Decodes [n, v, d] codes in one batch of n·v; returns [n, v, h, w, c] images."""
  images = decode_fn(tf.reshape(codes, [-1, codes.shape[-1]]))  # [n·v, h, w, c]
  return tf.reshape(images, tf.concat([tf.shape(codes)[:2], tf.shape(images)[1:]], 0))
