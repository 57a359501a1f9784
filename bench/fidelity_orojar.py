r"""Vanilla GAN vs Hessian Penalty vs OroJaR on shapes2d at a CPU budget: VP and the factor-level scores.

    python bench/fidelity_orojar.py              # ≈ 13 min on 2 CPU cores
    python bench/fidelity_orojar.py --steps 2000 --width 32 --vp_epochs 100

The three runs go through the real launcher (`tfdis.launch.train_lib.run` on gin/papers/{gan,hessian_penalty,
orojar}/shapes2d.gin) with the same seed (same initial weights and data stream) and budget, then through
`tfdis.launch.evaluate_lib` with the `vp` and `factor_level` metrics. Each run's traversal grid is copied
to `--pictures` (bench/results/ by default). Both penalties are computed every `--lazy_every` steps with
weight × N (lazy regularization) to fit the CPU; their λ are the paper files' values.

The paper (Wei et al. 2021) trains for hours on a GPU at width 64; a few hundred CPU steps at width 16 show the
pipeline end to end and what it measures, not the paper's result.
"""

import json
import os
import shutil
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app  # pylint: disable=g-import-not-at-top
from absl import flags  # pylint: disable=g-import-not-at-top

from tfdis import ROOT  # pylint: disable=g-import-not-at-top
from tfdis.launch import evaluate_lib  # pylint: disable=g-import-not-at-top
from tfdis.launch import train_lib  # pylint: disable=g-import-not-at-top

VARIANTS = {"vanilla": "gin/papers/gan/shapes2d.gin",
            "hessian_penalty": "gin/papers/hessian_penalty/shapes2d.gin",
            "orojar": "gin/papers/orojar/shapes2d.gin"}

_STEPS = flags.DEFINE_integer("steps", 400, "training steps per model.")
_BATCH = flags.DEFINE_integer("batch_size", 32, "batch size (paper: 128).")
_WIDTH = flags.DEFINE_integer("width", 16, "channel width of generator and critic (paper: 64).")
_LAZY = flags.DEFINE_integer("lazy_every", 4, "penalty every N generator steps, weight × N.")
_SEED = flags.DEFINE_integer("seed", 0, "seed of weights, data stream and noise (all three runs).")
_VP_PAIRS = flags.DEFINE_integer("vp_pairs", 2000, "VP image pairs (official: 10,000).")
_VP_EPOCHS = flags.DEFINE_integer("vp_epochs", 20, "VP ConvNet epochs (official: 300).")
_LEVEL_POINTS = flags.DEFINE_integer("level_points", 3000, "generated images for MIG/DCI.")
_LEVEL_TRAIN = flags.DEFINE_integer("level_train", 40000, "real images for the factor classifier.")
_LEVEL_EPOCHS = flags.DEFINE_integer("level_epochs", 5, "factor classifier epochs.")
_LEVEL_WIDTH = flags.DEFINE_integer("level_width", 32, "factor classifier width.")
_PICTURES = flags.DEFINE_string("pictures", os.path.join(ROOT, "bench", "results"), "folder for the grids.")
_OUT = flags.DEFINE_string("out", None, "optional JSON file for the results.")
_MODEL_DIR = flags.DEFINE_string("model_dir", None, "optional folder that keeps the three runs; a run already "
                                 "trained there (traversal.png present) is evaluated again, not retrained.")


def _train(name, config, model_dir):
  bindings = [f"TRAIN_STEPS = {_STEPS.value}", f"CHECKPOINT_EVERY = {_STEPS.value}",
              f"BATCH_SIZE = {_BATCH.value}", f"regularized_gan.width = {_WIDTH.value}",
              f"regularized_gan.lazy_every = {_LAZY.value}", "train.log_every = 50"]
  start = time.perf_counter()
  train_lib.run([config], bindings, model_dir, strategy="one_device", seed=_SEED.value)
  seconds = time.perf_counter() - start
  os.makedirs(_PICTURES.value, exist_ok=True)
  shutil.copy(os.path.join(model_dir, "traversal.png"), os.path.join(_PICTURES.value, f"orojar_{name}.png"))
  return seconds


def _evaluate(model_dir):
  settings = ["evaluate.metric_names = ['vp', 'factor_level']", f"evaluate.num_train = {_LEVEL_POINTS.value}",
              "evaluate.num_test = 500", f"vp.num_pairs = {_VP_PAIRS.value}", "vp.test_ratio = 0.5",
              f"vp.epochs = {_VP_EPOCHS.value}", "vp.width = 16", f"factor_level.epochs = {_LEVEL_EPOCHS.value}",
              f"factor_level.width = {_LEVEL_WIDTH.value}", f"factor_level.num_train = {_LEVEL_TRAIN.value}"]
  results = evaluate_lib.run(model_dir, gin_bindings=settings)["metrics"]
  return {f"{metric}/{key}": value for metric, values in results.items() for key, value in values.items()
          if key != "elapsed_s" or metric == "factor_level"}


def main(argv):
  del argv
  report = {"settings": {"steps": _STEPS.value, "batch_size": _BATCH.value, "width": _WIDTH.value,
                         "lazy_every": _LAZY.value, "seed": _SEED.value, "vp_pairs": _VP_PAIRS.value,
                         "vp_test_ratio": 0.5, "vp_epochs": _VP_EPOCHS.value,
                         "level_points": _LEVEL_POINTS.value, "level_train": _LEVEL_TRAIN.value,
                         "level_epochs": _LEVEL_EPOCHS.value, "level_width": _LEVEL_WIDTH.value},
            "models": {}}
  total = time.perf_counter()
  with tempfile.TemporaryDirectory() as tmp:
    for name, config in VARIANTS.items():
      model_dir = os.path.join(_MODEL_DIR.value or tmp, name)
      trained = os.path.exists(os.path.join(model_dir, "traversal.png"))
      seconds = float("nan") if trained else _train(name, config, model_dir)
      start = time.perf_counter()
      report["models"][name] = dict(_evaluate(model_dir), train_s=round(seconds, 1),
                                    evaluate_s=round(time.perf_counter() - start, 1))
      print(name, json.dumps(report["models"][name]), flush=True)
  report["wall_s"] = round(time.perf_counter() - total, 1)
  print(json.dumps(report, indent=2))
  names = list(report["models"])
  print("\n| metric | " + " | ".join(names) + " |\n|---|" + "---:|" * len(names))
  for key in report["models"][names[0]]:
    print(f"| {key} | " + " | ".join(f"{report['models'][n][key]:.3f}" for n in names) + " |")
  if _OUT.value:
    with open(_OUT.value, "w") as f:
      json.dump(report, f, indent=2)


if __name__ == "__main__":
  app.run(main)
