"""LORD's learning rates as the official PyTorch code: cosine decays per stage, a fresh Adam in stage 2."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis.data import indexed
from tfdis.data import synthetic
from tfdis.models.lord import model as lord_lib
from tfdis.models.lord import optimizers as lord_optimizers

SHAPE = (32, 32, 1)


def _model(stage1_steps=4, train_steps=10, **kwargs):
  model = lord_lib.lord(SHAPE, num_classes=10, num_images=16, stage1_steps=stage1_steps, train_steps=train_steps,
                        class_dim=4, content_dim=3, adain_dim=8, encoder_width=2, seed=0, **kwargs)
  model.compile(optimizer=keras.optimizers.Adam(3e-4, beta_1=0.5, beta_2=0.999))
  return model


def _data():
  batch = next(iter(indexed.indexed(dataset_fn=synthetic.glyphs, num_images=16).batch(4)))
  return tf.data.Dataset.from_tensors(batch).repeat()


def _rate(optimizer, step):
  optimizer.iterations.assign(step)
  return float(optimizer.learning_rate)


def _annealed(high, low, t, steps):  # PyTorch's CosineAnnealingLR, closed form
  return low + (high - low) * (1 + np.cos(np.pi * min(t, steps) / steps)) / 2


def test_rates_at_chosen_steps_of_both_stages():
  model = _model(stage1_steps=4, train_steps=10)  # stage 2: 6 steps
  # Analytic points: start, midpoint (the mean of the two ends), end and after the end.
  assert _rate(model.optimizer, 0) == pytest.approx(3e-4, rel=1e-6)
  assert _rate(model.optimizer, 2) == pytest.approx(1.55e-4, rel=1e-6)
  assert _rate(model.latent_optimizer, 2) == pytest.approx(1.505e-3, rel=1e-6)
  assert _rate(model.latent_optimizer, 4) == pytest.approx(1e-5, rel=1e-5)
  assert _rate(model.stage2_optimizer, 0) == pytest.approx(1e-4, rel=1e-6)
  assert _rate(model.stage2_optimizer, 3) == pytest.approx(5.5e-5, rel=1e-6)
  assert _rate(model.stage2_optimizer, 9) == pytest.approx(1e-5, rel=1e-5)
  for t in range(8):
    assert _rate(model.optimizer, t) == pytest.approx(_annealed(3e-4, 1e-5, t, 4), rel=1e-5)
    assert _rate(model.latent_optimizer, t) == pytest.approx(_annealed(3e-3, 1e-5, t, 4), rel=1e-5)
    assert _rate(model.encoder_optimizer, t) == pytest.approx(_annealed(3e-4, 1e-5, t, 4), rel=1e-5)
    assert _rate(model.stage2_optimizer, t) == pytest.approx(_annealed(1e-4, 1e-5, t, 6), rel=1e-5)


def test_constant_rates_when_asked_and_a_schedule_is_refused():
  model = _model(min_learning_rate=None, train_steps=None)
  assert _rate(model.optimizer, 3) == pytest.approx(3e-4) and _rate(model.latent_optimizer, 3) == pytest.approx(3e-3)
  assert _rate(model.stage2_optimizer, 50) == pytest.approx(1e-4)
  no_length = _model(train_steps=None)  # no run length: the stage-2 rate cannot decay
  assert _rate(no_length.stage2_optimizer, 50) == pytest.approx(1e-4)
  with pytest.raises(ValueError, match="float learning_rate"):
    _model().compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(1e-3, 10, 0.5)))
  with pytest.raises(ValueError, match="steps > 0"):
    lord_optimizers.cosine_decay(1e-3, -1, 1e-5)


def test_stage2_starts_a_fresh_adam_at_its_own_rate():
  model = _model(stage1_steps=2, train_steps=4)
  model.fit(_data(), steps_per_epoch=2, epochs=1, verbose=0)
  stage2 = model.stage2_optimizer
  assert int(stage2.iterations.numpy()) == 0
  assert all(not np.any(v.numpy()) for v in stage2.variables)  # moments untouched through stage 1
  assert any(np.any(v.numpy()) for v in model.optimizer.variables[1:])  # the stage-1 moments are not
  batch = next(iter(_data()))
  with tf.GradientTape() as tape:  # stage 2 draws no noise: this is the gradient of the next step
    loss = model.stage2_terms(batch)["loss"]
  grads = [g.numpy() for g in tape.gradient(loss, model.generator.trainable_variables)]
  before = [v.numpy() for v in model.generator.trainable_variables]
  model.fit(_data(), steps_per_epoch=1, epochs=1, verbose=0)
  assert (int(model.optimizer.iterations.numpy()), int(model.latent_optimizer.iterations.numpy()),
          int(stage2.iterations.numpy())) == (3, 2, 1)
  # A fresh Adam's first step (Keras's ε placement): −lr · g / (|g| + ε / √(1 − β₂)), lr the stage-2 rate
  # 1e-4. Continuing the stage-1 Adam (its moments, its decayed rate) would step otherwise.
  for variable, old, g in zip(model.generator.trainable_variables, before, grads):
    expected = -1e-4 * g / (np.abs(g) + 1e-7 / np.sqrt(1 - 0.999))
    np.testing.assert_allclose(variable.numpy() - old, expected, rtol=1e-3, atol=1e-7)
  assert max(np.abs(g).max() for g in grads) > 1e-4  # some weights take the full ±1e-4 step


def test_optimizer_states_survive_a_checkpoint_across_the_stage_switch(tmp_path):
  def checkpoint(model):
    return tf.train.Checkpoint(model=model, optimizer=model.optimizer, rng=model.rng_states())

  def states(model):
    optimizers = (model.optimizer, model.latent_optimizer, model.encoder_optimizer, model.stage2_optimizer)
    return [v.numpy() for o in optimizers for v in o.variables] + model.get_weights()

  keras.utils.set_random_seed(0)
  straight = _model(stage1_steps=2, train_steps=4)
  straight.fit(_data(), steps_per_epoch=1, epochs=1, verbose=0)
  path = checkpoint(straight).save(str(tmp_path / "ckpt"))  # after step 1, in stage 1
  straight.fit(_data(), steps_per_epoch=3, epochs=1, verbose=0)  # steps 2-4: the switch, then stage 2
  resumed = _model(stage1_steps=2, train_steps=4)
  checkpoint(resumed).restore(path).assert_existing_objects_matched()
  assert int(resumed.optimizer.iterations.numpy()) == 1 and int(resumed.stage2_optimizer.iterations.numpy()) == 0
  resumed.fit(_data(), steps_per_epoch=3, epochs=1, verbose=0)
  assert float(resumed.stage2_optimizer.learning_rate) == float(straight.stage2_optimizer.learning_rate)
  for a, b in zip(states(straight), states(resumed)):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
