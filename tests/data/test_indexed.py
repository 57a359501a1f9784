"""The indexed training set of `tfdis.data.indexed` (LORD's per-image content codes)."""

import numpy as np
import pytest

from tfdis.data import indexed
from tfdis.data import synthetic
from tfdis.data.synthetic import digits


def _take(dataset, n):
  elements = list(dataset.take(n).as_numpy_iterator())
  return {k: np.stack([e[k] for e in elements]) for k in elements[0]}


def test_every_epoch_visits_each_image_once_with_its_fixed_label_and_pixels():
  train = _take(indexed.indexed(dataset_fn=synthetic.glyphs, num_images=12, seed=3), 36)
  for epoch in range(3):
    assert sorted(train["index"][12 * epoch:12 * (epoch + 1)]) == list(range(12))
  first = _take(synthetic.glyphs(split="train", seed=0), 12)
  for row in range(36):  # Element "index" i is image i of the wrapped stream (image_seed 0), whatever the epoch.
    i = train["index"][row]
    np.testing.assert_array_equal(train["image"][row], first["image"][i])
    assert train["label"][row] == first["label"][i]
  assert not np.array_equal(train["index"][:12], train["index"][12:24])  # epochs are reshuffled


def test_resuming_continues_the_stream():
  full = _take(indexed.indexed(dataset_fn=synthetic.glyphs, num_images=10, seed=1), 30)
  resumed = _take(indexed.indexed(dataset_fn=synthetic.glyphs, num_images=10, seed=1, start_index=17), 13)
  np.testing.assert_array_equal(resumed["index"], full["index"][17:])


def test_class_factors_make_a_mixed_radix_label():
  sizes = digits.Glyphs.factor_sizes
  data = indexed.indexed(dataset_fn=synthetic.glyphs, num_images=8, class_factors=[0, 2], factor_sizes=sizes)
  for element in data.take(8).as_numpy_iterator():
    assert element["label"] == element["factors"][0] * sizes[2] + element["factors"][2]
  assert indexed.num_classes_of([0, 2], sizes) == 10 * sizes[2]


def test_bad_settings_name_the_fix():
  with pytest.raises(ValueError, match="indexed.dataset_fn"):
    indexed.indexed()
  with pytest.raises(ValueError, match="factor_sizes"):
    indexed.indexed(dataset_fn=synthetic.glyphs, class_factors=[0, 2])
