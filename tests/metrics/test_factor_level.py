"""The factor-level score of a generator: an analytic disentangled generator scores high, a rotated one low."""

import numpy as np
import pytest
from scipy import stats

from tests import conftest
from tfdis import metrics

SETTINGS = dict(num_train=3000, num_test=500, num_generated=2000, epochs=8, batch_size=64, width=8)


def _bins(z):
  """N(0, 1) values -> 12 equiprobable classes (the square's positions)."""
  return np.clip((stats.norm.cdf(z) * 12).astype(np.int32), 0, 11)


def _render(rows, columns):
  return conftest._render_square(np.stack([rows, columns], axis=1)).numpy()  # pylint: disable=protected-access


def aligned(z):  # z0 moves the square down, z1 moves it right: each latent controls one factor.
  return _render(_bins(z[:, 0]), _bins(z[:, 1]))


def rotated(z):  # each latent moves both factors.
  return _render(_bins((z[:, 0] + z[:, 1]) / np.sqrt(2)), _bins((z[:, 0] - z[:, 1]) / np.sqrt(2)))


def test_aligned_generator_beats_rotated_one_with_a_trustworthy_classifier():
  good = metrics.factor_level_scores(conftest.TinySquares(), aligned, 2, rng=0, **SETTINGS)
  bad = metrics.factor_level_scores(conftest.TinySquares(), rotated, 2, rng=0, **SETTINGS)
  assert good["classifier_accuracy_mean"] > 0.85  # the labels of generated images can be trusted,
  assert min(good["classifier_accuracy/row"], good["classifier_accuracy/column"]) > 0.8
  assert good["mig"] > 0.5 and good["dci_disentanglement"] > 0.4  # 9 % label noise costs DCI more than MIG
  assert good["mig"] > bad["mig"] + 0.3 and good["dci_disentanglement"] > bad["dci_disentanglement"] + 0.25
  assert good["factors_varying"] == bad["factors_varying"] == 2


def test_collapsed_generator_scores_zero():
  collapsed = metrics.factor_level_scores(conftest.TinySquares(), lambda z: _render(
      np.zeros(len(z), np.int32), np.zeros(len(z), np.int32)), 2, rng=0, **SETTINGS)
  assert collapsed["mig"] == 0.0 and collapsed["dci_disentanglement"] == 0.0
  assert collapsed["factors_varying"] == 0.0


def test_too_few_points_is_refused():
  with pytest.raises(ValueError, match="num_generated >= 4"):
    metrics.factor_level_scores(conftest.TinySquares(), aligned, 2, rng=0, num_generated=2)
