"""The training launcher's library: `train`, the gin root of the binary (gin parsing lives in `tfdis.runs`).

A run writes into `model_dir`:
  operative_config.gin   the gin configuration the run actually used
  config.gin             the whole configuration it was given (evaluate and export rebuild the run from it)
  run.json               facts evaluate and export read (family, model class, image shape; `tfdis.runs`)
  checkpoints/           tf.train checkpoints (model, optimizer(s), step), each with a sha256 manifest
                         (`checkpoints.py`); a re-run resumes from the newest intact one
  .tfdis.lock(.json)     the lock a live trainer holds, and its pid and host (`run_lock.py`)
  train/                 TensorBoard events: loss scalars, inputs, reconstructions, latent traversals
  traversal.png          the latest latent-traversal grid
"""

import os

import gin
import keras
import tensorflow as tf

from tfdis import distribute
from tfdis import logs
from tfdis import runs
from tfdis.data import pipeline
from tfdis.launch import callbacks
from tfdis.runs import checkpoints
from tfdis.runs import run_lock


def _summary_images(dataset_fn, seed, count=8):
  return tf.constant(pipeline.take_numpy(dataset_fn(split="train", seed=seed + 1), count)["image"])


def restore_or_initialize(manager, model):
  """Restores the latest checkpoint in `manager` into `model`, returning the step it resumes from.

  Call `checkpoints.prepare_for_training` first: it points the manager's latest at the newest intact one.
  """
  if manager.latest_checkpoint:
    manager.checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
    logs.phase("train", f"Resumed from {manager.latest_checkpoint}.")  # at any verbosity: where the run goes on
  return int(model.optimizer.iterations.numpy())


def train(model_dir, strategy="auto", seed=0, **overrides):
  """Trains `model_fn(image_shape)` on `dataset_fn("train")` for `train_steps` global steps, resumably.

  Args:
    model_dir: output folder; a run finding checkpoints there resumes from the latest one.
    strategy: a name accepted by `tfdis.distribute.make_strategy`.
    seed: seed of the weights' initialization, the data stream and the model's noise.
    **overrides: settings of `tfdis.runs.train_settings` (gin `train.*`) given directly.

  Returns:
    The trained model.

  Raises:
    ConfigError: a setting that cannot train.
    run_lock.RunLocked: another trainer holds `model_dir` (its pid and host are named).
    checkpoints.CheckpointError: a damaged checkpoint and `restore_strict`, or no intact one.
    callbacks.TrainingDiverged: a loss term or a weight became NaN/Inf; the last good checkpoint is kept.
  """
  settings = runs.train_settings(**overrides)
  if settings.deterministic:
    tf.config.experimental.enable_op_determinism()
  keras.utils.set_random_seed(seed)
  strategy = distribute.make_strategy(strategy)
  model_dir = distribute.worker_dir(model_dir, strategy)  # multi-worker: each worker locks its own folder
  if settings.batch_size % strategy.num_replicas_in_sync:
    raise runs.ConfigError(f"batch_size {settings.batch_size} is not divisible by the "
                           f"{strategy.num_replicas_in_sync} replicas: choose a multiple.")
  with run_lock.hold(model_dir):
    return _train_locked(model_dir, strategy, settings.model_fn, settings.dataset_fn, settings.optimizer_fn,
                         settings.batch_size, settings.train_steps, settings.checkpoint_every, settings.log_every,
                         seed, settings.restore_strict)


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
  _write_configs(model_dir, model, image_shape)
  if initial_step >= train_steps:
    logs.phase("train", f"{model_dir} already holds a run of {initial_step} steps: nothing to train.")
    return model
  # A model may consume several batches per step (Lr/Li-VAE's fresh GM batches): they come stacked as one.
  step_batch = batch_size * getattr(model, "batches_per_step", 1)
  data = dataset_fn(split="train", seed=seed, start_index=initial_step * step_batch)
  data = pipeline.without_autotune(data.batch(step_batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE))
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


def _write_configs(model_dir, model, image_shape):
  runs.write_atomically(os.path.join(model_dir, "operative_config.gin"), gin.operative_config_str())
  runs.write_atomically(os.path.join(model_dir, "config.gin"), gin.config_str())
  runs.write_run_info(model_dir, model, image_shape)


def run(gin_files, gin_bindings, model_dir, strategy="auto", seed=0, restore_strict=False):
  """Parses the configuration, then trains; what the `train` binary calls.

  `restore_strict=True` (the `--restore_strict` flag) overrides `train.restore_strict`.
  """
  runs.parse_gin(gin_files, gin_bindings)
  strict = {"restore_strict": True} if restore_strict else {}
  return train(model_dir=model_dir, strategy=strategy, seed=seed, **strict)
