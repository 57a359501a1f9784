"""Golden exports: every exported family's signatures, specs and outputs on fixed weights and fixed inputs.

`python -m tests.export.golden.regenerate` rewrites tests/export/golden/<case>.npz from the current code;
tests/export/test_golden_export.py re-exports every case and compares. Regenerate only when a change of the
exported outputs is intended, and say so in the commit.

Weights are fixed without storing them: after the model is built, every variable of the family's exported
modules is overwritten from a seeded NumPy generator (`fix_weights`), so the golden does not depend on Keras
initializers, only on the variables' shapes and order.
"""

import json
import os
import tempfile

import gin
import numpy as np
import tensorflow as tf

from tfdis import runs
from tfdis import signatures as signatures_lib
from tfdis.export import export_lib

GOLDEN_DIR = os.path.dirname(os.path.abspath(__file__))
BATCH = 2

# case -> (gin files, bindings, image shape): tiny models of every exported family and variant.
CASES = {
    "beta_vae": (["gin/papers/beta_vae/shapes2d.gin"], ["LATENT_DIM = 2"], (16, 16, 1)),
    "jl1_vae": (["gin/papers/jl1_vae/shapes2d.gin"], ["LATENT_DIM = 2"], (16, 16, 1)),
    "regularized_gan": (["gin/papers/orojar/shapes2d.gin"], ["regularized_gan.width = 2", "LATENT_DIM = 3"],
                        (64, 64, 1)),
    "mddae_classes": (["gin/papers/mddae/glyphs.gin"], ["LATENT_DIM = 2", "FILTERS = (4, 8)", "mddae.hidden = 8"],
                      (32, 32, 1)),
    "mddae_attributes": (["gin/papers/mddae/attributes_disae_xcov.gin"],
                         ["LATENT_DIM = 2", "FILTERS = (4, 8)", "mddae.hidden = 8"], (32, 32, 3)),
    "lord": (["gin/papers/lord/glyphs.gin"], ["NUM_IMAGES = 8", "lord.adain_dim = 8", "lord.encoder_width = 2",
                                              "lord.class_dim = 4", "lord.content_dim = 3"], (32, 32, 1)),
    "lrli_vae": (["gin/papers/lrli_vae/glyphs.gin"], ["RELEVANT_DIM = 2", "IRRELEVANT_DIM = 3"], (32, 32, 1)),
}


def family_of(model):
  """The export `Family` of `model`, as export_lib finds it."""
  return signatures_lib.family_for(model)


def build_model(case):
  """The case's model, built from its gin configuration (gin cleared afterwards)."""
  files, bindings, image_shape = CASES[case]
  runs.parse_gin(files, bindings, warn_unused_file_macros=False)
  try:
    return runs.configured("train.model_fn")(image_shape=image_shape)
  finally:
    gin.clear_config()


def fix_weights(modules, seed=0):
  """Overwrites every variable of `modules` with seeded values of a sensible scale.

  Kernels (2+ dimensions) are uniform in ±sqrt(3 / fan_in); vectors (biases, norm scales, moving variances)
  keep their initial value v as v·(1 + 0.1·u) + 0.01·u, u uniform in [-1, 1], which keeps variances positive.
  """
  rng = np.random.default_rng(seed)
  for module in modules:
    for variable in module.weights:
      shape = tuple(variable.shape)
      u = rng.uniform(-1.0, 1.0, size=shape)
      if len(shape) >= 2:
        value = u * np.sqrt(3.0 / max(1, int(np.prod(shape[:-1]))))
      else:
        value = np.asarray(variable.numpy()) * (1.0 + 0.1 * u) + 0.01 * u
      variable.assign(value.astype(variable.dtype))


def describe(family):
  """The JSON-able facts of a family that an export promises: names, layout, and each signature's specs."""
  def spec(s):
    return [s.dtype.name, [None if d is None else int(d) for d in s.shape.as_list()]]
  return {"name": family.name, "image_shape": list(family.image_shape), "latent_layout": family.latent_layout,
          "class_names": list(family.class_names), "attribute_names": list(family.attribute_names),
          "signatures": [{"name": s.name, "doc": s.doc, "inputs": [[i.name, *spec(i.spec)] for i in s.inputs]}
                         for s in family.signatures]}


def exported_outputs(family, inputs):
  """{signature: {output: array}} of the SavedModel `export_lib.write_saved_model` writes for `family`."""
  with tempfile.TemporaryDirectory() as folder:
    export_lib.write_saved_model(family, folder)
    loaded = tf.saved_model.load(folder)
    return {name: {k: v.numpy() for k, v in loaded.signatures[name](**arrays).items()}
            for name, arrays in inputs.items()}


def fixed_case(case):
  """(family, inputs {signature: {input: array}}) of `case`, its weights fixed and its inputs seeded."""
  model = build_model(case)
  family = family_of(model)
  fix_weights(family.modules)
  family = family_of(model)  # rebuilt: a family may read weights when built (the GAN's SeFa directions).
  rng = np.random.default_rng(1)
  return family, {s.name: s.sample_inputs(rng, BATCH) for s in family.signatures}


def write_golden(case):
  """Writes GOLDEN_DIR/<case>.npz: the family's description, the inputs and the SavedModel's outputs."""
  family, inputs = fixed_case(case)
  outputs = exported_outputs(family, inputs)
  arrays = {"description": np.array(json.dumps(describe(family)))}
  for name in inputs:
    arrays.update({f"in/{name}/{k}": v for k, v in inputs[name].items()})
    arrays.update({f"out/{name}/{k}": v.astype(np.float32) for k, v in outputs[name].items()})
  np.savez_compressed(os.path.join(GOLDEN_DIR, f"{case}.npz"), **arrays)


def read_golden(case):
  """(description, inputs, outputs) stored for `case`, in `write_golden`'s structure."""
  with np.load(os.path.join(GOLDEN_DIR, f"{case}.npz")) as data:
    stored = {k: data[k] for k in data.files}
  inputs, outputs = {}, {}
  for key, value in stored.items():
    kind, *rest = key.split("/")
    if kind in ("in", "out"):
      (inputs if kind == "in" else outputs).setdefault(rest[0], {})[rest[1]] = value
  return json.loads(str(stored["description"])), inputs, outputs


if __name__ == "__main__":
  for name in CASES:
    write_golden(name)
    print("wrote", os.path.join(GOLDEN_DIR, f"{name}.npz"))
