"""The evaluate launcher on a 2-step run: results.json, TensorBoard scalars, reproducibility, errors."""

import glob
import json
import os

import gin
import numpy as np
import pytest
import tensorflow as tf

from tfdis import ROOT
from tfdis import runs
from tfdis.launch import evaluate_lib
from tfdis.launch import train_lib

RUN = ["DATASET = @tiny_images", "GROUND_TRUTH = @TinySquares()", "BATCH_SIZE = 4", "LATENT_DIM = 2",
       "TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2"]
SMALL = ["evaluate.num_train = 200", "evaluate.num_test = 100",
         "evaluate.metrics = [@mig, @sap, @modularity, @beta_vae_score, @reconstruction]"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
  model_dir = str(tmp_path_factory.mktemp("run"))
  train_lib.run(["gin/runs/train.gin", "gin/models/beta_vae.gin"], RUN, model_dir, strategy="one_device")
  return model_dir


def test_results_file_and_scalars(run_dir):
  results = evaluate_lib.run(run_dir, gin_bindings=SMALL)
  on_disk = json.load(open(os.path.join(run_dir, "results.json")))
  assert on_disk == results
  assert results["step"] == 2 and results["num_train"] == 200
  assert set(results["metrics"]) == {"mig", "sap", "modularity", "beta_vae_score", "reconstruction"}
  assert 0.0 <= results["metrics"]["mig"]["mig"] <= 1.0
  assert results["metrics"]["reconstruction"]["rmse"] > 0
  assert all(values["elapsed_s"] >= 0 for values in results["metrics"].values())
  tags = {v.tag for path in glob.glob(os.path.join(run_dir, "eval", "events.*"))
          for event in tf.compat.v1.train.summary_iterator(path) for v in event.summary.value}
  assert {"mig", "beta_vae_score/eval_accuracy", "reconstruction/psnr"} <= tags
  assert {"images/traversal", "images/reconstructions"} <= tags  # pictures at every evaluation
  table = evaluate_lib.table(results)
  assert "  mig  " in table and "mig/mig" not in table and "reconstruction/psnr" in table


def test_same_seed_same_results(run_dir):
  first = evaluate_lib.run(run_dir, gin_bindings=SMALL + ["evaluate.out_name = 'a.json'"])
  second = evaluate_lib.run(run_dir, gin_bindings=SMALL + ["evaluate.out_name = 'b.json'"])
  for name in first["metrics"]:
    first["metrics"][name].pop("elapsed_s"), second["metrics"][name].pop("elapsed_s")
  assert first["metrics"] == second["metrics"]


def test_metric_names_select_the_same_configured_functions_as_references(run_dir):
  """`metric_names` strings and `metrics` references run the same functions with the same gin bindings."""
  by_name = evaluate_lib.run(run_dir, gin_bindings=SMALL[:2] + [
      "evaluate.metric_names = ['mig', 'sap']", "mig.num_bins = 5", "evaluate.out_name = 'names.json'"])
  by_reference = evaluate_lib.run(run_dir, gin_bindings=SMALL[:2] + [
      "evaluate.metrics = [@mig, @sap]", "mig.num_bins = 5", "evaluate.out_name = 'references.json'"])
  default_bins = evaluate_lib.run(run_dir, gin_bindings=SMALL[:2] + [
      "evaluate.metrics = [@mig]", "evaluate.out_name = 'default.json'"])
  values = lambda results: {name: {k: v for k, v in scores.items() if k != "elapsed_s"}
                            for name, scores in results["metrics"].items()}
  assert list(by_name["metrics"]) == ["mig", "sap"] and values(by_name) == values(by_reference)
  assert by_name["metrics"]["mig"]["mig"] != default_bins["metrics"]["mig"]["mig"]  # the binding took effect


def test_unknown_metric_is_named_and_names_override_a_suites_references(run_dir):
  with pytest.raises(ValueError, match="irs.*choose from.*lord_leakage"):
    evaluate_lib.run(run_dir, gin_bindings=["evaluate.metric_names = ['irs']"])
  results = evaluate_lib.run(run_dir, ["gin/metrics/quick.gin"], SMALL[:2] + [
      "evaluate.metric_names = ['mig']", "evaluate.out_name = 'override.json'"])
  assert list(results["metrics"]) == ["mig"]


def test_latent_summary_is_the_variance_of_the_codes_and_the_per_latent_kl(run_dir):
  """Per-latent activity and KL in results.json and the table, against NumPy on the same images."""
  results = evaluate_lib.run(run_dir, gin_bindings=SMALL[:2] + ["evaluate.metrics = [@mig]",
                                                                "evaluate.out_name = 'latents.json'"])
  latents = results["latents"]
  model, _, _ = runs.load_trained_model(run_dir)
  sampler = runs.configured("%GROUND_TRUTH")
  rng = np.random.RandomState([0, sum(map(ord, "latents"))])  # the evaluation's stream for "latents"
  images = sampler.sample_observations_from_factors(sampler.sample_factors(100, rng), rng)
  mean, logvar = (np.asarray(t, np.float64) for t in model.encoder(tf.constant(images), training=False))
  np.testing.assert_allclose(latents["activity"], mean.var(axis=0), rtol=1e-4, atol=1e-9)
  kl = 0.5 * (mean ** 2 + np.exp(logvar) - logvar - 1.0)
  np.testing.assert_allclose(latents["kl"], kl.mean(axis=0), rtol=1e-4, atol=1e-7)
  assert len(latents["activity"]) == 2
  lines = evaluate_lib.table(results).splitlines()
  assert lines[-3].split()[0] == "latent" and [int(i) for i in lines[-3].split()[1:]] == list(
      np.argsort(-mean.var(axis=0), kind="stable"))
  assert lines[-2].split()[0] == "activity" and lines[-1].split()[0] == "kl"


def test_metric_keys_are_not_doubled():
  assert evaluate_lib.metric_key("mig", "mig") == "mig"
  assert evaluate_lib.metric_key("local_mig", "local_mig@0.1") == "local_mig@0.1"
  assert evaluate_lib.metric_key("dci", "disentanglement") == "dci/disentanglement"


def test_folder_without_a_run(tmp_path):
  with pytest.raises(FileNotFoundError, match="train one first"):
    evaluate_lib.run(str(tmp_path))


def test_run_without_ground_truth(tmp_path):
  bindings = [b for b in RUN if not b.startswith("GROUND_TRUTH")]
  train_lib.run(["gin/runs/train.gin", "gin/models/beta_vae.gin"], bindings, str(tmp_path),
                strategy="one_device")
  with pytest.raises(ValueError, match="GROUND_TRUTH"):
    evaluate_lib.run(str(tmp_path), gin_bindings=SMALL)


def test_generator_metrics_on_a_gan_run(tmp_path):
  """VP and the factor-level score evaluate a generator (no encoder) from the run's configuration."""
  gan = ["gin/papers/gan/shapes2d.gin"]
  bindings = ["BATCH_SIZE = 4", "LATENT_DIM = 2", "TRAIN_STEPS = 1", "CHECKPOINT_EVERY = 1",
              "regularized_gan.width = 2"]
  train_lib.run(gan, bindings, str(tmp_path), strategy="one_device")
  results = evaluate_lib.run(str(tmp_path), gin_bindings=[
      "evaluate.num_train = 64", "evaluate.num_test = 32", "evaluate.metrics = [@vp, @factor_level]",
      "vp.num_pairs = 64", "vp.test_ratio = 0.5", "vp.epochs = 1", "vp.width = 4",
      "factor_level.epochs = 1", "factor_level.width = 4"])
  assert results["metrics"]["vp"]["chance"] == 0.5 and 0.0 <= results["metrics"]["vp"]["vp"] <= 1.0
  level = results["metrics"]["factor_level"]
  assert 0.0 <= level["classifier_accuracy_mean"] <= 1.0 and "classifier_accuracy/shape" in level
  assert 0.0 <= level["mig"] <= 1.0
  assert "latents" not in results  # a generator has no codes of images


@pytest.mark.parametrize("suite", sorted(glob.glob(os.path.join(ROOT, "gin", "metrics", "*.gin"))))
def test_every_metric_suite_parses_and_names_known_metrics(suite):
  runs.parse_gin([suite])
  metrics = [reference.scoped_configurable_fn for reference in gin.query_parameter("evaluate.metrics")]
  assert metrics and {fn.__name__ for fn in metrics} <= set(evaluate_lib.metric_names()), (suite, metrics)
