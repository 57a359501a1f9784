"""Cars3D from a folder of .mat files, here tiny fakes whose pixels encode their factors."""

import numpy as np
import pytest
from scipy import io as scipy_io

from tfdis.data import manual_datasets
from tfdis.data import pipeline
from tfdis.data import tfds_datasets

_OBJECTS = 2
_VIEWS = 4 * 24


def _code(elevation, azimuth, obj):
  """The RGB that the fake files paint for a view; survives resizing since each view is uniform."""
  channels = np.broadcast_arrays(np.asarray(azimuth) * 10, np.asarray(elevation) * 60, np.asarray(obj) * 100)
  return np.stack(channels, axis=-1).astype(np.float32) / 255.0


@pytest.fixture(scope="module")
def cars_folder(tmp_path_factory):
  folder = tmp_path_factory.mktemp("cars3d")
  for obj in range(_OBJECTS):
    azimuth, elevation = np.meshgrid(np.arange(24), np.arange(4), indexing="ij")  # [24, 4]
    colour = np.round(_code(elevation, azimuth, obj) * 255).astype(np.uint8)  # [24, 4, 3]
    im = np.broadcast_to(colour.transpose(2, 0, 1), (8, 8, 3, 24, 4))  # [H, W, RGB, azimuth, elevation]
    scipy_io.savemat(folder / f"car_{obj + 1:03d}_mesh.mat", {"im": np.ascontiguousarray(im)})
  return str(folder)


def test_sampler_looks_up_the_view_of_each_factor(cars_folder):
  sampler = manual_datasets.Cars3D(cars_folder)
  assert sampler.factor_sizes == (4, 24, _OBJECTS) and sampler.image_shape == (64, 64, 3)
  factors = sampler.sample_factors(50, np.random.RandomState(0))
  images = sampler.sample_observations_from_factors(factors, np.random.RandomState(0))
  assert images.shape == (50, 64, 64, 3) and images.dtype == np.float32
  np.testing.assert_allclose(images[:, 17, 40], _code(*factors.T), atol=1e-6)


def test_train_epochs_are_seeded_permutations_and_resume(cars_folder):
  train = pipeline.take_numpy(manual_datasets.cars3d(seed=1, path=cars_folder), 2 * _VIEWS * _OBJECTS)
  np.testing.assert_allclose(train["image"][:, 5, 5], _code(*train["factors"].T), atol=1e-6)
  np.testing.assert_array_equal(train["label"], train["factors"][:, 2])
  epochs = train["factors"].reshape(2, _VIEWS * _OBJECTS, 3)
  for epoch in epochs:
    assert len(np.unique(epoch, axis=0)) == _VIEWS * _OBJECTS  # Every view once per epoch.
  assert not np.array_equal(epochs[0], epochs[1])
  resumed = pipeline.take_numpy(manual_datasets.cars3d(seed=1, start_index=190, path=cars_folder), 5)
  np.testing.assert_array_equal(resumed["factors"], train["factors"][190:195])
  other = pipeline.take_numpy(manual_datasets.cars3d(seed=2, path=cars_folder), 10)
  assert not np.array_equal(other["factors"], train["factors"][:10])


def test_test_split_is_every_view_in_factor_order(cars_folder):
  test = pipeline.take_numpy(manual_datasets.cars3d("test", path=cars_folder), 1000)
  assert len(test["factors"]) == _VIEWS * _OBJECTS
  np.testing.assert_array_equal(test["factors"][:3], [[0, 0, 0], [0, 1, 0], [0, 2, 0]])
  np.testing.assert_array_equal(test["factors"][-1], [3, 23, _OBJECTS - 1])


def test_missing_folder_says_what_to_download_and_where(tmp_path):
  with pytest.raises(tfds_datasets.DatasetNotPreparedError) as error:
    manual_datasets.cars3d(path=str(tmp_path))
  assert manual_datasets.URL in str(error.value) and str(tmp_path) in str(error.value)
