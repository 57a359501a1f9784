"""The factor-level score of a generator: an analytic disentangled generator scores high, a rotated one low."""

import numpy as np
import pytest
from scipy import stats

from tests import conftest
from tfdis import metrics
from tfdis.data.synthetic import shapes

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


@pytest.mark.parametrize("architecture", ["strided", "vp"])
def test_collapsed_generator_scores_zero(architecture):
  collapsed = metrics.factor_level_scores(conftest.TinySquares(), lambda z: _render(
      np.zeros(len(z), np.int32), np.zeros(len(z), np.int32)), 2, rng=0, **dict(SETTINGS, epochs=1),
                                          architecture=architecture)
  assert collapsed["mig"] == 0.0 and collapsed["dci_disentanglement"] == 0.0
  assert collapsed["factors_varying"] == 0.0


def test_too_few_points_is_refused():
  with pytest.raises(ValueError, match="num_generated >= 4"):
    metrics.factor_level_scores(conftest.TinySquares(), aligned, 2, rng=0, num_generated=2)


def test_classifier_reads_position_off_real_shapes2d_images():
  """The default classifier keeps position: on real 64x64 shapes2d, a tiny budget reads x and y far above
  chance (1/32); the VP trunk's global average pooling left them at chance (bench/BENCHMARKS.md)."""
  sampler = shapes.Shapes2D()

  def generator(z):  # a heart of the largest scale at angle 0, z0 -> x, z1 -> y.
    n = len(z)
    factors = np.stack([np.full(n, 2), np.full(n, 5), np.zeros(n, np.int32),
                        np.clip((stats.norm.cdf(z[:, 0]) * 32).astype(np.int32), 0, 31),
                        np.clip((stats.norm.cdf(z[:, 1]) * 32).astype(np.int32), 0, 31)], axis=1)
    return np.asarray(sampler.sample_observations_from_factors(factors, None))

  scores = metrics.factor_level_scores(sampler, generator, 2, rng=0, num_train=5000, num_test=300,
                                       num_generated=400, epochs=2, width=8)
  assert min(scores["classifier_accuracy/x"], scores["classifier_accuracy/y"]) > 5 / 32
  assert scores["classifier_accuracy/shape"] > 0.4  # chance 1/3
  unreadable = [name for name, size in zip(sampler.factor_names, sampler.factor_sizes)
                if scores[f"classifier_accuracy/{name}"] < 2 / size]
  assert scores["factors_unreadable"] == len(unreadable) and "x" not in unreadable and "y" not in unreadable


def test_unknown_architecture_is_refused():
  with pytest.raises(ValueError, match="architecture"):
    metrics.factor_level_scores(conftest.TinySquares(), aligned, 2, rng=0, **dict(SETTINGS, num_train=8),
                                architecture="resnet")
