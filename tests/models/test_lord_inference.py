"""Test-time latent optimization of LORD codes against the frozen generator (Table 3, "w/o second stage")."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis.models.lord import model as lord_lib
from tfdis.models.lord import inference as lord_inference

SHAPE = (16, 16, 1)


@pytest.fixture(scope="module")
def model():
  return lord_lib.lord(SHAPE, num_classes=5, num_images=8, stage1_steps=1, class_dim=4, content_dim=3,
                       adain_dim=8, encoder_width=2, seed=0)


def _targets(model, n=6, seed=0):
  """Images the generator can make exactly: G at random codes, so their codes are recoverable."""
  rng = np.random.default_rng(seed)
  class_codes = rng.normal(0.0, 0.5, (n, model.class_dim)).astype(np.float32)
  content_codes = rng.normal(0.0, 0.5, (n, model.content_dim)).astype(np.float32)
  return np.asarray(model.decode(tf.constant(class_codes), tf.constant(content_codes)))


def _per_image_loss(model, images, class_codes, content_codes):
  return np.array([float(model.reconstruction_fn(images[i:i + 1], model.decode(class_codes[i:i + 1],
                                                                                content_codes[i:i + 1])))
                   for i in range(len(images))])


def test_codes_start_at_the_mean_class_code_and_zero_content(model):
  images = _targets(model, 3)
  class_codes, content_codes = lord_inference.optimize_codes(model, images, steps=0)
  mean = np.mean(model.class_embedding.embeddings.numpy(), axis=0)
  np.testing.assert_allclose(class_codes, np.tile(mean, (3, 1)), atol=1e-7)
  np.testing.assert_array_equal(content_codes, np.zeros((3, model.content_dim)))


def test_optimization_lowers_each_images_loss_and_leaves_the_model_frozen(model):
  images = _targets(model)
  weights = [w.copy() for w in model.get_weights()]
  start = _per_image_loss(model, images, *lord_inference.optimize_codes(model, images, steps=0))
  end = _per_image_loss(model, images, *lord_inference.optimize_codes(model, images, steps=150,
                                                                        learning_rate=0.1))
  assert np.all(end < start) and end.mean() < 0.8 * start.mean()
  for before, after in zip(weights, model.get_weights()):
    np.testing.assert_array_equal(before, after)


def test_an_images_codes_do_not_depend_on_its_batch(model):
  images = _targets(model, 5, seed=1)
  # One step: Adam's first move, ±lr·g/(|g| + ε), amplifies round-off where a gradient vanishes, so later
  # steps drift apart by more than round-off; a batch-mean loss (unscaled) would already differ here.
  together = lord_inference.optimize_codes(model, images, steps=1, learning_rate=0.01, batch_size=5)
  apart = lord_inference.optimize_codes(model, images, steps=1, learning_rate=0.01, batch_size=1)
  for a, b in zip(together, apart):
    np.testing.assert_allclose(a, b, atol=1e-7)


def test_bad_settings_are_refused(model):
  with pytest.raises(ValueError, match="steps >= 0"):
    lord_inference.optimize_codes(model, _targets(model, 1), steps=-1)
