"""mddAE evaluation: Table 1 statistics, and the attribute-SVM and class-swap protocols on oracle models
whose decoder paints each target's own pattern with the intensity it is given."""

import types

import numpy as np
import pytest

from tfdis import metrics
from tfdis.launch import evaluate_lib
from tfdis.models.mddae import evaluation as mddae_eval

RNG = np.random.RandomState(0)
PATTERNS = RNG.uniform(size=(3, 8, 8, 1)).astype(np.float32) * (RNG.uniform(size=(3, 8, 8, 1)) > 0.6)


def _decode(codes):
  """Oracle decoder: Σ_a ŷ_a · pattern_a (z, the last column, is ignored)."""
  return np.clip(np.einsum("na,ahwc->nhwc", codes[:, :3], PATTERNS) / 2.0, 0, 1).astype(np.float32)


def _encode(images):
  """Oracle encoder: least-squares intensities of the patterns, and a constant z."""
  basis = PATTERNS.reshape(3, -1).T / 2.0  # [pixels, 3]
  soft = np.linalg.lstsq(basis, images.reshape(len(images), -1).T, rcond=None)[0].T
  return np.concatenate([soft, np.zeros((len(images), 1))], axis=1).astype(np.float32)


def test_reconstruction_quality_with_std_means_match_the_metrics_and_identity_is_perfect():
  images = RNG.uniform(size=(5, 16, 16, 1)).astype(np.float32)
  noisy = np.clip(images + 0.05 * np.random.RandomState(1).normal(size=images.shape), 0, 1)
  result = metrics.reconstruction_quality(noisy, images, with_std=True)
  reference = {**metrics.rmse(noisy, images), **metrics.psnr(noisy, images), **metrics.ssim(noisy, images)}
  per_image_rmse = np.sqrt(np.mean(np.square(noisy.astype(np.float64) - images), axis=(1, 2, 3)))
  assert result["rmse_std"] == pytest.approx(np.std(per_image_rmse))
  for name in ("rmse", "psnr", "ssim"):
    assert result[name] == pytest.approx(reference[name], rel=1e-4) and result[f"{name}_std"] > 0
  identity = metrics.reconstruction_quality(images, images, with_std=True)
  assert identity["rmse"] == 0.0 and identity["ssim"] == pytest.approx(1.0) and identity["rmse_std"] == 0.0
  assert "rmse_std" not in metrics.reconstruction_quality(noisy, images)


def test_attribute_svm_error_falls_as_the_oracle_intensity_rises():
  attributes = RNG.randint(0, 2, size=(400, 3))
  images = _decode(np.concatenate([attributes, np.zeros((400, 1))], axis=1))
  images = np.clip(images + 0.02 * RNG.normal(size=images.shape), 0, 1)
  result = mddae_eval.attribute_svm_errors(_encode, _decode, images[:300], attributes[:300], images[300:],
                                           attributes[300:], intensities=(0.0, 1.0), rng=0, num_runs=2, pool=1,
                                           attribute_names=["a", "b", "c"])
  assert result["real_error"] < 0.05
  assert result["error_0"] > 0.9 and result["error_1"] < 0.1  # no attribute painted vs. painted fully


def test_attribute_edits_set_only_the_edited_attribute_of_images_lacking_it():
  attributes = np.array([[0, 1, 0], [1, 1, 0]])
  edited = mddae_eval.attribute_edits(_encode, _decode, _decode(np.c_[attributes, [0, 0]]), attributes, [1.5])
  images, targets = edited[1.5]
  assert images.shape[0] == 3  # attribute 0 for image 0, attribute 2 for both; none lack attribute 1.
  np.testing.assert_array_equal(targets, [[1, -1, -1], [-1, -1, 1], [-1, -1, 1]])
  np.testing.assert_allclose(images[0], _decode(np.array([[1.5, 1, 0, 0]]))[0], atol=1e-4)


def test_class_swap_accuracy_is_high_for_the_oracle_and_low_when_the_decoder_ignores_the_class():
  labels = RNG.randint(0, 3, size=300)
  soft = np.eye(3)[labels] * 0.8 + 0.1
  images = _decode(np.c_[soft, np.zeros(300)])
  args = (images[:200], labels[:200], images[200:], labels[200:], 3)
  good = mddae_eval.class_swap_accuracy(_encode, _decode, *args, pool=1)
  constant = mddae_eval.class_swap_accuracy(_encode, lambda codes: _decode(np.tile([[1, 0, 0, 0]], (len(codes), 1))),
                                            *args, pool=1)
  assert good["real_accuracy"] > 0.95 and good["swap_accuracy"] > 0.95
  assert constant["swap_accuracy"] < 0.6  # only the swaps to class 0 are read as their target.


def test_the_evaluate_adapters_are_registered_and_need_the_right_ground_truth():
  assert {"attribute_svm", "class_swap"} <= set(evaluate_lib.metric_names())
  ctx = types.SimpleNamespace(sampler=object())  # a dataset without attributes
  with pytest.raises(ValueError, match="attribute_names"):
    mddae_eval.attribute_svm(ctx)
