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
  from absl import flags  # pylint: disable=g-import-not-at-top
  from tfdis.launch import quickstart  # pylint: disable=g-import-not-at-top
  calls = []
  monkeypatch.setattr(quickstart.quickstart_lib, "run", lambda *args, **kwargs: calls.append(kwargs))
  monkeypatch.setenv("TFDIS_SMOKE", "1")
  flags.FLAGS(["quickstart", "--train_steps=1500"])
  try:
    quickstart.main([])
  finally:
    flags.FLAGS.unparse_flags()
  assert calls[0]["train_steps"] == 1500  # quickstart_lib puts extra_bindings after it: TFDIS_SMOKE's 2 wins
  assert calls[0]["extra_bindings"] == smoke.SETTINGS["train"]
  assert calls[0]["eval_bindings"] == smoke.SETTINGS["evaluate"]
