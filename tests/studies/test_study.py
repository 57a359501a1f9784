"""The study runner: grid, aggregation, plots, resume after SIGKILL, failures, bad input, Ray, one real cell.

Most tests run the cells with the fake launchers of tests/studies/fake_cell.py (no TensorFlow, ~0.1 s a
cell); `test_real_cell_end_to_end` trains and evaluates one 2-step β-VAE through the real launchers.
"""

import glob
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tfdis import ROOT
from tfdis import studies
from tfdis.studies import spec

FAKE = """
study.name = "fake"
study.train_module = "tests.studies.fake_train"
study.evaluate_module = "tests.studies.fake_evaluate"
study.base = ["gin/runs/train.gin"]
study.bindings = ["SLEEP = {sleep}"]
study.variants = {{"a": ["SHIFT = 0.0"], "b": ["SHIFT = 1.0"{fail}]}}
study.axes = {{"TRAIN_STEPS": [2, 4]}}
study.seeds = {seeds}
"""


def _study_file(tmp_path, sleep=0.0, fail=False, name="fake.gin", seeds=(0, 1)):
  path = tmp_path / name
  path.write_text(FAKE.format(sleep=sleep, fail=', "FAIL = True"' if fail else "", seeds=list(seeds)))
  return str(path)


def test_grid_runs_and_aggregates(tmp_path):
  study_dir = str(tmp_path / "study")
  table, failed = studies.run(_study_file(tmp_path), study_dir, workers=2)
  assert failed == []
  assert len(table) == 8 and set(table["variant"]) == {"a", "b"}
  assert list(table.columns[:5]) == ["cell_id", "variant", "TRAIN_STEPS", "seed", "step"]
  expected = np.where(table["variant"] == "b", 1.0, 0.0) + 0.01 * table["seed"]
  np.testing.assert_allclose(table["fake/score"], expected)
  assert (table["fake/steps"] == table["TRAIN_STEPS"]).all()
  on_disk = pd.read_csv(os.path.join(study_dir, "results.csv"))
  pd.testing.assert_frame_equal(on_disk, studies.load(study_dir), check_dtype=False)
  summary = open(os.path.join(study_dir, "summary.md")).read()
  # a − b is −1 on every seed: the CI is the point, and with 2 seeds the exact sign-flip p is 2/4.
  assert "| a − b | 2 | 2 | -1 | -1 | -1 | 0.5 |" in summary
  assert "| b | 4 | 2 | 1.005 | 1 | 1.01 |" in summary
  pngs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(study_dir, "plots", "*.png")))
  assert "fake_score__by_variant.png" in pngs and "fake_score__vs_TRAIN_STEPS.png" in pngs
  tags = {v.tag for path in glob.glob(os.path.join(study_dir, "summary", "events.*"))
          for event in tf.compat.v1.train.summary_iterator(path) for v in event.summary.value}
  assert "fake_score__by_variant" in tags and "fake_score/variant=b_TRAIN_STEPS=4/mean" in tags


def test_cells_get_their_bindings_and_seed(tmp_path):
  study_dir = str(tmp_path / "study")
  studies.run(_study_file(tmp_path), study_dir, tensorboard=False)
  cell = os.path.join(study_dir, "cells", "b__TRAIN_STEPS=4__seed=1")
  config = json.load(open(os.path.join(cell, "fake_config.json")))
  assert config["seed"] == 1 and config["files"] == ["gin/runs/train.gin"]
  assert config["bindings"] == {"SLEEP": 0.0, "SHIFT": 1.0, "TRAIN_STEPS": 4}
  commands = json.load(open(os.path.join(cell, "cell.json")))["commands"]
  assert "--gin_param=evaluate.seed = 1" in commands["evaluate"]


def _finished(study_dir):
  return sorted(glob.glob(os.path.join(study_dir, "cells", "*", "results.json")))


def test_sigkill_mid_study_then_resume_reruns_nothing_finished(tmp_path):
  study_file, study_dir = _study_file(tmp_path, sleep=0.3, seeds=[0]), str(tmp_path / "study")
  command = [sys.executable, "-m", "tfdis.launch.study", f"--study={study_file}", f"--model_dir={study_dir}",
             "--no_tensorboard"]
  process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  deadline = time.time() + 120
  while len(_finished(study_dir)) < 2 and process.poll() is None and time.time() < deadline:
    time.sleep(0.02)
  process.send_signal(signal.SIGKILL)
  process.wait()
  before = {path: os.stat(path).st_mtime_ns for path in _finished(study_dir)}
  assert 2 <= len(before) < 4, "the study was not killed mid-grid"
  resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
  assert resumed.returncode == 0, resumed.stderr[-2000:]
  assert len(_finished(study_dir)) == 4
  for path, mtime in before.items():  # finished cells were neither trained nor evaluated again
    assert os.stat(path).st_mtime_ns == mtime
    invocations = open(os.path.join(os.path.dirname(path), "invocations.log")).read()
    assert invocations == "train\nevaluate\n"
  assert len(pd.read_csv(os.path.join(study_dir, "results.csv"))) == 4


def test_failed_cells_are_reported_and_the_rest_aggregated(tmp_path):
  table, failed = studies.run(_study_file(tmp_path, fail=True, seeds=[0]), str(tmp_path / "study"),
                              tensorboard=False)
  assert len(failed) == 2 and all("train exited with 3" in f["error"] for f in failed)
  assert "fake training failed on purpose" in failed[0]["error"]
  assert set(table["variant"]) == {"a"} and len(table) == 2


def test_a_changed_study_is_refused_in_the_same_folder(tmp_path):
  study_dir = str(tmp_path / "study")
  studies.run(_study_file(tmp_path, seeds=[0]), study_dir, tensorboard=False)
  with pytest.raises(studies.StudyError, match="bindings differ"):
    studies.run(_study_file(tmp_path, sleep=0.01, name="other.gin"), study_dir, tensorboard=False)
  table, _ = studies.run(_study_file(tmp_path, seeds=[0]), study_dir, bindings=["study.seeds = [0, 1]"],
                         tensorboard=False)
  assert len(table) == 8  # more seeds: allowed, the 4 finished cells are kept
  table, _ = studies.run(_study_file(tmp_path, seeds=[0]), study_dir, tensorboard=False)
  assert len(table) == 4 and len(studies.load(study_dir)) == 8  # the summary is of the grid asked for
  assert "4 finished cells of 4" in open(os.path.join(study_dir, "summary.md")).read()


@pytest.mark.parametrize("text, message", [
    ("study.variants = {}", "variants is empty"),
    ("study.variants = {'a': 'SHIFT = 1'}", "must be a list"),
    ("study.variants = {'a': []}\nstudy.seeds = []", "seeds must be"),
    ("study.variants = {'a': []}\nstudy.axes = {'BETA': []}", "axis 'BETA'"),
    ("study.variants = {'a': ['gin/nope.gin']}", "gin/nope.gin not found"),
    ("study.variants = {'a': []}\nstudy.baseline = 'b'", "baseline 'b'"),
    ("stduy.variants = {'a': []}", "Bad study file"),
])
def test_bad_study_files_are_named(tmp_path, text, message):
  path = tmp_path / "bad.gin"
  path.write_text(text)
  with pytest.raises(spec.StudyError, match=message):
    spec.parse(str(path))


def test_bad_workers_and_backend_are_refused_before_anything_runs(tmp_path):
  study_dir = tmp_path / "study"
  with pytest.raises(studies.StudyError, match="at least 1"):
    studies.run(_study_file(tmp_path), str(study_dir), workers=0)
  with pytest.raises(studies.StudyError, match="Unknown backend 'slurm'"):
    studies.run(_study_file(tmp_path), str(study_dir), backend="slurm")
  assert not study_dir.exists()


def test_missing_study_file(tmp_path):
  with pytest.raises(spec.StudyError, match="not found"):
    spec.parse(str(tmp_path / "missing.gin"))
  with pytest.raises(FileNotFoundError, match="no finished cell"):
    studies.load(str(tmp_path))


def test_ray_backend_gives_the_local_table(tmp_path):
  study_file = _study_file(tmp_path, seeds=[0, 1])
  local, _ = studies.run(study_file, str(tmp_path / "local"), workers=2, tensorboard=False)
  on_ray, failed = studies.run(study_file, str(tmp_path / "ray"), workers=2, backend="ray", tensorboard=False)
  assert failed == []
  timings = ["train_seconds", "eval_seconds"]
  pd.testing.assert_frame_equal(local.drop(columns=timings), on_ray.drop(columns=timings))
  assert on_ray[timings].notna().all().all()


def test_real_cell_end_to_end(tmp_path):
  path = tmp_path / "real.gin"
  path.write_text("""
study.base = ["gin/papers/beta_vae/shapes2d.gin"]
study.bindings = ["LATENT_DIM = 2", "TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4"]
study.variants = {"beta_vae": []}
study.axes = {"BETA": [4.0]}
study.metrics = ["gin/metrics/quick.gin", "evaluate.num_train = 200", "evaluate.num_test = 100",
                 "evaluate.metric_names = ['mig', 'reconstruction']"]
""")
  study_dir = str(tmp_path / "study")
  table, failed = studies.run(str(path), study_dir, tensorboard=False)
  assert failed == []
  row = table.iloc[0]
  assert row["cell_id"] == "beta_vae__BETA=4.0__seed=0" and row["step"] == 2 and row["BETA"] == 4.0
  assert 0.0 <= row["mig/mig"] <= 1.0 and row["reconstruction/rmse"] > 0
  assert row["train_seconds"] > 0 and row["eval_seconds"] > 0
  operative = open(os.path.join(study_dir, "cells", row["cell_id"], "operative_config.gin")).read()
  assert "BETA = 4.0" in operative or "beta = 4.0" in operative
