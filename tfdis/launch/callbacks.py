"""Keras callbacks of the training launcher: progress bar, checkpoints, TensorBoard scalars and pictures."""

import os

import keras
import numpy as np
import tensorflow as tf
import tqdm

from tfdis import runs
from tfdis import visualize
from tfdis.runs import checkpoints


def _step(model):
  return int(model.optimizer.iterations.numpy())


class TrainingDiverged(RuntimeError):
  """A loss term or a weight became NaN or Inf; the message names the step and what diverged."""


class DivergenceGuard(keras.callbacks.Callback):
  """Stops training at the first step whose loss terms are not finite, before anything is saved.

  The latest checkpoint then is the last good one; `Checkpointer` independently refuses to save weights
  that are not finite (a NaN weight can come with a finite loss).
  """

  def __init__(self, manager):
    super().__init__()
    self.manager = manager

  def on_train_batch_end(self, batch, logs=None):
    bad = sorted(name for name, value in (logs or {}).items() if not np.all(np.isfinite(np.asarray(value))))
    if bad:
      self.model.stop_training = True
      raise TrainingDiverged(
          f"Training diverged at step {_step(self.model)}: loss term(s) {', '.join(bad)} became NaN/Inf. "
          f"Nothing was saved after the last good checkpoint ({self.manager.latest_checkpoint or 'none yet'}); "
          "lower the learning rate or the regularizer weights, then re-run to resume from it.")


class StopAtStep(keras.callbacks.Callback):
  """Stops `fit` once the optimizer has taken `train_steps` steps (the last interval may be short)."""

  def __init__(self, train_steps):
    super().__init__()
    self.train_steps = train_steps

  def on_train_batch_end(self, batch, logs=None):
    if _step(self.model) >= self.train_steps:
      self.model.stop_training = True


class ProgressBar(keras.callbacks.Callback):
  """One tqdm bar over the whole run (global steps), showing the latest losses."""

  def __init__(self, initial_step, train_steps, log_every):
    super().__init__()
    self.initial_step, self.train_steps, self.log_every = initial_step, train_steps, log_every
    self.bar = None

  def on_train_begin(self, logs=None):
    self.bar = tqdm.tqdm(total=self.train_steps, initial=self.initial_step, unit="step",
                         dynamic_ncols=True, mininterval=1.0)

  def on_train_batch_end(self, batch, logs=None):
    self.bar.update(1)
    if logs and _step(self.model) % self.log_every == 0:
      self.bar.set_postfix({k: f"{float(np.mean(v)):.4g}" for k, v in logs.items()}, refresh=False)

  def on_train_end(self, logs=None):
    self.bar.close()


class Checkpointer(keras.callbacks.Callback):
  """Saves a checkpoint (model, optimizers, step) and its sha256 manifest after each interval and at the end."""

  def __init__(self, manager):
    super().__init__()
    self.manager = manager

  def save(self):
    step = _step(self.model)
    latest = self.manager.latest_checkpoint
    if latest is not None and latest.endswith(f"-{step}"):
      return
    bad = runs.nonfinite_variables(self.model.variables)
    if bad:
      raise TrainingDiverged(f"Refusing to checkpoint step {step}: {len(bad)} variable(s) hold NaN/Inf "
                             f"({', '.join(bad[:3])}); the last good checkpoint is "
                             f"{latest or 'none'}. Lower the learning rate, then re-run to resume from it.")
    checkpoints.save(self.manager, step)

  def on_epoch_end(self, epoch, logs=None):
    self.save()

  def on_train_end(self, logs=None):
    self.save()


class Summaries(keras.callbacks.Callback):
  """Writes loss scalars every `log_every` steps and the model's pictures at each interval's end.

  Pictures come from `model.summary_images(images)`; 5-D entries ([rows, cols, h, w, c], e.g. traversals)
  are tiled into one grid, the latest traversal is also written to `model_dir/traversal.png`.
  """

  def __init__(self, model_dir, images, log_every):
    super().__init__()
    self.writer = tf.summary.create_file_writer(os.path.join(model_dir, "train"))
    self.model_dir, self.images, self.log_every = model_dir, images, log_every

  def on_train_batch_end(self, batch, logs=None):
    step = _step(self.model)
    if logs and step % self.log_every == 0:
      with self.writer.as_default(step=step):
        for name, value in logs.items():
          tf.summary.scalar(f"loss/{name}", float(np.mean(value)))

  def on_epoch_end(self, epoch, logs=None):
    self.write_images()

  def write_images(self):
    step = _step(self.model)
    pictures = self.model.summary_images(self.images)
    with self.writer.as_default(step=step):
      for name, images in pictures.items():
        grid = visualize.tile(np.asarray(images))
        tf.summary.image(f"images/{name}", grid[np.newaxis], step=step)
        if name == "traversal":
          visualize.save_png(grid, os.path.join(self.model_dir, "traversal.png"))
    self.writer.flush()
