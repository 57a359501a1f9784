"""Export and evaluate never use a damaged checkpoint; dead exports' leftovers are removed at the next export."""

import json
import os
import random
import time

from absl import logging
import pytest

from tests.support import faults
from tfdis.export import export_lib
from tfdis.export import leftovers
from tfdis.launch import evaluate_lib
from tfdis.launch import train_lib
from tfdis.runs import run_lock

BASE = ["gin/runs/train.gin", "gin/models/beta_vae.gin"]
RUN = ["DATASET = @tiny_images", "GROUND_TRUTH = @TinySquares()", "BATCH_SIZE = 4", "LATENT_DIM = 2",
       "TRAIN_STEPS = 4", "CHECKPOINT_EVERY = 2"]


@pytest.fixture
def damaged_run(tmp_path):
  """A 4-step run (checkpoints 2 and 4) whose ckpt-4.data had 3 bits flipped."""
  model_dir = str(tmp_path / "run")
  train_lib.run(BASE, RUN, model_dir, strategy="one_device")
  prefix, _ = faults.corrupt(model_dir, "flip_data", random.Random(0))
  assert prefix.endswith("ckpt-4")
  return model_dir


def test_export_skips_a_flipped_checkpoint_for_the_intact_one(damaged_run, tmp_path, monkeypatch):
  warnings = []
  monkeypatch.setattr(logging, "warning", lambda fmt, *args: warnings.append(fmt % args))
  result = export_lib.export_model(damaged_run, str(tmp_path / "export" / "vae" / "1"))
  metadata = json.load(open(result["metadata"]))
  assert metadata["source"]["checkpoint"].endswith("ckpt-2")
  assert any("ckpt-4 is damaged" in w and "sha256" in w for w in warnings)
  assert sorted(os.listdir(tmp_path / "export" / "vae")) == ["1"]  # no lock or staging file left
  assert run_lock.LOCK_NAME not in os.listdir(result["export_dir"])


def test_strict_export_and_evaluate_refuse_a_damaged_checkpoint(damaged_run, tmp_path):
  with pytest.raises(export_lib.ExportError, match=r"ckpt-4 is damaged \(the sha256 of ckpt-4.data"):
    export_lib.export_model(damaged_run, str(tmp_path / "export" / "vae" / "1"), restore_strict=True)
  assert not os.path.exists(tmp_path / "export")
  with pytest.raises(Exception, match="ckpt-4 is damaged"):
    evaluate_lib.run(damaged_run, gin_bindings=["evaluate.metric_names = ['mig']"], restore_strict=True)
  results = evaluate_lib.run(damaged_run, gin_bindings=["evaluate.metric_names = ['mig']",
                                                        "evaluate.num_train = 100"])
  assert results["step"] == 2


def test_evaluate_refuses_a_sampler_of_another_image_shape_naming_both(damaged_run):
  with pytest.raises(ValueError, match=r"renders images of shape \[64, 64, 1\].*takes \[16, 16, 1\]"):
    evaluate_lib.run(damaged_run, gin_files=["gin/datasets/shapes2d.gin"])


def _aged(path, seconds=3600):
  old = time.time() - seconds
  os.utime(path, (old, old))


def test_leftovers_of_dead_exports_go_live_ones_stay_and_a_broken_swap_is_undone(tmp_path):
  parent = tmp_path / "vae"
  dead = parent / ".1.tmp-dead"  # a killed export: its lock file, nobody holding it
  dead.mkdir(parents=True)
  (dead / run_lock.LOCK_NAME).write_text("")
  unlocked = parent / ".3.tmp-old"  # from before locks, an hour old
  unlocked.mkdir()
  _aged(unlocked)
  fresh = parent / ".4.tmp-new"  # too young to judge without a lock
  fresh.mkdir()
  swap = parent / ".5.old-x" / "version"  # killed between moving 5 away and moving the new one in
  swap.mkdir(parents=True)
  (swap / "saved_model.pb").write_text("v5")
  live = parent / ".2.tmp-live"
  live.mkdir()
  with run_lock.hold(str(live), "a live export"):
    handled = leftovers.clean(str(parent))
  assert sorted(os.path.basename(p) for p in handled) == [".1.tmp-dead", ".3.tmp-old", ".5.old-x"]
  assert sorted(os.listdir(parent)) == [".2.tmp-live", ".4.tmp-new", "5"]
  assert (parent / "5" / "saved_model.pb").read_text() == "v5"
