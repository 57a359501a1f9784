"""Keras callbacks of the training launcher: progress bar, checkpoints, TensorBoard scalars and pictures."""

import os

import keras
import numpy as np
import tensorflow as tf
import tqdm

from tfdis import runs
from tfdis import visualize
from tfdis.models.mddae import model as mddae
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


# Latents with an N(0, I) prior (the VAEs, the GANs: the models whose summary has a "traversal") are
# traversed over these values; the others over each latent's range on the summary batch.
PRIOR_VALUES = np.linspace(-2.0, 2.0, 7)
MAX_TRAVERSAL_ROWS = 10  # LORD has 384 latents: show the 10 that vary most over the summary batch


def _latent_names(model, size):
  """Names of the code's entries: class/content (LORD), ŷ/z (mddAE), z_s/z_u (Lr/Li-VAE), else z."""
  parts = ((getattr(model, "class_dim", None), "class", "content"),
           (getattr(model, "num_targets", None), "y", "z"),
           (getattr(model, "relevant_dim", None), "z_s", "z_u"))
  for split, first, second in parts:
    if isinstance(split, int) and 0 < split < size:
      return [f"{first}[{i}]" if i < split else f"{second}[{i - split}]" for i in range(size)]
  return [f"z[{i}]" for i in range(size)]


def _codes(model, images):
  """Codes [n, L] of `images` that `model.decode` takes; a conditional model's (cVAE-GAN) for class 0."""
  try:
    return np.asarray(model.encode(images), np.float32)
  except NotImplementedError:
    labels = tf.zeros([tf.shape(images)[0]], tf.int32)
    return np.concatenate([np.asarray(part, np.float32) for part in model.encode_parts(images, labels)], -1)


def prior_traversal(model, images):
  """(grid [L, 7, h, w, c], row labels, column labels) of `model.latent_traversal` over `PRIOR_VALUES`."""
  grid = np.asarray(model.latent_traversal(images, tf.constant(PRIOR_VALUES, tf.float32)))
  return grid, _latent_names(model, len(grid)), [f"{v:+.1f}" for v in PRIOR_VALUES]


def range_traversal(model, images, steps=7):
  """The code of `images[0]` with each of the most varying latents swept from its batch minimum to maximum.

  Returns:
    (grid [k, steps, h, w, c], row labels "name lo..hi", column labels: the fraction of the range), with
    k ≤ MAX_TRAVERSAL_ROWS latents that vary over `images`, in index order.
  """
  codes = _codes(model, images)  # [n, L]
  spread = codes.std(axis=0)
  dims = np.sort(np.argsort(-spread, kind="stable")[:MAX_TRAVERSAL_ROWS])
  dims = dims[spread[dims] > 0]
  low, high = codes.min(axis=0), codes.max(axis=0)
  batch = np.repeat(codes[:1], len(dims) * steps, axis=0).reshape(len(dims), steps, -1)
  for row, dim in enumerate(dims):
    batch[row, :, dim] = np.linspace(low[dim], high[dim], steps)
  decoded = np.asarray(model.decode(tf.constant(batch.reshape(len(dims) * steps, -1))))
  names = _latent_names(model, codes.shape[1])
  rows = [f"{names[d]} {low[d]:.2g}..{high[d]:.2g}" for d in dims]
  return decoded.reshape(len(dims), steps, *decoded.shape[1:]), rows, [f"{t:.2f}" for t in np.linspace(0, 1, steps)]


def _grid_labels(model, name, images):
  """(title, row labels, column labels) of a summary picture, from its name and shape."""
  if images.ndim == 4:
    return name, (), [str(i) for i in range(len(images))]
  rows, cols = images.shape[:2]
  if name == "transfer":
    first, second = ("class", "content") if hasattr(model, "class_dim") else ("z_s", "z_u")
    return (f"transfer: row i has the {first} of input i, column j the {second} of input j",
            [f"{first} {i}" for i in range(rows)], [f"{second} {j}" for j in range(cols)])
  if name == "transfer_training_codes":
    return ("stage 1 codes: row i class embedding i, column j content embedding of training image j",
            [f"class {i}" for i in range(rows)], [f"image {j}" for j in range(cols)])
  if name == "analogies":
    return ("analogies: input i (row) as class k (column)", [f"input {i}" for i in range(rows)],
            [f"class {k}" for k in range(cols)])
  if name == "intensity_sweep":
    names = list(getattr(model, "target_names", ()) or [f"attribute {a}" for a in range(rows)])
    return "input 0 with one attribute swept", names[:rows], [f"{v:g}" for v in mddae.SWEEP_VALUES][:cols]
  return name, [str(i) for i in range(rows)], [str(j) for j in range(cols)]


def labelled_pictures(model, images):
  """{name: labelled float32 [H, W, c] picture} of `model.summary_images(images)` plus a `traversal`.

  Every family with image inputs gets a traversal: over `PRIOR_VALUES` where its summary has one (an
  N(0, I) prior), else over each latent's range on `images` (`range_traversal`).
  """
  pictures = {name: np.asarray(value) for name, value in model.summary_images(images).items()}
  if not pictures:  # points (the Lr/Li-VAE toy): nothing to draw
    return {}
  if "traversal" in pictures:
    grid, rows, cols = prior_traversal(model, images)
    title = "one latent per row, set to each value"
  else:
    grid, rows, cols = range_traversal(model, images)
    title = "input 0, one latent per row: batch min..max"
  labelled = {"traversal": visualize.labelled_grid(grid, rows, cols, title)}
  for name, value in pictures.items():
    if name != "traversal":
      title, rows, cols = _grid_labels(model, name, value)
      labelled[name] = visualize.labelled_grid(value, rows, cols, title)
  return labelled


class Summaries(keras.callbacks.Callback):
  """Writes loss scalars every `log_every` steps and the model's labelled pictures at each interval's end.

  Pictures come from `model.summary_images(images)` (`labelled_pictures` adds the traversal and the
  labels); each goes to TensorBoard (`images/NAME`) and to `model_dir/pictures/NAME.png`, the traversal also
  to `model_dir/traversal.png`.
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
    pictures = labelled_pictures(self.model, self.images)
    os.makedirs(os.path.join(self.model_dir, "pictures"), exist_ok=True)
    with self.writer.as_default(step=step):
      for name, picture in pictures.items():
        tf.summary.image(f"images/{name}", picture[np.newaxis], step=step)
        visualize.save_png(picture, os.path.join(self.model_dir, "pictures", f"{name}.png"))
        if name == "traversal":
          visualize.save_png(picture, os.path.join(self.model_dir, "traversal.png"))
    self.writer.flush()
