"""Damaged checkpoints: sha256 manifests, restore from the newest intact one, strict mode, leftovers."""

import json
import os
import random

from absl import logging
import numpy as np
import pytest
import tensorflow as tf

from tests.support import faults
from tfdis.runs import checkpoints


@pytest.fixture
def three(tmp_path):
  """A checkpoints/ folder with ckpt-1..3 of one variable (values 1, 2, 3) saved with manifests."""
  variable = tf.Variable(tf.zeros([64, 64]))
  manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=variable), str(tmp_path), max_to_keep=3)
  for step in (1, 2, 3):
    variable.assign(tf.fill([64, 64], float(step)))
    checkpoints.save(manager, step)
  return str(tmp_path)


def _value(prefix):
  return float(tf.train.load_checkpoint(prefix).get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")[0, 0])


def test_manifest_lists_every_file_with_its_sha256(three):
  prefix = os.path.join(three, "ckpt-3")
  manifest = json.load(open(prefix + checkpoints.MANIFEST_SUFFIX))
  assert set(manifest) == {"ckpt-3.index", "ckpt-3.data-00000-of-00001"}
  assert manifest["ckpt-3.index"]["bytes"] == os.path.getsize(prefix + ".index")
  assert all(checkpoints.damage(os.path.join(three, f"ckpt-{s}")) is None for s in (1, 2, 3))


def test_old_manifests_go_with_their_checkpoints(tmp_path):
  variable = tf.Variable(1.0)
  manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=variable), str(tmp_path), max_to_keep=2)
  for step in range(1, 5):
    checkpoints.save(manager, step)
  assert sorted(p for p in os.listdir(tmp_path) if p.endswith(".sha256")) == ["ckpt-3.sha256", "ckpt-4.sha256"]


@pytest.mark.parametrize("how, reason", [("truncate_data", "bytes, its manifest says"),
                                         ("flip_data", "sha256 of ckpt-3.data"),
                                         ("flip_index", "sha256 of ckpt-3.index")])
def test_damaged_newest_is_skipped_for_the_previous_with_a_warning(three, how, reason, monkeypatch):
  prefix = os.path.join(three, "ckpt-3")
  faults.corrupt_checkpoint(prefix, how, random.Random(0))
  warnings = []
  monkeypatch.setattr(logging, "warning", lambda fmt, *args: warnings.append(fmt % args))
  latest, damaged = checkpoints.newest_intact(three)
  assert latest == os.path.join(three, "ckpt-2") and _value(latest) == 2.0
  assert [p for p, _ in damaged] == [prefix] and reason in damaged[0][1]
  assert len(warnings) == 1 and prefix in warnings[0] and "skipping it for" in warnings[0]
  with pytest.raises(checkpoints.CheckpointError, match=r"ckpt-3 is damaged.*restore_strict"):
    checkpoints.newest_intact(three, strict=True)


def test_without_a_manifest_a_truncated_checkpoint_fails_its_read(three):
  prefix = os.path.join(three, "ckpt-3")
  os.remove(prefix + checkpoints.MANIFEST_SUFFIX)
  assert checkpoints.damage(prefix) is None
  os.truncate(prefix + ".data-00000-of-00001", 100)
  assert "cannot be read" in checkpoints.damage(prefix)


def test_every_checkpoint_damaged_is_an_error_naming_them(three):
  for step in (1, 2, 3):
    os.truncate(os.path.join(three, f"ckpt-{step}.data-00000-of-00001"), 10)
  with pytest.raises(checkpoints.CheckpointError, match=r"Every checkpoint.*ckpt-3.*ckpt-2.*ckpt-1"):
    checkpoints.newest_intact(three)


def test_training_sets_damaged_aside_and_repoints_the_state_file(three):
  os.truncate(os.path.join(three, "ckpt-3.index"), 5)
  os.makedirs(os.path.join(three, "ckpt-4_temp"))
  open(os.path.join(three, "ckpt-4_temp", "part-00000-of-00001.index"), "w").close()
  assert checkpoints.prepare_for_training(three) == os.path.join(three, "ckpt-2")
  assert not os.path.exists(os.path.join(three, "ckpt-4_temp"))
  assert sorted(os.listdir(os.path.join(three, "damaged"))) == [
      "ckpt-3.data-00000-of-00001", "ckpt-3.index", "ckpt-3.sha256"]
  assert tf.train.latest_checkpoint(three) == os.path.join(three, "ckpt-2")


def test_leftover_temp_folders_are_removed_with_a_log_line(tmp_path, monkeypatch):
  (tmp_path / "ckpt-7_temp").mkdir()
  (tmp_path / "ckpt-7_temp" / "part-00000-of-00001.data-00000-of-00001.tempstate123").write_text("x")
  (tmp_path / "checkpoint.tmp4f2a").write_text("x")
  (tmp_path / "ckpt-5.index").write_text("kept")
  lines = []
  monkeypatch.setattr(logging, "warning", lambda fmt, *args: lines.append(fmt % args))
  removed = checkpoints.remove_leftovers(str(tmp_path))
  assert [os.path.basename(p) for p in removed] == ["checkpoint.tmp4f2a", "ckpt-7_temp"]
  assert os.listdir(tmp_path) == ["ckpt-5.index"] and len(lines) == 2 and "ckpt-7_temp" in lines[1]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
  """An uninterrupted deterministic β-VAE run of 10 steps, a checkpoint every 5."""
  model_dir = str(tmp_path_factory.mktemp("ref") / "run")
  config, bindings = faults.FAMILIES["beta_vae"]
  faults.run(faults.command(config, bindings, model_dir, steps=10, every=5))
  return model_dir


@pytest.mark.parametrize("how", faults.CORRUPTIONS)
def test_rerun_after_damage_resumes_from_previous_and_ends_bit_identical(reference, tmp_path, how):
  config, bindings = faults.FAMILIES["beta_vae"]
  model_dir = str(tmp_path / "damaged_run")
  cmd = faults.command(config, bindings, model_dir, steps=10, every=5)
  _, resumed = faults.run_corrupted(cmd, reference, model_dir, how, random.Random(how))
  assert resumed.endswith(os.path.join(model_dir, "checkpoints", "ckpt-5") + ".")
  assert faults.latest_step(model_dir) == 10
  assert os.listdir(os.path.join(model_dir, "checkpoints", "damaged"))
  assert faults.mismatches(reference, model_dir) == []
  assert np.all([checkpoints.damage(p) is None for p in checkpoints.all_checkpoints(
      os.path.join(model_dir, "checkpoints"))])


def test_restore_strict_refuses_in_one_line(reference, tmp_path):
  config, bindings = faults.FAMILIES["beta_vae"]
  model_dir = str(tmp_path / "strict_run")
  cmd = faults.command(config, bindings, model_dir, steps=10, every=5) + ["--restore_strict"]
  with pytest.raises(RuntimeError, match="failed") as failed:
    faults.run_corrupted(cmd, reference, model_dir, "flip_data", random.Random(1))
  last = str(failed.value).strip().splitlines()[-1]
  assert "error: Checkpoint" in last and "ckpt-10 is damaged" in last and "restore_strict" in last
  assert "Gin files; later ones override" not in str(failed.value)  # no flag dump (the --gin_file help)
  assert os.path.exists(os.path.join(model_dir, "checkpoints", "ckpt-10.index"))  # nothing moved or lost
