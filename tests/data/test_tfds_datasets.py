"""Real datasets through tensorflow-datasets: the element contract on mocked records, and offline errors."""

from unittest import mock

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from tfdis.data import pipeline
from tfdis.data import tfds_datasets

_NUM_RECORDS = 7
# name: (dataset function, image shape, keys besides "image", number of factors or attributes).
_DATASETS = {
    "mnist": (tfds_datasets.mnist, (28, 28, 1), {"label"}),
    "cifar10": (tfds_datasets.cifar10, (32, 32, 3), {"label"}),
    "celeb_a": (tfds_datasets.celeb_a, (64, 64, 3), {"label", "attributes"}),
    "dsprites": (tfds_datasets.dsprites, (64, 64, 1), {"factors"}),
    "shapes3d": (tfds_datasets.shapes3d, (64, 64, 3), {"factors"}),
    "smallnorb": (tfds_datasets.smallnorb, (64, 64, 1), {"label", "factors"}),
}


@pytest.fixture
def mocked_tfds():
  """tfds serving `_NUM_RECORDS` random records per split, as if every dataset were prepared."""
  with tfds.testing.mock_data(num_examples=_NUM_RECORDS), mock.patch.object(
      tfds.core.DatasetBuilder, "is_prepared", return_value=True):
    yield


@pytest.mark.parametrize("name", sorted(_DATASETS))
def test_elements_follow_the_contract(mocked_tfds, name):
  del mocked_tfds
  dataset_fn, image_shape, keys = _DATASETS[name]
  batch = pipeline.take_numpy(dataset_fn("train", seed=0), 3)
  assert set(batch) == {"image"} | keys
  assert batch["image"].shape == (3, *image_shape) and batch["image"].dtype == np.float32
  assert 0.0 <= batch["image"].min() and batch["image"].max() <= 1.0 and batch["image"].max() > 0.0
  for key in keys:
    assert batch[key].dtype == (np.float32 if key == "attributes" else np.int32)
  if "attributes" in keys:
    assert batch["attributes"].shape == (3, 40) and set(np.unique(batch["attributes"])) <= {0.0, 1.0}
  if "factors" in keys:
    assert batch["factors"].shape[1] == {"dsprites": 5, "shapes3d": 6, "smallnorb": 5}[name]


def test_train_stream_repeats_resumes_across_epochs_and_test_split_is_finite(mocked_tfds):
  del mocked_tfds
  whole = pipeline.take_numpy(tfds_datasets.mnist("train", seed=4), 3 * _NUM_RECORDS)
  resumed = pipeline.take_numpy(tfds_datasets.mnist("train", seed=4, start_index=10), 6)
  np.testing.assert_array_equal(whole["image"][10:16], resumed["image"])
  epochs = whole["image"].reshape(3, _NUM_RECORDS, -1).sum(axis=-1)
  np.testing.assert_allclose(np.sort(epochs, axis=1), np.sort(epochs[:1], axis=1).repeat(3, 0), rtol=1e-6)
  assert not np.array_equal(epochs[0], epochs[1])  # Every epoch is the same records, reshuffled.
  assert len(list(tfds_datasets.mnist("test").as_numpy_iterator())) == _NUM_RECORDS
  assert len(list(tfds_datasets.mnist("test", start_index=5).as_numpy_iterator())) == _NUM_RECORDS - 5


def test_train_stream_builds_under_a_global_seed(mocked_tfds):
  """The launcher sets TF's global seed; the per-epoch shuffle must not then read its tensor seed as a bool."""
  del mocked_tfds
  tf.random.set_seed(0)
  try:
    first = pipeline.take_numpy(tfds_datasets.mnist("train", seed=4), _NUM_RECORDS + 2)
  finally:
    tf.compat.v1.reset_default_graph()
  assert first["image"].shape == (_NUM_RECORDS + 2, 28, 28, 1)


def test_celeb_a_attribute_names_are_the_tfds_feature_keys():
  builder = tfds.builder("celeb_a")
  assert tuple(builder.info.features["attributes"].keys()) == tfds_datasets.CELEB_A_ATTRIBUTES


@pytest.mark.parametrize("name", sorted(_DATASETS))
def test_missing_data_fails_without_downloading_and_says_what_to_do(tmp_path, name):
  with mock.patch.object(tfds.core.DatasetBuilder, "download_and_prepare",
                         side_effect=AssertionError("download attempted")):
    with pytest.raises(tfds_datasets.DatasetNotPreparedError) as error:
      _DATASETS[name][0]("train", data_dir=str(tmp_path))
  message = str(error.value)
  assert f"tfds build {name}" in message and str(tmp_path) in message and "download=True" in message


def test_download_is_only_attempted_when_asked(tmp_path):
  with mock.patch.object(tfds.core.DatasetBuilder, "download_and_prepare") as download, \
      mock.patch.object(tfds.core.DatasetBuilder, "as_dataset", side_effect=RuntimeError("stop")):
    with pytest.raises(RuntimeError, match="stop"):
      tfds_datasets.mnist("train", data_dir=str(tmp_path), download=True)
  download.assert_called_once()


@pytest.mark.parametrize("name", ["dsprites", "shapes3d"])
def test_one_split_datasets_declare_a_held_out_test_split(name):
  """"test" is the first 10,000 records; `held_out=True` leaves them out of "train" (default: in it)."""
  requested = []

  def as_dataset(self, split, **kwargs):
    del self, kwargs
    requested.append(split)
    raise RuntimeError("stop")

  with mock.patch.object(tfds.core.DatasetBuilder, "is_prepared", return_value=True), \
      mock.patch.object(tfds.core.DatasetBuilder, "as_dataset", as_dataset):
    for split, held_out in [("train", False), ("train", True), ("test", False), ("test", True)]:
      with pytest.raises(RuntimeError, match="stop"):
        _DATASETS[name][0](split, held_out=held_out)
  assert requested == ["train", "train[10000:]", "train[:10000]", "train[:10000]"]
  assert tfds_datasets.TEST_RECORDS == 10_000
