"""The quick start, shrunk: trains, writes every artifact it reports, and sets its scores beside the expected range."""

import os

from tfdis.launch import quickstart_lib

SHRINK = ["BATCH_SIZE = 4", "CHECKPOINT_EVERY = 2"]
EVAL = ["evaluate.num_train = 100", "evaluate.num_test = 50"]


def test_quickstart_reports_existing_artifacts(tmp_path):
  lines = []
  # extra_bindings come after train_steps and win, as TFDIS_SMOKE's do (python -m tfdis.launch.quickstart).
  artifacts = quickstart_lib.run(str(tmp_path), train_steps=5, extra_bindings=SHRINK + ["TRAIN_STEPS = 2"],
                                 eval_bindings=EVAL, out=lines.append)
  assert "trained beta_vae for 2 steps" in lines[0]
  for key in ("checkpoint", "operative_config", "tensorboard", "traversal", "results", "export"):
    assert os.path.exists(artifacts[key]), key
    assert any(artifacts[key] in line for line in lines), key
  assert any(line.strip().startswith("mig ") for line in lines)
  assert "(measured at 1500 steps; this run has 2: not comparable)" in "\n".join(lines)
  assert os.path.exists(os.path.join(tmp_path, "export", "beta_vae", "2", "saved_model.pb"))
  # Resuming a run is train_lib's (tests/launch/test_train_lib.py, test_kill_resume.py); a second quick start
  # here cost 85 s of the suite.


def test_expected_lines_place_each_value_against_the_measured_range(monkeypatch):
  monkeypatch.setattr(quickstart_lib, "EXPECTED", {"mig": (0.5, 0.7), "sap": (0.1, 0.2), "dci": (0.3, 0.4)})
  results = {"step": 1500, "metrics": {"mig": {"mig": 0.6, "elapsed_s": 1.0}, "sap": {"sap": 0.05}}}
  lines = quickstart_lib.expected_lines(results, configured_steps=1500)
  assert lines[1:] == ["    mig    0.50-0.70, this run 0.60 (inside)",
                       "    sap    0.10-0.20, this run 0.05 (below: an unlucky seed, or a changed config)",
                       "    dci    0.30-0.40"]  # not measured by this run
  results["metrics"]["mig"]["mig"] = 0.9
  assert "(above: a lucky seed)" in quickstart_lib.expected_lines(results, 1500)[1]
  assert "not comparable" in quickstart_lib.expected_lines(results, 3000)[-1]
