"""mddAE edits of the soft target: class swap (case 1) and attribute intensity (case 2)."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis import editing


def _softmax_rows(n=6, c=5, seed=0):
  return tf.nn.softmax(tf.constant(np.random.RandomState(seed).normal(size=(n, c)) * 2.0, tf.float32))


def _render_codes(soft_targets, latents):
  """A 'decoder' whose 1×1 image is [ŷ, z], so that the tests can read back what it was given."""
  return tf.concat([soft_targets, latents], axis=-1)[:, tf.newaxis, tf.newaxis, :]


def test_swap_class_keeps_the_values_and_sum_and_moves_the_maximum():
  y = _softmax_rows()
  targets = tf.constant([0, 1, 2, 3, 4, 2])
  swapped = editing.swap_class(y, targets).numpy()
  y = y.numpy()
  np.testing.assert_allclose(swapped.sum(axis=1), 1.0, atol=1e-6)
  np.testing.assert_array_equal(np.argmax(swapped, axis=1), targets.numpy())
  for row, (before, after) in enumerate(zip(y, swapped)):
    np.testing.assert_allclose(np.sort(after), np.sort(before), atol=1e-7)  # the same values, permuted,
    moved = {int(targets[row]), int(np.argmax(before))}
    untouched = [k for k in range(y.shape[1]) if k not in moved]
    np.testing.assert_array_equal(after[untouched], before[untouched])  # only two of them moved.
    assert after[np.argmax(before)] == pytest.approx(before[int(targets[row])], abs=1e-7)


def test_swap_to_the_predicted_class_changes_nothing():
  y = _softmax_rows()
  np.testing.assert_allclose(editing.swap_class(y, tf.argmax(y, axis=1, output_type=tf.int32)), y, atol=1e-7)


def test_set_attribute_changes_only_that_element_and_allows_values_above_one():
  y = tf.sigmoid(tf.constant(np.random.RandomState(1).normal(size=(4, 6)), tf.float32))
  index, value = tf.constant([0, 5, 2, 2]), tf.constant([1.7, -0.5, 3.0, 0.0])
  edited = editing.set_attribute(y, index, value).numpy()
  mask = np.eye(6, dtype=bool)[index.numpy()]
  np.testing.assert_array_equal(edited[mask], value.numpy())
  np.testing.assert_array_equal(edited[~mask], y.numpy()[~mask])
  scalar = editing.set_attribute(y, 3, 1.7).numpy()  # one index and value for every row
  np.testing.assert_allclose(scalar[:, 3], 1.7)


def test_intensity_sweep_renders_each_value_with_the_image_latent():
  y, z = _softmax_rows(3, 4), tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
  values = tf.constant([[0.0, 1.0, 2.5], [0.5, 1.5, 3.0], [-1.0, 0.0, 1.0]])
  images = editing.intensity_sweep(_render_codes, y, z, tf.constant([1, 3, 0]), values).numpy()
  assert images.shape == (3, 3, 1, 1, 6)
  for i, (dim, row) in enumerate(zip([1, 3, 0], values.numpy())):
    for j, value in enumerate(row):
      expected = np.concatenate([editing.set_attribute(y[i:i + 1], dim, value)[0], z[i]])
      np.testing.assert_allclose(images[i, j, 0, 0], expected, atol=1e-7)
  shared = editing.intensity_sweep(_render_codes, y, z, 2, tf.constant([0.0, 2.0]))  # [v] values for all rows
  np.testing.assert_allclose(shared[:, 1, 0, 0, 2], 2.0)


def test_class_analogies_show_every_class_in_each_style():
  y, z = _softmax_rows(2, 5), tf.constant([[7.0], [9.0]])
  grid = editing.class_analogies(_render_codes, y, z).numpy()  # [2, 5, 1, 1, 6]
  assert grid.shape == (2, 5, 1, 1, 6)
  np.testing.assert_array_equal(np.argmax(grid[..., :5], axis=-1)[:, :, 0, 0], [list(range(5))] * 2)
  np.testing.assert_allclose(grid[..., :5].sum(-1), 1.0, atol=1e-6)
  np.testing.assert_array_equal(grid[:, :, 0, 0, 5], [[7.0] * 5, [9.0] * 5])


def test_soft_targets_of_the_wrong_rank_are_a_clear_error():
  with pytest.raises(ValueError, match=r"\[batch, num_targets\]"):
    editing.swap_class(tf.constant([0.2, 0.8]), 0)
