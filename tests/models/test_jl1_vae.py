"""JL1-VAE: the penalty against jacobian_l1 on the decoder, decoder-only gradients, ramp, γ = 0 == β-VAE,
finite difference ≈ exact, serialization, the local_traverse signature and a 2-step gin run."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import signatures as signatures_lib
from tfdis.launch import train_lib
from tfdis.models.beta_vae import model as beta_vae_lib
from tfdis.models.jl1_vae import model as jl1_vae_lib
from tfdis.regularizers import jacobian_l1

SHAPE = (16, 16, 1)


def _images(n=4, seed=0):
  return tf.constant(np.random.RandomState(seed).uniform(size=(n,) + SHAPE), tf.float32)


def _codes(n=4, d=2, seed=1):
  return tf.constant(np.random.RandomState(seed).standard_normal((n, d)), tf.float32)


def test_penalty_term_equals_jacobian_l1_of_the_decoder_at_the_sampled_codes():
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, beta=4.0, gamma=0.3, seed=3)
  x = _images()
  drawn = []
  sample = model.sample
  model.sample = lambda m, lv: drawn.append(sample(m, lv)) or drawn[-1]
  terms = model.loss_terms(x, training=False)
  direct = jacobian_l1(model.decode, drawn[0])
  np.testing.assert_allclose(terms["jacobian_l1"], direct, rtol=1e-5)
  np.testing.assert_allclose(terms["loss"], terms["reconstruction"] + 4.0 * terms["kl"] + 0.3 * direct,
                             rtol=1e-5)


@pytest.mark.parametrize("method", ["exact", "finite_difference"])
def test_penalty_gradient_reaches_the_decoder_only(method):
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, jacobian_method=method, seed=0)
  x = _images()
  with tf.GradientTape() as tape:
    codes = model.sample(*model.encoder(x))
    penalty = model.jacobian_penalty(codes)
  # Not UnconnectedGradients.ZERO: TF 2.21 fails to build zeros through the vectorized JVP's graph.
  grads = tape.gradient(penalty, model.encoder.trainable_variables + model.decoder.trainable_variables)
  num_encoder = len(model.encoder.trainable_variables)
  encoder_grads, decoder_grads = grads[:num_encoder], grads[num_encoder:]
  assert all(g is None or float(tf.reduce_max(tf.abs(g))) == 0.0 for g in encoder_grads)
  assert all(g is not None for g in decoder_grads)
  assert sum(float(tf.reduce_sum(tf.abs(g))) for g in decoder_grads) > 0.0


def test_one_decoder_pass_gives_the_two_pass_loss_and_gradient():
  policy = keras.config.dtype_policy()  # the global policy, once created, no longer follows floatx
  keras.config.set_floatx("float64")
  keras.config.set_dtype_policy("float64")
  try:
    model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=3, gamma=0.3, seed=2, lazy_every=2)
  finally:
    keras.config.set_floatx("float32")
    keras.config.set_dtype_policy(policy)
  x = tf.cast(_images(), tf.float64)
  variables = model.encoder.trainable_variables + model.decoder.trainable_variables
  decoder, calls = model.decoder, []
  for shared in (True, False):
    model.shares_decoder_pass = lambda shared=shared: shared  # False: the two-pass path of before
    counted = []
    model.decoder = lambda *args, **kwargs: counted.append(1) or decoder(*args, **kwargs)
    model.loss_terms(x, training=True, step=0)
    calls.append(len(counted))
    model.decoder = decoder
  assert calls == [1, 2]
  for step in (0, 1):  # penalized, then skipped (lazy every 2)
    results = []
    for shared in (True, False):
      model.shares_decoder_pass = lambda shared=shared: shared
      model.seed_generator.state.assign(keras.random.SeedGenerator(4).state)
      with tf.GradientTape() as tape:
        terms = model.loss_terms(x, training=True, step=tf.constant(step, tf.int64))
      results.append((terms, tape.gradient(terms["loss"], variables)))
    (terms, grads), (want, want_grads) = results
    assert (float(terms["jacobian_l1"]) > 0) == (step == 0)
    for name in terms:
      np.testing.assert_allclose(terms[name], want[name], rtol=1e-12)
    for g, w in zip(grads, want_grads):  # encoder gradients from the reconstruction only, as before
      np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12 * np.abs(w).max())


def test_k_column_estimate_and_its_gin_options():
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=4, seed=0, jacobian_directions=4)
  codes = _codes(d=4)
  np.testing.assert_allclose(model.jacobian_penalty(codes), jacobian_l1(model.decode, codes), rtol=1e-5)
  model.jacobian_directions = 1
  draws = [float(model.jacobian_penalty(codes)) for _ in range(3)]
  assert len(set(draws)) > 1 and not model.shares_decoder_pass()
  restored = jl1_vae_lib.JL1VAE.from_config(model.get_config())
  assert restored.jacobian_directions == 1
  with pytest.raises(ValueError, match="jacobian_directions must be None"):
    jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, jacobian_directions=0)


def test_ramp_is_linear_from_zero_then_constant():
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, beta=4.0, gamma=0.2, ramp_steps=100)
  for step, fraction in [(0, 0.0), (50, 0.5), (100, 1.0), (250, 1.0)]:
    beta, gamma = model.ramped_weights(tf.constant(step, tf.int64))
    np.testing.assert_allclose([beta, gamma], [4.0 * fraction, 0.2 * fraction], rtol=1e-6)
  model.compile(optimizer=keras.optimizers.Adam(1e-4))
  model.optimizer.iterations.assign(50)  # the default step is the optimizer's counter.
  np.testing.assert_allclose(model.ramped_weights(model.current_step()), [2.0, 0.1], rtol=1e-6)
  no_ramp = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, beta=4.0, gamma=0.2, ramp_steps=0)
  assert no_ramp.ramped_weights(tf.constant(0)) == (4.0, 0.2)


def test_gamma_zero_reproduces_beta_vae_exactly():
  reference = beta_vae_lib.beta_vae(SHAPE, latent_dim=2, beta=4.0, seed=5)
  model = jl1_vae_lib.JL1VAE(reference.encoder, reference.decoder, beta=4.0, gamma=0.0, seed=5)
  x = _images()
  expected = reference.loss_terms(x, training=True)
  terms = model.loss_terms(x, training=True)
  for name in ("loss", "reconstruction", "kl"):
    np.testing.assert_array_equal(terms[name], expected[name])
  assert float(terms["jacobian_l1"]) == 0.0


def test_finite_difference_is_close_to_exact():
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, seed=0)
  codes = _codes()
  exact = model.jacobian_penalty(codes)
  model.jacobian_method = "finite_difference"
  approx = model.jacobian_penalty(codes)
  np.testing.assert_allclose(approx, exact, rtol=2e-2)


def test_lazy_penalty_every_n_steps_with_weight_n():
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, gamma=0.5, lazy_every=3)
  model.sample = lambda m, lv: m
  x = _images()
  direct = jacobian_l1(model.decode, model.encode(x))
  on = model.loss_terms(x, training=False, step=tf.constant(6, tf.int64))
  off = model.loss_terms(x, training=False, step=tf.constant(7, tf.int64))
  np.testing.assert_allclose(on["jacobian_l1"], 3.0 * direct, rtol=1e-5)
  assert float(off["jacobian_l1"]) == 0.0
  np.testing.assert_allclose(on["loss"] - off["loss"], 0.5 * 3.0 * direct, rtol=1e-4)


def test_bad_arguments_are_clear_errors():
  with pytest.raises(ValueError, match="finite_difference"):
    jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, jacobian_method="central")
  with pytest.raises(ValueError, match="lazy_every"):
    jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, lazy_every=0)


def test_config_round_trip_and_keras_save_load(tmp_path):
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2, beta=3.0, gamma=0.05, ramp_steps=10,
                              jacobian_method="finite_difference", epsilon=1e-2, lazy_every=4, seed=7)
  clone = jl1_vae_lib.JL1VAE.from_config(model.get_config())
  fields = ("beta", "gamma", "ramp_steps", "jacobian_method", "epsilon", "lazy_every", "seed")
  assert [getattr(clone, f) for f in fields] == [3.0, 0.05, 10, "finite_difference", 1e-2, 4, 7]
  path = str(tmp_path / "model.keras")
  model.save(path)
  loaded = keras.models.load_model(path)
  assert isinstance(loaded, jl1_vae_lib.JL1VAE)
  assert [getattr(loaded, f) for f in fields] == [getattr(model, f) for f in fields]
  x = _images(3)
  np.testing.assert_array_equal(model.encode(x), loaded.encode(x))
  np.testing.assert_array_equal(model(x), loaded(x))


def test_logvar_bias_starts_at_minus_three():
  model = jl1_vae_lib.jl1_vae(SHAPE, latent_dim=2)
  _, logvar = model.encoder(tf.zeros((1,) + SHAPE))
  np.testing.assert_allclose(logvar, -3.0, atol=1.0)  # -3 bias plus a small random projection.
  assert float(tf.reduce_mean(logvar)) < -2.0


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
  from export import export_lib  # pylint: disable=g-import-not-at-top
  result = export_lib.export_model(str(tmp_path), str(tmp_path / "export" / "jl1_vae" / "1"))
  assert {"encode", "decode", "reconstruct", "traverse", "local_traverse"} <= set(result["signatures"])
  assert max(result["parity"].values()) <= 1e-4
  from tests.support.exports import assert_load_export_matches  # pylint: disable=g-import-not-at-top
  assert_load_export_matches(result["export_dir"], "beta_vae")  # JL1 exports as the β-VAE family
