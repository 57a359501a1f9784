r"""Serves exported models over TF Serving's REST API, with a latent editor page at /.

  python -m export.serve --export_dir=/tmp/export [--port=8501] [--host=127.0.0.1]

Then open http://127.0.0.1:8501/ or, for example,
  curl -d '{"signature_name": "decode", "instances": [[0, 0]]}' localhost:8501/v1/models/beta_vae:predict
"""

from absl import app
from absl import flags
from absl import logging

from export import cli_flags
from export import rest_api
from export import serve_lib

_EXPORT_DIR = cli_flags.EXPORT_DIR  # EXPORT, holding NAME/VERSION folders.
_HOST = flags.DEFINE_string("host", "127.0.0.1", "Address to bind (0.0.0.0 exposes the server).")
_PORT = flags.DEFINE_integer("port", 8501, "TCP port (0: any free port).")
_MAX_BODY_MB = flags.DEFINE_float("max_body_mb", serve_lib.DEFAULT_MAX_BODY_BYTES / 2**20,
                                  "Largest accepted request body, in MiB (larger ones answer 413).")
_MAX_BATCH = flags.DEFINE_integer("max_batch", rest_api.DEFAULT_MAX_BATCH,
                                  "Most examples one predict may ask for (rows, or rows × values of a "
                                  "traversal); more answer 413.")
_MAX_CONNECTIONS = flags.DEFINE_integer("max_connections", serve_lib.DEFAULT_MAX_CONNECTIONS,
                                        "Connections served at once (a thread each); one more waits up to "
                                        f"{serve_lib.SLOT_WAIT_S} s for a free one, then answers 503.")


def main(argv):
  del argv
  try:
    server = serve_lib.make_server(_EXPORT_DIR.value, _HOST.value, _PORT.value,
                                   int(_MAX_BODY_MB.value * 2**20), _MAX_BATCH.value,
                                   _MAX_CONNECTIONS.value)
  except serve_lib.ServeError as e:
    raise app.UsageError(str(e)) from e
  host, port = server.server_address[:2]
  names = ", ".join(sorted(server.app.models))
  logging.info("Serving %s on http://%s:%d/ (Ctrl-C stops).", names, host, port)
  print(f"Serving {names} on http://{host}:{port}/", flush=True)
  try:
    server.serve_forever()
  except KeyboardInterrupt:
    pass
  finally:
    server.server_close()


if __name__ == "__main__":
  flags.mark_flag_as_required("export_dir")
  app.run(main)
