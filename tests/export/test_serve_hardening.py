"""One test per weakness the fuzzing found or the review named: each used to answer 5xx, hang, or cost
unbounded memory, and now answers a 4xx JSON error naming the problem while the server keeps serving."""

import json
import os
import socket
import sys
import threading
import time

import pytest

from tfdis.export import model_store
from tfdis.export import serve_lib
from tests.export import conftest
from tests.export import raw_http

PREDICT = "/v1/models/beta_vae:predict"
CODES = [[0.5, -1.0], [2.0, 0.25]]


@pytest.fixture
def send(server):
  """send(path=PREDICT, body=dict|bytes, **raw_http options) -> (status, error text or decoded JSON)."""
  def send_one(path=PREDICT, body=b"", method="POST", **options):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = raw_http.request(server.server_address[:2], method, path, data, **options)
    if answer[0] == 200:
      return 200, json.loads(answer[2])
    return answer[0], raw_http.json_error(answer)
  yield send_one
  assert send_one(body={"signature_name": "decode", "instances": CODES})[0] == 200  # still serving.


def test_integer_with_thousands_of_digits_is_malformed_json_not_500(send):
  status, error = send(body=b'{"signature_name": "decode", "instances": [[' + b"7" * 5000 + b', 0]]}')
  assert status == 400 and error.startswith("Malformed JSON") and "float32" in error


def test_nesting_deeper_than_the_rank_is_refused_before_numpy(send):
  deep = json.loads("[" * 500 + "]" * 500)  # within json's recursion limit, beyond NumPy's 64 dims.
  status, error = send(body={"signature_name": "decode", "instances": deep})
  assert status == 400 and "nested deeper than the signature's shape [-1, 2]" in error


def test_work_over_max_batch_is_413_before_running(server, send, monkeypatch):
  monkeypatch.setattr(server.app, "max_batch", 6)
  assert send(body={"signature_name": "decode", "instances": [[0.0, 0.0]] * 6})[0] == 200
  status, error = send(body={"signature_name": "decode", "instances": [[0.0, 0.0]] * 7})
  assert status == 413 and "asks for 7 examples" in error and "--max_batch" in error
  # traverse_code decodes rows × values images: 2 rows × 4 values = 8 > 6, from a tiny body.
  inputs = {"codes": CODES, "dims": [0, 1], "values": [[0.0] * 4] * 2}
  status, error = send(body={"signature_name": "traverse_code", "inputs": inputs})
  assert status == 413 and "asks for 8 examples" in error


def test_inputs_of_different_batch_sizes_count_as_their_grid(server, send, monkeypatch):
  # codes [6, 2], dims [1], values [1, 6]: no input holds more than 6 examples, but they broadcast to 6 × 6
  # decoded images (1000 × 1000 would be a million).
  monkeypatch.setattr(server.app, "max_batch", 6)
  inputs = {"codes": [[0.0, 0.0]] * 6, "dims": [0], "values": [[0.0] * 6]}
  status, error = send(body={"signature_name": "traverse_code", "inputs": inputs})
  assert status == 413 and "asks for 36 examples (first sizes [1, 6] × 6 per row)" in error


@pytest.mark.parametrize("length", ["\xb2", "9" * 30, "-1", "1e3", ""])
def test_bad_content_length_is_400(send, length):
  status, error = send(body=b"{}", headers={"Content-Length": length})
  assert status == 400 and "Content-Length" in error


def test_body_shorter_than_its_content_length_is_400(send):
  status, error = send(body=b'{"instances": [[0, 0]]}', headers={"Content-Length": "100"}, shut=True)
  assert status == 400 and "received 23 bytes, expected 100" in error


def test_stalled_body_times_out_with_408(exported):
  with conftest.serving(os.path.dirname(os.path.dirname(exported["export_dir"])),
                        request_timeout_s=0.5) as server:
    start = time.monotonic()
    answer = raw_http.request(server.server_address[:2], "POST", PREDICT, b'{"instances":',
                              headers={"Content-Length": "100"})
    assert answer[0] == 408 and "did not arrive within 0.5 s" in raw_http.json_error(answer)
    assert time.monotonic() - start < 5


def test_connections_beyond_max_connections_answer_503_at_once(exported):
  root = os.path.dirname(os.path.dirname(exported["export_dir"]))
  predict = json.dumps({"signature_name": "decode", "instances": CODES}).encode()
  with conftest.serving(root, max_connections=2) as server:
    address = server.server_address[:2]
    holders = [socket.create_connection(address) for _ in range(2)]  # two clients that never finish
    try:
      for holder in holders:
        holder.sendall(b"POST " + PREDICT.encode() + b" HTTP/1.0\r\n")
      time.sleep(0.2)
      start = time.monotonic()
      status, headers, body = raw_http.request(address, "POST", PREDICT, predict)
      assert status == 503 and headers["retry-after"] == "1"
      assert "2 connections are open" in json.loads(body)["error"] and "--max_connections" in body.decode()
      assert time.monotonic() - start < 2  # answered at once, not after a wait.
      holders.pop().close()  # one slot frees: the next client is served.
      time.sleep(0.2)
      status, _, body = raw_http.request(address, "POST", PREDICT, predict)
      assert status == 200 and len(json.loads(body)["predictions"]) == 2
    finally:
      for holder in holders:
        holder.close()
  with pytest.raises(model_store.ServeError, match="must be at least 1"):
    serve_lib.make_server(root, port=0, max_connections=0)


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE", "BREW"])
def test_any_other_method_is_405_json(server, method):
  status, headers, _ = raw_http.request(server.server_address[:2], method, PREDICT, b"")
  assert status == 405 and headers["content-type"] == "application/json"


@pytest.mark.parametrize("request_line", [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.0 extra\r\n\r\n",
                                          b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n"])
def test_protocol_errors_answer_json(server, request_line):
  import socket  # pylint: disable=g-import-not-at-top
  with socket.create_connection(server.server_address[:2], timeout=60) as conn:
    conn.sendall(request_line)
    data = b"".join(iter(lambda: conn.recv(1 << 16), b""))
  answer = raw_http.parse_response(data)
  assert answer[0] in (400, 404, 414, 431) and raw_http.json_error(answer)  # 404: h11 read the long line whole.


def test_long_version_and_long_names_are_404_with_clipped_messages(send):
  status, error = send("/v1/models/beta_vae/versions/" + "9" * 5000 + ":predict", {"instances": CODES})
  assert status == 404 and "Specific(beta_vae, 999" in error and len(error) < 300
  status, error = send(body={"signature_name": "x" * 100000, "instances": CODES})
  assert status == 400 and "not found" in error and len(error) < 400


def test_no_request_string_reaches_the_filesystem(server, send, exported):
  """Path-like model names are looked up in the table of models loaded at start, never joined into a path."""
  root = os.path.dirname(os.path.dirname(exported["export_dir"]))
  events = []
  watching = threading.Event()
  def hook(event, args):
    if watching.is_set() and event in ("open", "os.listdir", "os.scandir", "os.chdir"):
      events.append((event, str(args[0]) if args else ""))
  sys.addaudithook(hook)  # cannot be removed; inert once `watching` is cleared.
  names = ["..", "../..", "../beta_vae", "/etc/passwd", "beta_vae/1/saved_model.pb", "~", "tfdis-probe",
           "..\\..\\windows", "%2e%2e", "beta_vae/../../tfdis-probe"]
  watching.set()
  try:
    for name in names:
      quoted = "".join(f"%{b:02X}" for b in name.encode())
      assert send(f"/v1/models/{quoted}:predict", {"instances": CODES})[0] == 404
      assert send(f"/v1/models/{quoted}/metadata", method="GET")[0] == 404
      assert send(f"/v1/models/{name}/metadata", method="GET")[0] == 404
  finally:
    watching.clear()
  touched = [e for e in events if any(word in e[1] for word in (root, "passwd", "probe", "windows"))]
  assert not touched, touched


def test_export_and_serve_command_lines_import_into_one_process():
  from tfdis.export import export  # pylint: disable=g-import-not-at-top  (defines absl flags on import)
  from tfdis.export import serve  # pylint: disable=g-import-not-at-top
  from absl import flags  # pylint: disable=g-import-not-at-top
  assert export._EXPORT_DIR is serve._EXPORT_DIR  # pylint: disable=protected-access
  assert "EXPORT/NAME/VERSION" in flags.FLAGS["export_dir"].help
