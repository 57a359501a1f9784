"""Shared by the export tests: one tiny 2-step β-VAE run, its export, a server on an ephemeral port, and the
editor page's script played in Node (`editor_driver.js`)."""

import contextlib
import json
import os
import shutil
import subprocess
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest
import tensorflow as tf

from tfdis.export import export_lib
from tfdis.export import serve_lib
from tfdis.launch import train_lib

BASE = ["gin/runs/train.gin", "gin/models/beta_vae.gin"]
BINDINGS = ["DATASET = @tiny_images", "BATCH_SIZE = 4", "LATENT_DIM = 2", "TRAIN_STEPS = 2",
            "CHECKPOINT_EVERY = 2"]
DRIVER = os.path.join(os.path.dirname(__file__), "editor_driver.js")
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the page's script")


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
  with serving(os.path.dirname(os.path.dirname(exported["export_dir"]))) as running:
    yield running


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


@contextlib.contextmanager
def serving(export_root, **options):
  """A server over `export_root` on 127.0.0.1 and a free port (`options`: more `make_server` arguments),
  running in a thread while the block runs."""
  server = serve_lib.make_server(export_root, port=0, **options)
  threading.Thread(target=server.serve_forever, daemon=True).start()
  try:
    yield server
  finally:
    server.shutdown()
    server.server_close()


def play_editor(server, tmp_path, scenario, inputs=None):
  """Plays `scenario` of editor_driver.js on the page `server` serves at `/`; returns its JSON states.

  The driver runs the page's script in Node with a minimal DOM, against the live server.
  """
  status, page = _http(server, "/")
  assert status == 200
  (tmp_path / "page.html").write_text(page)
  host, port = server.server_address[:2]
  args = ["node", DRIVER, f"http://{host}:{port}", str(tmp_path / "page.html"), scenario]
  if inputs is not None:
    (tmp_path / "inputs.json").write_text(json.dumps(inputs))
    args.append(str(tmp_path / "inputs.json"))
  done = subprocess.run(args, capture_output=True, text=True, timeout=120)
  assert done.returncode == 0, done.stderr
  return [json.loads(line) for line in done.stdout.splitlines()]


def image_file(grey):
  """A grey uint8 image [h, w] as the driver's decoded file: {width, height, data: RGBA bytes}."""
  h, w = grey.shape
  rgba = [grey, grey, grey, np.full_like(grey, 255)]
  return {"width": w, "height": h, "data": np.stack(rgba, -1).ravel().tolist()}


def canvas_rgba(canvas):
  """The driver's {width, height, rgba} of a canvas as a uint8 array [height, width, 4]."""
  return np.array(canvas["rgba"], np.uint8).reshape(canvas["height"], canvas["width"], 4)


def eight_bit(images):
  """What the page's `draw` puts in a canvas for images in [0, 1] (grey): round(255 · clip(image))."""
  return np.round(255 * np.clip(np.asarray(images, np.float64), 0, 1))
