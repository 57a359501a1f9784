"""LORD export: a tiny two-phase run exported, reloaded, TFLite parity, and transfer through the REST server."""

import json
import os
import threading
import urllib.request

import numpy as np
import pytest
import tensorflow as tf

from export import export_lib
from export import serve_lib
from tfdis.launch import evaluate_lib
from tfdis.launch import train_lib

SIGNATURES = ["encode", "decode", "reconstruct", "encode_class", "encode_content", "decode_class_content",
              "transfer", "transfer_grid"]
BINDINGS = ["TRAIN_STEPS = 2", "STAGE1_STEPS = 1", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4", "NUM_IMAGES = 8",
            "lord.adain_dim = 8", "lord.encoder_width = 2", "lord.class_dim = 4", "lord.content_dim = 3",
            "train.log_every = 1"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
  """(Keras model, export result, loaded SavedModel) of a 1 + 1 step LORD run on glyphs."""
  model_dir = str(tmp_path_factory.mktemp("lord_run"))
  model = train_lib.run(["gin/papers/lord/glyphs.gin"], BINDINGS, model_dir, strategy="one_device")
  exported = export_lib.export_model(model_dir, str(tmp_path_factory.mktemp("export") / "lord" / "1"))
  return model, exported, tf.saved_model.load(exported["export_dir"]), model_dir


def _images(seed, n):
  return np.random.default_rng(seed).uniform(size=(n, 32, 32, 1)).astype(np.float32)


def test_metadata_layout_and_tflite_parity(run):
  _, exported, _, _ = run
  with open(exported["metadata"]) as f:
    meta = json.load(f)
  assert meta["family"] == "lord" and meta["latent_dim"] == 7 and list(meta["signatures"]) == SIGNATURES
  assert [(s["name"], s["start"], s["size"]) for s in meta["latent_layout"]] == [("class", 0, 4), ("content", 4, 3)]
  for name in SIGNATURES:
    if meta["tflite"][name]["converted"]:
      assert meta["parity"]["tflite_vs_savedmodel"][name] < 1e-4
  assert meta["tflite"]["transfer"]["converted"] and meta["tflite"]["encode_class"]["converted"]


def test_reloaded_signatures_match_the_keras_model(run):
  model, _, loaded, _ = run
  a, b = _images(1, 2), _images(2, 3)
  close = lambda x, y: np.testing.assert_allclose(x, y, atol=1e-5)  # noqa: E731
  close(loaded.signatures["encode_class"](images=a)["class_codes"], model.encode_class(a))
  close(loaded.signatures["encode_content"](images=a)["content_codes"], model.encode_content(a))
  close(loaded.signatures["transfer"](class_images=a, content_images=b[:2])["images"], model.transfer(a, b[:2]))
  grid = loaded.signatures["transfer_grid"](class_images=a, content_images=b)["images"].numpy()
  assert grid.shape == (2, 3, 32, 32, 1)
  close(grid[1, 2], model.decode(model.encode_class(a[1:2]), model.encode_content(b[2:3]))[0])
  pair = loaded.signatures["decode_class_content"](class_codes=model.encode_class(a),
                                                   content_codes=model.encode_content(a))["images"]
  close(pair, loaded.signatures["reconstruct"](images=a)["images"])


def test_transfer_through_the_rest_server(run):
  model, exported, _, _ = run
  server = serve_lib.make_server(os.path.dirname(os.path.dirname(exported["export_dir"])), port=0)
  thread = threading.Thread(target=server.serve_forever, daemon=True)
  thread.start()
  try:
    a, b = _images(3, 1), _images(4, 1)
    body = json.dumps({"signature_name": "transfer",
                       "inputs": {"class_images": a.tolist(), "content_images": b.tolist()}}).encode()
    host, port = server.server_address[:2]
    request = urllib.request.Request(f"http://{host}:{port}/v1/models/lord:predict", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
      outputs = json.loads(response.read())["outputs"]
    np.testing.assert_allclose(np.array(outputs), model.transfer(a, b), atol=1e-5)
  finally:
    server.shutdown()
    server.server_close()


def test_evaluate_reports_leakage_and_transfer_error_beside_chance(run):
  model_dir = run[3]
  results = evaluate_lib.run(model_dir, ["gin/metrics/lord.gin"],
                             ["evaluate.num_train = 100", "evaluate.num_test = 20",
                              "lord_disentanglement.classifier = 'logistic'"])["metrics"]["lord"]
  assert 0.0 <= results["class_from_content"] <= 1.0 and 0.0 < results["class_from_content_chance"] < 1.0
  assert 0.0 < results["content_from_class_chance"] < 1.0
  assert results["transfer_l1"] > 0.0 and results["transfer_l1_content_source"] > 0.0
