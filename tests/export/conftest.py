"""Shared by the export tests: one tiny 2-step β-VAE run, its export, and a server on an ephemeral port."""

import json
import os
import threading
import urllib.error
import urllib.request

import pytest
import tensorflow as tf

from export import export_lib
from export import serve_lib
from tfdis.launch import train_lib

BASE = ["gin/runs/train.gin", "gin/models/beta_vae.gin"]
BINDINGS = ["DATASET = @tiny_images", "BATCH_SIZE = 4", "LATENT_DIM = 2", "TRAIN_STEPS = 2",
            "CHECKPOINT_EVERY = 2"]


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
  """(model_dir, Keras model) of a 2-step run on `tiny_images` (16×16×1), latent dimension 2."""
  model_dir = str(tmp_path_factory.mktemp("run"))
  return model_dir, train_lib.run(BASE, BINDINGS, model_dir, strategy="one_device")


@pytest.fixture(scope="session")
def exported(trained, tmp_path_factory):
  """The result of `export_model` on the run, exported to EXPORT/beta_vae/1."""
  root = tmp_path_factory.mktemp("export")
  return export_lib.export_model(trained[0], os.path.join(root, "beta_vae", "1"))


@pytest.fixture(scope="session")
def loaded(exported):
  return tf.saved_model.load(exported["export_dir"])


@pytest.fixture(scope="session")
def server(exported):
  """A server over the export's root, bound to 127.0.0.1 on a free port, running in a thread."""
  server = serve_lib.make_server(os.path.dirname(os.path.dirname(exported["export_dir"])), port=0)
  thread = threading.Thread(target=server.serve_forever, daemon=True)
  thread.start()
  yield server
  server.shutdown()
  server.server_close()


@pytest.fixture
def call(server):
  """call(path, body=None, method=None, headers=None) -> (status, decoded JSON or text) on the server."""
  return lambda *args, **kwargs: _http(server, *args, **kwargs)


def _http(server, path, body=None, method=None, headers=None):
  host, port = server.server_address[:2]
  data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
  request = urllib.request.Request(f"http://{host}:{port}{path}", data=data, method=method,
                                   headers=headers or {})
  try:
    with urllib.request.urlopen(request, timeout=60) as response:
      status, kind, payload = response.status, response.headers["Content-Type"], response.read()
  except urllib.error.HTTPError as e:
    status, kind, payload = e.code, e.headers["Content-Type"], e.read()
  return status, json.loads(payload) if kind == "application/json" else payload.decode()
