"""Export of 2-step mddAE runs (case 1 on glyphs, case 2 on attributes): signatures, metadata, SavedModel
reload == Keras edits, TFLite == SavedModel."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from tfdis import signatures as signatures_lib
from tfdis.export import export_lib
from tfdis.export import tflite_lib
from tests.export import conftest
from tfdis import editing
from tfdis.launch import train_lib
from tests.support.exports import assert_load_export_matches

TINY = ["TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4", "LATENT_DIM = 2", "FILTERS = (4, 8)",
        "mddae.hidden = 8"]
CASES = {
    "classes": ("gin/papers/mddae/glyphs.gin", ["swap_class", "class_analogies"], (32, 32, 1), 10),
    "attributes": ("gin/papers/mddae/attributes_disae_xcov.gin", ["set_attribute", "attribute_sweep"],
                   (64, 64, 3), 10),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def run(request, tmp_path_factory):
  """(case, Keras model, export result, loaded SavedModel) of a 2-step run exported to EXPORT/mddae/1."""
  config, _, _, _ = CASES[request.param]
  model_dir = str(tmp_path_factory.mktemp("run"))
  model = train_lib.run([config], TINY, model_dir, strategy="one_device")
  exported = export_lib.export_model(model_dir, str(tmp_path_factory.mktemp("export") / "mddae" / "1"))
  return request.param, model, exported, tf.saved_model.load(exported["export_dir"])


def test_signatures_metadata_and_parity(run):
  case, model, exported, _ = run
  _, edits, shape, c = CASES[case]
  assert exported["signatures"] == ["encode", "decode", "reconstruct", *edits]
  assert sorted(exported["tflite"]) == sorted(exported["signatures"]) and not exported["not_converted"]
  assert max(exported["parity"].values()) < 1e-4
  with open(exported["metadata"]) as f:
    meta = json.load(f)
  assert (meta["family"], meta["image_shape"], meta["latent_dim"]) == ("mddae", list(shape), c + 2)
  y, z = meta["latent_layout"]
  assert (y["name"], y["size"], z["start"], z["size"]) == ("y", c, c, 2)
  names = meta["class_names"] if case == "classes" else meta["attribute_names"]
  assert y["names"] == names and len(names) == c
  if case == "attributes":
    assert names[0] == "eyeglasses" and y["range"][1] > 1  # editor sliders go beyond 1.
  else:
    assert y["range"] == [0.0, 1.0]


def test_reloaded_edits_equal_the_keras_model(run):
  case, model, _, loaded = run
  _, _, shape, c = CASES[case]
  images = np.random.RandomState(3).uniform(size=(3, *shape)).astype(np.float32)
  soft, z = model.encode_parts(images)
  close = lambda a, b: np.testing.assert_allclose(a, b, atol=1e-5)  # noqa: E731
  close(loaded.signatures["encode"](images=images)["codes"], tf.concat([soft, z], -1))
  if case == "classes":
    target = np.array([0, 4, 9], np.int32)
    close(loaded.signatures["swap_class"](images=images, target_class=target)["images"],
          model.decode_parts(editing.swap_class(soft, target), z))
    grid = loaded.signatures["class_analogies"](images=images)["images"]
    assert grid.shape == (3, c, *shape)
    close(grid[:, 4], model.decode_parts(editing.swap_class(soft, 4), z))
  else:
    index, value = np.array([0, 3, 9], np.int32), np.array([1.7, 0.0, 2.5], np.float32)
    close(loaded.signatures["set_attribute"](images=images, attribute_index=index, value=value)["images"],
          model.decode_parts(editing.set_attribute(soft, index, value), z))
    values = np.tile(np.linspace(0, 2, 4, dtype=np.float32), (3, 1))
    sweep = loaded.signatures["attribute_sweep"](images=images, attribute_index=index, values=values)["images"]
    assert sweep.shape == (3, 4, *shape)
    close(sweep[1, 2], model.decode_parts(editing.set_attribute(soft[1:2], 3, values[1, 2]), z[1:2])[0])


def test_tflite_matches_the_saved_model_on_fresh_inputs(run):
  _, model, exported, loaded = run
  rng = np.random.default_rng(11)
  for signature in signatures_lib.family_for(model).signatures:
    inputs = signature.sample_inputs(rng, batch=4)
    with open(exported["tflite"][signature.name], "rb") as f:
      lite = tflite_lib.run_tflite(f.read(), signature.name, inputs)
    assert tflite_lib.max_abs_diff(tflite_lib.run_saved_model(loaded, signature.name, inputs), lite) < 1e-4


@conftest.needs_node
def test_editor_random_code_draws_y_as_in_training(run, tmp_path):
  """The page's first (random) code: ŷ one-hot for classes, attributes each 0 or 1; decoded as drawn."""
  case, _, exported, loaded = run
  c = CASES[case][3]
  with conftest.serving(os.path.dirname(os.path.dirname(exported["export_dir"]))) as server:
    first = conftest.play_editor(server, tmp_path, "sliders")[0]
  assert first["error"] == ""
  y = np.array(first["sliders"][:c])
  if case == "classes":
    assert sorted(y) == [0.0] * (c - 1) + [1.0]
  else:
    assert set(y) <= {0.0, 1.0}
  expected = loaded.signatures["decode"](codes=np.array([first["sliders"]], np.float32))["images"]
  np.testing.assert_allclose(first["decode"]["images"], expected.numpy(), atol=1e-5)


def test_load_export_calls_every_signature(run):
  assert_load_export_matches(run[2]["export_dir"], "mddae")
