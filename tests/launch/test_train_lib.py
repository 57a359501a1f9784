"""The training launcher: artifacts of a run, resume, and errors for bad configuration."""

import glob
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import ROOT
from tfdis.launch import train_lib
from tfdis import runs
from tfdis.runs import gin_checks

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
  assert runs.read_run_info(str(tmp_path)) == {"family": "beta_vae", "model_class": "BetaVAE",
                                               "image_shape": [16, 16, 1], "latent_dim": 2}
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
  with pytest.raises(runs.ConfigError, match="no_such_model"):
    _run(tmp_path, steps=1, extra=["train.model_fn = @no_such_model"])


def test_unknown_parameter_names_file_and_line(tmp_path):
  bad = tmp_path / "bad.gin"
  bad.write_text("include 'gin/runs/train.gin'\n\nbeta_vae.not_a_parameter = 3\n")
  with pytest.raises(runs.ConfigError, match=r"bad\.gin(.|\n)*not_a_parameter"):
    runs.parse_gin(["gin/models/beta_vae.gin", str(bad)])


def test_missing_gin_file_says_where_it_looked(tmp_path):
  with pytest.raises(runs.ConfigError, match="not found"):
    runs.parse_gin(["gin/papers/nope.gin"])


def test_missing_required_dataset_fails_before_training(tmp_path):
  with pytest.raises(Exception, match="DATASET"):
    train_lib.run(BASE, ["TRAIN_STEPS = 1"], str(tmp_path))
  assert not glob.glob(str(tmp_path / "checkpoints" / "*"))


def test_nonpositive_steps_rejected(tmp_path):
  with pytest.raises(runs.ConfigError, match="positive"):
    _run(tmp_path, steps=0)


def test_typo_in_a_macro_binding_fails_before_training_with_the_closest_name(tmp_path):
  with pytest.raises(runs.ConfigError,
                     match=r"'BETTA = 3.0'.*macro BETTA is read by nothing.*Did you mean BETA\?"):
    _run(tmp_path, steps=1, extra=["BETTA = 3.0"])
  assert not os.path.exists(tmp_path / "checkpoints")


def test_binding_a_macro_this_configuration_does_not_read_is_an_error(tmp_path):
  with pytest.raises(runs.ConfigError, match="macro IMAGE_SHAPE is read by nothing"):
    runs.parse_gin(["gin/papers/beta_vae/shapes2d.gin"], ["IMAGE_SHAPE = (32, 32, 1)"])


def test_unknown_configurable_and_parameter_name_the_closest_known(tmp_path):
  with pytest.raises(runs.ConfigError, match=r"No configurable matching 'betavae'.*Did you mean beta_vae( or .*)?\?"):
    runs.parse_gin(BASE, ["betavae.beta = 3.0"])
  with pytest.raises(runs.ConfigError, match=r"parameter named 'betta'.*Did you mean beta\?"):
    runs.parse_gin(BASE, ["beta_vae.betta = 3.0"])
  with pytest.raises(runs.ConfigError, match=r"'@beta_vea'.*Did you mean beta_vae( or .*)?\?"):
    runs.parse_gin(BASE, ["train.model_fn = @beta_vea"])


def test_a_files_unread_macro_only_warns(tmp_path, monkeypatch):
  extra = tmp_path / "extra.gin"
  extra.write_text("UNUSED_KNOB = 1\n")
  warnings = []
  monkeypatch.setattr(gin_checks.logging, "warning", lambda fmt, *args: warnings.append(fmt % args))
  runs.parse_gin([*BASE, str(extra)], SMALL)
  assert len(warnings) == 1 and "UNUSED_KNOB" in warnings[0] and "IMAGE_SHAPE" not in warnings[0]


def test_train_cli_prints_one_error_line_without_the_flag_dump(tmp_path):
  done = subprocess.run([sys.executable, "-m", "tfdis.launch.train", "--gin_file=gin/papers/beta_vae/shapes2d.gin",
                         "--gin_param=BETTA = 3.0", f"--model_dir={tmp_path}"], cwd=ROOT, capture_output=True,
                        text=True, timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
  assert done.returncode == 1
  errors = [line for line in done.stderr.splitlines() if "error:" in line]
  assert len(errors) == 1 and "macro BETTA is read by nothing" in errors[0] and "Did you mean BETA?" in errors[0]
  assert "Gin files; later ones override" not in done.stderr and "USAGE" not in done.stderr
  assert not os.path.exists(tmp_path / "checkpoints")


def test_fit_reads_a_dataset_without_autotune_in_place(tmp_path, monkeypatch):
  """No MultiDeviceIterator and no autotuned iterator for one replica (`pipeline.without_autotune`)."""
  seen = []
  fit = keras.Model.fit
  def recording_fit(model, x=None, **kwargs):
    seen.append((x.options().autotune.enabled, model.distribute_strategy.experimental_distribute_dataset(x) is x))
    return fit(model, x, **kwargs)
  monkeypatch.setattr(keras.Model, "fit", recording_fit)
  _run(tmp_path, steps=2, strategy="auto")
  assert seen == [(False, True)]  # the default strategy hands `fit` the dataset itself
