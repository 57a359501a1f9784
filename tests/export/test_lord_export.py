"""LORD export: a tiny two-phase run exported, reloaded, TFLite parity, and transfer through the REST server."""

import json
import os
import threading
import urllib.request

import numpy as np
import pytest
import tensorflow as tf

from tfdis.export import export_lib
from tfdis.export import serve_lib
from tests.export import conftest
from tfdis.launch import evaluate_lib
from tfdis.launch import train_lib
from tests.support.exports import assert_load_export_matches

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
                              "lord_leakage.classifier = 'logistic'"])["metrics"]["lord_leakage"]
  assert 0.0 <= results["class_from_content"] <= 1.0 and 0.0 < results["class_from_content_chance"] < 1.0
  assert 0.0 < results["content_from_class_chance"] < 1.0
  assert results["transfer_l1"] > 0.0 and results["transfer_l1_content_source"] > 0.0


@conftest.needs_node
def test_editor_draws_the_transfer_grid_of_the_picked_images(run, tmp_path):
  """The page's transfer section: 2 class and 3 content images picked -> the 2×3 `transfer_grid`, drawn."""
  _, exported, loaded, _ = run
  rng = np.random.default_rng(5)
  class_bytes = rng.integers(0, 256, (2, 32, 32), np.uint8)
  content_bytes = rng.integers(0, 256, (3, 32, 32), np.uint8)
  inputs = {"class_images": [conftest.image_file(g) for g in class_bytes],
            "content_images": [conftest.image_file(g) for g in content_bytes]}
  with conftest.serving(os.path.dirname(os.path.dirname(exported["export_dir"]))) as server:
    loaded_state, drawn = conftest.play_editor(server, tmp_path, "transfer", inputs)
  assert loaded_state == {"error": "", "upload_hidden": False, "transfer_hidden": False,
                          "class_edits_hidden": True}  # LORD has `transfer_grid`, no `sample` or `inpaint`
  assert drawn["error"] == ""
  sent = drawn["request"]["inputs"]  # the picked images at the model's size, grey levels in [0, 1]
  np.testing.assert_allclose(sent["class_images"], class_bytes[..., None] / 255, rtol=0, atol=1e-12)
  np.testing.assert_allclose(sent["content_images"], content_bytes[..., None] / 255, rtol=0, atol=1e-12)
  expected = loaded.signatures["transfer_grid"](class_images=np.float32(sent["class_images"]),
                                                content_images=np.float32(sent["content_images"]))["images"]
  answer = np.array(drawn["request"]["outputs"])
  assert answer.shape == (2, 3, 32, 32, 1)
  np.testing.assert_allclose(answer, expected.numpy(), rtol=0, atol=1e-6)
  cells = conftest.eight_bit(answer).reshape(6, -1)
  assert len({cell.tobytes() for cell in cells}) == 6  # distinct at 8 bits: a misplaced cell would show
  grid = [[conftest.canvas_rgba(cell) for cell in row] for row in drawn["grid"]]
  assert [len(row) for row in grid] == [4, 4, 4]  # a header row and a column of class images around 2×3
  grey = lambda levels: np.repeat(np.reshape(levels, (32, 32, 1)), 3, -1)  # noqa: E731
  np.testing.assert_array_equal(grid[0][0][..., :3], 255)  # a white corner
  for j in range(3):
    np.testing.assert_array_equal(grid[0][j + 1][..., :3], grey(content_bytes[j]))
  for i in range(2):
    np.testing.assert_array_equal(grid[i + 1][0][..., :3], grey(class_bytes[i]))
    for j in range(3):  # row i keeps the class of class image i, column j the content of content image j
      cell = grid[i + 1][j + 1]
      np.testing.assert_array_equal(cell[..., :3], grey(conftest.eight_bit(answer[i, j])))
      assert np.all(np.abs(cell[..., :3] - grey(255 * np.clip(expected[i, j], 0, 1))) <= 0.5 + 1e-3)
      np.testing.assert_array_equal(cell[..., 3], 255)


def test_load_export_calls_every_signature(run):
  assert_load_export_matches(run[1]["export_dir"], "lord")
