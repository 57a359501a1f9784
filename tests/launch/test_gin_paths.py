"""Gin files found by name from any folder, in a checkout and in the installed layout (tfdis/gin/)."""

import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

import tfdis
from tfdis import runs


@pytest.mark.parametrize("name", ["papers/lord/glyphs.gin", "gin/papers/lord/glyphs.gin"])
def test_paper_config_and_its_includes_resolve_from_another_folder(name, tmp_path, monkeypatch):
  monkeypatch.chdir(tmp_path)
  runs.parse_gin([name], ["TRAIN_STEPS = 2"])
  assert runs.configured("train.model_fn").__name__ == "lord"  # set by an included gin/models file
  assert runs.configured("train.train_steps") == 2


def test_a_missing_file_names_where_it_looked_and_a_valid_form(tmp_path, monkeypatch):
  monkeypatch.chdir(tmp_path)
  with pytest.raises(runs.ConfigError, match=r"papers/lord/glyph\.gin not found .* gin/papers/"):
    runs.parse_gin(["papers/lord/glyph.gin"])


def test_gin_dir_prefers_the_checkout_tree_then_the_installed_copy(tmp_path):
  package = tmp_path / "site" / "tfdis"
  (package / "gin").mkdir(parents=True)
  assert tfdis.gin_dir(package) == package / "gin"  # installed: no gin/ beside the package
  (tmp_path / "site" / "gin").mkdir()
  assert tfdis.gin_dir(package) == tmp_path / "site" / "gin"  # checkout
  assert tfdis.GIN_DIR == pathlib.Path(tfdis.ROOT) / "gin"


def test_the_wheel_ships_every_gin_file_and_editor_asset_inside_tfdis(tmp_path):
  source = tmp_path / "src"  # a copy: the build writes build/ and tfdis.egg-info/ beside setup.py
  for name in ("tfdis", "export", "gin"):
    shutil.copytree(tfdis.ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
  for name in ("pyproject.toml", "setup.py", "README.md"):
    shutil.copy(tfdis.ROOT / name, source / name)
  done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                         "-q", "-w", str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
  assert done.returncode == 0, done.stderr
  names = set(zipfile.ZipFile(next(tmp_path.glob("tfdis-*.whl"))).namelist())
  expected = {f"tfdis/gin/{path.relative_to(tfdis.GIN_DIR)}" for path in tfdis.GIN_DIR.rglob("*.gin")}
  assert len(expected) > 50 and expected <= names
  assert not any(name.startswith("gin/") for name in names)  # no top-level `gin` beside gin-config's
  editor = tfdis.ROOT / "tfdis" / "export" / "editor"
  assert {f"tfdis/export/editor/{path.name}" for path in editor.iterdir()} <= names
  assert not any(name.startswith("export/") for name in names)  # the aliases stay in the checkout
