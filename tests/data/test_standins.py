"""The real datasets' stand-ins: written in the real formats, read by the real loaders, with the real structure."""

import numpy as np
import pytest

from tfdis.data import manual_datasets
from tfdis.data import pipeline
from tfdis.data import standins
from tfdis.data import tfds_datasets

# The real datasets' factor sizes (tfdis/data/tfds_datasets.py docstring).
_SMALLNORB_FACTORS = (5, 10, 9, 18, 6)


def test_smallnorb_stand_in_is_a_prepared_tfds_dataset_with_the_real_factor_ranges(tmp_path):
  builder = standins.write_tfds("smallnorb", str(tmp_path), num_records=40)
  assert builder.is_prepared() and {s: builder.info.splits[s].num_examples for s in ("train", "test")} == {
      "train": 40, "test": 40}
  batch = pipeline.take_numpy(tfds_datasets.smallnorb("test", data_dir=str(tmp_path)), 40)
  assert batch["image"].shape == (40, 64, 64, 1) and batch["image"].dtype == np.float32
  assert np.all(batch["factors"] >= 0) and np.all(batch["factors"] < np.array(_SMALLNORB_FACTORS))
  np.testing.assert_array_equal(batch["label"], batch["factors"][:, 0])
  assert len(np.unique(batch["factors"][:, 1])) > 1  # random, not constant


def test_shapes3d_stand_in_is_large_enough_for_its_held_out_split(tmp_path):
  standins.write_tfds("shapes3d", str(tmp_path))
  train = pipeline.take_numpy(tfds_datasets.shapes3d("train", data_dir=str(tmp_path), held_out=True), 8)
  assert train["image"].shape == (8, 64, 64, 3) and train["factors"].shape == (8, 6)
  assert standins.MIN_RECORDS["shapes3d"] > tfds_datasets.TEST_RECORDS


def test_cars3d_stand_in_has_enough_cars_for_lords_held_out_twenty(tmp_path):
  folder = standins.write_cars3d(str(tmp_path / "cars"))
  sampler = manual_datasets.Cars3D(folder, subset="train", num_held_out=20)
  assert sampler.factor_sizes == (4, 24, 1) and sampler.image_shape == (64, 64, 3)
  train = pipeline.take_numpy(manual_datasets.cars3d(path=folder, num_held_out=20), 10)
  assert len(np.unique(train["label"])) == 1  # the one car not held out


def test_bindings_name_every_loader_and_unknown_names_fail_clearly(tmp_path):
  bindings = standins.standin_bindings(str(tmp_path))
  assert {b.split(".")[0] for b in bindings} == set(standins.TFDS_SPLITS) | {"cars3d", "Cars3D"}
  with pytest.raises(ValueError, match=r"No tfds stand-in for 'imagenet'.*celeb_a"):
    standins.write_tfds("imagenet", str(tmp_path))
