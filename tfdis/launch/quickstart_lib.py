"""The quick start's library: train gin/quickstart.gin, evaluate and export it, then say where everything is."""

import os

from tfdis.export import export_lib
from tfdis.launch import evaluate_lib
from tfdis.launch import train_lib

QUICKSTART_GIN = "gin/quickstart.gin"
QUICK_METRICS_GIN = "gin/metrics/quick.gin"


def run(model_dir, train_steps=None, extra_bindings=(), eval_bindings=(), out=print):
  """Trains the quick-start model into `model_dir`, evaluates and exports it, and reports its artifacts.

  The export goes to `model_dir/export/beta_vae/<step>` (TF Serving's NAME/VERSION layout).

  Args:
    model_dir: output folder (resumes from it).
    train_steps: optional override of the configured number of steps.
    extra_bindings: further gin bindings of the training run (tests use them to shrink it).
    eval_bindings: further gin bindings of the evaluation.
    out: where the report lines go.

  Returns:
    A dict naming the artifacts: model_dir, checkpoint, operative_config, tensorboard, traversal, results,
    export.
  """
  bindings = list(extra_bindings) + ([f"TRAIN_STEPS = {train_steps}"] if train_steps else [])
  model = train_lib.run([QUICKSTART_GIN], bindings, model_dir)
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
  out(f"  SavedModel+TFLite  {artifacts['export']}  (signatures: {', '.join(export['signatures'])}; "
      f"max |TFLite - SavedModel| {max(export['parity'].values(), default=0.0):.1e})")
  export_root = os.path.dirname(os.path.dirname(artifacts["export"]))
  out(f"  serve and edit     python -m export.serve --export_dir={export_root}, then open http://127.0.0.1:8501/")
  return artifacts
