"""Content-transfer error against the exact rendering (LORD's transfer on synthetic data)."""

import numpy as np
import pytest

from tests import conftest
from tfdis.metrics.protocols import content_transfer


def _corner(images):
  """(row, column) of the top-left pixel of each image's square: [n, 2]."""
  rows = np.argmax(images[..., 0].max(axis=2) > 0.5, axis=1)
  cols = np.argmax(images[..., 0].max(axis=1) > 0.5, axis=1)
  return np.stack([rows, cols], axis=1)


def test_transferred_factors_take_the_class_columns_from_the_class_source():
  out = content_transfer.transferred_factors(np.array([[1, 2, 3]]), np.array([[4, 5, 6]]), [0, 2])
  np.testing.assert_array_equal(out, [[1, 5, 3]])


def test_exact_transfer_scores_zero_and_copying_the_content_source_scores_its_reference():
  sampler = conftest.TinySquares()  # class = row of the square, content = its column
  exact = lambda a, b: sampler.sample_observations_from_factors(  # noqa: E731
      np.stack([_corner(a)[:, 0], _corner(b)[:, 1]], axis=1), None)
  scores = content_transfer.content_transfer_error(sampler, exact, [0], rng=np.random.RandomState(0), num_pairs=64)
  assert scores["l1"] == 0.0 and scores["dssim"] == pytest.approx(0.0, abs=1e-6)
  copy = content_transfer.content_transfer_error(sampler, lambda a, b: b, [0], rng=np.random.RandomState(0), num_pairs=64)
  assert copy["l1"] == pytest.approx(copy["l1_content_source"]) and copy["l1"] > 0.0
