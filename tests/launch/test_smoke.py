"""TFDIS_SMOKE: tiny bindings that every paper configuration accepts, only when the variable is set."""

import glob
import os

import pytest

import tfdis
from tfdis import runs
from tfdis.launch import evaluate_lib  # pylint: disable=unused-import  (registers the metrics)
from tfdis.launch import smoke


def test_bindings_only_under_the_variable_and_unknown_programs_fail(monkeypatch):
  monkeypatch.delenv("TFDIS_SMOKE", raising=False)
  assert smoke.bindings("train") == ()
  monkeypatch.setenv("TFDIS_SMOKE", "0")
  assert smoke.bindings("evaluate") == ()
  monkeypatch.setenv("TFDIS_SMOKE", "1")
  assert "TRAIN_STEPS = 2" in smoke.bindings("train") and smoke.bindings("study") == ("study.seeds = [0]",)
  with pytest.raises(ValueError, match="unknown program 'export'"):
    smoke.bindings("export")


@pytest.mark.parametrize("config", sorted(os.path.relpath(p, tfdis.GIN_DIR) for p in
                                          glob.glob(str(tfdis.GIN_DIR / "papers" / "*" / "*.gin"))))
def test_every_paper_config_takes_the_train_bindings(config):
  runs.parse_gin([config], smoke.SETTINGS["train"])
  assert runs.configured("train.train_steps") == 2 and runs.configured("train.batch_size") == 4


@pytest.mark.parametrize("suite", sorted(os.path.relpath(p, tfdis.GIN_DIR) for p in
                                         glob.glob(str(tfdis.GIN_DIR / "metrics" / "*.gin"))))
def test_every_metric_suite_takes_the_evaluate_bindings(suite):
  runs.parse_gin([suite], smoke.SETTINGS["evaluate"])
  assert runs.configured("evaluate.num_train") == 200 and runs.configured("lord_leakage.latent_steps") == 2


def test_the_quick_start_passes_the_smoke_bindings_after_its_own(monkeypatch):
  # Through quickstart_lib, not the binary: importing tfdis.launch.quickstart defines absl flags (model_dir)
  # that collide with another binary's in a worker that imported one (tfdis.export.export in test_cli).
  from tfdis.launch import quickstart_lib  # pylint: disable=g-import-not-at-top
  calls = []
  monkeypatch.setattr(quickstart_lib, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
  monkeypatch.setenv("TFDIS_SMOKE", "1")
  quickstart_lib.run_command("/tmp/unused", train_steps=1500, seed=2)
  (args, kwargs), = calls
  assert args == ("/tmp/unused",) and kwargs["train_steps"] == 1500 and kwargs["seed"] == 2
  # quickstart_lib puts extra_bindings after train_steps: TFDIS_SMOKE's TRAIN_STEPS = 2 wins
  assert kwargs["extra_bindings"] == smoke.SETTINGS["train"]
  assert kwargs["eval_bindings"] == smoke.SETTINGS["evaluate"]
  monkeypatch.delenv("TFDIS_SMOKE")
  quickstart_lib.run_command("/tmp/unused")
  assert calls[1][1]["extra_bindings"] == () and calls[1][1]["eval_bindings"] == ()
