"""`tfdis.load_export`: an export's signatures as NumPy methods (β-VAE here; each family's export test
runs `assert_load_export_matches` on its own export)."""

import os

import numpy as np
import pytest

import tfdis
from tests.support.exports import assert_load_export_matches
from tests.support.exports import random_inputs


def test_every_signature_matches_the_saved_model(exported):
  model = assert_load_export_matches(exported["export_dir"], "beta_vae")
  assert model.latent_dim == 2 and model.image_shape == (16, 16, 1)
  assert {"encode", "decode", "reconstruct", "traverse"} <= set(model.signature_names) <= set(dir(model))


def test_decode_one_example_and_a_batch(exported):
  model = tfdis.load_export(exported["export_dir"])
  batch = model.decode(np.zeros([3, 2]))
  assert batch.shape == (3, 16, 16, 1) and batch.dtype == np.float32
  np.testing.assert_allclose(model.decode(codes=[0.0, 0.0]), batch[0], atol=1e-6)
  assert 0.0 <= batch.min() and batch.max() <= 1.0


def test_model_folder_and_export_root_resolve_to_the_newest_version(exported, tmp_path):
  version_dir = exported["export_dir"]
  model_folder = os.path.dirname(version_dir)
  assert tfdis.load_export(model_folder).path == version_dir
  assert tfdis.load_export(os.path.dirname(model_folder)).path == version_dir
  assert tfdis.load_export(model_folder, version=1).path == version_dir
  with pytest.raises(FileNotFoundError, match=r"no version 7; it has \[1\]"):
    tfdis.load_export(model_folder, version=7)
  with pytest.raises(FileNotFoundError, match="No export at"):
    tfdis.load_export(tmp_path / "missing")
  with pytest.raises(FileNotFoundError, match="no SavedModel was found"):
    tfdis.load_export(tmp_path)


def test_bad_calls_name_what_the_signature_takes(exported):
  model = tfdis.load_export(exported["export_dir"])
  with pytest.raises(AttributeError, match=r"no signature 'swap_class'; it has \["):
    model.swap_class  # pylint: disable=pointless-statement
  with pytest.raises(ValueError, match=r"decode has no input 'latents'; it takes \['codes'\]"):
    model.decode(latents=np.zeros([1, 2]))
  with pytest.raises(ValueError, match="missing inputs"):
    model.decode()
  with pytest.raises(ValueError, match=r"takes 1 inputs \['codes'\], got 2 positional"):
    model.decode(np.zeros([1, 2]), np.zeros([1, 2]))
  with pytest.raises(ValueError, match=r"'codes' has shape \[1, 5\], expected \[None, 2\]"):
    model.decode(np.zeros([1, 5]))
  with pytest.raises(ValueError, match="given twice"):
    model.decode(np.zeros([1, 2]), codes=np.zeros([1, 2]))
  arrays = random_inputs(model.inputs("traverse_code"), batch=1)
  assert arrays["dims"].dtype == np.int32
  with pytest.raises(ValueError, match="'dims' takes integers"):
    model.traverse_code(**{**arrays, "dims": np.full([1], 0.5)})


def test_readme_python_example_runs(exported):
  """The README's "From Python" block, on this test's export instead of the quick start's."""
  readme = open(os.path.join(tfdis.ROOT, "README.md")).read()
  block = readme.split("### From Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
  root = os.path.dirname(os.path.dirname(exported["export_dir"]))
  assert "/tmp/tfdis_quickstart/export" in block
  namespace = {}
  exec(block.replace("/tmp/tfdis_quickstart/export", root), namespace)  # pylint: disable=exec-used
  assert namespace["images"].shape == (2, 16, 16, 1) and namespace["one"].shape == (16, 16, 1)
  assert namespace["rows"].shape == (2, 3, 16, 16, 1)
