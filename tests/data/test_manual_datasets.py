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


@pytest.fixture(scope="module")
def five_cars(tmp_path_factory):
  folder = tmp_path_factory.mktemp("cars3d_five")
  for obj in range(5):
    im = np.full((8, 8, 3, 24, 4), 40 * obj, np.uint8)  # every view of car `obj` painted 40·obj
    scipy_io.savemat(folder / f"car_{obj + 1:03d}_mesh.mat", {"im": im})
  return str(folder)


def test_lords_held_out_cars_are_20_of_183_fixed_by_a_seed():
  held_out = manual_datasets.held_out_objects(183, 20)
  assert len(held_out) == 20 and len(np.unique(held_out)) == 20 and held_out.max() < 183
  np.testing.assert_array_equal(held_out, manual_datasets.held_out_objects(183, 20))
  assert not np.array_equal(held_out, manual_datasets.held_out_objects(183, 20, seed=1))
  train = manual_datasets.subset_objects(183, "train", 20)
  assert len(train) == 163 and not set(train) & set(held_out)
  with pytest.raises(ValueError, match="some cars must train"):
    manual_datasets.held_out_objects(5, 5)
  with pytest.raises(ValueError, match="subset"):
    manual_datasets.subset_objects(5, "validation")


def test_held_out_cars_never_train_and_are_the_whole_test_split(five_cars):
  held_out = manual_datasets.held_out_objects(5, 2)
  train = pipeline.take_numpy(manual_datasets.cars3d(seed=0, path=five_cars, num_held_out=2), 3 * 96)
  test = pipeline.take_numpy(manual_datasets.cars3d("test", path=five_cars, num_held_out=2), 1000)
  assert set(np.unique(train["label"])) == set(range(5)) - set(held_out)  # labels: numbers among all 5
  np.testing.assert_array_equal(np.unique(test["label"]), held_out)
  assert len(test["label"]) == 2 * 96
  np.testing.assert_allclose(test["image"][:, 3, 3, 0], 40 * test["label"] / 255.0, atol=1e-6)
  np.testing.assert_allclose(train["image"][:, 3, 3, 0], 40 * train["label"] / 255.0, atol=1e-6)
  sampler = manual_datasets.Cars3D(five_cars, subset="test", num_held_out=2)
  assert sampler.factor_sizes == (4, 24, 2)
  images = sampler.sample_observations_from_factors([[0, 0, 0], [1, 5, 1]])
  np.testing.assert_allclose(images[:, 3, 3, 0], 40 * held_out / 255.0, atol=1e-6)
  everything = pipeline.take_numpy(manual_datasets.cars3d("test", path=five_cars), 1000)
  assert len(everything["label"]) == 5 * 96  # no held-out cars: the test split is every image
