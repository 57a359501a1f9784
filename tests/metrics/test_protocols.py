"""Paper protocols: LORD leakage, mddAE attribute SVM, OroJaR's variation predictability."""

import numpy as np
import pytest

from tfdis import metrics


def _one_hot(labels, num_classes):
  return np.eye(num_classes)[labels]


def test_independent_codes_leak_at_chance_and_leaking_codes_leak_fully():
  rng = np.random.default_rng(0)
  labels = rng.integers(0, 5, 1000)
  independent = metrics.leakage(rng.normal(size=(1000, 8)), labels, 0, classifier="logistic")
  assert independent["accuracy"] == pytest.approx(independent["chance"], abs=0.08)
  leaking = np.concatenate([_one_hot(labels, 5), rng.normal(size=(1000, 3))], axis=1)
  assert metrics.leakage(leaking, labels, 0, classifier="logistic")["accuracy"] > 0.98


def test_lord_leakage_in_both_directions():
  rng = np.random.default_rng(1)
  n, num_classes = 900, 6
  class_labels = rng.integers(0, num_classes, n)
  pose = rng.integers(0, 3, n)  # content label independent of the class
  class_codes = rng.normal(size=(num_classes, 4))[class_labels]  # shared by the images of a class
  clean = metrics.lord_leakage(rng.normal(size=(n, 4)) + _one_hot(pose, 3) @ rng.normal(size=(3, 4)),
                               class_codes, class_labels, pose, 0, classifier="logistic")
  assert clean["class_from_content"] == pytest.approx(clean["class_from_content_chance"], abs=0.08)
  assert clean["content_from_class"] == pytest.approx(clean["content_from_class_chance"], abs=0.1)
  leaky_content = np.concatenate([_one_hot(class_labels, num_classes), _one_hot(pose, 3)], axis=1)
  leaky_class = np.concatenate([class_codes, _one_hot(pose, 3)], axis=1)
  leaky = metrics.lord_leakage(leaky_content, leaky_class, class_labels, pose, 0, classifier="logistic")
  assert leaky["class_from_content"] > 0.95 and leaky["content_from_class"] > 0.95


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_classifier_detects_nonlinear_leakage():
  rng = np.random.default_rng(2)
  codes = rng.normal(size=(600, 2))
  labels = (codes[:, 0] * codes[:, 1] > 0).astype(np.int64)  # XOR: invisible to a linear model
  scores = metrics.leakage(codes, labels, 0, classifier="mlp")
  assert scores["accuracy"] > 0.85 and scores["chance"] < 0.6


def test_float_targets_are_regressed():
  rng = np.random.default_rng(3)
  codes = rng.normal(size=(400, 3))
  landmarks = codes @ rng.normal(size=(3, 4)) + 0.01 * rng.normal(size=(400, 4))
  scores = metrics.leakage(codes, landmarks, 0)
  assert scores["rmse"] < 0.05 * scores["baseline_rmse"]


def _attribute_images(attributes, rng, size=8):
  """Attribute a lights block a of the image; plus noise."""
  images = rng.uniform(0.0, 0.3, size=(len(attributes), size, size))
  for a in range(attributes.shape[1]):
    images[:, 2 * a:2 * a + 2, :2] += 0.6 * attributes[:, a, np.newaxis, np.newaxis]
  return images


def test_attribute_svm_error_is_low_when_edits_set_the_attribute():
  rng = np.random.default_rng(4)
  attributes = rng.integers(0, 2, size=(400, 2))
  real = _attribute_images(attributes, rng)
  lacking = np.zeros((60, 2), np.int64)
  targets = np.array([[1, -1]] * 60)  # evaluate attribute 0 only, as the paper does per attribute
  set_edit = _attribute_images(np.array([[1, 0]] * 60), rng)
  failed_edit = _attribute_images(lacking, rng)  # the "edit" left the attribute off
  scores = metrics.attribute_svm_error(real, attributes, {1.0: (set_edit, targets),
                                                          0.0: (failed_edit, targets)}, 0, num_runs=2,
                                       attribute_names=["a", "b"])
  assert scores["error_1"] < 0.05
  assert scores["error_0"] > 0.95
  assert scores["real_error"] < 0.05
  assert "error_1_b" not in scores  # attribute b was not evaluated on edited images


def test_attribute_svm_rejects_soft_attributes():
  with pytest.raises(ValueError, match="threshold"):
    metrics.attribute_svm_error(np.zeros((10, 4)), np.full((10, 1), 0.3), {}, 0)


def _block_generator(latent_dim, size=16):
  """Dim i sets the brightness of its own 4×4 block of the image."""
  def generate(z):
    images = np.zeros((len(z), size, size, 1), np.float32)
    for i in range(latent_dim):
      row, col = divmod(i, size // 4)
      images[:, 4 * row:4 * row + 4, 4 * col:4 * col + 4, 0] = ((z[:, i] + 2) / 4)[:, None, None]
    return images
  return generate


def test_vp_is_near_one_when_each_dim_moves_its_own_block():
  scores = metrics.variation_predictability(_block_generator(4), 4, 0, num_pairs=400, test_ratio=0.5,
                                            classifier="logistic")
  assert scores["vp"] > 0.95 and scores["chance"] == 0.25


def test_vp_is_near_chance_when_dims_move_the_same_pixels():
  def entangled(z):
    return np.repeat(((z.sum(axis=1) + 8) / 16)[:, None, None, None], 16, axis=1).repeat(16, axis=2)
  scores = metrics.variation_predictability(entangled, 4, 0, num_pairs=400, test_ratio=0.5,
                                            classifier="logistic")
  assert scores["vp"] < 0.45


def _pattern_generator(size=16):
  """Dim i adds its own ±1 pattern (row stripes, column stripes, checks, a central square) to grey."""
  r, c = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
  patterns = np.stack([r % 2, c % 2, (r // 2 + c // 2) % 2,
                       (np.abs(r - size / 2) < 4) & (np.abs(c - size / 2) < 4)]).astype(np.float32) * 2 - 1
  return lambda z: (0.5 + np.einsum("nd,dhw->nhw", z / 16, patterns))[..., np.newaxis]


@pytest.mark.slow
def test_vp_convnet_recognizes_which_pattern_changed():
  scores = metrics.variation_predictability(_pattern_generator(), 4, 0, num_pairs=300, test_ratio=0.5,
                                            mode="diff", epochs=5, width=8, learning_rate=5e-3)
  assert scores["vp_best_epoch"] > 0.5 and scores["vp_best_epoch"] >= scores["vp"]  # chance 0.25


def test_vp_rejects_too_few_training_pairs():
  with pytest.raises(ValueError, match="num_pairs"):
    metrics.variation_predictability(_block_generator(4), 4, 0, num_pairs=100, test_ratio=0.99)
