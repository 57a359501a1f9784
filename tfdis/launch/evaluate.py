r"""Evaluates a trained tfdis model with the disentanglement metrics.

  python -m tfdis.launch.evaluate --model_dir=/tmp/beta_vae [--gin_file=gin/metrics/disentanglement.gin] \
      [--gin_param='evaluate.num_train = 2000']

Writes model_dir/results.json and TensorBoard scalars under model_dir/eval, and prints a table.
"""

import sys

from tfdis import logs

if __name__ == "__main__":  # before TensorFlow is imported
  logs.init(sys.argv)

from absl import app
from absl import flags

from tfdis.launch import smoke
from tfdis.launch import evaluate_lib
from tfdis.runs import checkpoints
from tfdis.runs import cli

_MODEL_DIR = flags.DEFINE_string("model_dir", None, "A training run's folder.", required=True)
_GIN_FILES = flags.DEFINE_multi_string("gin_file", [], "Gin files for `evaluate` (see gin/metrics/).")
_GIN_PARAMS = flags.DEFINE_multi_string("gin_param", [], "Gin bindings, e.g. 'evaluate.seed = 1'.")
_RESTORE_STRICT = flags.DEFINE_bool("restore_strict", False, "Fail on a damaged newest checkpoint instead "
                                    "of evaluating the newest intact one.")


def main(argv):
  del argv
  try:
    bindings = [*_GIN_PARAMS.value, *smoke.bindings("evaluate")]
    results = evaluate_lib.run(_MODEL_DIR.value, _GIN_FILES.value, bindings,
                               restore_strict=_RESTORE_STRICT.value)
  except (FileNotFoundError, ValueError, checkpoints.CheckpointError) as e:  # ConfigError is a ValueError
    cli.fail(e)
  logs.phase("evaluate", f"step {results['step']} of {_MODEL_DIR.value}: results.json, TensorBoard eval/")
  print(f"Results at step {results['step']} (model_dir/results.json):")
  print(evaluate_lib.table(results))


if __name__ == "__main__":
  app.run(main)
