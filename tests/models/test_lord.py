"""LORD: shared class codes, per-image content codes, the two phases in one run, resume, replica parity."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests import test_replica_parity
from tfdis import ROOT
from tfdis import distribute
from tfdis.data import indexed
from tfdis.data import synthetic
from tfdis.models.lord import model as lord_lib

SHAPE = (32, 32, 1)
NUM_IMAGES = 16


def _model(**kwargs):
  settings = dict(num_classes=10, num_images=NUM_IMAGES, stage1_steps=2, class_dim=4, content_dim=3,
                  adain_dim=8, encoder_width=2, seed=0)
  return lord_lib.lord(SHAPE, **{**settings, **kwargs})


def _batch(size=4, start=0):
  data = indexed.indexed(dataset_fn=synthetic.glyphs, num_images=NUM_IMAGES, start_index=start)
  return next(iter(data.batch(size)))


def _compiled(model, learning_rate=0.05):
  model.compile(optimizer=keras.optimizers.SGD(learning_rate))
  model.optimizer.build(model.trainable_variables)
  return model


def test_stage1_moves_only_the_codes_of_the_batch_with_ten_times_the_rate():
  model = _compiled(_model())
  assert float(model.latent_optimizer.learning_rate) == pytest.approx(10 * float(model.optimizer.learning_rate))
  batch = _batch()
  before = [v.numpy() for v in model.embedding_variables + model.encoder_variables]
  model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
  class_rows, content_rows = (np.abs(v.numpy() - b).sum(-1) > 0 for v, b in zip(model.embedding_variables, before))
  np.testing.assert_array_equal(np.flatnonzero(class_rows), np.unique(batch["label"]))
  np.testing.assert_array_equal(np.flatnonzero(content_rows), np.unique(batch["index"]))
  for v, b in zip(model.encoder_variables, before[2:]):  # the encoders wait for stage 2
    np.testing.assert_array_equal(v.numpy(), b)


def test_noise_and_decay_of_the_content_codes():
  model, batch = _model(content_noise=1.0, content_decay=0.5), _batch()
  _, content = model.training_codes(tf.cast(batch["label"], tf.int32), batch["index"])
  terms = model.stage1_terms(batch, training=False)
  assert float(terms["content_decay"]) == pytest.approx(float(tf.reduce_mean(tf.reduce_sum(content**2, -1))))
  noisy = [float(model.stage1_terms(batch, training=True)["reconstruction"]) for _ in range(2)]
  assert noisy[0] != noisy[1]  # σ = 1 noise on the content codes in training
  quiet = _model(content_noise=0.0)
  assert float(quiet.stage1_terms(batch)["reconstruction"]) == float(quiet.stage1_terms(batch)["reconstruction"])


def test_the_run_switches_to_stage2_at_stage1_steps():
  model = _compiled(_model(stage1_steps=2))
  data = tf.data.Dataset.from_tensors(_batch()).repeat()
  model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
  embeddings = [v.numpy() for v in model.embedding_variables]
  encoders = [v.numpy() for v in model.encoder_variables]
  logs = model.fit(data, steps_per_epoch=2, epochs=1, verbose=0).history
  assert (model.optimizer.iterations.numpy(), model.latent_optimizer.iterations.numpy(),
          model.encoder_optimizer.iterations.numpy(), model.stage2_optimizer.iterations.numpy()) == (4, 2, 0, 2)
  assert logs["class_code_error"][0] > 0 and logs["content_code_error"][0] > 0
  for v, b in zip(model.embedding_variables, embeddings):  # stage 2 keeps the stage-1 codes as targets
    np.testing.assert_array_equal(v.numpy(), b)
  assert any(np.abs(v.numpy() - b).max() > 0 for v, b in zip(model.encoder_variables, encoders))


def test_steps_per_execution_must_not_straddle_the_phase_switch():
  model = _model(stage1_steps=2)
  model.compile(optimizer=keras.optimizers.SGD(0.05), steps_per_execution=2)
  model.fit(tf.data.Dataset.from_tensors(_batch()).repeat(), steps_per_epoch=4, epochs=1, verbose=0)
  assert (model.optimizer.iterations.numpy(), model.latent_optimizer.iterations.numpy(),
          model.stage2_optimizer.iterations.numpy()) == (4, 2, 2)
  with pytest.raises(ValueError, match="multiple of steps_per_execution"):
    _model(stage1_steps=3).compile(optimizer=keras.optimizers.SGD(0.05), steps_per_execution=2)


def test_transfer_takes_class_from_one_image_and_content_from_the_other():
  model, batch = _model(), _batch()
  images = batch["image"]
  expected = model.decode(model.encode_class(images[:2]), model.encode_content(images[2:4]))
  np.testing.assert_allclose(model.transfer(images[:2], images[2:4]), expected, atol=1e-6)
  np.testing.assert_allclose(model.decode(model.encode(images)), model(images), atol=1e-6)
  assert model.summary_images(images)["transfer_training_codes"].shape == (4, 4, *SHAPE)


def test_amortized_kl_ablation_trains_and_needs_amortized():
  model = _compiled(_model(amortized=True, content_kl=1.0, content_noise=0.0))
  logs = model.fit(tf.data.Dataset.from_tensors(_batch()), epochs=1, verbose=0).history
  assert logs["content_kl"][0] > 0 and model.encoder_optimizer.iterations.numpy() == 1
  with pytest.raises(ValueError, match="amortized=True"):
    _model(content_kl=1.0)


def test_config_round_trip():
  model = _model()
  clone = lord_lib.LORD.from_config(model.get_config())
  assert (clone.num_classes, clone.num_images, clone.class_dim, clone.content_dim) == (10, NUM_IMAGES, 4, 3)


def _one_step(strategy, weights, batch, step):
  with strategy.scope():
    model = _compiled(_model(stage1_steps=1), learning_rate=0.01)
    model.set_weights(weights)
    model.optimizer.iterations.assign(step)
  model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
  return model.get_weights()


@pytest.mark.parametrize("step", [0, 1], ids=["stage1", "stage2"])
def test_one_and_two_replicas_take_the_same_step(step, replica_independent_noise):
  del replica_independent_noise
  batch, weights = _batch(test_replica_parity.GLOBAL_BATCH), _model().get_weights()
  one = _one_step(distribute.make_strategy("one_device"), weights, batch, step)
  two = _one_step(distribute.make_strategy("mirrored"), weights, batch, step)
  largest = max(np.abs(a - w).max() for a, w in zip(one, weights))
  assert largest > 1e-5
  for a, b, w in zip(one, two, weights):
    assert np.abs((a - w) - (b - w)).max() <= 1e-4 * largest + 1e-7


replica_independent_noise = test_replica_parity.replica_independent_noise

_RESUME_SCRIPT = """
import json, sys
import numpy as np
import tensorflow as tf
from tfdis.launch import train_lib
config, root = sys.argv[1], sys.argv[2]
settings = ["STAGE1_STEPS = 2", "CHECKPOINT_EVERY = 1", "BATCH_SIZE = 4", "NUM_IMAGES = 16",
            "lord.adain_dim = 8", "lord.encoder_width = 2", "lord.class_dim = 4", "lord.content_dim = 3",
            "train.deterministic = True", "train.log_every = 1"]
def run(model_dir, steps):
  return train_lib.run([config], settings + [f"TRAIN_STEPS = {steps}"], model_dir)
straight = run(root + "/straight", 4)
for steps in (1, 3, 4):  # resumes in stage 1 (at 1), then in stage 2 (at 3)
  resumed = run(root + "/resumed", steps)
optimizers = lambda m: [m.optimizer, m.latent_optimizer, m.encoder_optimizer, m.stage2_optimizer]
pairs = list(zip(straight.get_weights(), resumed.get_weights()))
pairs += [(a.numpy(), b.numpy()) for p, q in zip(optimizers(straight), optimizers(resumed))
          for a, b in zip(p.variables, q.variables)]
print(json.dumps({"max_diff": max(float(np.abs(a - b).max()) for a, b in pairs),
                  "stage2_iterations": int(resumed.stage2_optimizer.iterations.numpy()),
                  "stage2_rate": float(resumed.stage2_optimizer.learning_rate)}))
"""


def test_resume_in_either_phase_matches_an_uninterrupted_run(tmp_path):
  env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
  result = subprocess.run([sys.executable, "-c", _RESUME_SCRIPT, "gin/papers/lord/glyphs.gin", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
  assert result.returncode == 0, result.stderr[-3000:]
  outcome = json.loads(result.stdout.strip().splitlines()[-1])
  assert outcome["stage2_iterations"] == 2  # stage 2 (steps 2, 3) trains with its own, fresh optimizer
  assert outcome["stage2_rate"] == pytest.approx(1e-5)  # 1e-4 decayed over TRAIN_STEPS - STAGE1_STEPS = 2
  assert outcome["max_diff"] == 0.0  # weights and every optimizer's iterations and moments
