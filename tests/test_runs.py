"""The run layer: run.json facts, the image shape without a dataset, atomic JSON, finite-weight checks."""

import json

import numpy as np
import pytest
import tensorflow as tf

from tfdis import runs


class _Model:
  """Stands in for a model class defined in tfdis/models/beta_vae/model.py."""
  __module__ = "tfdis.models.beta_vae.model"
  latent_dim = 4


def test_run_info_names_family_class_shape_and_latent_size(tmp_path):
  runs.write_run_info(str(tmp_path), _Model(), (16, 16, 1))
  assert runs.read_run_info(str(tmp_path)) == {"family": "beta_vae", "model_class": "_Model",
                                               "image_shape": [16, 16, 1], "latent_dim": 4}
  assert runs.run_image_shape(str(tmp_path), from_dataset=False) == (16, 16, 1)


def test_image_shape_is_checked_against_run_json(tmp_path):
  runs.write_run_info(str(tmp_path), _Model(), (16, 16, 1))
  with pytest.raises(runs.ConfigError, match=r"\[32, 32, 1\] does not match the run's image shape \[16, 16, 1\]"):
    runs.run_image_shape(str(tmp_path), (32, 32, 1), from_dataset=False)


def test_a_run_without_run_json_needs_a_shape_when_no_dataset_is_built(tmp_path):
  assert runs.read_run_info(str(tmp_path)) is None
  with pytest.raises(runs.ConfigError, match="image_shape"):
    runs.run_image_shape(str(tmp_path), from_dataset=False)
  assert runs.run_image_shape(str(tmp_path), [8, 8, 3], from_dataset=False) == (8, 8, 3)


def test_write_json_is_atomic_and_refuses_nan(tmp_path):
  path = str(tmp_path / "sub" / "x.json")
  runs.write_json(path, {"a": 1.5})
  with pytest.raises(ValueError):
    runs.write_json(path, {"a": float("nan")})
  with open(path) as f:
    assert json.load(f) == {"a": 1.5}  # the failed write left the old file whole.
  runs.write_json(path, {"a": float("nan")}, allow_nan=True)
  assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["x.json"]


def test_nonfinite_variables_are_named():
  good, bad = tf.Variable([1.0, 2.0], name="good"), tf.Variable([np.inf, 0.0], name="bad")
  assert runs.nonfinite_variables([good]) == [] and runs.nonfinite_variables([good, bad]) == [bad.name]


def test_loading_a_folder_without_a_run_says_how_to_train_one(tmp_path):
  with pytest.raises(FileNotFoundError, match="train one first"):
    runs.load_trained_model(str(tmp_path))
