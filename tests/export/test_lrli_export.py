"""Lr/Li-VAE export: the six signatures reload from the SavedModel, match Keras and TFLite, and serve."""

import os
import threading

import numpy as np
import pytest
import tensorflow as tf

from tfdis.export import export_lib
from tfdis.export import serve_lib
from tests.export import conftest
from tfdis.launch import train_lib
from tests.support.exports import assert_load_export_matches

SIGNATURES = ["encode", "decode", "reconstruct", "transfer", "sample", "inpaint"]
BINDINGS = ["TRAIN_STEPS = 1", "CHECKPOINT_EVERY = 1", "BATCH_SIZE = 4", "RELEVANT_DIM = 2", "IRRELEVANT_DIM = 3",
            "GM_STEPS = 1"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
  model_dir = str(tmp_path_factory.mktemp("lrli_run"))
  model = train_lib.run(["gin/papers/lrli_vae/glyphs.gin"], BINDINGS, model_dir, strategy="one_device")
  export_dir = os.path.join(str(tmp_path_factory.mktemp("lrli_export")), "lrli", "1")
  return model, export_lib.export_model(model_dir, export_dir)


def test_signatures_reload_match_keras_and_convert_to_tflite(run):
  model, exported = run
  assert exported["signatures"] == SIGNATURES
  assert sorted(exported["tflite"]) == sorted(SIGNATURES) and not exported["not_converted"]
  assert max(exported["parity"].values()) <= 1e-4 and max(exported["keras_parity"].values()) <= 1e-4
  loaded = tf.saved_model.load(exported["export_dir"])
  rng = np.random.default_rng(0)
  images = tf.constant(rng.uniform(size=(2, 32, 32, 1)), tf.float32)
  z_s, z_u = model.encode_parts(images)
  out = loaded.signatures["encode"](images=images)
  np.testing.assert_allclose(out["z_s"], z_s, atol=1e-5)
  np.testing.assert_allclose(out["codes"], tf.concat([z_s, z_u], -1), atol=1e-5)
  transfer = loaded.signatures["transfer"](identity_images=images, other_images=images[::-1])["images"]
  np.testing.assert_allclose(transfer, model.decode(tf.concat([z_s, z_u[::-1]], -1)), atol=1e-5)
  noise = tf.zeros([2, 5])
  sample = loaded.signatures["sample"](labels=tf.constant([3, 7]), noise=noise)["images"]
  means = tf.gather(model.prior.means, [3, 7])
  np.testing.assert_allclose(sample, model.decode(tf.concat([means, tf.zeros([2, 3])], -1)), atol=1e-5)
  masks = tf.concat([tf.zeros([2, 32, 16, 1]), tf.ones([2, 32, 16, 1])], axis=2)
  inpainted = loaded.signatures["inpaint"](images=images, masks=masks)["images"].numpy()
  np.testing.assert_array_equal(inpainted[:, :, :16], images.numpy()[:, :, :16])


def test_every_signature_serves_over_rest(run):
  _, exported = run
  server = serve_lib.make_server(os.path.dirname(os.path.dirname(exported["export_dir"])), port=0)
  threading.Thread(target=server.serve_forever, daemon=True).start()
  try:
    image = np.random.default_rng(1).uniform(size=(32, 32, 1)).tolist()
    mask = np.zeros((32, 32, 1)).tolist()
    requests = {"encode": {"images": [image]}, "decode": {"codes": [[0.0] * 5]},
                "reconstruct": {"images": [image]},
                "transfer": {"identity_images": [image], "other_images": [image]},
                "sample": {"labels": [4], "noise": [[0.0] * 5]}, "inpaint": {"images": [image], "masks": [mask]}}
    for name, inputs in requests.items():
      status, body = conftest._http(server, "/v1/models/lrli:predict", {"signature_name": name, "inputs": inputs})
      assert status == 200, (name, body)
      outputs = body["outputs"]
      assert np.asarray(outputs["z_s"] if name == "encode" else outputs).shape[0] == 1
    status, body = conftest._http(server, "/v1/models/lrli/metadata")
    layout = body["metadata"]["tfdis"]["latent_layout"]
    assert [(s["name"], s["size"]) for s in layout] == [("z_s", 2), ("z_u", 3)]
    assert body["metadata"]["tfdis"]["class_names"] == [str(k) for k in range(10)]
  finally:
    server.shutdown()
    server.server_close()


def _brushed(centres, size=32, radius=2):
  """The mask the page's brush paints at pixel `centres` (x, y): squares of radius max(1, round(w/16))."""
  mask = np.zeros((size, size, 1))
  for x, y in centres:
    mask[max(0, y - radius):y + radius + 1, max(0, x - radius):x + radius + 1] = 1.0
  return mask


@conftest.needs_node
def test_editor_samples_a_class_and_inpaints_the_painted_mask(run, tmp_path):
  """Class sampling draws the `sample` answer; the brush paints the mask that `inpaint` gets and fills."""
  model, exported = run
  grey = np.random.default_rng(2).integers(0, 256, (32, 32), np.uint8)
  rect = {"left": 10, "top": 20, "width": 192, "height": 192}  # the mask canvas on screen: 6 px per pixel
  at = lambda x, y: [10 + 6 * x + 3, 20 + 6 * y + 3]  # noqa: E731  (client point inside pixel (x, y))
  strokes = [["mousemove", *at(3, 3)], ["mousedown", *at(5, 4)], ["mousemove", *at(9, 4)],
             ["mousemove", *at(31, 0)], ["mouseup", *at(31, 0)], ["mousemove", *at(20, 28)],
             ["mousedown", *at(0, 31)], ["mouseleave", *at(0, 31)], ["mousemove", *at(16, 16)]]
  mask = _brushed([(5, 4), (9, 4), (31, 0), (0, 31)])  # only where the button was down
  inputs = {"image": conftest.image_file(grey), "label": 7, "strokes": strokes, "rect": rect}
  with conftest.serving(os.path.dirname(os.path.dirname(exported["export_dir"]))) as server:
    loaded, uploaded, sampled, painted, inpainted = conftest.play_editor(server, tmp_path, "class_edits", inputs)
  assert [s["error"] for s in (loaded, uploaded, sampled, painted, inpainted)] == [""] * 5
  assert (loaded["upload_hidden"], loaded["transfer_hidden"], loaded["class_edits_hidden"]) == (False, True, False)
  assert loaded["classes"] == [str(k) for k in range(10)]
  rgb = lambda canvas: conftest.canvas_rgba(canvas)[..., :3]  # noqa: E731
  image = np.repeat(grey[..., None], 3, -1)
  np.testing.assert_array_equal(rgb(uploaded["input"]), image)
  np.testing.assert_array_equal(rgb(uploaded["mask"]), image)  # nothing painted yet

  request = sampled["request"]
  assert request["inputs"]["labels"] == [7] and np.shape(request["inputs"]["noise"]) == (1, 5)
  answer = np.array(request["outputs"])
  expected = model.sample(tf.constant([7]), tf.constant(request["inputs"]["noise"], tf.float32)).numpy()
  np.testing.assert_allclose(answer, expected, rtol=0, atol=1e-5)
  np.testing.assert_array_equal(rgb(sampled["sampled"]), np.repeat(conftest.eight_bit(answer[0]), 3, -1))

  red = np.where(mask == 1, [[[255, 0, 0]]], image)  # the mask canvas: painted pixels red over the input
  np.testing.assert_array_equal(rgb(painted["mask"]), red)

  request = inpainted["request"]
  x, m = np.array(request["inputs"]["images"]), np.array(request["inputs"]["masks"])
  np.testing.assert_allclose(x[0], grey[..., None] / 255, rtol=0, atol=1e-12)
  np.testing.assert_array_equal(m[0], mask)
  answer = np.array(request["outputs"])[0]
  x32 = np.float32(x)
  np.testing.assert_array_equal(answer[mask == 0], x32[0][mask == 0])  # unmasked pixels: the input, exactly
  expected = x32 * (1 - m) + model(x32 * (1 - m)).numpy() * m  # x·(1−m) + G(E(x·(1−m)))·m
  np.testing.assert_allclose(answer, expected[0], rtol=0, atol=1e-5)
  drawn = rgb(inpainted["inpainted"])
  np.testing.assert_array_equal(drawn, np.repeat(conftest.eight_bit(answer), 3, -1))
  np.testing.assert_array_equal(drawn[mask[..., 0] == 0], image[mask[..., 0] == 0])
  assert np.mean(drawn[mask[..., 0] == 1] != image[mask[..., 0] == 1]) > 0.5  # masked pixels were filled in


def test_load_export_calls_every_signature(run):
  assert_load_export_matches(run[1]["export_dir"], "lrli_vae")
