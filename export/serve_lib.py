"""A small TF-Serving-compatible REST server over exported models, with a web editor page at `/`.

  GET  /v1/models/NAME[/versions/N]            model status
  GET  /v1/models/NAME[/versions/N]/metadata   signature_def (TF Serving's JSON) + tfdis metadata
  POST /v1/models/NAME[/versions/N]:predict    {"signature_name", "instances" | "inputs"}
  GET  /                                       the latent editor (export/editor_page.py)

Each NAME under the export folder is served at its newest numeric VERSION. Errors are {"error": "..."} with
a 4xx status; a request that fails inside the server answers 500 and the server keeps serving.

Limits: request bodies over `max_body_bytes` answer 413, as do predicts asking for more than `max_batch`
examples (`rest_api.predict`); a client that stalls mid-request is dropped after `REQUEST_TIMEOUT_S` (408);
protocol errors and unknown methods answer in JSON too. At most `max_connections` connections are
served at once (each holds a thread and its body in memory); one more waits up to `SLOT_WAIT_S` for a free
slot and is then answered 503. Models are found once, at start, by listing the
export folder: names and versions in a request are only looked up in that table, never joined into a path.
"""

import dataclasses
import http
import http.server
import json
import os
import re
import threading
import urllib.parse

from absl import logging
from google.protobuf import json_format
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

from export import editor_page
from export import export_lib
from export import rest_api

DEFAULT_MAX_BODY_BYTES = 32 * 2**20
REQUEST_TIMEOUT_S = 30
DEFAULT_MAX_CONNECTIONS = 64
SLOT_WAIT_S = 10
_MODEL_PATH = re.compile(
    r"^/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+))?(?P<suffix>/metadata|:predict)?$")


class ServeError(RuntimeError):
  """The server cannot start: the export folder holds nothing to serve, or a setting is out of range."""


@dataclasses.dataclass
class ServedModel:
  """One model at the version being served."""
  name: str
  version: int
  path: str
  signatures: object  # `loaded.signatures` of tf.saved_model.load(path)
  signature_defs: dict  # {name: SignatureDef as TF Serving's JSON}
  metadata: dict  # assets/tfdis_metadata.json ({} if absent)


def discover(export_dir):
  """Loads the newest version of each EXPORT/NAME/VERSION (or of EXPORT itself if it is a NAME folder)."""
  root = os.path.abspath(export_dir)
  if _versions(root):
    folders = {os.path.basename(root): root}
  else:
    names = sorted(os.listdir(root)) if os.path.isdir(root) else []
    folders = {n: os.path.join(root, n) for n in names if _versions(os.path.join(root, n))}
  if not folders:
    raise ServeError(f"No SavedModel under {export_dir}: expected EXPORT/NAME/VERSION/saved_model.pb "
                     "(python -m export.export writes one).")
  return {name: load(name, folder, max(_versions(folder))) for name, folder in folders.items()}


def _versions(folder):
  if not os.path.isdir(folder):
    return []
  return [int(v) for v in os.listdir(folder)
          if v.isdigit() and os.path.isfile(os.path.join(folder, v, "saved_model.pb"))]


def load(name, folder, version):
  """Loads EXPORT/NAME/VERSION as a `ServedModel`."""
  path = os.path.join(folder, str(version))
  logging.info("Loading %s version %d from %s.", name, version, path)
  metadata_path = os.path.join(path, export_lib.METADATA_PATH)
  metadata = {}
  if os.path.isfile(metadata_path):
    with open(metadata_path) as f:
      metadata = json.load(f)
  return ServedModel(name, version, path, tf.saved_model.load(path).signatures, signature_defs(path),
                     metadata)


def signature_defs(path):
  """The SignatureDefs of a SavedModel's serving graph, in TF Serving's JSON form."""
  saved_model = saved_model_pb2.SavedModel()
  with open(os.path.join(path, "saved_model.pb"), "rb") as f:
    saved_model.ParseFromString(f.read())
  graph = next(g for g in saved_model.meta_graphs if "serve" in g.meta_info_def.tags)
  return {key: json_format.MessageToDict(value, always_print_fields_with_no_presence=True,
                                         preserving_proto_field_name=True)
          for key, value in sorted(graph.signature_def.items()) if not key.startswith("__")}


class App:
  """Routes requests to the models; returns (status, JSON-able body or HTML string)."""

  def __init__(self, models, max_batch=rest_api.DEFAULT_MAX_BATCH):
    self.models = models
    self.max_batch = max_batch

  def get(self, path):
    path = urllib.parse.urlsplit(path).path
    if path in ("/", "/index.html"):
      return 200, editor_page.render(sorted(self.models))
    model, suffix = self._match(path)
    if suffix == ":predict":
      raise rest_api.RestError("Use POST for :predict.", 405)
    if suffix == "/metadata":
      return 200, self.metadata(model)
    return 200, {"model_version_status": [{
        "version": str(model.version), "state": "AVAILABLE",
        "status": {"error_code": "OK", "error_message": ""}}]}

  def post(self, path, body):
    model, suffix = self._match(urllib.parse.urlsplit(path).path)
    if suffix != ":predict":
      raise rest_api.RestError(f"POST is only for :predict, not {rest_api.clip(path)}.", 405)
    return 200, rest_api.predict(model.signatures, rest_api.parse_json(body), self.max_batch)

  def metadata(self, model):
    return {"model_spec": {"name": model.name, "signature_name": "", "version": str(model.version)},
            "metadata": {"signature_def": {"signature_def": model.signature_defs}, "tfdis": model.metadata}}

  def _match(self, path):
    match = _MODEL_PATH.match(path)
    if not match:
      raise rest_api.RestError(f"Malformed request: no such path {rest_api.clip(path)}.", 404)
    name, version = urllib.parse.unquote(match["name"]), match["version"]
    model = self.models.get(name)
    if model is None:
      raise rest_api.RestError(f"Servable not found for request: Latest({rest_api.clip(name)}); serving "
                               f"{', '.join(sorted(self.models))}.", 404)
    if version is not None and (len(version) > 18 or int(version) != model.version):
      raise rest_api.RestError(f"Servable not found for request: Specific({name}, {rest_api.clip(version)}); "
                               f"serving version {model.version}.", 404)
    return model, match["suffix"]


class Handler(http.server.BaseHTTPRequestHandler):
  """HTTP front of `App`: JSON in and out, every failure answered, never raised."""

  server_version = "tfdis-serve"
  timeout = REQUEST_TIMEOUT_S  # socket timeout: a stalled client frees its thread.
  default_request_version = "HTTP/1.0"  # not 0.9: a malformed request line still gets status and headers.

  def do_GET(self):  # pylint: disable=invalid-name
    self._answer(lambda: self.server.app.get(self.path))

  def do_POST(self):  # pylint: disable=invalid-name
    self._answer(lambda: self.server.app.post(self.path, self._read_body()))

  def _refuse(self):
    self._answer(self._unsupported)

  def _unsupported(self):
    raise rest_api.RestError(f"{self.command} is not supported: use GET or POST.", 405)

  do_PUT = do_DELETE = do_PATCH = _refuse

  def __getattr__(self, name):
    if name.startswith("do_"):  # HEAD, OPTIONS, made-up methods: 405 in JSON, not http.server's 501 page.
      return self._refuse
    raise AttributeError(name)

  def send_error(self, code, message=None, explain=None):
    """http.server's own refusals (bad request line, header too long, ...) as {"error": ...} JSON."""
    self.close_connection = True
    try:
      text = message or http.HTTPStatus(code).phrase
    except ValueError:
      text = "Error"
    self._send(code, {"error": f"{text}{': ' + explain if explain else ''}"})

  def _read_body(self):
    length = self.headers.get("Content-Length")
    if length is None:
      raise rest_api.RestError("A POST needs a Content-Length header.", 411)
    length = length.strip()
    if not (length.isascii() and length.isdigit()) or len(length) > 18:
      raise rest_api.RestError(f"Bad Content-Length {rest_api.clip(length)}: give the body's size in bytes.")
    if int(length) > self.server.max_body_bytes:
      self._drain(int(length))
      raise rest_api.RestError(f"Request body of {length} bytes exceeds the limit of "
                               f"{self.server.max_body_bytes} bytes (serve's --max_body_mb).", 413)
    try:
      body = self.rfile.read(int(length))
    except TimeoutError as e:
      self.close_connection = True
      raise rest_api.RestError(f"The request body did not arrive within {self.timeout} s.", 408) from e
    if len(body) < int(length):
      raise rest_api.RestError(f"The body ended after {len(body)} of the {length} bytes of its "
                               "Content-Length.")
    return body

  def _drain(self, length, cap=8 * DEFAULT_MAX_BODY_BYTES):
    """Reads and drops a refused body (up to `cap`), so that the client gets the answer, not a reset."""
    self.close_connection = True
    remaining = min(length, cap)
    try:
      while remaining > 0:
        chunk = self.rfile.read(min(remaining, 2**16))
        if not chunk:
          break
        remaining -= len(chunk)
    except TimeoutError:
      pass

  def _answer(self, route):
    try:
      status, body = route()
    except rest_api.RestError as e:
      status, body = e.status, {"error": str(e)}
    except Exception as e:  # pylint: disable=broad-except  (one bad request must not stop the server)
      logging.exception("Internal error on %s %s", self.command, self.path)
      status, body = 500, {"error": f"Internal error: {type(e).__name__}: {rest_api.clip(str(e), 300)}"}
    self._send(status, body)

  def _send(self, status, body):
    if isinstance(body, str):
      payload, content_type = body.encode("utf-8"), "text/html; charset=utf-8"
    else:
      payload, content_type = json.dumps(body).encode("utf-8"), "application/json"
    self.send_response(status)
    self.send_header("Content-Type", content_type)
    self.send_header("Content-Length", str(len(payload)))
    self.end_headers()
    self.wfile.write(payload)

  def log_message(self, format, *args):  # pylint: disable=redefined-builtin
    logging.info("%s %s", self.address_string(), format % args)


class Server(http.server.ThreadingHTTPServer):
  """One thread per connection, at most `max_connections` at once; a listen backlog deep enough for dozens
  of clients connecting at once."""
  daemon_threads = True
  request_queue_size = 128  # socketserver's 5 drops SYNs under 32 concurrent clients (1 s retransmits).

  def __init__(self, address, handler, max_connections=DEFAULT_MAX_CONNECTIONS):
    if max_connections < 1:
      raise ServeError(f"max_connections must be at least 1, got {max_connections}.")
    self.max_connections = max_connections
    self.slot_wait_s = SLOT_WAIT_S
    self._slots = threading.BoundedSemaphore(max_connections)
    super().__init__(address, handler)

  def process_request(self, request, client_address):
    """Starts the connection's thread once a slot is free; answers 503 if none frees within `slot_wait_s`.

    Without the cap, every connection got a thread and could hold a body of up to `max_body_bytes`: a
    thousand slow clients were a thousand threads and gigabytes of memory.
    """
    if not self._slots.acquire(timeout=self.slot_wait_s):
      self._refuse_busy(request)
      return
    try:
      super().process_request(request, client_address)
    except BaseException:
      self._slots.release()
      raise

  def process_request_thread(self, request, client_address):
    try:
      super().process_request_thread(request, client_address)
    finally:
      self._slots.release()

  def _refuse_busy(self, request):
    body = json.dumps({"error": f"The server is busy: all {self.max_connections} connections are in use "
                                f"(serve's --max_connections). Retry shortly."}).encode("utf-8")
    head = (f"HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("ascii")
    try:
      request.settimeout(1.0)
      request.sendall(head + body)
    except OSError:
      pass  # the client left; nothing to answer.
    self.shutdown_request(request)


def make_server(export_dir, host="127.0.0.1", port=8501, max_body_bytes=DEFAULT_MAX_BODY_BYTES,
                max_batch=rest_api.DEFAULT_MAX_BATCH, max_connections=DEFAULT_MAX_CONNECTIONS):
  """A `ThreadingHTTPServer` serving the models under `export_dir`; call `serve_forever()` on it.

  Args:
    export_dir: EXPORT (holding NAME/VERSION folders) or one EXPORT/NAME folder.
    host: address to bind; 127.0.0.1 keeps the server local.
    port: TCP port; 0 picks a free one (read it from `server.server_address`).
    max_body_bytes: larger request bodies are refused with 413.
    max_batch: predicts asking for more examples (see `rest_api.predict`) are refused with 413.
    max_connections: connections served at once; one more waits up to `SLOT_WAIT_S`, then answers 503.
  """
  app = App(discover(export_dir), max_batch)
  server = Server((host, port), Handler, max_connections)
  server.app = app
  server.max_body_bytes = max_body_bytes
  return server
