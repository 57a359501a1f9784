"""Lr/Li-VAE against the official training (ZhilZheng/Lr-LiVAE): the precisions' own optimizer and its step
decay (values at chosen steps, save/restore), fresh GM batches, the softplus(0.54) precisions, the paper's
Table 3 CIFAR-10 networks, and the departures that remain (pinned)."""

import gin
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis.models.lrli_vae import model as lib
from tfdis.networks import lrli_table3
from tfdis import runs

SHAPE = (16, 16, 1)
BASE_LR = 5e-4


def _compiled(optimizers=None, **kwargs):
  """A built, compiled model; `optimizers` {name: optimizer} replace the clones of Adam(5e-4, 0, 0.9)."""
  kwargs.setdefault("seed", 0)
  model = lib.lrli_vae(SHAPE, num_classes=3, relevant_dim=2, irrelevant_dim=3, **kwargs)
  model.compile(optimizer=keras.optimizers.Adam(BASE_LR, beta_1=0.0, beta_2=0.9), **(optimizers or {}))
  model.optimizer.build(model.trainable_variables)
  return model


def _batch(n=4, seed=0):
  rng = np.random.RandomState(seed)
  return {"image": tf.constant(rng.uniform(size=(n,) + SHAPE), tf.float32),
          "label": tf.constant(rng.randint(0, 3, size=n), tf.int32)}


def official_variance_lr(iteration, examples, batch_size, base_lr=BASE_LR):
  """The official schedule (`train`: lr_ipt), per training iteration."""
  return base_lr / (10 ** (iteration // (examples // batch_size * 10)))


@pytest.mark.parametrize("gm_steps", [1, 3])
def test_variance_learning_rate_is_the_official_step_decay_at_chosen_steps(gm_steps):
  # An "epoch" of 60 examples at batch 12 is 5 steps: ÷10 every 50 train steps (= 50·gm_steps GM updates).
  model = _compiled(gm_steps=gm_steps, steps_per_epoch=60 // 12)
  assert model.variance_decay_steps == 50
  for step in (0, 1, 49, 50, 51, 99, 100, 149, 150, 320):
    model.variance_optimizer.iterations.assign(step * gm_steps)  # GM updates before train step `step`
    expected = official_variance_lr(step, 60, 12)
    assert float(model.variance_optimizer.learning_rate) == pytest.approx(expected, rel=1e-5), step
  for name in ("optimizer", "gm_optimizer", "s_optimizer", "d_optimizer"):  # the others stay at 5e-4
    assert float(getattr(model, name).learning_rate) == pytest.approx(BASE_LR)


def test_paper_option_of_appendix_b4_decays_by_a_hundredth_after_two_epochs():
  model = _compiled(gm_steps=3, steps_per_epoch=7, variance_decay_epochs=2, variance_decay_rate=0.01)
  for step, expected in ((13, BASE_LR), (14, BASE_LR * 0.01), (28, BASE_LR * 1e-4)):
    model.variance_optimizer.iterations.assign(3 * step)
    assert float(model.variance_optimizer.learning_rate) == pytest.approx(expected, rel=1e-5)
  with pytest.raises(ValueError, match="variance_decay_steps"):
    lib.LrLiVAE(*[None] * 5, num_classes=3, variance_decay_steps=0)


def test_precisions_are_trained_by_their_own_optimizer_only():
  model = _compiled()
  groups = model.optimizer_variables()
  owners = [name for name, variables in groups.items() if any(v is model.prior.raw_precisions for v in variables)]
  assert owners == ["variance_optimizer"] and groups["variance_optimizer"] == [model.prior.raw_precisions]
  frozen = _compiled(optimizers={"variance_optimizer": keras.optimizers.SGD(0.0)})
  before_p, before_m = frozen.prior.raw_precisions.numpy().copy(), frozen.prior.means.numpy().copy()
  frozen.train_step(_batch())
  np.testing.assert_array_equal(frozen.prior.raw_precisions.numpy(), before_p)  # no other optimizer moves them
  assert np.any(frozen.prior.means.numpy() != before_m)
  free = _compiled(optimizers={name: keras.optimizers.SGD(0.0) for name in lib.OPTIMIZERS
                               if name != "variance_optimizer"})
  before_p = free.prior.raw_precisions.numpy().copy()
  free.train_step(_batch())
  assert np.all(free.prior.raw_precisions.numpy() != before_p)


def test_three_gm_steps_see_three_different_batches_and_the_joint_step_the_last():
  model = _compiled(fresh_gm_batches=True)
  assert model.batches_per_step == 3
  seen, joint = [], []
  gm_step, joint_terms = model.gm_step, model.joint_terms
  model.gm_step = lambda images, *args: (seen.append(images.numpy()), gm_step(images, *args))[1]
  model.joint_terms = lambda images, *args, **kw: (joint.append(images.numpy()), joint_terms(images, *args, **kw))[1]
  data = _batch(12)
  model.train_step(data)
  images = data["image"].numpy()
  assert len(seen) == 3 and len(joint) == 1
  for i, batch in enumerate(seen):
    np.testing.assert_array_equal(batch, images[4 * i:4 * i + 4])
  assert all(np.any(seen[i] != seen[j]) for i in range(3) for j in range(i))
  np.testing.assert_array_equal(joint[0], images[8:])  # official: the joint step is fed the third batch
  with pytest.raises(ValueError, match="batches_per_step"):
    model.train_step(_batch(4))


def test_reused_batches_when_fresh_batches_are_off():
  model = _compiled(fresh_gm_batches=False)
  seen = []
  gm_step = model.gm_step
  model.gm_step = lambda images, *args: (seen.append(images.numpy()), gm_step(images, *args))[1]
  model.train_step(_batch(4))
  assert model.batches_per_step == 1 and len(seen) == 3
  assert all(np.array_equal(seen[0], s) for s in seen)


def test_variance_schedule_state_survives_save_and_restore(tmp_path):
  model = _compiled(gm_steps=2, steps_per_epoch=1, variance_decay_epochs=1)  # ÷10 every train step
  data = tf.data.Dataset.from_tensors(_batch()).repeat()
  model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
  tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(str(tmp_path / "ckpt"))
  fresh = _compiled(gm_steps=2, steps_per_epoch=1, variance_decay_epochs=1, seed=7)
  checkpoint = tf.train.Checkpoint(model=fresh, optimizer=fresh.optimizer)
  checkpoint.restore(tf.train.latest_checkpoint(str(tmp_path))).assert_existing_objects_matched()
  assert int(fresh.variance_optimizer.iterations) == int(model.variance_optimizer.iterations) == 4
  assert float(fresh.variance_optimizer.learning_rate) == float(model.variance_optimizer.learning_rate)
  assert float(fresh.variance_optimizer.learning_rate) == pytest.approx(BASE_LR / 100, rel=1e-5)
  for a, b in zip(model.variance_optimizer.variables, fresh.variance_optimizer.variables):
    np.testing.assert_array_equal(a.numpy(), b.numpy())
  state = model.seed_generator.state.numpy()
  fresh.seed_generator.state.assign(state)
  for m in (model, fresh):  # one more step from the same state: the same precisions, bit for bit
    m.train_step(_batch(seed=1))
  np.testing.assert_array_equal(fresh.prior.raw_precisions.numpy(), model.prior.raw_precisions.numpy())


def test_precisions_start_at_softplus_054_as_the_official_variance_variable():
  model = lib.lrli_vae(SHAPE, num_classes=3, relevant_dim=2, irrelevant_dim=3, seed=0)
  np.testing.assert_array_equal(model.prior.raw_precisions.numpy(), np.full((3, 2), 0.54, np.float32))
  softplus = np.log1p(np.exp(np.float64(0.54)))  # 0.99919...: Λ, a precision (official: z·Λ in d_k)
  np.testing.assert_allclose(model.prior.precisions.numpy(), softplus, rtol=1e-6)
  np.testing.assert_allclose(model.prior.log_precisions.numpy(), np.log(softplus), rtol=1e-5, atol=1e-7)
  np.testing.assert_allclose(model.class_codes(tf.constant([1]), tf.ones([1, 2])),
                             model.prior.means.numpy()[1:2] + 1 / np.sqrt(softplus), rtol=1e-6)
  v = tf.Variable([[-30.0, -104.0, 0.54]])  # e^v underflows softplus at −104: log Λ stays v, finite gradient
  model.prior.raw_precisions = v
  with tf.GradientTape() as tape:
    log_precisions = model.prior.log_precisions
  np.testing.assert_allclose(log_precisions.numpy()[0, :2], [-30.0, -104.0])
  assert np.all(np.isfinite(tape.gradient(log_precisions, v).numpy()))


def _layers(network):
  """[(class name, filters/units, kernel, strides)] of the weight layers (spectral norm unwrapped)."""
  rows = []
  for layer in network.layers:
    layer = getattr(layer, "layer", layer)
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
      rows.append((type(layer).__name__, layer.filters, layer.kernel_size[0], layer.strides[0]))
    elif isinstance(layer, (keras.layers.Dense, keras.layers.BatchNormalization)):
      rows.append((type(layer).__name__, getattr(layer, "units", None), None, None))
  return rows


BN = ("BatchNormalization", None, None, None)


def test_table3_networks_have_the_papers_layers():
  encoder = lrli_table3.table3_encoder((32, 32, 3), 100)
  conv = [[("Conv2D", f, 5, 2), BN] for f in (32, 64, 128, 256)]
  assert _layers(encoder) == sum(conv, []) + [("Dense", 1024, None, None), BN, ("Dense", 100, None, None)]
  assert [o.shape[-1] for o in lrli_table3.table3_encoder((32, 32, 3), 200, gaussian=True).outputs] == [200, 200]
  decoder = lrli_table3.table3_decoder(300, (32, 32, 3))
  deconv = [[("Conv2DTranspose", f, 5, s), BN] for f, s in ((256, 2), (256, 1), (128, 2), (64, 2), (32, 2))]
  assert _layers(decoder) == [("Dense", 1024, None, None), BN] + sum(deconv, []) + [("Conv2DTranspose", 3, 5, 1)]
  assert tuple(decoder.outputs[0].shape[1:]) == (32, 32, 3)
  critic = lrli_table3.table3_discriminator((32, 32, 3), 10)
  assert _layers(critic) == [("Conv2D", 32, 5, 1), ("Conv2D", 128, 5, 2), ("Conv2D", 256, 5, 2),
                             ("Conv2D", 256, 5, 2), ("Dense", 512, None, None), ("Dense", 1, None, None)]
  assert sum(isinstance(layer, keras.layers.SpectralNormalization) for layer in critic.layers) == 6
  with pytest.raises(ValueError, match="multiples of 16"):
    lrli_table3.table3_encoder((28, 28, 1), 8)


def test_cifar10_config_builds_table3_with_the_official_code_sizes_and_schedule():
  runs.parse_gin(["gin/papers/lrli_vae/cifar10.gin"])
  try:
    model = gin.get_configurable(lib.lrli_vae)(image_shape=(32, 32, 3))
  finally:
    gin.clear_config()
  assert (model.relevant_dim, model.irrelevant_dim) == (100, 200)
  assert _layers(model.encoder_s)[:2] == [("Conv2D", 32, 5, 2), BN]
  assert model.variance_decay_steps == 5200 and model.fresh_gm_batches and model.gm_steps == 3
  model.compile(optimizer=keras.optimizers.Adam(BASE_LR))
  logs = model.train_step({"image": tf.random.uniform([6, 32, 32, 3]), "label": tf.constant([0, 1, 2] * 2)})
  assert np.isfinite(float(logs["loss"]))


def test_departures_that_remain_are_pinned():
  """What tfdis keeps different from the official code (README table): the decoder's sigmoid mapped to
  [−1, 1] is tanh(logits / 2), the official generator's tanh(logits) up to a scale of the last layer; the
  encoders read images in [0, 1] (official: [−1, 1]); the projection embedding is not spectral-normalized;
  Keras's initializers; the library's conv stack outside the CIFAR-10 config."""
  model = lib.lrli_vae(SHAPE, num_classes=3, relevant_dim=2, irrelevant_dim=3, seed=0)
  codes = tf.random.normal([4, 5], seed=1)
  np.testing.assert_allclose(model.model_range(model.generate(codes)), np.tanh(model.decoder(codes) / 2),
                             atol=1e-6)
  images = _batch()["image"]
  np.testing.assert_allclose(model.encode_parts(images)[0], model.encoder_s(images), atol=1e-6)
  embedding = model.discriminator.get_layer("label_embedding")
  assert isinstance(embedding, keras.layers.Embedding)
  sn_conv = model.discriminator.get_layer("sn_conv0").layer  # Keras's Glorot-uniform, not N(0, 0.02)
  assert isinstance(sn_conv.kernel_initializer, keras.initializers.GlorotUniform)
  # glyphs/mnist/attributes: the library's conv stack (k4 s2 32, 32, 64, 64 → 256), no BN in the encoders
  assert _layers(model.encoder_s) == [("Conv2D", f, 4, 2) for f in (32, 32, 64, 64)] + [
      ("Dense", 256, None, None), ("Dense", 2, None, None)]


def test_toy_keeps_the_papers_fixed_learning_rate():
  runs.parse_gin(["gin/papers/lrli_vae/moons.gin"])
  try:
    assert gin.query_parameter("lrli_vae.variance_decay_epochs") is None  # sec. 4.1: fixed 5e-4
  finally:
    gin.clear_config()
