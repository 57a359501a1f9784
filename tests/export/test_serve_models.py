"""Model loading: broken version folders are skipped and reported, version labels (labels.json and
--version_labels) on TF Serving's paths, and metadata without absolute local paths."""

import json
import logging
import os
import shutil

import pytest

from tfdis.export import model_store
from tfdis.export import serve_lib
from tests.export import conftest
from tests.export import raw_http
from tests.export import toy_model

ROW = {"signature_name": "scale", "instances": [[1.0, 2.0, 3.0]]}


def _get(server, path):
  answer = raw_http.request(server.server_address, "GET", path)
  return answer[0], json.loads(answer[2])


def _scale(server, path):
  """The factor the served version multiplies by (the toy export of version v scales by v)."""
  answer = raw_http.request(server.server_address, "POST", path, json.dumps(ROW).encode())
  assert answer[0] == 200, answer[2][:300]
  return json.loads(answer[2])["predictions"][0]["y"][0]


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
  """EXPORT/toy with good versions 1, 2 and 3 (scaling by 1, 2, 3), 4 without variables/ and 5 garbage."""
  root = tmp_path_factory.mktemp("versions")
  for version in (1, 2, 3):
    toy_model.write_toy(root, version=version, scale=float(version))
  shutil.copytree(root / "toy" / "3", root / "toy" / "4")
  shutil.rmtree(root / "toy" / "4" / "variables")
  (root / "toy" / "5").mkdir()
  (root / "toy" / "5" / "saved_model.pb").write_bytes(b"not a protocol buffer \x00\xff" * 10)
  return root


def test_broken_newest_versions_are_skipped_logged_and_reported(versions, caplog):
  with caplog.at_level(logging.WARNING):
    with conftest.serving(str(versions)) as server:
      assert _scale(server, "/v1/models/toy:predict") == 3.0  # the newest version that loads
      status, body = _get(server, "/v1/models/toy")
      states = {s["version"]: (s["state"], s["status"]["error_code"]) for s in body["model_version_status"]}
      assert status == 200 and states == {"5": ("END", "DATA_LOSS"), "4": ("END", "NOT_FOUND"),
                                          "3": ("AVAILABLE", "OK")}
      status, body = _get(server, "/v1/models/toy/versions/4")
      assert body["model_version_status"][0]["status"]["error_message"].startswith("4/variables/ is missing")
      answer = raw_http.request(server.server_address, "POST", "/v1/models/toy/versions/5:predict",
                                json.dumps(ROW).encode())
      assert answer[0] == 404 and "not loaded: DecodeError" in raw_http.json_error(answer)
  logged = " ".join(r.getMessage() for r in caplog.records)
  assert "Skipping toy version 5" in logged and "Skipping toy version 4" in logged
  assert str(versions) not in json.dumps(body)  # reasons quote no local path.


def test_nothing_that_loads_is_a_clear_start_error(versions, tmp_path):
  shutil.copytree(versions / "toy" / "4", tmp_path / "toy" / "4")
  with pytest.raises(model_store.ServeError, match="No version under .* loads: toy/4: 4/variables/ is missing"):
    serve_lib.make_server(str(tmp_path), port=0)


def test_labels_json_and_version_labels_on_tf_serving_paths(versions, tmp_path):
  root = tmp_path / "export"
  shutil.copytree(versions, root)
  (root / "toy" / "labels.json").write_text(json.dumps({"stable": 1, "canary": 2}))
  labels = serve_lib.parse_version_labels("toy:canary=3,toy:old=1")
  with conftest.serving(str(root), version_labels=labels) as server:
    assert _scale(server, "/v1/models/toy/labels/stable:predict") == 1.0
    assert _scale(server, "/v1/models/toy/labels/canary:predict") == 3.0  # the flag overrides labels.json
    assert _scale(server, "/v1/models/toy/versions/1:predict") == 1.0
    assert _scale(server, "/v1/models/toy:predict") == 3.0
    status, body = _get(server, "/v1/models/toy/labels/old/metadata")
    assert status == 200 and body["model_spec"]["version"] == "1"
    status, body = _get(server, "/v1/models/toy/labels/stable")
    assert [s["version"] for s in body["model_version_status"]] == ["1"]
    status, body = _get(server, "/v1/models/toy/labels/nope")
    assert status == 404 and "label: nope" in body["error"] and "['canary', 'old', 'stable']" in body["error"]
    status, body = _get(server, "/v1/models/toy/versions/2")  # labelled in labels.json only, overridden
    assert status == 404
  with pytest.raises(model_store.ServeError, match="NAME:LABEL=VERSION"):
    serve_lib.parse_version_labels("toy:stable")


def test_a_bad_labels_file_is_a_start_error(versions, tmp_path):
  shutil.copytree(versions / "toy" / "1", tmp_path / "toy" / "1")
  (tmp_path / "toy" / "labels.json").write_text('{"stable": "one"}')
  with pytest.raises(model_store.ServeError, match="must map labels to versions"):
    model_store.discover(str(tmp_path))


def test_redact_keeps_paths_inside_the_export_relative_and_hides_the_rest():
  text = ("model_dir = '/home/ann/runs/vae', ckpt /srv/x/1/variables/v.index, ratio 1/2, "
          "url http://host/a/b, C:\\Users\\ann\\run.gin")
  assert model_store.redact({"a": [text]}, "/srv/x/1") == {"a": [
      "model_dir = '<redacted>/vae', ckpt variables/v.index, ratio 1/2, url http://host/a/b, "
      "<redacted>/run.gin"]}


def test_served_metadata_holds_no_absolute_local_path(call, trained, exported):
  status, body = call("/v1/models/beta_vae/metadata")
  text = json.dumps(body)
  model_dir = os.path.abspath(trained[0])
  assert status == 200 and model_dir not in text and os.path.dirname(exported["export_dir"]) not in text
  source = body["metadata"]["tfdis"]["source"]
  assert source["model_dir"] == "<redacted>/" + os.path.basename(model_dir)
  assert not os.path.isabs(source["checkpoint"]) and source["checkpoint"].endswith("ckpt-2")
  assert body["metadata"]["tfdis"]["gin_config"]  # the gin config is still served
