"""Checks shared by the export tests of every family."""

import numpy as np
import tensorflow as tf

import tfdis


def random_inputs(specs, batch, seed=0):
  """{name: array} for `specs` ({name: tf.TensorSpec}): floats uniform in [0, 1], integers 0 (always valid)."""
  rng = np.random.default_rng(seed)
  arrays = {}
  for name, spec in specs.items():
    shape = [batch if i == 0 else (d or 3) for i, d in enumerate(spec.shape.as_list())]
    if spec.dtype.is_integer:
      arrays[name] = np.zeros(shape, spec.dtype.as_numpy_dtype)
    else:
      arrays[name] = rng.uniform(size=shape).astype(spec.dtype.as_numpy_dtype)
  return arrays


def assert_load_export_matches(export_dir, expected_family):
  """`tfdis.load_export` on `export_dir`: every signature, called positionally with NumPy arrays, returns what
  the SavedModel's own signature returns; one unbatched example returns what a batch of one returns, without its batch dimension."""
  model = tfdis.load_export(export_dir)
  loaded = tf.saved_model.load(export_dir)
  assert model.family == expected_family and model.signature_names == sorted(loaded.signatures)
  for name in model.signature_names:
    specs = model.inputs(name)
    described = model.metadata["signatures"][model.metadata["serving_default"] if name == "serving_default" else name]
    assert list(specs) == list(described["inputs"]) and model.doc(name) == described["doc"], name
    arrays = random_inputs(specs, batch=2)
    direct = {k: v.numpy() for k, v in loaded.signatures[name](**arrays).items()}
    got = getattr(model, name)(*arrays.values())
    got = got if isinstance(got, dict) else {next(iter(direct)): got}
    assert sorted(got) == sorted(direct), name
    for key in direct:
      np.testing.assert_allclose(got[key], direct[key], atol=1e-6, err_msg=f"{name}/{key}")
    first = {k: v.numpy()[0] for k, v in loaded.signatures[name](**{k: v[:1] for k, v in arrays.items()}).items()}
    single = model.call(name, **{k: v[0] for k, v in arrays.items()})
    single = single if isinstance(single, dict) else {next(iter(direct)): single}
    for key in direct:
      np.testing.assert_allclose(single[key], first[key], atol=1e-6, err_msg=f"{name}/{key} unbatched")
  return model
