"""The routes of a TF-Serving-compatible REST server; the HTTP side is tfdis/export/http_front.py, the models it
serves are loaded by tfdis/export/model_store.py.

  GET  /v1/models/NAME[/versions/N | /labels/LABEL]            model status (TF Serving's model_version_status)
  GET  /v1/models/NAME[/versions/N | /labels/LABEL]/metadata   signature_def (TF Serving's JSON) + tfdis metadata
  POST /v1/models/NAME[/versions/N | /labels/LABEL]:predict    {"signature_name", "instances" | "inputs"}
  GET  /                                                       the latent editor (tfdis/export/editor_page.py)

Models are found once, at start, by listing the export folder: each NAME is served at its newest version
that loads, plus every version a label names (`labels.json` in EXPORT/NAME, {"stable": 1, ...}, or serve's
--version_labels). A version folder that does not load (no variables/, a garbage saved_model.pb, ...) is
skipped with a logged reason and reported by the status endpoint (state END, its error). Names, versions and
labels in a request are only looked up in that table, never joined into a path. The served metadata never
holds an absolute local path: paths inside the export are made relative to it, others are redacted.
"""

import errno
import re
import urllib.parse

from tfdis.export import editor_page
from tfdis.export import http_front
from tfdis.export import model_store
from tfdis.export import rest_api

DEFAULT_MAX_BODY_BYTES = 32 * 2**20
_MODEL_PATH = re.compile(r"^/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+)|/labels/(?P<label>[^/:]+))?"
                         r"(?P<suffix>/metadata|:predict)?$")


class App:
  """Routes requests to the models; returns (status, JSON-able body or HTML string)."""

  def __init__(self, models, max_batch=rest_api.DEFAULT_MAX_BATCH):
    self.models = models
    self.max_batch = max_batch

  def get(self, path):
    if path in ("/", "/index.html"):
      return 200, editor_page.render(sorted(self.models))
    model, version, suffix = self._match(path)
    if suffix == ":predict":
      raise rest_api.RestError("Use POST for :predict.", 405)
    if suffix == "/metadata":
      return 200, self.metadata(self._served(model, version))
    return 200, {"model_version_status": self.status(model, version)}

  def prepare(self, path, body):
    """(ServedModel, rest_api.Prepared) of a POST; the caller runs it (`rest_api.run`, or batched)."""
    model, version, suffix = self._match(path)
    if suffix != ":predict":
      raise rest_api.RestError(f"POST is only for :predict, not {rest_api.clip(path)}.", 405)
    served = self._served(model, version)
    request = rest_api.parse_json(body)
    text = body if isinstance(body, (bytes, bytearray)) else str(body).encode()
    may_hold_bools = b"true" in text or b"false" in text  # else no walk for JSON booleans
    return served, rest_api.prepare(served.signatures, request, self.max_batch, served.index_bounds,
                                    may_hold_bools)

  def post(self, path, body):
    served, prepared = self.prepare(path, body)
    del served
    return 200, rest_api.respond(prepared, rest_api.run(prepared))

  def status(self, model, version=None):
    """TF Serving's model_version_status: loaded versions AVAILABLE, broken ones END with their error."""
    states = {v: ("AVAILABLE", "OK", "") for v in model.versions}
    states.update({v: ("END", code, why) for v, (code, why) in model.broken.items()})
    if version is not None:
      if version not in states:
        raise rest_api.RestError(f"Servable not found for request: Specific({model.name}, {version}).", 404)
      states = {version: states[version]}
    return [{"version": str(v), "state": state, "status": {"error_code": code, "error_message": why}}
            for v, (state, code, why) in sorted(states.items(), reverse=True)]

  def metadata(self, served):
    return {"model_spec": {"name": served.name, "signature_name": "", "version": str(served.version)},
            "metadata": {"signature_def": {"signature_def": served.signature_defs}, "tfdis": served.metadata}}

  def _match(self, path):
    """(Model, version or None, suffix) of a /v1/models/... path (percent-encoded, as received)."""
    match = _MODEL_PATH.match(path)
    if not match:
      raise rest_api.RestError(f"Malformed request: no such path {rest_api.clip(path)}.", 404)
    name = urllib.parse.unquote(match["name"])
    model = self.models.get(name)
    if model is None:
      raise rest_api.RestError(f"Servable not found for request: Latest({rest_api.clip(name)}); serving "
                               f"{', '.join(sorted(self.models))}.", 404)
    version = match["version"]
    if match["label"] is not None:
      label = urllib.parse.unquote(match["label"])
      if label not in model.labels:
        raise rest_api.RestError(f"Unrecognized servable version label: {rest_api.clip(label)}; {name} has "
                                 f"labels {sorted(model.labels)} ({model_store.LABELS_FILE} or --version_labels).", 404)
      version = model.labels[label]
    elif version is not None:
      known = set(model.versions) | set(model.broken)
      if len(version) > 18 or int(version) not in known:
        raise rest_api.RestError(f"Servable not found for request: Specific({name}, {rest_api.clip(version)}); "
                                 f"serving versions {sorted(model.versions)}.", 404)
      version = int(version)
    return model, version, match["suffix"]

  def _served(self, model, version):
    served = model.latest if version is None else model.versions.get(version)
    if served is None:
      broken = model.broken.get(version if version is not None else max(model.broken, default=-1))
      why = f": {broken[1]}" if broken else ""
      raise rest_api.RestError(f"Servable not found for request: {model.name} version {version} is not "
                               f"loaded{why}.", 404)
    return served


def make_server(export_dir, host="127.0.0.1", port=8501, max_body_bytes=DEFAULT_MAX_BODY_BYTES,
                max_batch=rest_api.DEFAULT_MAX_BATCH, max_connections=http_front.DEFAULT_MAX_CONNECTIONS,
                max_in_flight=http_front.DEFAULT_MAX_IN_FLIGHT, batcher=None, version_labels=None,
                allowed_hosts=(), request_timeout_s=http_front.REQUEST_TIMEOUT_S):
  """An `http_front.Server` over the models under `export_dir`; call `serve_forever()` on it.

  Args:
    export_dir: EXPORT (holding NAME/VERSION folders) or one EXPORT/NAME folder.
    host: address to bind; 127.0.0.1 keeps the server local (and turns on the Host allow-list).
    port: TCP port; 0 picks a free one (read it from `server.server_address`).
    max_body_bytes: larger request bodies are refused with 413.
    max_batch: predicts asking for more examples (see `rest_api.predict`) are refused with 413.
    max_connections: open connections; one more is answered 503 at once and closed.
    max_in_flight: requests being read or computed; one more is answered 503 at once.
    batcher: a `batching.Batcher` to merge concurrent predicts (None: each runs alone).
    version_labels: {name: {label: version}}, over each model's labels.json.
    allowed_hosts: Host names answered besides localhost, 127.0.0.1 and [::1] when bound to loopback.
    request_timeout_s: a request's line, headers and body must arrive within this time (else 408).

  Raises:
    model_store.ServeError: nothing loads, a limit is below 1, or the port cannot be bound (in use, not allowed).
  """
  if min(max_connections, max_in_flight, max_batch, max_body_bytes) < 1:
    raise model_store.ServeError("max_connections, max_in_flight, max_batch and max_body_bytes must be at least 1, got "
                     f"{max_connections}, {max_in_flight}, {max_batch}, {max_body_bytes}.")
  try:
    sock = http_front.bind(host, port)  # first: a port in use fails before minutes of model loading.
  except OSError as e:
    why = "is in use (another server?): stop it or pick another --port" if e.errno == errno.EADDRINUSE else (
        f"cannot be bound: {e.strerror}")
    raise model_store.ServeError(f"Port {port} on {host} {why}.") from e
  try:
    app = App(model_store.discover(export_dir, version_labels), max_batch)
  except BaseException:
    sock.close()
    raise
  allowed = None
  if http_front.is_loopback(host):
    allowed = {h.lower() for h in (*http_front.LOCAL_HOSTS, *allowed_hosts)}
  front = http_front.Front(app, max_body_bytes, max_in_flight, allowed, batcher, request_timeout_s)
  return http_front.Server(front, sock, request_timeout_s, max_connections)


def parse_version_labels(text):
  """{name: {label: version}} of serve's --version_labels, "NAME:LABEL=VERSION,..." (NAME: may be left out
  when one model is served: "" then stands for every model)."""
  labels = {}
  for item in filter(None, (part.strip() for part in text.split(","))):
    match = re.fullmatch(r"(?:(?P<name>[^:=]+):)?(?P<label>[^:=]+)=(?P<version>\d+)", item)
    if not match:
      raise model_store.ServeError(f"Bad --version_labels entry {item!r}: write NAME:LABEL=VERSION, "
                                   "e.g. beta_vae:stable=1.")
    labels.setdefault(match["name"] or "", {})[match["label"]] = int(match["version"])
  return labels
