"""The quick start's library: train gin/quickstart.gin, then print where the results are."""

import os

from tfdis.launch import train_lib

QUICKSTART_GIN = "gin/quickstart.gin"


def run(model_dir, train_steps=None, extra_bindings=(), out=print):
  """Trains the quick-start model into `model_dir` and reports its artifacts.

  Args:
    model_dir: output folder (resumes from it).
    train_steps: optional override of the configured number of steps.
    extra_bindings: further gin bindings (tests use them to shrink the run).
    out: where the report lines go.

  Returns:
    A dict naming the artifacts: model_dir, checkpoint, operative_config, tensorboard, traversal.
  """
  bindings = list(extra_bindings) + ([f"TRAIN_STEPS = {train_steps}"] if train_steps else [])
  model = train_lib.run([QUICKSTART_GIN], bindings, model_dir)
  artifacts = {
      "model_dir": model_dir,
      "checkpoint": os.path.join(model_dir, "checkpoints"),
      "operative_config": os.path.join(model_dir, "operative_config.gin"),
      "tensorboard": os.path.join(model_dir, "train"),
      "traversal": os.path.join(model_dir, "traversal.png"),
  }
  out(f"\ntfdis quick start: trained {model.name} for {int(model.optimizer.iterations.numpy())} steps.")
  out(f"  checkpoints        {artifacts['checkpoint']}")
  out(f"  gin config used    {artifacts['operative_config']}")
  out(f"  latent traversal   {artifacts['traversal']}  (row i sweeps latent i from -2 to 2)")
  out(f"  TensorBoard        tensorboard --logdir {artifacts['tensorboard']}")
  return artifacts
