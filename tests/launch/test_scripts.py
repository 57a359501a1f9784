"""Console scripts: every [project.scripts] entry names a function of `tfdis.launch.scripts` that runs its binary."""

import pathlib
import subprocess
import sys

import pytest

import tfdis
from tfdis.launch import scripts

tomllib = pytest.importorskip("tomllib")  # Python 3.11+


def _scripts():
  with open(pathlib.Path(tfdis.ROOT) / "pyproject.toml", "rb") as f:
    return tomllib.load(f)["project"]["scripts"]


def test_every_script_points_at_a_cli_function_of_a_known_binary():
  entries = _scripts()
  assert set(entries) == {f"tfdis-{name}" for name in scripts.BINARIES}
  for target in entries.values():
    module, function = target.split(":")
    assert module == "tfdis.launch.scripts" and callable(getattr(scripts, function))


def _script(function, *args):
  code = f"import sys; sys.argv = ['x', *{list(args)!r}]; from tfdis.launch import scripts; scripts.{function}()"
  return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                        cwd=tfdis.ROOT)


def test_list_script_runs_the_list_binary():
  done = _script("list_configs", "--section=datasets", "--nometric_names")
  assert done.returncode == 0, done.stderr
  assert done.stdout.startswith("datasets (gin/datasets/):") and "shapes2d.gin" in done.stdout


def test_export_script_requires_export_dir_as_the_module_does():
  done = _script("export", "--model_dir=/nonexistent")
  assert done.returncode != 0 and "export_dir" in done.stderr
