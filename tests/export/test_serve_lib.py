"""The REST server: TF Serving's status, metadata and predict (both formats), errors, and the editor page."""

import json
import os
import shutil
import subprocess
import sys
import urllib.request

import numpy as np
import pytest

from tfdis.export import editor_page
from tfdis.export import model_store
from tests.export import conftest
from tfdis import ROOT

SIGNATURES = ["encode", "decode", "reconstruct", "traverse", "traverse_code"]
PREDICT = "/v1/models/beta_vae:predict"
CODES = [[0.5, -1.0], [2.0, 0.25]]


def test_model_status_like_tf_serving(server, call):
  assert server.server_address[0] == "127.0.0.1"  # the fixture names no host: local by default.
  expected = {"model_version_status": [{"version": "1", "state": "AVAILABLE",
                                        "status": {"error_code": "OK", "error_message": ""}}]}
  assert call("/v1/models/beta_vae") == (200, expected)
  assert call("/v1/models/beta_vae/versions/1") == (200, expected)


def test_metadata_has_signature_defs_and_tfdis_metadata(call):
  status, body = call("/v1/models/beta_vae/metadata")
  assert status == 200 and body["model_spec"] == {"name": "beta_vae", "signature_name": "", "version": "1"}
  defs = body["metadata"]["signature_def"]["signature_def"]
  assert sorted(defs) == sorted(SIGNATURES + ["serving_default"])
  codes = defs["decode"]["inputs"]["codes"]
  assert codes["dtype"] == "DT_FLOAT" and [d["size"] for d in codes["tensor_shape"]["dim"]] == ["-1", "2"]
  assert defs["traverse"]["method_name"] == "tensorflow/serving/predict"
  assert body["metadata"]["tfdis"]["family"] == "beta_vae"


def test_predict_row_format_matches_the_saved_model(call, loaded):
  expected = loaded.signatures["decode"](codes=np.array(CODES, np.float32))["images"].numpy()
  status, body = call(PREDICT, {"signature_name": "decode", "instances": CODES})
  assert status == 200
  np.testing.assert_array_equal(np.array(body["predictions"], np.float32), expected)
  named = [{"codes": code} for code in CODES]  # instances may also name the single input.
  assert call(PREDICT, {"signature_name": "decode", "instances": named}) == (200, body)


def test_predict_columnar_format_on_versioned_path(call, loaded):
  inputs = {"codes": CODES, "dims": [0, 1], "values": [[-1.0, 1.0, 3.0], [0.0, 0.5, 1.0]]}
  expected = loaded.signatures["traverse_code"](
      codes=np.array(CODES, np.float32), dims=np.array([0, 1], np.int32),
      values=np.array(inputs["values"], np.float32))["images"].numpy()
  status, body = call("/v1/models/beta_vae/versions/1:predict",
                      {"signature_name": "traverse_code", "inputs": inputs})
  assert status == 200 and list(body) == ["outputs"]
  np.testing.assert_array_equal(np.array(body["outputs"], np.float32), expected)
  rows = [{"codes": CODES[i], "dims": inputs["dims"][i], "values": inputs["values"][i]} for i in range(2)]
  status, body = call(PREDICT, {"signature_name": "traverse_code", "instances": rows})
  np.testing.assert_array_equal(np.array(body["predictions"], np.float32), expected)


def test_default_signature_is_encode(call, loaded):
  image = np.random.default_rng(0).uniform(size=(1, 16, 16, 1)).astype(np.float32)
  status, body = call(PREDICT, {"inputs": image.tolist()})
  assert status == 200
  np.testing.assert_array_equal(np.array(body["outputs"], np.float32),
                                loaded.signatures["encode"](images=image)["codes"].numpy())


BAD_REQUESTS = [  # (path, body, status, words in the error)
    ("/v1/models/nope:predict", {"instances": CODES}, 404, "Servable not found"),
    ("/v1/models/beta_vae/versions/7:predict", {"instances": CODES}, 404, "Specific(beta_vae, 7)"),
    (PREDICT, {"signature_name": "nope", "instances": CODES}, 400, '"nope" not found'),
    (PREDICT, b"{not json", 400, "Malformed JSON"),
    (PREDICT, b"[1, 2]", 400, "JSON object"),
    (PREDICT, b'{"signature_name": "decode", "instances": [[NaN, 0]]}', 400, "NaN"),
    (PREDICT, {"signature_name": "decode", "instances": [[0, 0, 0]]}, 400, "shape [1, 3]"),
    (PREDICT, {"signature_name": "decode", "instances": [[0, 0], [0]]}, 400, "ragged"),
    (PREDICT, {"signature_name": "decode", "instances": [["a", "b"]]}, 400, "numbers"),
    (PREDICT, {"signature_name": "decode", "instances": [[1e39, 0]]}, 400, "finite"),
    (PREDICT, {"signature_name": "decode", "instances": []}, 400, "non-empty"),
    (PREDICT, {"signature_name": "decode", "instances": CODES, "inputs": CODES}, 400, "exactly one"),
    (PREDICT, {"signature_name": "traverse_code", "inputs": {"codes": CODES, "dims": [0.5, 1],
                                                             "values": [[0], [1]]}}, 400, "integers"),
    (PREDICT, {"signature_name": "traverse_code", "inputs": {"codes": CODES}}, 400, "missing inputs"),
    (PREDICT, {"signature_name": "traverse_code", "instances": CODES}, 400, "instances[0] must be an object"),
    ("/v1/models/beta_vae/metadata", {"instances": CODES}, 405, "only for :predict"),
    ("/v1/nothing", {"instances": CODES}, 404, "no such path"),
]


@pytest.mark.parametrize("path,body,status,words", BAD_REQUESTS)
def test_bad_requests_get_4xx_json_and_the_server_keeps_serving(call, path, body, status, words):
  code, answer = call(path, body)
  assert code == status and words in answer["error"]
  assert call("/v1/models/beta_vae")[0] == 200


def test_methods_and_body_limits(server, call, monkeypatch):
  assert call(PREDICT)[0] == 405  # GET on :predict.
  assert call("/v1/models/beta_vae", method="DELETE")[0] == 405
  monkeypatch.setattr(server, "max_body_bytes", 100)
  code, answer = call(PREDICT, {"signature_name": "decode", "instances": [[0.0, 0.0]] * 50})
  assert code == 413 and "exceeds the limit of 100 bytes" in answer["error"]
  assert call("/v1/models/beta_vae")[0] == 200


def test_internal_failure_is_a_500_and_the_server_keeps_serving(server, call, monkeypatch):
  def broken(path, body):
    raise RuntimeError("disk on fire")
  monkeypatch.setattr(server.app, "prepare", broken)
  assert call(PREDICT, {"instances": CODES}) == (500, {"error": "Internal error: RuntimeError: disk on fire"})
  monkeypatch.undo()
  assert call(PREDICT, {"signature_name": "decode", "instances": CODES})[0] == 200


def test_newest_version_of_each_model_is_served(exported, tmp_path):
  shutil.copytree(exported["export_dir"], tmp_path / "vae" / "2")
  shutil.copytree(exported["export_dir"], tmp_path / "vae" / "10")
  (tmp_path / "vae" / "11").mkdir()  # no saved_model.pb: not a version.
  (tmp_path / "vae" / ".12.tmp-abc").mkdir()  # an export in progress.
  models = model_store.discover(str(tmp_path))
  assert list(models) == ["vae"] and list(models["vae"].versions) == [10] and models["vae"].latest.version == 10
  assert model_store.discover(str(tmp_path / "vae"))["vae"].latest.version == 10
  with pytest.raises(model_store.ServeError, match="No SavedModel"):
    model_store.discover(str(tmp_path / "vae" / "11"))


def test_editor_page_is_self_contained_with_its_controls(call):
  status, page = call("/")
  assert status == 200 and page.startswith("<!doctype html>")
  for control in ('<select id="model">', '<input type="file" id="file"', '<button id="random">',
                  '<div id="sliders">', '<canvas id="input">', '<canvas id="reconstruction">',
                  '<canvas id="edited">', 'type: "range"', ':predict', 'const MODELS = ["beta_vae"];'):
    assert control in page
  assert "http://" not in page and "https://" not in page and "<script src" not in page
  assert "\\u003c/script\\u003e" in editor_page.render(["</script>"])


@conftest.needs_node
def test_editor_script_decodes_the_slider_code_through_the_api(server, loaded, tmp_path):
  states = conftest.play_editor(server, tmp_path, "sliders")
  assert [s["error"] for s in states] == ["", ""] and states[0]["options"] == ["beta_vae"]
  assert states[0]["upload_hidden"] is False  # a family with `encode` offers image upload
  for state in states:  # no `transfer_grid`, `sample` or `inpaint`: those sections stay hidden.
    assert state["transfer_hidden"] is True and state["class_edits_hidden"] is True
  assert states[1]["sliders"][0] == 1.5 and states[1]["sliders"][1] == states[0]["sliders"][1]
  for state in states:  # the page decodes the sliders' code and draws the answer as 8-bit grey levels.
    assert state["decode"]["codes"] == [state["sliders"]]
    answer = np.array(state["decode"]["images"])
    expected = loaded.signatures["decode"](codes=np.array([state["sliders"]], np.float32))["images"]
    np.testing.assert_allclose(answer, expected.numpy(), atol=1e-6)
    np.testing.assert_array_equal(state["pixels"], conftest.eight_bit(answer).ravel())


@pytest.mark.slow
def test_serve_command_line_answers_then_stops(exported):
  root = os.path.dirname(os.path.dirname(exported["export_dir"]))
  process = subprocess.Popen([sys.executable, "-m", "tfdis.export.serve", f"--export_dir={root}", "--port=0"],
                             cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
  try:
    line = process.stdout.readline()  # "Serving beta_vae on http://127.0.0.1:PORT/"
    assert line.startswith("Serving beta_vae on http://127.0.0.1:")
    with urllib.request.urlopen(line.split()[-1] + "v1/models/beta_vae", timeout=60) as response:
      assert json.load(response)["model_version_status"][0]["state"] == "AVAILABLE"
  finally:
    process.terminate()
    process.wait(timeout=60)
