"""The JL1-VAE's export: its local_traverse signature, and a 2-step gin run (lazy, finite-difference) exported."""

import numpy as np
import tensorflow as tf

from tfdis import signatures as signatures_lib
from tfdis.export import export_lib
from tests.support.exports import assert_load_export_matches
from tfdis.launch import train_lib
from tfdis.models.jl1_vae import model as jl1_vae_lib

SHAPE = (16, 16, 1)


def _images(n=4, seed=0):
  return tf.constant(np.random.RandomState(seed).uniform(size=(n,) + SHAPE), tf.float32)


def test_local_traverse_signature_decodes_code_plus_offset():
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2)
  family = signatures_lib.family_for(model)
  signature = {s.name: s for s in family.signatures}["local_traverse"]
  fn = tf.function(signature.fn, input_signature=signature.input_signature())
  x = _images(2)
  dims = np.array([1, 0], np.int32)
  offsets = np.array([[-1.0, 0.0, 0.5], [2.0, -0.25, 0.0]], np.float32)
  images = fn(x, dims, offsets)["images"].numpy()
  assert images.shape == (2, 3) + SHAPE
  codes = model.encode(x).numpy()
  for i in range(2):
    for j in range(3):
      moved = codes[i].copy()
      moved[dims[i]] += offsets[i, j]
      np.testing.assert_allclose(images[i, j], model.decode(moved[None])[0], atol=1e-6)
  np.testing.assert_allclose(images[0, 1], model.decode(codes[:1])[0], atol=1e-6)  # offset 0: the recon.


def test_two_steps_through_gin(tmp_path):
  """Compiled fit through the launcher; lazy (tf.cond) and finite-difference paths, the ramp on."""
  bindings = ["DATASET = @tiny_images", "BATCH_SIZE = 4", "LATENT_DIM = 2", "TRAIN_STEPS = 2",
              "CHECKPOINT_EVERY = 2", "RAMP_STEPS = 4", "GAMMA = 0.1", "train.log_every = 1",
              "jl1_vae.lazy_every = 2", "jl1_vae.jacobian_method = 'finite_difference'"]
  model = train_lib.run(["gin/runs/train.gin", "gin/models/jl1_vae.gin"], bindings, str(tmp_path),
                        strategy="one_device")
  assert isinstance(model, jl1_vae_lib.JL1VAE)
  assert int(model.optimizer.iterations) == 2 and model.ramp_steps == 4 and model.gamma == 0.1
  assert (model.lazy_every, model.jacobian_method) == (2, "finite_difference")
  assert "jacobian_l1" in [m.name for m in model.metrics]
  assert float(model.trackers["jacobian_l1"].result()) > 0.0
  resumed = train_lib.run(["gin/runs/train.gin", "gin/models/jl1_vae.gin"], bindings[:3] + bindings[4:] + [
      "TRAIN_STEPS = 3"], str(tmp_path), strategy="one_device")
  assert int(resumed.optimizer.iterations) == 3 and int(resumed.current_step()) == 3
  result = export_lib.export_model(str(tmp_path), str(tmp_path / "export" / "jl1_vae" / "1"))
  assert {"encode", "decode", "reconstruct", "traverse", "local_traverse"} <= set(result["signatures"])
  assert max(result["parity"].values()) <= 1e-4
  assert_load_export_matches(result["export_dir"], "beta_vae")  # JL1 exports as the β-VAE family
