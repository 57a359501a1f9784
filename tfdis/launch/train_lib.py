"""The training launcher's library: gin parsing with clear errors, and `train`, the gin root of the binary.

A run writes into `model_dir`:
  operative_config.gin   the gin configuration the run actually used
  config.gin             the whole configuration it was given (evaluate and export rebuild the run from it)
  run.json               facts evaluate and export check requests against (the image shape)
  checkpoints/           tf.train checkpoints (model, optimizer(s), step), each with a sha256 manifest
                         (`checkpoints.py`); a re-run resumes from the newest intact one
  .tfdis.lock(.json)     the lock a live trainer holds, and its pid and host (`run_lock.py`)
  train/                 TensorBoard events: loss scalars, inputs, reconstructions, latent traversals
  traversal.png          the latest latent-traversal grid
"""

import collections
import json
import os

from absl import logging
import gin
import keras
import numpy as np
import tensorflow as tf

from tfdis import GIN_DIR
from tfdis import ROOT
from tfdis import configurables  # pylint: disable=unused-import  (registers Keras optimizers)
from tfdis import distribute
from tfdis.launch import callbacks
from tfdis.launch import checkpoints
from tfdis.launch import gin_checks
from tfdis.launch import run_lock


RUN_INFO = "run.json"


class ConfigError(ValueError):
  """A gin file or binding that cannot configure a run; the message names the file or binding."""


def parse_gin(gin_files=(), gin_bindings=(), warn_unused_file_macros=True):
  """Parses gin files and bindings, raising `ConfigError` that names the failing file or binding.

  Paths are tried as given, then relative to the repository root and to its `gin/` folder, so that
  `include 'gin/runs/train.gin'` works from any working directory. A binding's macro that nothing reads
  fails here, before any work (`gin_checks.check_macros`); a file's unread macro is logged when
  `warn_unused_file_macros`.
  """
  gin.clear_config()
  gin.add_config_file_search_path(str(ROOT))
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
  for candidate in (path, os.path.join(ROOT, path), os.path.join(GIN_DIR, path)):
    if os.path.isfile(candidate):
      return candidate
  raise ConfigError(f"Gin file {path} not found (looked in ., {ROOT} and {GIN_DIR}); "
                    "pass a path such as gin/papers/beta_vae/shapes2d.gin.")


def _summary_images(dataset_fn, seed, count=8):
  batch = next(iter(dataset_fn(split="train", seed=seed + 1).batch(count).take(1)))
  return batch["image"]


def restore_or_initialize(manager, model):
  """Restores the latest checkpoint in `manager` into `model`, returning the step it resumes from.

  Call `checkpoints.prepare_for_training` first: it points the manager's latest at the newest intact one.
  """
  if manager.latest_checkpoint:
    manager.checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
    logging.info("Resumed from %s.", manager.latest_checkpoint)
  return int(model.optimizer.iterations.numpy())


@gin.configurable(denylist=["model_dir", "strategy", "seed"])
def train(model_dir, model_fn=gin.REQUIRED, dataset_fn=gin.REQUIRED, optimizer_fn=keras.optimizers.Adam,
          batch_size=64, train_steps=1000, checkpoint_every=500, log_every=50, strategy="auto", seed=0,
          deterministic=False, restore_strict=False):
  """Trains `model_fn(image_shape)` on `dataset_fn("train")` for `train_steps` global steps, resumably.

  Args:
    model_dir: output folder; a run finding checkpoints there resumes from the latest one.
    model_fn: factory `(image_shape) -> DisentanglementModel` (gin: `train.model_fn = @beta_vae`).
    dataset_fn: dataset function in the tfdis.data contract (gin: `train.dataset_fn = %DATASET`).
    optimizer_fn: callable returning a Keras optimizer (gin: `train.optimizer_fn = @keras.optimizers.Adam`).
    batch_size: global batch size, split over the replicas.
    train_steps: total optimizer steps of the run.
    checkpoint_every: steps between checkpoints and TensorBoard pictures.
    log_every: steps between TensorBoard scalars.
    strategy: a name accepted by `tfdis.distribute.make_strategy`.
    seed: seed of the weights' initialization, the data stream and the model's noise.
    deterministic: turn on TF op determinism (process-wide), so that a run resumed after a kill ends with
      weights bit-identical to an uninterrupted one (bench/faults.py); somewhat slower.
    restore_strict: a damaged checkpoint (unreadable, or failing its sha256 manifest) raises
      `checkpoints.CheckpointError` instead of being set aside for the newest intact one.

  Returns:
    The trained model.

  Raises:
    ConfigError: a setting that cannot train.
    run_lock.RunLocked: another trainer holds `model_dir` (its pid and host are named).
    checkpoints.CheckpointError: a damaged checkpoint and `restore_strict`, or no intact one.
    callbacks.TrainingDiverged: a loss term or a weight became NaN/Inf; the last good checkpoint is kept.
  """
  if batch_size <= 0 or train_steps <= 0 or checkpoint_every <= 0 or log_every <= 0:
    raise ConfigError("train: batch_size, train_steps, checkpoint_every and log_every must be positive.")
  if deterministic:
    tf.config.experimental.enable_op_determinism()
  keras.utils.set_random_seed(seed)
  strategy = distribute.make_strategy(strategy)
  model_dir = distribute.worker_dir(model_dir, strategy)  # multi-worker: each worker locks its own folder
  if batch_size % strategy.num_replicas_in_sync:
    raise ConfigError(f"batch_size {batch_size} is not divisible by the {strategy.num_replicas_in_sync} "
                      "replicas: choose a multiple.")
  with run_lock.hold(model_dir):
    return _train_locked(model_dir, strategy, model_fn, dataset_fn, optimizer_fn, batch_size, train_steps,
                         checkpoint_every, log_every, seed, restore_strict)


def _train_locked(model_dir, strategy, model_fn, dataset_fn, optimizer_fn, batch_size, train_steps,
                  checkpoint_every, log_every, seed, restore_strict):
  """`train` after the checks, holding the lock on `model_dir`: build, restore the newest intact, fit."""
  image_shape = tuple(dataset_fn(split="train", seed=seed).element_spec["image"].shape)
  with strategy.scope():
    model = model_fn(image_shape=image_shape)
    model.compile(optimizer=optimizer_fn())
    model.optimizer.build(model.trainable_variables)
  checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer, rng=model.rng_states())
  checkpoints.prepare_for_training(os.path.join(model_dir, "checkpoints"), restore_strict)
  manager = tf.train.CheckpointManager(checkpoint, os.path.join(model_dir, "checkpoints"), max_to_keep=3)
  initial_step = restore_or_initialize(manager, model)
  _write_configs(model_dir, image_shape)
  if initial_step >= train_steps:
    logging.info("%s already holds a run of %d steps: nothing to train.", model_dir, initial_step)
    return model
  # A model may consume several batches per step (Lr/Li-VAE's fresh GM batches): they come stacked as one.
  step_batch = batch_size * getattr(model, "batches_per_step", 1)
  data = dataset_fn(split="train", seed=seed, start_index=initial_step * step_batch)
  data = data.batch(step_batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
  fit_callbacks = [
      callbacks.DivergenceGuard(manager),
      callbacks.StopAtStep(train_steps),
      callbacks.ProgressBar(initial_step, train_steps, log_every),
      callbacks.Summaries(model_dir, _summary_images(dataset_fn, seed), log_every),
      callbacks.Checkpointer(manager),
  ]
  model.fit(data, steps_per_epoch=checkpoint_every, epochs=-(-train_steps // checkpoint_every),
            initial_epoch=initial_step // checkpoint_every, callbacks=fit_callbacks, shuffle=False, verbose=0)
  return model


def _write_atomically(path, text):
  with tf.io.gfile.GFile(path + ".tmp", "w") as f:
    f.write(text)
  tf.io.gfile.rename(path + ".tmp", path, overwrite=True)


def _write_configs(model_dir, image_shape):
  _write_atomically(os.path.join(model_dir, "operative_config.gin"), gin.operative_config_str())
  _write_atomically(os.path.join(model_dir, "config.gin"), gin.config_str())
  _write_atomically(os.path.join(model_dir, RUN_INFO), json.dumps({"image_shape": list(image_shape)}))


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


Restored = collections.namedtuple("Restored", ["model", "step", "checkpoint"])


def load_trained_model(model_dir, gin_files=(), gin_bindings=(), image_shape=None, restore_strict=False):
  """Rebuilds the model of a training run and restores its newest intact checkpoint: `restore_run`'s
  (model, step)."""
  restored = restore_run(model_dir, gin_files, gin_bindings, image_shape, restore_strict)
  return restored.model, restored.step


def restore_run(model_dir, gin_files=(), gin_bindings=(), image_shape=None, restore_strict=False):
  """Rebuilds the model of a training run from `model_dir/config.gin` and restores its newest intact checkpoint.

  Leaves the run's configuration (plus `gin_files` and `gin_bindings`, e.g. for `evaluate`) parsed, so that
  `configured(...)` answers questions about the run. Checkpoints are verified as in training
  (`checkpoints.newest_intact`): a damaged newest one is skipped with a warning, or raises if `restore_strict`.

  Args:
    model_dir: a training run's folder.
    gin_files: further gin files, parsed after the run's config.gin.
    gin_bindings: further gin bindings.
    image_shape: (h, w, c) the model was built for; by default the run's (run.json, else its dataset's).
    restore_strict: raise on a damaged checkpoint instead of skipping it.

  Returns:
    Restored(model, step, checkpoint): the model, the step of its checkpoint and the checkpoint's path.

  Raises:
    FileNotFoundError: `model_dir` holds no configuration or no checkpoint.
    ConfigError: `image_shape` is not the run's, or a bad gin file or binding.
    checkpoints.CheckpointError: a damaged checkpoint and `restore_strict`, or no intact checkpoint.
    AssertionError: the checkpoint does not fit the rebuilt model.
  """
  config = os.path.join(model_dir, "config.gin")
  if not os.path.isfile(config) or not checkpoints.all_checkpoints(os.path.join(model_dir, "checkpoints")):
    raise FileNotFoundError(f"{model_dir} holds no trained run (config.gin and checkpoints/ are missing): "
                            "train one first with python -m tfdis.launch.train --model_dir=...")
  latest, _ = checkpoints.newest_intact(os.path.join(model_dir, "checkpoints"), restore_strict)
  parse_gin([config, *gin_files], gin_bindings, warn_unused_file_macros=False)
  image_shape = run_image_shape(model_dir, image_shape)
  model = configured("train.model_fn")(image_shape=image_shape)
  tf.train.Checkpoint(model=model).restore(latest).expect_partial().assert_existing_objects_matched()
  return Restored(model, int(latest.rsplit("-", 1)[1]), latest)


def run_image_shape(model_dir, requested=None):
  """The image shape of the run in `model_dir` (parsed), checked against a `requested` one.

  The run's shape comes from its run.json, or (runs older than run.json) from its configured dataset.

  Raises:
    ConfigError: `requested` differs from the run's shape; the message names both.
  """
  requested = None if requested is None else tuple(int(s) for s in requested)
  info_path = os.path.join(model_dir, RUN_INFO)
  if os.path.isfile(info_path):
    with open(info_path) as f:
      recorded, source = tuple(json.load(f)["image_shape"]), info_path
  else:
    try:
      recorded = tuple(int(s) for s in configured("train.dataset_fn")(split="train").element_spec["image"].shape)
      source = "its dataset"
    except Exception:  # pylint: disable=broad-except  (the dataset may be missing here: trust `requested`)
      if requested is None:
        raise
      return requested
  if requested is not None and requested != recorded:
    shape = ",".join(map(str, recorded))
    raise ConfigError(f"image_shape {list(requested)} does not match the run's image shape {list(recorded)} "
                      f"(from {source}): pass --image_shape={shape} or leave it out.")
  return recorded


def run(gin_files, gin_bindings, model_dir, strategy="auto", seed=0, restore_strict=False):
  """Parses the configuration, then trains; what the `train` binary calls.

  `restore_strict=True` (the `--restore_strict` flag) overrides `train.restore_strict`.
  """
  parse_gin(gin_files, gin_bindings)
  strict = {"restore_strict": True} if restore_strict else {}
  return train(model_dir=model_dir, strategy=strategy, seed=seed, **strict)
