"""The training launcher: artifacts of a run, resume, and errors for bad configuration."""

import glob
import os

import numpy as np
import pytest
import tensorflow as tf

from tfdis.launch import train_lib

BASE = ["gin/runs/train.gin", "gin/models/beta_vae.gin"]
SMALL = ["DATASET = @tiny_images", "BATCH_SIZE = 4", "LATENT_DIM = 2", "train.log_every = 1"]


def _run(model_dir, steps, every=2, extra=(), strategy="one_device"):
  bindings = SMALL + [f"TRAIN_STEPS = {steps}", f"CHECKPOINT_EVERY = {every}", *extra]
  return train_lib.run(BASE, bindings, str(model_dir), strategy=strategy)


def _event_tags(model_dir):
  tags = set()
  for path in glob.glob(os.path.join(model_dir, "train", "events.*")):
    for event in tf.compat.v1.train.summary_iterator(path):
      tags.update(value.tag for value in event.summary.value)
  return tags


def test_run_writes_config_checkpoints_events_and_traversal(tmp_path):
  model = _run(tmp_path, steps=3)
  assert int(model.optimizer.iterations) == 3
  config = (tmp_path / "operative_config.gin").read_text()
  assert "LATENT_DIM = 2" in config and "train.batch_size = %BATCH_SIZE" in config
  assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")).endswith("ckpt-3")
  tags = _event_tags(str(tmp_path))
  assert {"loss/loss", "loss/kl", "loss/reconstruction"} <= tags
  assert {"images/inputs", "images/reconstructions", "images/traversal"} <= tags
  assert (tmp_path / "traversal.png").stat().st_size > 0


def test_rerun_resumes_step_and_optimizer_state(tmp_path):
  first = _run(tmp_path, steps=2)
  moments = [v.numpy().copy() for v in first.optimizer.variables]
  weights = first.get_weights()
  resumed = _run(tmp_path, steps=2)  # nothing left to train: restores exactly, takes no step.
  assert int(resumed.optimizer.iterations) == 2
  for a, b in zip(moments, resumed.optimizer.variables):
    np.testing.assert_array_equal(a, b.numpy())
  for a, b in zip(weights, resumed.get_weights()):
    np.testing.assert_array_equal(a, b)
  longer = _run(tmp_path, steps=4)
  assert int(longer.optimizer.iterations) == 4


def test_two_replica_run(tmp_path):
  model = _run(tmp_path, steps=2, strategy="mirrored")
  assert int(model.optimizer.iterations.numpy()) == 2


def test_unknown_configurable_names_the_binding(tmp_path):
  with pytest.raises(train_lib.ConfigError, match="no_such_model"):
    _run(tmp_path, steps=1, extra=["train.model_fn = @no_such_model"])


def test_unknown_parameter_names_file_and_line(tmp_path):
  bad = tmp_path / "bad.gin"
  bad.write_text("include 'gin/runs/train.gin'\n\nbeta_vae.not_a_parameter = 3\n")
  with pytest.raises(train_lib.ConfigError, match=r"bad\.gin(.|\n)*not_a_parameter"):
    train_lib.parse_gin(["gin/models/beta_vae.gin", str(bad)])


def test_missing_gin_file_says_where_it_looked(tmp_path):
  with pytest.raises(train_lib.ConfigError, match="not found"):
    train_lib.parse_gin(["gin/papers/nope.gin"])


def test_missing_required_dataset_fails_before_training(tmp_path):
  with pytest.raises(Exception, match="DATASET"):
    train_lib.run(BASE, ["TRAIN_STEPS = 1"], str(tmp_path))
  assert not glob.glob(str(tmp_path / "checkpoints" / "*"))


def test_nonpositive_steps_rejected(tmp_path):
  with pytest.raises(train_lib.ConfigError, match="positive"):
    _run(tmp_path, steps=0)
