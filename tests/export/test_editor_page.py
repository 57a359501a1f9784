"""tfdis/export/editor_page.py: the page is index.html with the editor's style and scripts inlined, the served
models' names escaped, and the assets shipped as package data."""

import os

import pytest

from tfdis import ROOT
from tfdis.export import editor_page

ASSET_DIR = os.path.join(ROOT, "tfdis", "export", editor_page.ASSETS)


def test_render_inlines_every_asset_once_and_the_model_names():
  page = editor_page.render(["beta_vae", "lord"])
  assert page.startswith("<!doctype html>") and page.count("<script>") == 1 and page.count("<style>") == 1
  for name in (editor_page.STYLE, *editor_page.SCRIPTS):
    assert page.count(editor_page.asset(name)) == 1, name
  core, views = (page.index(editor_page.asset(name)) for name in editor_page.SCRIPTS)
  assert page.index('const MODELS = ["beta_vae", "lord"];') < core < views < page.index("start();")
  assert "__" not in page.split("<script>")[0] and "/*__" not in page  # no marker left
  assert "http://" not in page and "https://" not in page and "<script src" not in page  # works offline


def test_a_model_name_cannot_close_the_script():
  page = editor_page.render(['</script><script>alert(1)</script>', "__MODELS__"])
  assert page.count("</script>") == 1
  assert '["\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", "__MODELS__"]' in page


def test_a_damaged_page_template_names_the_missing_marker(monkeypatch):
  monkeypatch.setattr(editor_page, "asset", lambda name: "<html></html>" if name == "index.html" else "")
  with pytest.raises(RuntimeError, match=r"index.html must hold /\*__STYLE__\*/ once; reinstall tfdis"):
    editor_page.render(["m"])


def test_the_page_names_every_asset_file():
  # tests/launch/test_gin_paths.py checks that the wheel ships every file of this folder.
  assert {"index.html", editor_page.STYLE, *editor_page.SCRIPTS} == set(os.listdir(ASSET_DIR))
