"""β-VAE: loss terms against direct formulas, a learning step, serialization round trips."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis.models.beta_vae import model as beta_vae_lib

SHAPE = (16, 16, 1)


def _images(n=4, seed=0):
  return tf.constant(np.random.RandomState(seed).uniform(size=(n,) + SHAPE), tf.float32)


def test_loss_terms_match_direct_formulas():
  model = beta_vae_lib.beta_vae(SHAPE, latent_dim=3, beta=2.5, seed=1)
  x = _images()
  mean, logvar = model.encoder(x)
  model.sample = lambda m, lv: m  # no noise: the terms become deterministic functions of the encoder.
  terms = model.loss_terms(x, training=False)
  logits = model.decoder(mean).numpy()
  p = 1 / (1 + np.exp(-logits))
  bce = -(x.numpy() * np.log(p) + (1 - x.numpy()) * np.log(1 - p)).sum(axis=(1, 2, 3)).mean()
  kl = (0.5 * (mean.numpy()**2 + np.exp(logvar.numpy()) - logvar.numpy() - 1)).sum(-1).mean()
  np.testing.assert_allclose(terms["reconstruction"], bce, rtol=1e-4)
  np.testing.assert_allclose(terms["kl"], kl, rtol=1e-4, atol=1e-7)
  np.testing.assert_allclose(terms["loss"], bce + 2.5 * kl, rtol=1e-4)


def test_training_reduces_loss_on_a_fixed_batch():
  model = beta_vae_lib.beta_vae(SHAPE, latent_dim=3, seed=0)
  model.compile(optimizer=keras.optimizers.Adam(1e-3))
  data = tf.data.Dataset.from_tensors({"image": _images(8)}).repeat()
  before = model.evaluate(data, steps=1, verbose=0, return_dict=True)["loss"]
  model.fit(data, steps_per_epoch=30, epochs=1, verbose=0)
  after = model.evaluate(data, steps=1, verbose=0, return_dict=True)["loss"]
  assert after < before - 1.0
  assert int(model.optimizer.iterations) == 30


def test_encode_decode_and_traversal_shapes():
  model = beta_vae_lib.beta_vae(SHAPE, latent_dim=3)
  x = _images(2)
  assert model.encode(x).shape == (2, 3)
  decoded = model.decode(tf.zeros((5, 3))).numpy()
  assert decoded.shape == (5,) + SHAPE and decoded.min() >= 0 and decoded.max() <= 1
  pictures = model.summary_images(x)
  assert pictures["traversal"].shape == (3, 7) + SHAPE
  assert pictures["reconstructions"].shape == x.shape


def test_config_round_trip_keeps_hyperparameters():
  model = beta_vae_lib.beta_vae(SHAPE, latent_dim=4, beta=3.0, reconstruction="gaussian", seed=7)
  clone = beta_vae_lib.BetaVAE.from_config(model.get_config())
  assert (clone.beta, clone.reconstruction, clone.seed, clone.latent_dim) == (3.0, "gaussian", 7, 4)


def test_keras_save_load_gives_identical_outputs(tmp_path):
  model = beta_vae_lib.beta_vae(SHAPE, latent_dim=3, beta=2.0)
  path = str(tmp_path / "model.keras")
  model.save(path)
  loaded = keras.models.load_model(path)
  x = _images(3)
  np.testing.assert_array_equal(model.encode(x), loaded.encode(x))
  np.testing.assert_array_equal(model(x), loaded(x))
  assert loaded.beta == 2.0


def test_unknown_reconstruction_is_a_clear_error():
  with pytest.raises(ValueError, match="bernoulli"):
    beta_vae_lib.beta_vae(SHAPE, reconstruction="l7")
