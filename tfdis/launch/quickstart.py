r"""The quick start: trains β-VAE on circles on the CPU in about a minute, then says where everything is.

  python -m tfdis.launch.quickstart [--model_dir=/tmp/tfdis_quickstart] [--train_steps=1500] [--seed=0]

Re-running resumes (or, when the run is complete, only re-reports). With TFDIS_SMOKE=1 it trains 2 steps and
evaluates on 200/100 points, like the other binaries (tfdis/launch/smoke.py).
"""

import sys

from tfdis import logs

if __name__ == "__main__":  # before TensorFlow is imported
  logs.init(sys.argv)

from absl import app
from absl import flags

from tfdis.launch import quickstart_lib

_MODEL_DIR = flags.DEFINE_string("model_dir", "/tmp/tfdis_quickstart", "Output folder.")
_TRAIN_STEPS = flags.DEFINE_integer("train_steps", None, "Override of gin/quickstart.gin's TRAIN_STEPS.")
_SEED = flags.DEFINE_integer("seed", 0, "Training seed (the printed expected range is over seeds 0, 1, 2).")


def main(argv):
  del argv
  quickstart_lib.run_command(_MODEL_DIR.value, train_steps=_TRAIN_STEPS.value, seed=_SEED.value)


if __name__ == "__main__":
  app.run(main)
