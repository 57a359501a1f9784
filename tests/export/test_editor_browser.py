"""The web editor in headless Chromium (selenium) on a tiny export of every family, all behind one server.

Per family: /?model=NAME draws the SavedModel's decode of the page's code; a slider moved with the keyboard
re-draws it; Download PNG saves exactly the drawn pixels; the traversal grid holds decode(code with one latent
set to each value). Across families: a switch resets every pane. LORD: collapsed sliders, edit by example
equals `transfer`. Screenshots: $TFDIS_TEST_ARTIFACTS, else pytest's temporary folder (the path is printed).
Skipped, saying why, where Chromium, chromedriver or selenium is missing.
"""

import os
import shutil

import filelock
import numpy as np
from PIL import Image
import pytest
import tensorflow as tf

from tests.export import conftest
from tests.export import editor_exports
from tests.export import editor_browser as browser_lib

FAMILIES = sorted(editor_exports.RUNS)
RECORDED_ACTIVITY = [0.5, 2.0, 1.0]  # the β-VAE export's 3 latents, as a copy's metadata records them
# One xdist worker runs the whole file (pytest.ini: --dist loadgroup): the exports are built once, and the
# other worker runs other tests meanwhile instead of waiting on the lock below.
pytestmark = [pytest.mark.skipif(browser_lib.MISSING is not None, reason=browser_lib.MISSING or ""),
              pytest.mark.xdist_group("editor_browser")]


def shared_temp(tmp_path_factory):
  """pytest's temporary folder of this session: the same for every xdist worker."""
  base = tmp_path_factory.getbasetemp()
  return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def export_root(tmp_path_factory):
  """Every family's export under one root, made once per test session (xdist workers share it), or the
  root $TFDIS_EDITOR_EXPORTS names (made by `python -m tests.export.editor_exports ROOT`: ROOT/exports)."""
  shared = shared_temp(tmp_path_factory)
  root = shared / "editor_exports"
  with filelock.FileLock(str(shared / "editor_exports.lock")):
    exports = os.environ.get("TFDIS_EDITOR_EXPORTS") or str(root / "exports")
    if not os.environ.get("TFDIS_EDITOR_EXPORTS") and not (root / "done").exists():
      shutil.rmtree(root, ignore_errors=True)
      editor_exports.export_all(str(root))
      (root / "done").write_text("")
    editor_exports.with_recorded_activity(exports, RECORDED_ACTIVITY)
  return exports


@pytest.fixture(scope="module")
def loaded(export_root):
  return {name: tf.saved_model.load(os.path.join(export_root, name, "1")) for name in FAMILIES}


@pytest.fixture(scope="module")
def page(export_root, tmp_path_factory):
  """A `browser_lib.Page` on Chromium over a server of every family's export."""
  artifacts = os.environ.get("TFDIS_TEST_ARTIFACTS") or str(shared_temp(tmp_path_factory) / "editor_screenshots")
  os.makedirs(artifacts, exist_ok=True)
  print(f"\nEditor screenshots: {artifacts}")
  with conftest.serving(export_root) as server, browser_lib.chromium(str(tmp_path_factory.mktemp("dl"))) as d:
    yield browser_lib.Page(d, "http://%s:%d" % server.server_address[:2], artifacts)


def decode(loaded, code):
  return loaded.signatures["decode"](codes=tf.constant([code], tf.float32))["images"].numpy()[0]


def grey_files(folder, sizes, seed):
  """PNG files of random grey images of `sizes` [(h, w)], and the images as floats in [0, 1] [h, w, 1]."""
  rng, paths, images = np.random.default_rng(seed), [], []
  for k, (h, w) in enumerate(sizes):
    levels = rng.integers(0, 256, (h, w), np.uint8)
    paths.append(str(folder / f"grey_{seed}_{k}.png"))
    Image.fromarray(levels, "L").save(paths[-1])
    images.append(levels[..., None] / 255.0)
  return paths, np.float32(images)


@pytest.mark.parametrize("name", FAMILIES)
def test_model_url_slider_and_download(page, loaded, name):
  page.open(name)
  assert page.js("return [location.search, document.getElementById('model').value]") == [f"?model={name}", name]
  code = page.code()
  np.testing.assert_allclose(page.pixels("edited"), page.eight_bit(decode(loaded[name], code)), atol=1)
  before = page.pixels("edited")
  latent = page.move_first_slider_to_its_end()
  moved = page.code()
  ends = page.js(f"const s = {browser_lib.SLIDERS}[0]; return [+s.min, +s.max]")
  assert moved[latent] in ends and moved[latent] != code[latent]
  assert [c for i, c in enumerate(moved) if i != latent] == [c for i, c in enumerate(code) if i != latent]
  after = page.pixels("edited")
  np.testing.assert_allclose(after, page.eight_bit(decode(loaded[name], moved)), atol=1)
  assert np.any(after != before), "moving a slider to its end changed no drawn pixel"
  png = page.download()
  assert png.shape == after.shape and np.array_equal(png, after)
  page.screenshot(f"{name}_slider")


@pytest.mark.parametrize("name", FAMILIES)
def test_traversal_grid_sweeps_each_latent(page, loaded, name):
  page.open(name)
  code, meta = page.code(), page.js("return state.meta")
  page.click("traverse")
  rows = page.wait("return document.querySelectorAll('#traversalgrid tr').length > 1 && "
                   "[...document.querySelectorAll('#traversalgrid th')].map((th) => th.textContent)")
  dims = page.js("return sliders().map((s) => s.latent)")[:8]  # no activity known: the sliders' order
  ranges = [next(s["range"] for s in meta["latent_layout"] if s["start"] <= d < s["start"] + s["size"])
            for d in dims]
  columns = [f"{v:.2f}" for v in np.linspace(*ranges[0], 7)] if all(r == ranges[0] for r in ranges) else [
      f"value {k + 1}" for k in range(7)]  # headed by the values where every row shares them
  assert rows[1:8] == columns and len(rows) == 8 + len(dims)
  assert all(th.startswith(page.js(f"return latentLabel({d})") + " (") for th, d in zip(rows[8:], dims))
  source = page.js("return document.getElementById('traversalsource').textContent")
  assert source.startswith("the export's traverse") == (name in ("beta_vae", "jl1_vae", "gan")), source
  for r, d in enumerate(dims):
    for k, value in enumerate(np.linspace(*ranges[r], 7)):
      expected = decode(loaded[name], [value if i == d else c for i, c in enumerate(code)])
      cell = page.pixels(f"document.querySelectorAll('#traversalgrid tr')[{r + 1}].querySelectorAll('canvas')[{k}]")
      np.testing.assert_allclose(cell, page.eight_bit(expected), atol=1, err_msg=f"row {r}, column {k}")
  page.screenshot(f"{name}_traversal")


def test_switching_models_resets_every_pane(page, tmp_path):
  order = ["beta_vae", "lord", "gan", "lrli_vae", "mddae", "jl1_vae", "beta_vae"]
  page.open(order[0])
  for previous, name in zip(order, order[1:]):
    meta = page.js("return state.meta")
    if "encode" in meta["signatures"]:  # leave images of the previous model in its panes
      page.upload("file", grey_files(tmp_path, [meta["image_shape"][:2]], seed=1)[0])
      page.wait("return document.getElementById('reconstruction').width > 1 && !state.busy")
    page.click("traverse")
    page.wait("return document.querySelectorAll('#traversalgrid canvas').length > 0")
    page.select(name)
    page.wait_loaded(name)
    assert page.js("return location.search") == f"?model={name}", previous
    blank = ["input", "reconstruction", "sampled", "inpainted"] + (["mask"] if name != "lrli_vae" else [])
    for pane in blank:  # (Lr/Li-VAE's mask pane shows a blank image of its own size to paint on)
      assert not np.any(page.pixels(pane)), f"{pane} still shows {previous}'s image after switching to {name}"
    assert page.js("return [document.querySelectorAll('#traversalgrid tr, #transfergrid canvas').length, "
                   "state.examples.length, document.getElementById('file').value]") == [0, 0, ""]
    assert page.pixels("edited").shape[:2] == tuple(page.js("return state.meta.image_shape")[:2])
    page.screenshot(f"switch_{previous}_to_{name}")


def test_unknown_model_in_the_url_names_the_served_ones(page):
  page.driver.get(page.base + "/?model=nope")
  page.wait_loaded(FAMILIES[0])
  error = page.js("return document.getElementById('error').textContent")
  assert 'No model named "nope"' in error and ", ".join(sorted(FAMILIES + ["beta_vae_activity"])) in error


def test_sliders_order_by_the_activity_the_export_records(page):
  page.open("beta_vae_activity")
  assert page.js("return sliders().map((s) => s.latent)") == [1, 2, 0]
  assert "recorded in the export" in page.js("return document.getElementById('order').textContent")
  page.js("document.getElementById('rows').value = 2")  # the traversal grid's rows: the 2 most active
  page.click("traverse")
  assert page.wait("const th = [...document.querySelectorAll('#traversalgrid th')]; return th.length === 10 && "
                   "th.slice(8).map((h) => h.textContent.split(' ')[0])") == ["z[1]", "z[2]"]


def test_sliders_order_by_the_variance_of_the_given_images(page, loaded, tmp_path):
  page.open("beta_vae")
  paths, images = grey_files(tmp_path, [(16, 16)] * 4, seed=2)
  page.upload("file", paths)
  page.wait("return state.activity !== null")
  codes = loaded["beta_vae"].signatures["encode"](images=images)["codes"].numpy()
  expected = np.argsort(-codes.var(0), kind="stable")
  assert page.js("return sliders().map((s) => s.latent)") == expected.tolist()
  assert "variance of the codes of the 4 images" in page.js("return document.getElementById('order').textContent")


def test_lord_edit_by_example_equals_transfer(page, loaded, tmp_path):
  page.open("lord")
  assert page.js("return [...document.querySelectorAll('#sliders details')].map((d) => d.open)") == [False, False]
  assert page.js("return document.getElementById('transferedits').getBoundingClientRect().top") < 900
  class_paths, class_images = grey_files(tmp_path, [(32, 32)] * 2, seed=3)
  content_paths, content_images = grey_files(tmp_path, [(32, 32)] * 3, seed=4)
  page.upload("classfiles", class_paths)
  page.upload("contentfiles", content_paths)
  page.wait("return document.querySelectorAll('#transfergrid canvas').length === 12")
  lord = loaded["lord"].signatures
  for row, column in [(2, 1), (1, 0), (0, 3)]:  # a cell (class 2, content 1), a class source, a content source
    moved = np.array(click_cell(page, row, column))
    if column:  # the content code of content source `column`
      expected = lord["encode_content"](images=content_images[column - 1:column])["content_codes"].numpy()[0]
      np.testing.assert_allclose(moved[4:], expected, atol=1e-5)
    if row:
      expected = lord["encode_class"](images=class_images[row - 1:row])["class_codes"].numpy()[0]
      np.testing.assert_allclose(moved[:4], expected, atol=1e-5)
    np.testing.assert_allclose(page.pixels("edited"), page.eight_bit(decode(loaded["lord"], moved)), atol=1)
  transferred = lord["transfer"](class_images=class_images[1:2], content_images=content_images[0:1])["images"]
  click_cell(page, 2, 1)
  np.testing.assert_allclose(page.pixels("edited"), page.eight_bit(transferred.numpy()[0]), atol=1)
  page.screenshot("lord_edit_by_example")


def click_cell(page, row, column):
  """Clicks canvas `column` of row `row` of the transfer grid (row 0: content sources); returns the new code."""
  code = page.code()
  page.js(f"document.querySelectorAll('#transfergrid div')[{row}].querySelectorAll('canvas')[{column}].click()")
  return page.wait(f"return !state.busy && !state.pending && state.code.some((c, i) => c !== {code}[i]) && "
                   "state.code")
