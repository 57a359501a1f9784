"""The quick start's library: train gin/quickstart.gin, evaluate and export it, then say where everything is."""

import os

from tfdis import runs
from tfdis.export import export_lib
from tfdis.launch import evaluate_lib
from tfdis.launch import smoke
from tfdis.launch import train_lib

QUICKSTART_GIN = "gin/quickstart.gin"
QUICK_METRICS_GIN = "gin/metrics/quick.gin"
# {metric key: (lowest, highest)} over seeds 0, 1, 2 of gin/quickstart.gin as shipped (bench/quickstart_seeds.py,
# bench/BENCHMARKS.md); printed beside a run's own values.
EXPECTED = {"mig": (0.481, 0.728), "sap": (0.111, 0.222)}  # measured 2026-12-03, after the default-strategy change
EXPECTED_SEEDS = 3


def expected_lines(results, configured_steps):
  """Lines that set the run's MIG and SAP beside the range measured over seeds 0-2 of the shipped config."""
  lines = [f"  expected (seeds 0-{EXPECTED_SEEDS - 1} of {QUICKSTART_GIN}, bench/quickstart_seeds.py):"]
  values = {key: value for values in results["metrics"].values() for key, value in values.items()}
  for key, (low, high) in EXPECTED.items():
    value = values.get(key)
    line = f"    {key:<6} {low:.2f}-{high:.2f}"
    if value is not None:
      verdict = ("inside" if low <= value <= high else "above: a lucky seed" if value > high else
                 "below: an unlucky seed, or a changed config")
      line += f", this run {value:.2f} ({verdict})"
    lines.append(line)
  if results["step"] != configured_steps:
    lines.append(f"    (measured at {configured_steps} steps; this run has {results['step']}: not comparable)")
  return lines


def run_command(model_dir, train_steps=None, seed=0):
  """What `python -m tfdis.launch.quickstart` runs: `run` with TFDIS_SMOKE's bindings after its own."""
  return run(model_dir, train_steps=train_steps, seed=seed, extra_bindings=smoke.bindings("train"),
             eval_bindings=smoke.bindings("evaluate"))


def run(model_dir, train_steps=None, extra_bindings=(), eval_bindings=(), out=print, seed=0):
  """Trains the quick-start model into `model_dir`, evaluates and exports it, and reports its artifacts.

  The export goes to `model_dir/export/beta_vae/<step>` (TF Serving's NAME/VERSION layout).

  Args:
    model_dir: output folder (resumes from it).
    train_steps: optional override of the configured number of steps.
    extra_bindings: further gin bindings of the training run, after `train_steps` (tests and TFDIS_SMOKE
      shrink the run with them).
    eval_bindings: further gin bindings of the evaluation.
    out: where the report lines go.
    seed: the training seed (the expected range is over seeds 0, 1, 2).

  Returns:
    A dict naming the artifacts: model_dir, checkpoint, operative_config, tensorboard, traversal, results,
    export.
  """
  runs.parse_gin([QUICKSTART_GIN], [])
  configured_steps = runs.configured("train.train_steps")  # the shipped length, which EXPECTED was measured at
  bindings = ([f"TRAIN_STEPS = {train_steps}"] if train_steps else []) + list(extra_bindings)  # later wins
  model = train_lib.run([QUICKSTART_GIN], bindings, model_dir, seed=seed)
  results = evaluate_lib.run(model_dir, [QUICK_METRICS_GIN], eval_bindings)
  export = export_lib.export_model(model_dir, os.path.join(model_dir, "export", "beta_vae",
                                                           str(results["step"])), overwrite=True)
  artifacts = {
      "model_dir": model_dir,
      "checkpoint": os.path.join(model_dir, "checkpoints"),
      "operative_config": os.path.join(model_dir, "operative_config.gin"),
      "tensorboard": model_dir,
      "traversal": os.path.join(model_dir, "traversal.png"),
      "results": os.path.join(model_dir, "results.json"),
      "export": export["export_dir"],
  }
  out(f"\ntfdis quick start: trained {model.name} for {int(model.optimizer.iterations.numpy())} steps.")
  out(f"  checkpoints        {artifacts['checkpoint']}")
  out(f"  gin config used    {artifacts['operative_config']}")
  out(f"  latent traversal   {artifacts['traversal']}  (row i sweeps latent i from -2 to 2)")
  out(f"  TensorBoard        tensorboard --logdir {artifacts['tensorboard']}  (train/ and eval/)")
  out(f"  metrics            {artifacts['results']}  ({results['num_train']} points; gin/metrics/quick.gin)")
  out(evaluate_lib.table(results))
  out("\n".join(expected_lines(results, configured_steps)))
  out(f"  SavedModel+TFLite  {artifacts['export']}  (signatures: {', '.join(export['signatures'])}; "
      f"max |TFLite - SavedModel| {max(export['parity'].values(), default=0.0):.1e})")
  export_root = os.path.dirname(os.path.dirname(artifacts["export"]))
  out(f"  serve and edit     python -m tfdis.export.serve --export_dir={export_root}, then open http://127.0.0.1:8501/")
  return artifacts
