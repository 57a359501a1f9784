"""Image quality: analytic RMSE / PSNR, SSIM / MS-SSIM identities, scale handling, diversity."""

import numpy as np
import pytest

from tfdis import metrics
from tfdis.metrics import image_quality


def _images(seed, shape=(3, 64, 64, 1)):
  return np.random.default_rng(seed).uniform(0.2, 0.8, size=shape).astype(np.float32)


def test_rmse_and_psnr_of_a_constant_offset():
  images = _images(0)
  offset = 0.1
  assert metrics.rmse(images + offset, images)["rmse"] == pytest.approx(offset, rel=1e-5)
  assert metrics.psnr(images + offset, images)["psnr"] == pytest.approx(20.0, rel=1e-4)  # −20·log10(0.1)


def test_psnr_of_identical_images_is_infinite():
  images = _images(1)
  assert metrics.psnr(images, images)["psnr"] == np.inf


@pytest.mark.parametrize("size, num_scales", [(176, 5), (64, 3), (32, 2)])
def test_similarity_of_an_image_with_itself_is_one(size, num_scales):
  images = _images(2, (2, size, size, 3))
  assert len(image_quality.ms_ssim_power_factors(size, size)) == num_scales
  assert metrics.ssim(images, images)["ssim"] == pytest.approx(1.0, abs=1e-5)
  assert metrics.ms_ssim(images, images)["ms_ssim"] == pytest.approx(1.0, abs=1e-5)


def test_similarity_drops_with_noise():
  images = _images(3)
  noisy = np.clip(images + np.random.default_rng(4).normal(scale=0.2, size=images.shape), 0, 1)
  assert metrics.ssim(noisy, images)["ssim"] < 0.9
  assert metrics.ms_ssim(noisy, images)["ms_ssim"] < 0.95


def test_power_factors_for_small_images_are_renormalized_and_bounded():
  factors = image_quality.ms_ssim_power_factors(64, 64)
  assert sum(factors) == pytest.approx(1.0)
  np.testing.assert_allclose(np.array(factors) / factors[0],
                             np.array(image_quality.MS_SSIM_POWER_FACTORS[:3]) / 0.0448)
  with pytest.raises(ValueError, match="num_scales"):
    image_quality.ms_ssim_power_factors(64, 64, num_scales=4)
  with pytest.raises(ValueError, match="filter_size"):
    metrics.ssim(_images(5, (1, 8, 8, 1)), _images(6, (1, 8, 8, 1)))


def test_intra_class_diversity_is_zero_for_identical_images_and_positive_otherwise():
  base = _images(7, (2, 32, 32, 1))
  labels = np.array([0, 0, 0, 1, 1, 1])
  identical = np.repeat(base, 3, axis=0)
  assert metrics.intra_class_diversity(identical, labels)["intra_class_diversity"] == pytest.approx(
      0.0, abs=1e-5)
  different = _images(8, (6, 32, 32, 1))
  scores = metrics.intra_class_diversity(different, labels, max_pairs_per_class=2, rng=0)
  assert scores["intra_class_diversity"] > 0.5


@pytest.mark.parametrize("images, message", [
    (np.zeros((8, 8, 1)), "4-D"),
    (np.full((1, 16, 16, 1), -0.5), r"\(x \+ 1\) / 2"),
])
def test_bad_images_raise(images, message):
  with pytest.raises(ValueError, match=message):
    metrics.rmse(images, images)


def test_mismatched_shapes_and_labels_raise():
  with pytest.raises(ValueError, match="same shape"):
    metrics.psnr(_images(9, (2, 16, 16, 1)), _images(9, (3, 16, 16, 1)))
  with pytest.raises(ValueError, match="labels"):
    metrics.intra_class_diversity(_images(9, (2, 16, 16, 1)), np.zeros(3))


def test_reconstruction_quality_is_rmse_psnr_and_ssim_together():
  rng = np.random.default_rng(3)
  images = rng.uniform(0.2, 0.8, size=(4, 16, 16, 1)).astype(np.float32)
  reconstructions = np.clip(images + 0.1, 0.0, 1.0)
  quality = metrics.reconstruction_quality(reconstructions, images)
  assert quality == {**metrics.rmse(reconstructions, images), **metrics.psnr(reconstructions, images),
                     **metrics.ssim(reconstructions, images)}
  assert quality["rmse"] == pytest.approx(0.1, rel=1e-5) and quality["psnr"] == pytest.approx(20.0, rel=1e-4)
  with pytest.raises(ValueError, match="must lie in"):
    metrics.reconstruction_quality(reconstructions + 1.0, images)
