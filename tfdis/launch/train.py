r"""Trains a tfdis model from gin files.

  python -m tfdis.launch.train --gin_file=gin/papers/beta_vae/shapes2d.gin \
      --gin_param='TRAIN_STEPS = 2000' --model_dir=/tmp/beta_vae [--strategy=mirrored] [--seed=0]

Re-running the same command after an interruption resumes from the newest intact checkpoint in --model_dir.
A failure prints one line (what is wrong and the fix) on stderr and exits with status 1.
"""

import sys

from tfdis import logs

if __name__ == "__main__":  # before TensorFlow is imported
  logs.init(sys.argv)

from absl import app
from absl import flags

from tfdis import distribute
from tfdis import runs
from tfdis.data import tfds_datasets
from tfdis.launch import callbacks
from tfdis.launch import smoke
from tfdis.launch import train_lib
from tfdis.runs import checkpoints
from tfdis.runs import cli
from tfdis.runs import run_lock

_GIN_FILES = flags.DEFINE_multi_string("gin_file", [], "Gin files; later ones override earlier ones.")
_GIN_PARAMS = flags.DEFINE_multi_string("gin_param", [], "Gin bindings, e.g. 'BETA = 4.0'.")
_MODEL_DIR = flags.DEFINE_string("model_dir", None, "Output folder; resumes from checkpoints found there.",
                                 required=True)
_STRATEGY = flags.DEFINE_enum("strategy", "auto", distribute.STRATEGIES, "tf.distribute strategy.")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of initialization, data stream and noise.")
_RESTORE_STRICT = flags.DEFINE_bool("restore_strict", False, "Fail on a damaged checkpoint instead of "
                                    "resuming from the newest intact one (gin: train.restore_strict).")
ERRORS = (runs.ConfigError, run_lock.RunLocked, checkpoints.CheckpointError, callbacks.TrainingDiverged,
          tfds_datasets.DatasetNotPreparedError)


def main(argv):
  del argv
  try:
    bindings = [*_GIN_PARAMS.value, *smoke.bindings("train")]
    model = train_lib.run(_GIN_FILES.value, bindings, _MODEL_DIR.value, _STRATEGY.value, _SEED.value,
                          restore_strict=_RESTORE_STRICT.value)
  except ERRORS as e:
    cli.fail(e)
  logs.phase("train", f"step {int(model.optimizer.iterations.numpy())} in {_MODEL_DIR.value} (checkpoints/, "
             "TensorBoard train/, traversal.png, operative_config.gin)")


if __name__ == "__main__":
  app.run(main)
