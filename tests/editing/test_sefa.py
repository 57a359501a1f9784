"""SeFa: orthonormal sorted directions, the known eigenstructure, first-layer weights, traversals."""

import keras
import numpy as np
import tensorflow as tf

from tfdis import editing


def test_directions_are_orthonormal_and_sorted():
  weight = np.random.RandomState(0).normal(size=(5, 40))
  directions, eigenvalues = editing.sefa_directions(weight)
  np.testing.assert_allclose(directions @ directions.T, np.eye(5), atol=1e-5)
  assert np.all(np.diff(eigenvalues) <= 1e-6)


def test_known_structure_unit_columns():
  # Unit columns e0, e0, e0, e1: W·Wᵀ = diag(3, 1, 0), so the directions are e0, e1, e2.
  weight = np.array([[1, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], np.float64)
  directions, eigenvalues = editing.sefa_directions(weight)
  np.testing.assert_allclose(eigenvalues, [3, 1, 0], atol=1e-6)
  np.testing.assert_allclose(directions, np.eye(3), atol=1e-6)


def test_top_direction_is_top_singular_vector_of_normalized_weight():
  weight = np.random.RandomState(1).normal(size=(4, 30)) * np.array([[5.0], [2.0], [1.0], [0.5]])
  normalized = weight / np.linalg.norm(weight, axis=0, keepdims=True)
  left, singular, _ = np.linalg.svd(normalized)  # left singular vectors of [d, n] = right ones of Wᵀ
  directions, eigenvalues = editing.sefa_directions(weight)
  np.testing.assert_allclose(eigenvalues, singular**2, rtol=1e-5)
  np.testing.assert_allclose(abs(directions[0] @ left[:, 0]), 1.0, atol=1e-5)
  raw, _ = editing.sefa_directions(weight, normalize=False)
  np.testing.assert_allclose(abs(raw[0] @ np.linalg.svd(weight)[0][:, 0]), 1.0, atol=1e-5)


def test_first_layer_weight_of_dense_and_conv_transpose():
  dense = keras.Sequential([keras.Input((3,)), keras.layers.Dense(7), keras.layers.Dense(2)])
  np.testing.assert_array_equal(editing.first_layer_weight(dense), dense.layers[0].kernel.numpy())
  inputs = keras.Input((3,))
  x = keras.layers.Reshape((1, 1, 3))(inputs)
  layer = keras.layers.Conv2DTranspose(5, 4, padding="valid")
  conv = keras.Model(inputs, layer(x))
  weight = editing.first_layer_weight(conv)
  assert weight.shape == (3, 4 * 4 * 5)
  z = np.random.RandomState(2).normal(size=(2, 3)).astype(np.float32)
  outputs = conv(z).numpy().reshape(2, -1) - layer.bias.numpy()[np.newaxis, np.newaxis, np.newaxis].repeat(
      16, 1).reshape(1, -1)  # the bias, tiled over the 4×4 pixels
  np.testing.assert_allclose(np.sort(outputs, axis=1), np.sort(z @ weight, axis=1), rtol=1e-4, atol=1e-5)


def test_traverse_moves_z_along_the_direction():
  directions = np.eye(3, dtype=np.float32)[::-1]
  z = tf.constant([1.0, 2.0, 3.0])
  out = editing.sefa_traverse(lambda codes: codes, z, directions, 0, [-1.0, 0.0, 2.0])
  np.testing.assert_allclose(out, [[1, 2, 2], [1, 2, 3], [1, 2, 5]])


def test_sefa_sweep_rows_are_single_sefa_traversals():
  directions = tf.constant([[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]])
  codes, indices = tf.constant([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]), tf.constant([1, 0])
  values = tf.constant([[1.0, -2.0, 0.0], [0.5, 0.0, 3.0]])
  decode = lambda z: tf.reshape(z, [-1, 3, 1, 1])  # noqa: E731
  out = editing.sefa_sweep(decode, codes, directions, indices, values).numpy()
  assert out.shape == (2, 3, 3, 1, 1)
  for i in range(2):
    np.testing.assert_allclose(out[i], editing.sefa_traverse(decode, codes[i], directions, indices[i], values[i]))
  np.testing.assert_allclose(out[0, 1, :, 0, 0], [0.0, 1.0 - 1.2, 2.0 - 1.6], atol=1e-6)
