"""Traversals set exactly one code dimension to each value."""

import numpy as np
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
