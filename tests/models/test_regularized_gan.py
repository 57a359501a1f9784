"""RegularizedGAN: optimizer steps, penalties against direct calls, WGAN-GP, serialization, checkpoints."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import regularizers
from tfdis.models.regularized_gan import model as gan_lib

SHAPE = (64, 64, 1)


def _gan(**kwargs):
  kwargs.setdefault("seed", 0)
  return gan_lib.regularized_gan(SHAPE, latent_dim=3, width=2, **kwargs)


def _compiled(**kwargs):
  model = _gan(**kwargs)
  model.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
  model.optimizer.build(model.trainable_variables)  # what train_lib does: a no-op once built.
  return model


def _data(n=2):
  images = tf.constant(np.random.RandomState(0).uniform(size=(n,) + SHAPE), tf.float32)
  return tf.data.Dataset.from_tensors({"image": images}).repeat()


def _variables(model):
  return [v.numpy().copy() for v in model.trainable_variables]


def test_two_steps_step_both_optimizers_on_their_own_variables():
  model = _compiled(penalty="orthogonal_jacobian", penalty_weight=1e-3, n_critic=2)
  g_before, d_before = _variables(model.generator), _variables(model.discriminator)
  logs = model.fit(_data(), steps_per_epoch=2, epochs=1, verbose=0).history
  assert sorted(logs) == sorted(gan_lib.RegularizedGAN.LOSS_NAMES + ("orthogonal_jacobian",))  # unweighted
  np.testing.assert_allclose(logs["jacobian_penalty"][-1], 1e-3 * logs["orthogonal_jacobian"][-1], rtol=1e-5)
  assert all(np.isfinite(v[-1]) for v in logs.values())
  assert int(model.optimizer.iterations) == 2 and int(model.d_optimizer.iterations) == 4
  assert all(np.any(a != b) for a, b in zip(g_before, _variables(model.generator)))
  # The critic's output bias cancels in mean D(fake) − mean D(real) and is absent from ∇_x D.
  moved = [np.any(a != b) for a, b in zip(d_before, _variables(model.discriminator))]
  paths = [v.path for v in model.discriminator.trainable_variables]
  assert [p for p, m in zip(paths, moved) if not m] == ["score/bias"]
  assert len(model.optimizer.variables) == 1 + 1 + 2 * len(model.generator.trainable_variables)


@pytest.mark.parametrize("penalty,kwargs", [
    ("orthogonal_jacobian", {}),
    ("orthogonal_jacobian", {"num_directions": 2, "method": "finite_difference"}),
    ("hessian_penalty", {"k": 2}),
])
def test_penalty_term_equals_the_regularizer_on_the_generator_layers(penalty, kwargs):
  model = _gan(penalty=penalty, penalty_weight=0.5, penalty_layers=["layer0", "layer2"],
               layer_weights=[2.0, 3.0], penalty_kwargs=kwargs)
  model.compile(optimizer="adam")
  z = tf.random.stateless_normal([2, 3], seed=[1, 2])
  fn = regularizers.orthogonal_jacobian if penalty == "orthogonal_jacobian" else regularizers.hessian_penalty
  model.seed_generator.state.assign(keras.random.SeedGenerator(7).state)
  terms = model.generator_terms(z)
  expected = fn(lambda x: model.generator(x), z, layer_weights={"layer0": 2.0, "layer2": 3.0},
                seed=keras.random.SeedGenerator(7), **kwargs)
  assert float(expected) > 0
  np.testing.assert_allclose(terms["jacobian_penalty"], 0.5 * float(expected), rtol=1e-5)
  np.testing.assert_allclose(terms[penalty], float(expected), rtol=1e-5)  # logged unweighted, own name
  adversarial = -np.mean(model.discriminator(model.generator(z)["image"]))
  np.testing.assert_allclose(terms["loss"], adversarial + 0.5 * float(expected), rtol=1e-5)


def test_penalty_none_is_zero_and_lazy_penalty_skips_steps():
  model = _compiled(penalty="none", penalty_weight=1.0)
  assert float(model.generator_terms(tf.ones([2, 3]))["jacobian_penalty"]) == 0.0
  assert "none" not in model.generator_terms(tf.ones([2, 3])) and "none" not in model.trackers
  lazy = _compiled(penalty="orthogonal_jacobian", penalty_weight=1.0, lazy_every=2)
  z = tf.ones([2, 3])
  on_step_0 = float(lazy.generator_terms(z)["jacobian_penalty"])
  np.testing.assert_allclose(on_step_0, 2.0 * float(lazy.penalty_value(z)), rtol=1e-5)
  lazy.optimizer.iterations.assign(1)
  assert float(lazy.generator_terms(z)["jacobian_penalty"]) == 0.0


class CountingCalls:
  """Wraps a network and counts its Python calls (a vectorized pass traces its function once)."""

  def __init__(self, network):
    self.network, self.calls = network, 0

  def __call__(self, *args, **kwargs):
    self.calls += 1
    return self.network(*args, **kwargs)


def _two_pass_generator_loss(model, z):
  """The generator loss as computed before issue 22: one generator call for the loss, one in the penalty."""
  adversarial = -tf.reduce_mean(model.discriminator(model.generator(z, training=True)["image"], training=True))
  return adversarial + regularizers.lazy_penalty(model.optimizer.iterations, model.lazy_every,
                                                 model.penalty_weight, lambda: model.penalty_value(z))


@pytest.mark.parametrize("penalty,kwargs", [
    ("orthogonal_jacobian", {"num_directions": 2}),
    ("orthogonal_jacobian", {"num_directions": 2, "strategy": "double_vjp"}),
    ("orthogonal_jacobian", {"num_directions": 2, "method": "finite_difference"}),
    ("hessian_penalty", {"k": 2}),
    ("hessian_penalty", {"k": 2, "method": "finite_difference"}),
])
def test_one_generator_pass_gives_the_two_pass_loss_and_gradient(penalty, kwargs):
  model = _compiled(penalty=penalty, penalty_weight=0.3, penalty_kwargs=kwargs, lazy_every=1)
  generator = model.generator
  z = tf.random.stateless_normal([3, 3], seed=[3, 4])
  calls = []
  for loss_fn in (lambda: model.generator_terms(z), functools.partial(_two_pass_generator_loss, model, z)):
    model.generator = CountingCalls(generator)
    loss_fn()  # eagerly (no tf.cond tracing both branches): one call of the generator per pass
    calls.append(model.generator.calls)
  model.generator, model.lazy_every = generator, 2
  assert calls == [1, 2]
  def loss_and_grads(loss_fn):
    with tf.GradientTape() as tape:
      loss = loss_fn()
    return loss, tape.gradient(loss, generator.trainable_variables)

  # Traced once each, as in train_step (eager gradients of the exact Hessian penalty fail in TF 2.21); the step
  # is a variable, so both steps run the same graphs.
  passes = [tf.function(functools.partial(loss_and_grads, loss_fn)) for loss_fn in (
      lambda: model.generator_terms(z)["loss"], functools.partial(_two_pass_generator_loss, model, z))]
  for step in (0, 1):  # penalized, then skipped (lazy every 2)
    model.optimizer.iterations.assign(step)
    results = []
    for loss_and_grads_fn in passes:
      model.seed_generator.state.assign(keras.random.SeedGenerator(5).state)
      results.append(loss_and_grads_fn())
    (loss, grads), (want_loss, want_grads) = results
    np.testing.assert_allclose(loss, want_loss, rtol=1e-5)
    for g, w in zip(grads, want_grads):  # float32 (the lazy penalty's dtype): batch sizes and sums differ
      np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-4 * np.abs(w).max())


def test_gradient_penalty_matches_a_direct_tape_and_vanishes_for_a_unit_linear_critic():
  model = _gan()
  real = tf.random.stateless_uniform((3,) + SHAPE, seed=[0, 1], minval=-1, maxval=1)
  fake = tf.random.stateless_uniform((3,) + SHAPE, seed=[0, 2], minval=-1, maxval=1)
  model.seed_generator.state.assign(keras.random.SeedGenerator(5).state)
  value = model.gradient_penalty(real, fake)
  alpha = keras.random.uniform([3, 1, 1, 1], seed=keras.random.SeedGenerator(5))
  mixed = alpha * real + (1 - alpha) * fake
  with tf.GradientTape() as tape:
    tape.watch(mixed)
    scores = model.discriminator(mixed)
  norms = np.sqrt(np.sum(tape.gradient(scores, mixed).numpy()**2, axis=(1, 2, 3)))
  np.testing.assert_allclose(value, np.mean((norms - 1)**2), rtol=1e-4)
  unit = np.random.RandomState(3).normal(size=(int(np.prod(SHAPE)), 1)).astype(np.float32)
  critic = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(
      1, kernel_initializer=keras.initializers.Constant(unit / np.linalg.norm(unit)))])
  assert float(gan_lib.RegularizedGAN(model.generator, critic).gradient_penalty(real, fake)) < 1e-8


def _linear_critic(weights, bias):
  return keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(
      1, kernel_initializer=keras.initializers.Constant(weights),
      bias_initializer=keras.initializers.Constant(bias))])


def test_critic_loss_is_the_official_half_wasserstein_plus_ten_gp():
  # Official gan_model.py: loss_D = 0.5 (mean D(fake) − mean D(real)) + 10 GP. A linear critic D(x) = w·x + b
  # has ∇_x D = w everywhere, so GP = (‖w‖ − 1)² = 1 for ‖w‖ = 2, and the D loss is known by hand.
  generator = _gan().generator
  w = np.random.RandomState(4).normal(size=(int(np.prod(SHAPE)), 1)).astype(np.float32)
  w *= 2.0 / np.linalg.norm(w)
  model = gan_lib.RegularizedGAN(generator, _linear_critic(w, 0.7), gp_weight=10.0, seed=0)
  real = tf.random.stateless_uniform((3,) + SHAPE, seed=[0, 3], minval=-1, maxval=1)
  z = tf.random.stateless_normal([3, 3], seed=[0, 4])
  fake = generator(z)["image"].numpy().reshape(3, -1)
  terms = model.discriminator_terms(real, z)
  hand = 0.5 * (np.mean(fake @ w) - np.mean(real.numpy().reshape(3, -1) @ w)) + 10.0 * (2.0 - 1.0)**2
  np.testing.assert_allclose(terms["gradient_penalty"], 1.0, rtol=1e-5)
  np.testing.assert_allclose(terms["d_loss"], hand, rtol=1e-5)
  g_terms = model.generator_terms(z)  # the generator's loss is not halved: −mean D(G(z))
  np.testing.assert_allclose(g_terms["loss"], -np.mean(fake @ w) - 0.7, rtol=1e-5)


def test_decode_summary_images_and_encode():
  model = _gan()
  images = model.decode(tf.zeros((2, 3))).numpy()
  assert images.shape == (2,) + SHAPE and images.min() >= 0 and images.max() <= 1
  pictures = model.summary_images(tf.zeros((4,) + SHAPE))
  assert pictures["samples"].shape == (4,) + SHAPE and pictures["traversal"].shape == (3, 7) + SHAPE
  with pytest.raises(NotImplementedError, match="no encoder"):
    model.encode(tf.zeros((1,) + SHAPE))


def test_serialization_round_trip(tmp_path):
  model = _gan(penalty="hessian_penalty", penalty_weight=1e-3, penalty_kwargs={"k": 3}, n_critic=2)
  path = str(tmp_path / "gan.keras")
  model.save(path)
  restored = keras.models.load_model(path)
  assert isinstance(restored, gan_lib.RegularizedGAN)
  assert (restored.penalty, restored.penalty_kwargs, restored.n_critic) == ("hessian_penalty", {"k": 3}, 2)
  assert restored.penalty_layers == list(model.penalty_layers)
  z = tf.ones((1, 3))
  np.testing.assert_allclose(restored.decode(z), model.decode(z), atol=1e-6)


def test_checkpoint_restores_both_optimizers(tmp_path):
  model = _compiled(penalty="orthogonal_jacobian", penalty_weight=1e-3, n_critic=2)
  model.fit(_data(), steps_per_epoch=2, epochs=1, verbose=0)
  tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(str(tmp_path / "ckpt"))
  fresh = _compiled(penalty="orthogonal_jacobian", penalty_weight=1e-3, n_critic=2, seed=9)
  checkpoint = tf.train.Checkpoint(model=fresh, optimizer=fresh.optimizer)
  checkpoint.restore(tf.train.latest_checkpoint(str(tmp_path))).assert_existing_objects_matched()
  assert int(fresh.optimizer.iterations) == 2 and int(fresh.d_optimizer.iterations) == 4
  for a, b in zip(model.d_optimizer.variables, fresh.d_optimizer.variables):
    np.testing.assert_array_equal(a.numpy(), b.numpy())
  for a, b in zip(model.trainable_variables, fresh.trainable_variables):
    np.testing.assert_array_equal(a.numpy(), b.numpy())

