"""What the LORD paper configs set, pinned against the official code (gin/models/lord.gin's header)."""

import gin
import numpy as np
import pytest
import tensorflow as tf

from tfdis import runs
from tfdis.data import indexed
from tfdis.data import synthetic

TINY = ["gin/papers/lord/glyphs.gin", "gin/tests/lord.gin"]  # the shared tiny sizes, then this test's run
SMALL = ["STAGE1_STEPS = 2", "TRAIN_STEPS = 6"]


@pytest.fixture
def model():
  runs.parse_gin(TINY, SMALL)
  built = runs.configured("train.model_fn")(image_shape=(32, 32, 1))
  built.compile(optimizer=runs.configured("train.optimizer_fn")())
  yield built
  gin.clear_config()


def _batch():
  return next(iter(indexed.indexed(dataset_fn=synthetic.glyphs, num_images=16).batch(4)))


def test_rates_and_weights_are_the_official_codes(model):
  adam = model.optimizer.get_config()
  assert (adam["beta_1"], adam["beta_2"]) == (0.5, 0.999)  # both official codes
  rate = lambda optimizer: float(optimizer.learning_rate)  # noqa: E731  (at iteration 0)
  assert (rate(model.optimizer), rate(model.latent_optimizer), rate(model.stage2_optimizer)) == pytest.approx(
      (3e-4, 3e-3, 1e-4))  # PyTorch code (paper: 1e-4 / 1e-3)
  assert (model.min_learning_rate, model.train_steps, model.stage1_steps) == (1e-5, 6, 2)
  assert (model.content_noise, model.content_decay, model.code_weight) == (1.0, 0.001, 10.0)
  assert model.reconstruction_name == "l1_ms_ssim_fallback"  # no VGG_WEIGHTS in the test


def test_stage_objectives_are_mean_reductions(model):
  """Stage 1: rec + λ · mean_b ‖c‖² (PyTorch's batch mean, not Keras's sum); stage 2: rec + 10 (MSE_y + MSE_c)."""
  batch = _batch()
  labels = tf.cast(batch["label"], tf.int32)
  class_codes, content_codes = model.training_codes(labels, batch["index"])
  stage1 = model.stage1_terms(batch, training=False)
  reconstruction = model.reconstruction_fn(batch["image"], model.decode(class_codes, content_codes))
  decay = np.mean(np.sum(np.square(content_codes.numpy()), axis=-1))
  assert float(stage1["loss"]) == pytest.approx(float(reconstruction) + 0.001 * decay, rel=1e-5)
  stage2 = model.stage2_terms(batch, training=False)
  predicted_class, predicted_content = model.encode_parts(batch["image"])
  errors = (np.mean(np.square(predicted_class - class_codes)) + np.mean(np.square(predicted_content - content_codes)))
  reconstruction = model.reconstruction_fn(batch["image"], model.decode(predicted_class, predicted_content))
  assert float(stage2["loss"]) == pytest.approx(float(reconstruction) + 10.0 * errors, rel=1e-5)


@pytest.mark.parametrize("config, batch_size, num_images", [("glyphs", 64, 10000), ("cars3d", 128, 15648)])
def test_run_lengths_and_batches_of_the_paper_files(config, batch_size, num_images):
  """Steps, not the official epochs (Keras 1000 + 200 at batch 64, PyTorch 200 + 200 at batch 128)."""
  runs.parse_gin([f"gin/papers/lord/{config}.gin"])
  try:
    assert (runs.configured("%STAGE1_STEPS"), runs.configured("%TRAIN_STEPS")) == (40000, 60000)
    assert (runs.configured("%BATCH_SIZE"), runs.configured("%NUM_IMAGES")) == (batch_size, num_images)
  finally:
    gin.clear_config()
