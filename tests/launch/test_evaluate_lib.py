"""The evaluate launcher on a 2-step run: results.json, TensorBoard scalars, reproducibility, errors."""

import glob
import json
import os

import gin
import pytest
import tensorflow as tf

from tfdis import ROOT
from tfdis.launch import evaluate_lib
from tfdis.launch import train_lib
from tfdis import runs

RUN = ["DATASET = @tiny_images", "GROUND_TRUTH = @TinySquares()", "BATCH_SIZE = 4", "LATENT_DIM = 2",
       "TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2"]
SMALL = ["evaluate.num_train = 200", "evaluate.num_test = 100",
         "evaluate.metric_names = ['mig', 'sap', 'modularity', 'beta_vae', 'reconstruction']"]


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
  assert set(results["metrics"]) == {"mig", "sap", "modularity", "beta_vae", "reconstruction"}
  assert 0.0 <= results["metrics"]["mig"]["mig"] <= 1.0
  assert results["metrics"]["reconstruction"]["rmse"] > 0
  assert all(values["elapsed_s"] >= 0 for values in results["metrics"].values())
  tags = {v.tag for path in glob.glob(os.path.join(run_dir, "eval", "events.*"))
          for event in tf.compat.v1.train.summary_iterator(path) for v in event.summary.value}
  assert {"mig", "beta_vae/eval_accuracy", "reconstruction/psnr"} <= tags
  assert {"images/traversal", "images/reconstructions"} <= tags  # pictures at every evaluation
  table = evaluate_lib.table(results)
  assert "  mig  " in table and "mig/mig" not in table and "reconstruction/psnr" in table


def test_same_seed_same_results(run_dir):
  first = evaluate_lib.run(run_dir, gin_bindings=SMALL + ["evaluate.out_name = 'a.json'"])
  second = evaluate_lib.run(run_dir, gin_bindings=SMALL + ["evaluate.out_name = 'b.json'"])
  for name in first["metrics"]:
    first["metrics"][name].pop("elapsed_s"), second["metrics"][name].pop("elapsed_s")
  assert first["metrics"] == second["metrics"]


def test_unknown_metric_is_named(run_dir):
  with pytest.raises(ValueError, match="irs"):
    evaluate_lib.run(run_dir, gin_bindings=["evaluate.metric_names = ['irs']"])


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
      "evaluate.num_train = 64", "evaluate.num_test = 32", "evaluate.metric_names = ['vp', 'factor_level']",
      "vp.num_pairs = 64", "vp.test_ratio = 0.5", "vp.epochs = 1", "vp.width = 4",
      "factor_level.epochs = 1", "factor_level.width = 4"])
  assert results["metrics"]["vp"]["chance"] == 0.5 and 0.0 <= results["metrics"]["vp"]["vp"] <= 1.0
  level = results["metrics"]["factor_level"]
  assert 0.0 <= level["classifier_accuracy_mean"] <= 1.0 and "classifier_accuracy/shape" in level
  assert 0.0 <= level["mig"] <= 1.0


@pytest.mark.parametrize("suite", sorted(glob.glob(os.path.join(ROOT, "gin", "metrics", "*.gin"))))
def test_every_metric_suite_parses_and_names_known_metrics(suite):
  runs.parse_gin([suite])
  names = gin.query_parameter("evaluate.metric_names")
  assert names and set(names) <= set(evaluate_lib.METRICS), (suite, names)
