r"""Serves exported models over TF Serving's REST API, with a latent editor page at /.

  python -m tfdis.export.serve --export_dir=/tmp/export [--port=8501] [--host=127.0.0.1] [--enable_batching]

Then open http://127.0.0.1:8501/ or, for example,
  curl -d '{"signature_name": "decode", "instances": [[0, 0]]}' localhost:8501/v1/models/beta_vae:predict
"""

import sys

from tfdis import logs

if __name__ == "__main__":  # before TensorFlow is imported
  logs.init(sys.argv)

from absl import app
from absl import flags
from absl import logging

from tfdis.export import batching
from tfdis.export import cli_flags
from tfdis.export import http_front
from tfdis.export import model_store
from tfdis.export import rest_api
from tfdis.export import serve_lib

_EXPORT_DIR = cli_flags.EXPORT_DIR  # EXPORT, holding NAME/VERSION folders.
_HOST = flags.DEFINE_string("host", "127.0.0.1", "Address to bind (0.0.0.0 exposes the server).")
_PORT = flags.DEFINE_integer("port", 8501, "TCP port (0: any free port).")
_MAX_BODY_MB = flags.DEFINE_float("max_body_mb", serve_lib.DEFAULT_MAX_BODY_BYTES / 2**20,
                                  "Largest accepted request body, in MiB (larger ones answer 413).")
_MAX_BATCH = flags.DEFINE_integer("max_batch", rest_api.DEFAULT_MAX_BATCH,
                                  "Most examples one predict may ask for (rows, or rows × values of a "
                                  "traversal); more answer 413.")
_MAX_CONNECTIONS = flags.DEFINE_integer("max_connections", http_front.DEFAULT_MAX_CONNECTIONS,
                                        "Open connections at most; one more is answered 503 and closed.")
_MAX_IN_FLIGHT = flags.DEFINE_integer("max_in_flight", http_front.DEFAULT_MAX_IN_FLIGHT,
                                      "Requests being read or computed at most; one more answers 503.")
_REQUEST_TIMEOUT = flags.DEFINE_float("request_timeout_s", http_front.REQUEST_TIMEOUT_S,
                                      "A request's line, headers and body must arrive within this many "
                                      "seconds of its first byte (else 408).")
_ENABLE_BATCHING = flags.DEFINE_bool("enable_batching", False,
                                     "Merge concurrent predicts of one row-wise signature into one call "
                                     "(TF Serving's --enable_batching).")
_MAX_BATCH_SIZE = flags.DEFINE_integer("max_batch_size", batching.DEFAULT_MAX_BATCH_SIZE,
                                       "With --enable_batching: most rows merged into one call.")
_BATCH_TIMEOUT_MS = flags.DEFINE_float("batch_timeout_ms", batching.DEFAULT_BATCH_TIMEOUT_S * 1000,
                                       "With --enable_batching: how long the first request of a batch waits "
                                       "for others, in milliseconds.")
_VERSION_LABELS = flags.DEFINE_string("version_labels", "",
                                      "Version labels, NAME:LABEL=VERSION,... (over EXPORT/NAME/labels.json); "
                                      "served at /v1/models/NAME/labels/LABEL.")
_ALLOWED_HOSTS = flags.DEFINE_list("allowed_hosts", [],
                                   "Host header names answered besides localhost, 127.0.0.1 and [::1] "
                                   "when bound to loopback.")


def main(argv):
  del argv
  try:
    batcher = None
    if _ENABLE_BATCHING.value:
      batcher = batching.Batcher(_MAX_BATCH_SIZE.value, _BATCH_TIMEOUT_MS.value / 1000)
    server = serve_lib.make_server(
        _EXPORT_DIR.value, _HOST.value, _PORT.value, int(_MAX_BODY_MB.value * 2**20), _MAX_BATCH.value,
        _MAX_CONNECTIONS.value, _MAX_IN_FLIGHT.value, batcher,
        serve_lib.parse_version_labels(_VERSION_LABELS.value), _ALLOWED_HOSTS.value, _REQUEST_TIMEOUT.value)
  except (model_store.ServeError, ValueError) as e:
    print(f"export.serve: {e}", file=sys.stderr)
    return 1
  host, port = server.server_address[:2]
  names = ", ".join(sorted(server.app.models))
  logging.info("Serving %s on http://%s:%d/ (Ctrl-C stops).", names, host, port)
  print(f"Serving {names} on http://{host}:{port}/", flush=True)
  try:
    server.serve_forever()  # SIGINT/SIGTERM: in-flight requests finish, then it returns.
  except KeyboardInterrupt:
    pass
  finally:
    server.server_close()
  return 0


if __name__ == "__main__":
  flags.mark_flag_as_required("export_dir")
  app.run(main)
