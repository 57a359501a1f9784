"""Command lines: saved_model_cli shows and runs an export; export.export refuses to overwrite, or exports."""

import json
import os
import shutil
import subprocess
import sys

from absl import flags
import numpy as np
import pytest

from tfdis import ROOT

SIGNATURES = ["encode", "decode", "reconstruct", "traverse", "traverse_code"]
SAVED_MODEL_CLI = ([shutil.which("saved_model_cli")] if shutil.which("saved_model_cli")
                   else [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli"])
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT))


@pytest.fixture(scope="module")
def cli(exported, tmp_path_factory):
  """Runs saved_model_cli show and run at once (each imports TensorFlow): {name: (code, stdout, stderr)}."""
  outdir = str(tmp_path_factory.mktemp("cli_out"))
  version_dir = exported["export_dir"]
  commands = {
      "show": SAVED_MODEL_CLI + ["show", "--all", "--dir", version_dir],
      "run": SAVED_MODEL_CLI + ["run", "--dir", version_dir, "--tag_set", "serve",
                                "--signature_def", "traverse_code", "--outdir", outdir,
                                "--input_exprs", "codes=[[0.5,-0.5]];dims=[1];values=[[-1.0,0.0,2.0]]"],
  }
  processes = {name: subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
               for name, command in commands.items()}
  results = {}
  for name, process in processes.items():
    stdout, stderr = process.communicate(timeout=300)
    results[name] = (process.returncode, stdout, stderr)
  results["outdir"] = outdir
  return results


def test_saved_model_cli_show_lists_the_signatures(cli):
  code, stdout, stderr = cli["show"]
  assert code == 0, stderr
  for name in SIGNATURES + ["serving_default"]:
    assert f"signature_def['{name}']" in stdout
  assert "inputs['dims'] tensor_info:" in stdout and "shape: (-1, -1, 16, 16, 1)" in stdout


def test_saved_model_cli_run_matches_the_saved_model(cli, loaded):
  code, _, stderr = cli["run"]
  assert code == 0, stderr
  images = np.load(os.path.join(cli["outdir"], "images.npy"))
  expected = loaded.signatures["traverse_code"](
      codes=np.array([[0.5, -0.5]], np.float32), dims=np.array([1], np.int32),
      values=np.array([[-1.0, 0.0, 2.0]], np.float32))["images"].numpy()
  assert images.shape == (1, 3, 16, 16, 1)
  np.testing.assert_allclose(images, expected, atol=1e-6)


def test_export_cli_refuses_an_existing_version_in_one_line(exported, capsys):
  from tfdis.export import export  # pylint: disable=g-import-not-at-top  (defines absl flags on import)
  flags.FLAGS(["export", "--model_dir=unused", f"--export_dir={exported['export_dir']}"])
  try:
    with pytest.raises(SystemExit) as exited:
      export.main([])
  finally:
    flags.FLAGS.unparse_flags()
  assert exited.value.code == 1
  stderr = capsys.readouterr().err
  assert stderr.count("\n") == 1 and "error: " in stderr and "already exists: pass --overwrite" in stderr
  assert "--tolerance" not in stderr  # no flag dump (absl prints one for app.UsageError)


@pytest.mark.slow
def test_export_cli_overwrites_when_asked(trained, exported, tmp_path):
  version_dir = str(tmp_path / "beta_vae" / "1")
  shutil.copytree(exported["export_dir"], version_dir)
  os.remove(os.path.join(version_dir, "tflite", "decode.tflite"))
  launcher = ("import sys, tests.conftest; from absl import app; from tfdis.export import export; "
              "sys.argv[0] = 'export'; app.run(export.main)")  # tests.conftest registers tiny_images.
  done = subprocess.run([sys.executable, "-c", launcher, f"--model_dir={trained[0]}",
                         f"--export_dir={version_dir}", "--overwrite"],
                        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
  assert done.returncode == 0, done.stderr
  assert json.loads(done.stdout)["export_dir"] == version_dir
  assert os.path.isfile(os.path.join(version_dir, "tflite", "decode.tflite"))
  assert os.listdir(tmp_path / "beta_vae") == ["1"]


@pytest.mark.parametrize("alias, program", [("export.export", "tfdis.export.export"),
                                            ("export.serve", "tfdis.export.serve")])
def test_the_old_module_names_run_the_same_binaries(alias, program, tmp_path):
  argv = ["--export_dir=" + str(tmp_path / "missing" / "m" / "1"), "--model_dir=" + str(tmp_path / "none")]
  if program.endswith("serve"):
    argv = ["--export_dir=" + str(tmp_path / "missing")]
  answers = [subprocess.run([sys.executable, "-m", name, *argv], cwd=ROOT, env=ENV, capture_output=True,
                            text=True, timeout=120) for name in (alias, program)]
  assert answers[0].returncode == answers[1].returncode == 1
  assert answers[0].stderr.strip().splitlines()[-1] == answers[1].stderr.strip().splitlines()[-1]
  assert str(tmp_path) in answers[0].stderr
