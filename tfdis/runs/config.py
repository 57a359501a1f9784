"""Gin parsing for every binary: files and bindings with one-line errors, and queries of the parsed config."""

import collections
import os

import gin
import keras

from tfdis import GIN_DIR
from tfdis import configurables  # pylint: disable=unused-import  (registers Keras optimizers)
from tfdis.runs import gin_checks

TrainSettings = collections.namedtuple("TrainSettings", [
    "model_fn", "dataset_fn", "optimizer_fn", "batch_size", "train_steps", "checkpoint_every", "log_every",
    "deterministic", "restore_strict"])


class ConfigError(ValueError):
  """A gin file or binding that cannot configure a run; the message names the file or binding."""


def parse_gin(gin_files=(), gin_bindings=(), warn_unused_file_macros=True):
  """Parses gin files and bindings, raising `ConfigError` that names the failing file or binding.

  Paths are tried as given, then relative to the folder holding the `gin/` tree and to `gin/` itself, so
  that `gin/papers/lord/glyphs.gin`, `papers/lord/glyphs.gin` and `include 'gin/runs/train.gin'` work from
  any working directory, in a checkout or installed (`tfdis.GIN_DIR`). A binding's macro that nothing reads
  fails here, before any work (`gin_checks.check_macros`); a file's unread macro is logged when
  `warn_unused_file_macros`.
  """
  gin.clear_config()
  gin.add_config_file_search_path(str(GIN_DIR.parent))
  gin.add_config_file_search_path(str(GIN_DIR))
  for path in gin_files:
    resolved = _resolve(path)
    try:
      gin.parse_config_file(resolved)
    except Exception as e:  # gin raises ValueError, KeyError, ImportError... with the location inside.
      raise ConfigError(f"Bad gin file {path}: {_one_line(e)}") from e
  for binding in gin_bindings:
    try:
      gin.parse_config(binding)
    except Exception as e:
      raise ConfigError(f"Bad gin binding {binding!r}: {_one_line(e)}"
                        f"{gin_checks.unknown_configurable_hint(binding)}") from e
  gin_checks.check_macros(gin_bindings, ConfigError, warn_files=warn_unused_file_macros)
  gin.finalize()


def _one_line(error):
  """gin's multi-line message (error, then 'In file ..., line N' and the line) as one line."""
  return " ".join(line.strip() for line in str(error).strip("'\"").splitlines() if line.strip())


def _resolve(path):
  for candidate in (path, os.path.join(GIN_DIR.parent, path), os.path.join(GIN_DIR, path)):
    if os.path.isfile(candidate):
      return candidate
  raise ConfigError(f"Gin file {path} not found (looked in ., {GIN_DIR.parent} and {GIN_DIR}); "
                    "pass a path such as gin/papers/beta_vae/shapes2d.gin.")


def configured(name):
  """The value the parsed gin configuration binds to `name` ("train.model_fn", "%GROUND_TRUTH", ...).

  References are resolved: `@fn` gives the configured callable, `@Cls()` and `%MACRO` their values. Returns
  None when nothing is bound.
  """
  try:
    value = gin.query_parameter(name)
  except (ValueError, KeyError):
    return None
  if isinstance(value, gin.config.ConfigurableReference):
    return value.scoped_configurable_fn() if value.evaluate else value.scoped_configurable_fn
  return value


@gin.configurable("train")
def train_settings(model_fn=gin.REQUIRED, dataset_fn=gin.REQUIRED, optimizer_fn=keras.optimizers.Adam,
                   batch_size=64, train_steps=1000, checkpoint_every=500, log_every=50, deterministic=False,
                   restore_strict=False):
  """A run's settings, the `train.*` of its gin files: registered here so that every reader of a run's
  config.gin (evaluate, export) parses it without importing the training library.

  Args:
    model_fn: factory `(image_shape) -> DisentanglementModel` (gin: `train.model_fn = @beta_vae`).
    dataset_fn: dataset function in the tfdis.data contract (gin: `train.dataset_fn = %DATASET`).
    optimizer_fn: callable returning a Keras optimizer (gin: `train.optimizer_fn = @keras.optimizers.Adam`).
    batch_size: global batch size, split over the replicas.
    train_steps: total optimizer steps of the run.
    checkpoint_every: steps between checkpoints and TensorBoard pictures.
    log_every: steps between TensorBoard scalars.
    deterministic: turn on TF op determinism (process-wide), so that a run resumed after a kill ends with
      weights bit-identical to an uninterrupted one (bench/faults.py); somewhat slower.
    restore_strict: a damaged checkpoint (unreadable, or failing its sha256 manifest) raises
      `checkpoints.CheckpointError` instead of being set aside for the newest intact one.

  Returns:
    TrainSettings of these arguments.

  Raises:
    ConfigError: a step count or the batch size is not positive.
  """
  if batch_size <= 0 or train_steps <= 0 or checkpoint_every <= 0 or log_every <= 0:
    raise ConfigError("train: batch_size, train_steps, checkpoint_every and log_every must be positive.")
  return TrainSettings(model_fn, dataset_fn, optimizer_fn, batch_size, train_steps, checkpoint_every, log_every,
                       deterministic, restore_strict)
