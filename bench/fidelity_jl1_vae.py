r"""β-VAE (γ = 0) against JL1-VAE (γ > 0) on three_dots at a CPU budget, and the cost of the Jacobian.

    python bench/fidelity_jl1_vae.py --quick     # ≤ 3 min on 2 CPU cores: 40 steps per model, small metrics
    python bench/fidelity_jl1_vae.py             # ≈ 15 min: 300 steps per model, paper's 5 localities

Both models are `tfdis.models.jl1_vae.jl1_vae` (γ = 0 is exactly the β-VAE loss, log-variance bias −3 for
both), trained from the same initial weights (same seed) on the same three_dots stream, with the same
budget. β and γ ramp over the first third of the steps, as the official 100k of 300k. Then local MIG and
local modularity (`tfdis.metrics.local_mig` / `local_modularity`) per locality proportion, and Σ|J| of the
decoder at the posterior means of test images. Last, the cost of one JL1 train step with the exact
Jacobian against the official forward-difference Jacobian (ε = 1e-3), and of a β-VAE step, timed in the
same process on one fixed batch.

A few hundred steps are what fits on a CPU here: the paper trains 300k steps over 10 seeds, so these numbers
show that the pipeline runs end to end and what it costs, not the paper's result.
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app  # pylint: disable=g-import-not-at-top
from absl import flags  # pylint: disable=g-import-not-at-top
import keras  # pylint: disable=g-import-not-at-top
import numpy as np  # pylint: disable=g-import-not-at-top
import tensorflow as tf  # pylint: disable=g-import-not-at-top

from tfdis import metrics  # pylint: disable=g-import-not-at-top
from tfdis.data import synthetic  # pylint: disable=g-import-not-at-top
from tfdis.launch import evaluate_lib  # pylint: disable=g-import-not-at-top
from tfdis.models.jl1_vae import model as jl1_vae_lib  # pylint: disable=g-import-not-at-top
from tfdis.regularizers import jacobian_l1  # pylint: disable=g-import-not-at-top

_QUICK = flags.DEFINE_bool("quick", False, "≤ 3 min: 40 steps, batch 32, 200 points × 5 clusters, "
                           "localities 0.1, 0.3, 1.0, 2 timing rounds.")
_STEPS = flags.DEFINE_integer("steps", 300, "training steps per model.")
_BATCH = flags.DEFINE_integer("batch_size", 32, "batch size.")
_LATENT = flags.DEFINE_integer("latent_dim", 10, "latent dimensions (paper: 10).")
_BETA = flags.DEFINE_float("beta", 4.0, "β of both models (paper: 4).")
_GAMMA = flags.DEFINE_float("gamma", 0.1, "γ of the JL1-VAE (paper's default 0.1).")
_LR = flags.DEFINE_float("learning_rate", 5e-4, "Adam learning rate (paper 1e-4; larger for the short budget).")
_SEED = flags.DEFINE_integer("seed", 11, "seed of weights, data stream and noise (paper: 11–20).")
_POINTS = flags.DEFINE_integer("num_points", 1000, "points per cluster of the local metrics (paper: 10,000).")
_CLUSTERS = flags.DEFINE_integer("num_clusters", 10, "clusters of the local metrics (paper: 20).")
_LOCALITIES = flags.DEFINE_list("localities", ["0.1", "0.2", "0.3", "0.6", "1.0"], "locality proportions.")
_ROUNDS = flags.DEFINE_integer("timing_rounds", 5, "interleaved rounds of 2 timed steps per variant.")
_OUT = flags.DEFINE_string("out", None, "optional JSON file for the results.")


def _settings():
  if _QUICK.value:
    return dict(steps=40, batch=32, points=200, clusters=5, localities=[0.1, 0.3, 1.0], rounds=2)
  return dict(steps=_STEPS.value, batch=_BATCH.value, points=_POINTS.value, clusters=_CLUSTERS.value,
              localities=[float(p) for p in _LOCALITIES.value], rounds=_ROUNDS.value)


def _model(gamma, method="exact", ramp_steps=0):
  keras.utils.set_random_seed(_SEED.value)  # the same initial weights for every variant.
  model = jl1_vae_lib.jl1_vae(synthetic.ThreeDots.image_shape, latent_dim=_LATENT.value, beta=_BETA.value,
                              gamma=gamma, ramp_steps=ramp_steps, jacobian_method=method, seed=_SEED.value)
  model.compile(optimizer=keras.optimizers.Adam(_LR.value))
  return model


def _train(gamma, s):
  model = _model(gamma, ramp_steps=s["steps"] // 3)
  data = synthetic.three_dots(split="train", seed=_SEED.value).batch(s["batch"], drop_remainder=True)
  start = time.perf_counter()
  history = model.fit(data.prefetch(2), steps_per_epoch=s["steps"], epochs=1, verbose=0)
  return model, time.perf_counter() - start, {k: float(v[-1]) for k, v in history.history.items()}


def _evaluate(model, s):
  sampler = synthetic.ThreeDots()
  encode = evaluate_lib.batched(model.encode)
  results = {}
  for proportion in s["localities"]:
    for name, fn in (("local_mig", metrics.local_mig), ("local_modularity", metrics.local_modularity)):
      scores = fn(sampler, encode, np.random.RandomState(0), locality_proportion=proportion,
                  num_clusters=s["clusters"], num_points=s["points"])
      results[f"{name}@{proportion}"] = float(scores[name])
  test = next(iter(synthetic.three_dots(split="test").batch(128).take(1)))["image"]
  results["jacobian_l1@mean"] = float(jacobian_l1(model.decode, model.encode(test)))
  return results


def _step_seconds(s, variants):
  """Median wall seconds of one compiled train step per variant, on one fixed batch.

  The variants are warmed up (traced) first, then timed in interleaved rounds of 2 steps, so that load
  changes on a shared machine hit them alike.
  """
  batch = next(iter(synthetic.three_dots(split="train", seed=0).batch(s["batch"]).take(1)))
  data = tf.data.Dataset.from_tensors(batch).repeat()
  models = {name: _model(gamma, method) for name, (gamma, method) in variants.items()}
  for model in models.values():
    model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
  times = {name: [] for name in models}
  for _ in range(s["rounds"]):
    for name, model in models.items():
      start = time.perf_counter()
      model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
      times[name].append((time.perf_counter() - start) / 2)
  return {name: float(np.median(t)) for name, t in times.items()}


def main(argv):
  del argv
  s = _settings()
  report = {"settings": dict(s, latent_dim=_LATENT.value, beta=_BETA.value, gamma=_GAMMA.value,
                             learning_rate=_LR.value, seed=_SEED.value), "models": {}}
  for label, gamma in (("beta_vae (γ=0)", 0.0), (f"jl1_vae (γ={_GAMMA.value:g})", _GAMMA.value)):
    model, seconds, logs = _train(gamma, s)
    report["models"][label] = dict(_evaluate(model, s), train_s=round(seconds, 1), **logs)
    print(label, json.dumps(report["models"][label]), flush=True)
  timing = _step_seconds(s, {"beta_vae": (0.0, "exact"), "jl1_exact": (_GAMMA.value, "exact"),
                             "jl1_finite_difference": (_GAMMA.value, "finite_difference")})
  timing["exact_over_finite_difference"] = timing["jl1_exact"] / timing["jl1_finite_difference"]
  report["step_seconds"] = timing
  print(json.dumps(report, indent=2))
  _print_table(report)
  if _OUT.value:
    with open(_OUT.value, "w") as f:
      json.dump(report, f, indent=2)


def _print_table(report):
  labels = list(report["models"])
  keys = [k for k in report["models"][labels[0]] if "@" in k]
  print("\n| metric | " + " | ".join(labels) + " |\n|---|" + "---|" * len(labels))
  for key in keys + ["loss", "reconstruction", "kl", "jacobian_l1", "train_s"]:
    print(f"| {key} | " + " | ".join(f"{report['models'][m].get(key, float('nan')):.4g}" for m in labels) + " |")
  t = report["step_seconds"]
  print(f"\nstep s: β-VAE {t['beta_vae']:.3f}, JL1 exact {t['jl1_exact']:.3f}, JL1 finite difference "
        f"{t['jl1_finite_difference']:.3f}; exact / finite difference = {t['exact_over_finite_difference']:.2f}")


if __name__ == "__main__":
  app.run(main)
