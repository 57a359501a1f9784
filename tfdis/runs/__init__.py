"""The run layer, below `launch` and `export`: what every binary needs to read or write a training run.

`config` parses gin files and bindings (`parse_gin`, `configured`, `ConfigError`); `loading` reads a run's
folder (`run.json`, `load_trained_model` -> (model, step, checkpoint path)); `files` writes atomically and
checks weights are finite; `checkpoints` verifies checkpoints; `run_lock` locks a folder to one writer;
`gin_checks` finds unread macros and misspelt configurables; `cli` is how binaries report a failure.
"""

from tfdis.runs.config import ConfigError
from tfdis.runs.config import configured
from tfdis.runs.config import TrainSettings
from tfdis.runs.config import parse_gin
from tfdis.runs.config import train_settings
from tfdis.runs.files import nonfinite_variables
from tfdis.runs.files import write_atomically
from tfdis.runs.files import write_json
from tfdis.runs.loading import RUN_INFO
from tfdis.runs.loading import Restored
from tfdis.runs.loading import load_trained_model
from tfdis.runs.loading import read_run_info
from tfdis.runs.loading import run_image_shape
from tfdis.runs.loading import write_run_info
