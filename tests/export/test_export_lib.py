"""Export of a 2-step β-VAE run: layout, metadata, SavedModel == Keras, TFLite == SavedModel, atomicity."""

import dataclasses
import json
import os
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import editing
from tfdis import signatures as signatures_lib
from tfdis.export import export_lib
from tfdis.export import tflite_lib

SIGNATURES = ["encode", "decode", "reconstruct", "traverse", "traverse_code"]


def _metadata(exported):
  with open(exported["metadata"]) as f:
    return json.load(f)


def test_layout_metadata_and_recorded_parity(exported):
  version_dir = exported["export_dir"]
  assert os.listdir(os.path.dirname(version_dir)) == ["1"]  # no staging folder left behind.
  assert {"saved_model.pb", "variables", "assets", "tflite"} <= set(os.listdir(version_dir))
  meta = _metadata(exported)
  assert (meta["family"], meta["image_shape"], meta["latent_dim"]) == ("beta_vae", [16, 16, 1], 2)
  assert meta["latent_layout"] == [{"name": "z", "start": 0, "size": 2, "kind": "gaussian",
                                    "range": [-3.0, 3.0]}]
  assert list(meta["signatures"]) == SIGNATURES and meta["serving_default"] == "encode"
  assert meta["signatures"]["traverse"]["outputs"]["images"]["shape"] == [None, None, 16, 16, 1]
  assert "LATENT_DIM = 2" in meta["gin_config"] and "train.model_fn = @beta_vae" in meta["gin_config"]
  assert meta["source"]["checkpoint"].endswith("ckpt-2")
  assert "latent_activity" not in meta  # the run was never evaluated
  assert sorted(exported["tflite"]) == sorted(SIGNATURES) and not exported["not_converted"]
  for name in SIGNATURES:
    assert meta["tflite"][name]["converted"] and os.path.getsize(exported["tflite"][name]) > 0
    assert meta["parity"]["tflite_vs_savedmodel"][name] == exported["parity"][name] < 1e-4
    assert meta["parity"]["savedmodel_vs_keras"][name] <= 1e-6


def test_saved_model_signatures_match_the_keras_model(trained, loaded):
  model = trained[1]
  rng = np.random.default_rng(7)
  images = rng.uniform(size=(3, 16, 16, 1)).astype(np.float32)
  codes = rng.standard_normal((3, 2)).astype(np.float32)
  dims, values = np.array([0, 1, 1], np.int32), np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
  close = lambda actual, expected: np.testing.assert_allclose(actual, expected, atol=1e-6)  # noqa: E731
  close(loaded.signatures["encode"](images=images)["codes"], model.encode(images))
  close(loaded.signatures["decode"](codes=codes)["images"], model.decode(codes))
  close(loaded.signatures["reconstruct"](images=images)["images"], model.decode(model.encode(images)))
  from_codes = loaded.signatures["traverse_code"](codes=codes, dims=dims, values=values)["images"]
  from_images = loaded.signatures["traverse"](images=images, dims=dims, values=values)["images"]
  assert from_codes.shape == (3, 4, 16, 16, 1)
  for i, code in enumerate(tf.unstack(codes)):
    close(from_codes[i], editing.traverse(model.decode, code, int(dims[i]), values[i]))
  for i, code in enumerate(tf.unstack(model.encode(images))):
    close(from_images[i], editing.traverse(model.decode, code, int(dims[i]), values[i]))


def test_tflite_files_match_the_saved_model_on_fresh_inputs(trained, exported, loaded):
  family = signatures_lib.family_for(trained[1])
  rng = np.random.default_rng(123)
  for signature in family.signatures:
    inputs = signature.sample_inputs(rng, batch=5)
    with open(exported["tflite"][signature.name], "rb") as f:
      lite = tflite_lib.run_tflite(f.read(), signature.name, inputs)
    reference = tflite_lib.run_saved_model(loaded, signature.name, inputs)
    assert tflite_lib.max_abs_diff(reference, lite) < 1e-4


def test_parity_failure_aborts_and_leaves_nothing(trained, tmp_path, monkeypatch):
  run_tflite = tflite_lib.run_tflite
  def off_by_a_little(content, name, inputs):
    return {k: v + 1e-3 for k, v in run_tflite(content, name, inputs).items()}
  monkeypatch.setattr(tflite_lib, "run_tflite", off_by_a_little)
  with pytest.raises(tflite_lib.ParityError, match="'encode'.*exceeds the tolerance"):
    export_lib.export_model(trained[0], str(tmp_path / "export" / "beta_vae" / "1"))
  assert os.listdir(tmp_path) == []  # neither the version folder, nor the folders made for it.


def test_parity_measure_fails_on_nan_and_mismatched_outputs():
  ones = {"images": np.ones((2, 3), np.float32)}
  assert tflite_lib.max_abs_diff(ones, {"images": np.full((2, 3), np.nan, np.float32)}) == np.inf
  assert tflite_lib.max_abs_diff(ones, {"images": np.ones((1, 3), np.float32)}) == np.inf
  assert tflite_lib.max_abs_diff(ones, {"codes": np.ones((2, 3), np.float32)}) == np.inf
  assert tflite_lib.max_abs_diff(ones, {"images": ones["images"] + 0.5}) == 0.5
  with pytest.raises(tflite_lib.ParityError):
    tflite_lib.check("decode", float("nan"), 1e-4, "TFLite − SavedModel")


def test_unconvertible_signature_is_recorded_not_fatal(trained, tmp_path):
  model = trained[1]
  family = signatures_lib.family_for(model)
  svd = signatures_lib.Signature(  # tf.linalg.svd has no TFLite builtin kernel.
      "svd", lambda codes: {"values": tf.linalg.svd(codes[:, :, tf.newaxis], compute_uv=False)},
      (signatures_lib.code_input("codes", 2),), "codes -> singular values")
  family = dataclasses.replace(family, signatures=(family.signatures[1], svd))
  export_lib.write_saved_model(family, str(tmp_path / "sm"))
  report = tflite_lib.convert_and_check(str(tmp_path / "sm"), tf.saved_model.load(str(tmp_path / "sm")),
                                        family.signatures, str(tmp_path / "tflite"))
  assert report["decode"]["converted"] and report["decode"]["max_abs_diff"] < 1e-4
  assert not report["svd"]["converted"] and "Svd" in report["svd"]["error"]
  assert os.listdir(tmp_path / "tflite") == ["decode.tflite"]


def test_existing_version_is_not_overwritten(trained, exported):
  before = open(exported["metadata"]).read()
  with pytest.raises(export_lib.ExportError, match=r"already exists: pass --overwrite.*beta_vae/2"):
    export_lib.export_model(trained[0], exported["export_dir"])
  assert open(exported["metadata"]).read() == before


def test_commit_replaces_only_with_overwrite(tmp_path):
  target, staging = tmp_path / "m" / "1", tmp_path / "m" / ".1.tmp-x"
  target.mkdir(parents=True)
  (target / "old").write_text("old")
  staging.mkdir()
  (staging / "new").write_text("new")
  with pytest.raises(export_lib.ExportError, match="--overwrite"):
    export_lib.commit(str(staging), str(target), overwrite=False)
  export_lib.commit(str(staging), str(target), overwrite=True)
  assert os.listdir(target) == ["new"] and os.listdir(tmp_path / "m") == ["1"]


def test_bad_targets_and_sources_are_refused(tmp_path):
  with pytest.raises(export_lib.ExportError, match="numeric VERSION"):
    export_lib.export_model(str(tmp_path), str(tmp_path / "export" / "beta_vae" / "latest"))
  with pytest.raises(export_lib.ExportError, match="holds no trained run"):
    export_lib.export_model(str(tmp_path), str(tmp_path / "export" / "beta_vae" / "1"))
  assert os.listdir(tmp_path) == []


def test_image_shape_that_is_not_the_runs_is_refused_naming_both(trained, tmp_path):
  with pytest.raises(export_lib.ExportError,
                     match=r"image_shape \[32, 32, 1\] does not match the run's image shape \[16, 16, 1\]"):
    export_lib.export_model(trained[0], str(tmp_path / "beta_vae" / "1"), image_shape=(32, 32, 1))
  assert os.listdir(tmp_path) == []


def test_unregistered_model_class_names_the_registry():
  with pytest.raises(ValueError, match="register_family"):
    signatures_lib.family_for(keras.Sequential())


def test_an_evaluation_of_the_exported_step_gives_the_editor_its_latent_activity(trained, tmp_path):
  run = tmp_path / "run"
  shutil.copytree(trained[0], run)
  with open(run / "results.json", "w") as f:
    json.dump({"step": 2, "latents": {"activity": [0.5, 2.0], "kl": [0.1, 0.9]}}, f)
  result = export_lib.export_model(str(run), str(tmp_path / "export" / "beta_vae" / "1"))
  with open(result["metadata"]) as f:
    assert json.load(f)["latent_activity"] == [0.5, 2.0]


@pytest.mark.parametrize("results", [
    {"step": 1, "latents": {"activity": [0.5, 2.0]}},  # another step's weights
    {"step": 2, "latents": {"activity": [0.5, 2.0, 1.0]}},  # another latent size
    {"step": 2, "metrics": {}},  # no per-latent summary (a model that does not encode)
])
def test_activity_of_other_weights_or_shapes_is_not_recorded(tmp_path, results):
  (tmp_path / "results.json").write_text(json.dumps(results))
  assert export_lib.recorded_activity(str(tmp_path), 2, 2) is None


def test_activity_without_or_with_a_damaged_results_file_is_not_recorded(tmp_path):
  assert export_lib.recorded_activity(str(tmp_path), 2, 2) is None
  (tmp_path / "results.json").write_text('{"step": 2, "lat')
  assert export_lib.recorded_activity(str(tmp_path), 2, 2) is None


def test_without_tflite_only_the_saved_model_and_its_keras_parity_are_written(trained, tmp_path):
  result = export_lib.export_model(trained[0], str(tmp_path / "beta_vae" / "1"), tflite=False)
  assert not os.path.exists(os.path.join(result["export_dir"], "tflite"))
  assert result["tflite"] == result["parity"] == result["not_converted"] == {}
  meta = _metadata(result)
  assert meta["tflite"] == meta["parity"]["tflite_vs_savedmodel"] == {}
  assert sorted(meta["parity"]["savedmodel_vs_keras"]) == sorted(SIGNATURES)
  assert set(tf.saved_model.load(result["export_dir"]).signatures) == {*SIGNATURES, "serving_default"}
