"""Lr/Li-VAE evaluation: label accuracy of z_s / z_u against known codes, diversity and reconstruction hooks."""

import types

import numpy as np
import pytest
import tensorflow as tf

from tfdis.launch import evaluate_lib
from tfdis.models.lrli_vae import evaluation as lrli_eval
from tfdis.models.lrli_vae import model as lrli_vae


class _KnownCodes:
  """encode_parts gives z_s = one-hot label + small noise and z_u = pure noise."""
  encoder_s = object()

  def encode_parts(self, images, labels):
    noise = tf.random.stateless_normal([tf.shape(images)[0], 6], seed=[1, 2])
    return tf.one_hot(labels, 4) + 0.05 * noise[:, :4], noise[:, 4:]


def test_label_accuracy_is_high_for_the_label_code_and_chance_for_noise():
  labels = np.random.RandomState(0).randint(0, 4, size=800).astype(np.int32)
  result = lrli_eval.label_accuracies(_KnownCodes(), np.zeros((800, 1), np.float32), labels, 0)
  assert result["z_s_accuracy"] > 0.99
  assert abs(result["z_u_accuracy"] - 0.25) < 0.08 and abs(result["chance"] - 0.25) < 0.08


def test_metrics_run_on_a_model_and_are_known_to_evaluate():
  model = lrli_vae.lrli_vae((16, 16, 1), num_classes=3, relevant_dim=2, irrelevant_dim=2, seed=0)
  images = np.random.RandomState(1).uniform(size=(40, 16, 16, 1)).astype(np.float32)
  labels = np.arange(40, dtype=np.int32) % 3

  def dataset_fn(split):
    assert split == "test"
    return tf.data.Dataset.from_tensor_slices({"image": images, "label": labels})

  ctx = types.SimpleNamespace(model=model, num_test=40, seed=0, rng=lambda name: np.random.RandomState(len(name)),
                              dataset_fn=dataset_fn)
  assert {"code_label_accuracy", "sample_diversity", "lrli_reconstruction"} <= set(evaluate_lib.metric_names())
  accuracy = lrli_eval.code_label_accuracy(ctx)
  assert set(accuracy) == {"z_s_accuracy", "z_u_accuracy", "chance"}
  diversity = lrli_eval.sample_diversity(ctx)
  assert 0.0 < diversity["intra_class_diversity"] <= 2.0
  quality = lrli_eval.lrli_reconstruction(ctx)
  z = np.concatenate(model.encode_parts(tf.constant(images)), -1)
  expected = np.mean(np.sqrt(np.mean((np.asarray(model.decode(z)) - images) ** 2, axis=(1, 2, 3))))  # per image
  np.testing.assert_allclose(quality["rmse"], expected, rtol=1e-4)
  with pytest.raises(ValueError, match="Lr/Li-VAE"):
    lrli_eval.code_label_accuracy(types.SimpleNamespace(model=None, num_test=4))
