"""A NaN loss stops training with a message naming the step and the term; nothing NaN is ever saved."""

import os

import gin
import numpy as np
import pytest
import tensorflow as tf

from tfdis.export import export_lib
from tests import conftest
from tfdis import runs
from tfdis.launch import callbacks
from tfdis.launch import train_lib

BASE = ["gin/runs/train.gin", "gin/models/beta_vae.gin"]
BATCH, EVERY, NAN_STEP = 4, 2, 5  # the 5th step's batch holds a NaN pixel.


@gin.register
def nan_from_step_5(split="train", seed=0, start_index=0):
  """`tiny_images` whose elements from the 5th step's batch on (index ≥ 4·BATCH) hold one NaN pixel."""
  def poison(index, element):
    nan = tf.where(index >= (NAN_STEP - 1) * BATCH, np.nan, 0.0)
    image = tf.tensor_scatter_nd_add(element["image"], [[0, 0, 0]], [nan])
    return dict(element, image=image)
  indexed = tf.data.Dataset.zip(tf.data.Dataset.range(start_index, 2**62),
                                conftest.tiny_images(split, seed, start_index))
  return indexed.map(poison)


def _run(model_dir, steps=8):
  bindings = ["DATASET = @nan_from_step_5", f"BATCH_SIZE = {BATCH}", "LATENT_DIM = 2", f"TRAIN_STEPS = {steps}",
              f"CHECKPOINT_EVERY = {EVERY}", "train.log_every = 1"]
  return train_lib.run(BASE, bindings, str(model_dir), strategy="one_device")


def test_nan_loss_stops_at_its_step_and_keeps_the_last_good_checkpoint(tmp_path):
  with pytest.raises(callbacks.TrainingDiverged, match=rf"step {NAN_STEP}: loss term\(s\) .*loss.*NaN/Inf") as e:
    _run(tmp_path)
  assert "ckpt-4" in str(e.value)  # the message points at the last good checkpoint
  checkpoints = tf.train.get_checkpoint_state(str(tmp_path / "checkpoints")).all_model_checkpoint_paths
  assert [p.rsplit("-", 1)[1] for p in checkpoints] == ["2", "4"]
  reader = tf.train.load_checkpoint(str(tmp_path / "checkpoints"))
  for name in reader.get_variable_to_shape_map():
    value = reader.get_tensor(name)
    if np.issubdtype(np.asarray(value).dtype, np.floating):
      assert np.all(np.isfinite(value)), name
  # The kept checkpoint exports (and an export of the diverged weights is refused, below).
  result = export_lib.export_model(str(tmp_path), str(tmp_path / "export" / "m" / "1"))
  assert os.path.isdir(result["export_dir"])


def test_checkpointer_refuses_nonfinite_weights(tmp_path):
  model = _run(tmp_path, steps=2)
  manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=model), str(tmp_path / "other"), 3)
  checkpointer = callbacks.Checkpointer(manager)
  checkpointer.set_model(model)
  model.optimizer.iterations.assign_add(1)
  weight = model.trainable_variables[0]
  weight.assign(tf.fill(weight.shape, np.inf))
  with pytest.raises(callbacks.TrainingDiverged, match=f"{weight.path}.*last good checkpoint"):
    checkpointer.save()
  assert manager.latest_checkpoint is None


def test_export_refuses_a_nan_checkpoint_and_writes_nothing(tmp_path):
  model = _run(tmp_path, steps=2)
  model.trainable_variables[0].assign(tf.fill(model.trainable_variables[0].shape, np.nan))
  saved = tf.train.Checkpoint(model=model).save(str(tmp_path / "checkpoints" / "diverged"))
  assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")) == saved
  target = tmp_path / "export" / "m" / "1"
  with pytest.raises(export_lib.ExportError, match="NaN/Inf.*diverged"):
    export_lib.export_model(str(tmp_path), str(target))
  assert not (tmp_path / "export").exists() or not any((tmp_path / "export").rglob("*"))


def test_nonfinite_variables_names_them():
  good, bad = tf.Variable([1.0, 2.0], name="good"), tf.Variable([1.0, np.nan], name="bad")
  assert runs.nonfinite_variables([good]) == []
  assert runs.nonfinite_variables([good, bad]) == [bad.name]
