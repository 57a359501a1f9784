"""The quick start, shrunk: trains, writes every artifact it reports, and resumes when re-run."""

import os

from tfdis.launch import quickstart_lib

SHRINK = ["BATCH_SIZE = 4", "CHECKPOINT_EVERY = 2"]
EVAL = ["evaluate.num_train = 100", "evaluate.num_test = 50"]


def test_quickstart_reports_existing_artifacts(tmp_path):
  lines = []
  artifacts = quickstart_lib.run(str(tmp_path), train_steps=2, extra_bindings=SHRINK, eval_bindings=EVAL,
                                 out=lines.append)
  assert "trained beta_vae for 2 steps" in lines[0]
  for key in ("checkpoint", "operative_config", "tensorboard", "traversal", "results", "export"):
    assert os.path.exists(artifacts[key]), key
    assert any(artifacts[key] in line for line in lines), key
  assert any(line.strip().startswith("mig ") for line in lines)
  lines.clear()
  quickstart_lib.run(str(tmp_path), train_steps=3, extra_bindings=SHRINK, eval_bindings=EVAL,
                     out=lines.append)
  assert "for 3 steps" in lines[0]
  assert os.path.exists(os.path.join(tmp_path, "export", "beta_vae", "3", "saved_model.pb"))
