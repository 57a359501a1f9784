"""LORD's evaluation: which codes score (encoders, or test-time latent optimization after stage 1 only), and
results.json naming the reconstruction loss that trained the model."""

import types

import keras
import pytest

from tfdis.launch import evaluate_lib
from tfdis.launch import train_lib
from tfdis.models.lord import evaluation as lord_eval
from tfdis.models.lord import inference as lord_inference

TINY = ["CHECKPOINT_EVERY = 1", "BATCH_SIZE = 4", "NUM_IMAGES = 8", "lord.adain_dim = 8", "lord.encoder_width = 2",
        "lord.class_dim = 4", "lord.content_dim = 3", "train.log_every = 1"]
EVAL = ["evaluate.num_train = 60", "evaluate.num_test = 10", "lord_leakage.classifier = 'logistic'",
        "lord_leakage.latent_steps = 3"]


def test_auto_inference_optimizes_latents_only_for_a_run_that_ended_in_stage1():
  model = types.SimpleNamespace(stage1_steps=100)
  assert lord_eval.resolve_inference(model, "auto", 100) == lord_eval.LATENT_OPTIMIZATION
  assert lord_eval.resolve_inference(model, "auto", 101) == lord_eval.ENCODERS
  assert lord_eval.resolve_inference(model, "encoders", 5) == lord_eval.ENCODERS
  with pytest.raises(ValueError, match="Unknown LORD inference"):
    lord_eval.resolve_inference(model, "embeddings", 5)


def test_a_stage1_run_is_scored_by_latent_optimization_and_names_its_loss(tmp_path, monkeypatch):
  train_lib.run(["gin/papers/lord/glyphs.gin"], TINY + ["TRAIN_STEPS = 2", "STAGE1_STEPS = 2"], str(tmp_path),
                strategy="one_device")
  optimized = []
  original = lord_inference.optimize_codes

  def recording(model, images, steps, learning_rate, **kwargs):
    optimized.append((len(images), steps))
    return original(model, images, steps, learning_rate, **kwargs)

  monkeypatch.setattr(lord_inference, "optimize_codes", recording)
  results = evaluate_lib.run(str(tmp_path), ["gin/metrics/lord.gin"], EVAL)
  lord = results["metrics"]["lord_leakage"]
  assert lord["latent_optimization_steps"] == 3
  assert optimized[0] == (60, 3) and len(optimized) == 3  # leakage images, then each transfer side
  assert 0.0 <= lord["class_from_content"] <= 1.0 and lord["transfer_l1"] > 0.0
  assert results["reconstruction_loss"] == "l1_ms_ssim_fallback"
  encoded = evaluate_lib.run(str(tmp_path), ["gin/metrics/lord.gin"],
                             EVAL + ["lord_leakage.inference = 'encoders'"])["metrics"]["lord_leakage"]
  assert encoded["latent_optimization_steps"] == 0 and len(optimized) == 3


def test_results_name_the_vgg_loss_when_weights_were_given(tmp_path):
  keras.utils.set_random_seed(0)
  weights = str(tmp_path / "vgg16_notop.weights.h5")
  keras.applications.VGG16(include_top=False, weights=None, input_shape=(None, None, 3)).save_weights(weights)
  run_dir = str(tmp_path / "run")
  train_lib.run(["gin/papers/lord/glyphs.gin"], TINY + ["TRAIN_STEPS = 1", "STAGE1_STEPS = 1",
                                                        f"VGG_WEIGHTS = '{weights}'"], run_dir, strategy="one_device")
  results = evaluate_lib.run(run_dir, gin_bindings=["evaluate.metric_names = ['reconstruction']",
                                                    "evaluate.num_test = 8"])
  assert results["reconstruction_loss"] == "vgg16_perceptual_keras"
