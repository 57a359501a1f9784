"""Lr/Li-VAE export: the six signatures reload from the SavedModel, match Keras and TFLite, and serve."""

import os
import threading

import numpy as np
import pytest
import tensorflow as tf

from export import export_lib
from export import serve_lib
from tests.export import conftest
from tfdis.launch import train_lib

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
