"""FID, Inception Score, LPIPS and PPL through their real networks, with RANDOMLY INITIALISED weights.

Each fixture builds the Keras architecture, saves its random weights in the legacy .h5 format of the
keras.applications files, and the metrics load them through the same `weights_path` code path as the
ImageNet files. The values are meaningless; the tests check plumbing: the saved weights are the ones
used, shapes and batching, and identities (d(x, x) = 0, symmetry).
"""

import h5py
import keras
from keras.src.legacy.saving import legacy_h5_format
import numpy as np
import pytest

from tfdis import metrics
from tfdis.metrics import generative
from tfdis.metrics.generative import inception
from tfdis.metrics.generative import perceptual


def _save_legacy_h5(model, path):
  """Writes `model`'s weights as keras.applications' .h5 files are written (layer groups, in order)."""
  with h5py.File(path, "w") as archive:
    legacy_h5_format.save_weights_to_hdf5_group(archive, model)
  return str(path)


@pytest.fixture(scope="module")
def random_inception(tmp_path_factory):
  """(top file, no-top file, reference probabilities model, reference pool3 model), random weights."""
  keras.utils.set_random_seed(0)
  top = keras.applications.InceptionV3(weights=None, include_top=True)
  pool = keras.Model(top.inputs, top.get_layer("avg_pool").output)  # the no-top model's layers, shared
  folder = tmp_path_factory.mktemp("inception")
  top_path = _save_legacy_h5(top, folder / "inception_v3_weights_tf_dim_ordering_tf_kernels.h5")
  no_top_path = _save_legacy_h5(pool, folder / "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
  return top_path, no_top_path, top, pool


@pytest.fixture(scope="module")
def random_lpips(tmp_path_factory):
  """(VGG16 no-top file, linear .npz, reference VGG16, linear weights), random weights."""
  keras.utils.set_random_seed(1)
  vgg = keras.applications.VGG16(weights=None, include_top=False, input_shape=(None, None, 3))
  folder = tmp_path_factory.mktemp("lpips")
  vgg_path = _save_legacy_h5(vgg, folder / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
  rng = np.random.default_rng(1)
  linear = [np.abs(rng.normal(size=c)).astype(np.float32) for c in perceptual.CHANNELS]
  linear_path = str(folder / "lpips_vgg_v0.1.npz")
  np.savez(linear_path, **{f"lin{i}": w.reshape(1, -1, 1, 1) for i, w in enumerate(linear)})  # .pth shape
  return vgg_path, linear_path, vgg, linear


def _images(seed, num, size=24, channels=1):
  return np.random.default_rng(seed).uniform(size=(num, size, size, channels)).astype(np.float32)


def test_inception_features_come_from_the_saved_weights(random_inception):
  _, no_top_path, _, pool = random_inception
  images = _images(0, 3)
  features = generative.inception_features(images, no_top_path)  # one batch, run eagerly
  assert features.shape == (3, 2048)
  expected = pool(inception.preprocess(images), training=False)  # eager: no second trace
  np.testing.assert_allclose(features, expected, rtol=1e-4, atol=1e-5)


def test_fid_runs_on_random_weights_and_is_zero_for_identical_sets(random_inception):
  _, no_top_path, _, _ = random_inception
  images_a, images_b = _images(1, 3, channels=3), _images(2, 3, channels=3)  # 2 traced batches, 1 padded
  value = metrics.fid(images_a, images_b, no_top_path, batch_size=2, method="svd")["fid"]
  assert np.isfinite(value) and value >= 0.0
  identical = metrics.fid(images_a, images_a, no_top_path, batch_size=2, method="svd")["fid"]
  assert identical == pytest.approx(0.0, abs=1e-6 * max(value, 1.0))


def test_inception_score_uses_the_saved_top(random_inception):
  top_path, _, top, _ = random_inception
  images = _images(3, 4, size=16)
  scores = metrics.inception_score(images, top_path, splits=2)
  probabilities = top(inception.preprocess(images), training=False)
  expected = generative.inception_score_from_probabilities(probabilities, splits=2)
  assert scores["inception_score"] == pytest.approx(expected["inception_score"], rel=1e-4)
  assert 1.0 <= scores["inception_score"] <= 1000.0


def test_a_file_of_another_network_is_named(random_inception, random_lpips):
  _, no_top_path, _, _ = random_inception
  _, linear_path, _, _ = random_lpips
  with pytest.raises(ValueError, match="does not hold weights of keras.applications.VGG16") as error:
    metrics.lpips(_images(4, 1, size=16), _images(5, 1, size=16), no_top_path, linear_path)
  assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in str(error.value)


def test_lpips_is_zero_for_identical_images_and_symmetric(random_lpips):
  vgg_path, linear_path, _, _ = random_lpips
  images_a, images_b = _images(5, 3, size=32), _images(6, 3, size=32)
  assert metrics.lpips(images_a, images_a, vgg_path, linear_path)["lpips"] == pytest.approx(0.0, abs=1e-7)
  forward = metrics.lpips(images_a, images_b, vgg_path, linear_path)["lpips"]
  backward = metrics.lpips(images_b, images_a, vgg_path, linear_path, batch_size=2)["lpips"]
  assert forward > 0.0
  assert backward == pytest.approx(forward, rel=1e-5)


@pytest.mark.parametrize("input_scaling", perceptual.INPUT_SCALINGS)
def test_lpips_uses_the_saved_trunk_and_linear_layers(random_lpips, input_scaling):
  vgg_path, linear_path, vgg, linear = random_lpips
  images_a, images_b = _images(7, 2, size=16, channels=3), _images(8, 2, size=16, channels=3)
  distance = generative.lpips_distance_fn(vgg_path, linear_path, input_scaling=input_scaling)
  trunk = keras.Model(vgg.inputs, [vgg.get_layer(name).output for name in perceptual.LAYERS])
  features_a = trunk(perceptual.scale_inputs(images_a, input_scaling), training=False)
  features_b = trunk(perceptual.scale_inputs(images_b, input_scaling), training=False)
  expected = perceptual.lpips_from_features(features_a, features_b, linear)
  np.testing.assert_allclose(distance(images_a, images_b), expected, rtol=1e-4)
  grey = _images(9, 2, size=16)
  np.testing.assert_allclose(distance(grey, images_b), distance(np.repeat(grey, 3, axis=-1), images_b),
                             rtol=1e-6)


def test_lpips_rejects_images_too_small_for_vgg(random_lpips):
  vgg_path, linear_path, _, _ = random_lpips
  with pytest.raises(ValueError, match="at least 16"):
    metrics.lpips(_images(0, 1, size=8), _images(1, 1, size=8), vgg_path, linear_path)


def test_ppl_with_the_default_lpips_distance(random_lpips):
  vgg_path, linear_path, _, _ = random_lpips
  projection = np.random.default_rng(10).normal(size=(3, 20 * 20))

  def generator(latents):  # [n, 3] -> [n, 20, 20, 1] in (0, 1)
    return (1.0 / (1.0 + np.exp(-latents @ projection))).reshape(-1, 20, 20, 1)

  scores = metrics.perceptual_path_length(generator, 3, 0, num_samples=6, batch_size=4,
                                          weights_path=vgg_path, linear_weights_path=linear_path,
                                          image_size=32)
  assert np.isfinite(scores["ppl"]) and scores["ppl"] > 0.0


@pytest.mark.slow
def test_fid_default_sqrtm_path_on_2048_features_agrees_with_svd(random_inception):
  # The standard scipy.linalg.sqrtm route on rank-deficient 2048×2048 covariances: minutes on 2 CPU cores.
  _, no_top_path, _, _ = random_inception
  images_a, images_b = _images(11, 6, channels=3), _images(12, 6, channels=3)
  standard = metrics.fid(images_a, images_b, no_top_path)["fid"]
  assert standard == pytest.approx(metrics.fid(images_a, images_b, no_top_path, method="svd")["fid"],
                                   rel=1e-5)
