"""Traversals set exactly one code dimension to each value."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis import editing


def test_traverse_sets_one_dimension():
  code = tf.constant([1.0, 2.0, 3.0])
  out = editing.traverse(lambda z: z, code, 1, [-1.0, 0.0, 5.0])
  np.testing.assert_array_equal(out, [[1, -1, 3], [1, 0, 3], [1, 5, 3]])


def test_traverse_under_tf_function_with_tensor_dim():
  fn = tf.function(lambda dim: editing.traverse(lambda z: 2 * z, tf.zeros(2), dim, tf.constant([1.0])))
  np.testing.assert_array_equal(fn(tf.constant(0)), [[2, 0]])


def test_traversal_grid_rows_sweep_each_dimension():
  grid = editing.traversal_grid(lambda z: z, tf.zeros(2), [3.0, 4.0]).numpy()
  assert grid.shape == (2, 2, 2)
  np.testing.assert_array_equal(grid[0], [[3, 0], [4, 0]])
  np.testing.assert_array_equal(grid[1], [[0, 3], [0, 4]])


def test_sweep_rows_are_single_traversals():
  codes, dims = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), tf.constant([2, 0])
  values = tf.constant([[-1.0, 7.0], [0.5, 9.0]])
  decode = lambda z: tf.reshape(10 * z, [-1, 3, 1, 1])  # noqa: E731  (an "image" per code)
  out = editing.sweep(decode, codes, dims, values).numpy()
  assert out.shape == (2, 2, 3, 1, 1)
  for i in range(2):
    np.testing.assert_allclose(out[i], editing.traverse(decode, codes[i], dims[i], values[i]).numpy())
  np.testing.assert_allclose(out[0, 1, :, 0, 0], [10, 20, 70])


def test_local_sweep_moves_one_axis_by_each_offset():
  codes, dims, offsets = tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([1, 0]), tf.constant([[0.0, 2.0]] * 2)
  out = editing.local_sweep(lambda z: z[:, :, None, None], codes, dims, offsets).numpy()[..., 0, 0]
  np.testing.assert_array_equal(out, [[[1, 2], [1, 4]], [[3, 4], [5, 4]]])


def test_sweep_needs_one_dimension_per_code():
  with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
    editing.sweep(lambda z: z, tf.zeros([2, 3]), tf.constant([0, 1, 2]), tf.zeros([2, 4]))
