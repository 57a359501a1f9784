"""A training run's folder as readers see it: run.json facts, and the trained model rebuilt and restored.

`model_dir` holds config.gin (the whole configuration), run.json (`write_run_info`: family, model class,
image shape, latent size) and checkpoints/ (`checkpoints.py`). Evaluate and export load runs here, so neither
needs the training library, and export never builds a dataset to learn the image shape.
"""

import collections
import json
import os

import tensorflow as tf

from tfdis.runs import checkpoints
from tfdis.runs import config
from tfdis.runs import files

RUN_INFO = "run.json"

Restored = collections.namedtuple("Restored", ["model", "step", "checkpoint"])


def run_info(model, image_shape):
  """The facts of a run that readers check requests against: family, model class, image shape, latent size."""
  module = type(model).__module__
  family = module.split(".")[2] if module.startswith("tfdis.models.") else module
  info = {"family": family, "model_class": type(model).__name__, "image_shape": [int(s) for s in image_shape]}
  if isinstance(getattr(model, "latent_dim", None), int):
    info["latent_dim"] = model.latent_dim
  return info


def write_run_info(model_dir, model, image_shape):
  """Writes `run_info` to model_dir/run.json, atomically."""
  files.write_json(os.path.join(model_dir, RUN_INFO), run_info(model, image_shape))


def read_run_info(model_dir):
  """model_dir/run.json as a dict, or None for runs older than run.json."""
  path = os.path.join(model_dir, RUN_INFO)
  if not os.path.isfile(path):
    return None
  with open(path) as f:
    return json.load(f)


def run_image_shape(model_dir, requested=None, from_dataset=True):
  """The image shape of the run in `model_dir` (its config parsed), checked against a `requested` one.

  The run's shape comes from its run.json; for runs older than run.json, from its configured dataset when
  `from_dataset`, else `requested` is trusted.

  Raises:
    ConfigError: `requested` differs from the run's shape (the message names both), or the shape is unknown.
  """
  requested = None if requested is None else tuple(int(s) for s in requested)
  info = read_run_info(model_dir)
  if info is not None:
    recorded, source = tuple(info["image_shape"]), os.path.join(model_dir, RUN_INFO)
  elif requested is not None and not from_dataset:
    return requested
  elif not from_dataset:
    raise config.ConfigError(f"{model_dir} has no {RUN_INFO} (trained before tfdis wrote one): pass its image "
                             "shape, e.g. --image_shape=64,64,1.")
  else:
    try:
      dataset_fn = config.configured("train.dataset_fn")
      recorded, source = tuple(int(s) for s in dataset_fn(split="train").element_spec["image"].shape), "its dataset"
    except Exception:  # pylint: disable=broad-except  (the dataset may be missing here: trust `requested`)
      if requested is None:
        raise
      return requested
  if requested is not None and requested != recorded:
    shape = ",".join(map(str, recorded))
    raise config.ConfigError(f"image_shape {list(requested)} does not match the run's image shape "
                             f"{list(recorded)} (from {source}): pass --image_shape={shape} or leave it out.")
  return recorded


def load_trained_model(model_dir, gin_files=(), gin_bindings=(), image_shape=None, restore_strict=False,
                       from_dataset=True):
  """Rebuilds the model of a training run from `model_dir/config.gin` and restores its newest intact checkpoint.

  Leaves the run's configuration (plus `gin_files` and `gin_bindings`, e.g. for `evaluate`) parsed, so that
  `config.configured(...)` answers questions about the run. Checkpoints are verified as in training
  (`checkpoints.newest_intact`): a damaged newest one is skipped with a warning, or raises if `restore_strict`.

  Args:
    model_dir: a training run's folder.
    gin_files: further gin files, parsed after the run's config.gin.
    gin_bindings: further gin bindings.
    image_shape: (h, w, c) the model was built for; by default the run's (`run_image_shape`).
    restore_strict: raise on a damaged checkpoint instead of skipping it.
    from_dataset: for a run without run.json, learn the image shape from its dataset (else from `image_shape`).

  Returns:
    Restored(model, step, checkpoint): the model, its checkpoint's step and the path of the checkpoint restored.

  Raises:
    FileNotFoundError: `model_dir` holds no configuration or no checkpoint.
    ConfigError: `image_shape` is not the run's, or a bad gin file or binding.
    checkpoints.CheckpointError: a damaged checkpoint and `restore_strict`, or no intact checkpoint.
    AssertionError: the checkpoint does not fit the rebuilt model.
  """
  gin_config = os.path.join(model_dir, "config.gin")
  if not os.path.isfile(gin_config) or not checkpoints.all_checkpoints(os.path.join(model_dir, "checkpoints")):
    raise FileNotFoundError(f"{model_dir} holds no trained run (config.gin and checkpoints/ are missing): "
                            "train one first with python -m tfdis.launch.train --model_dir=...")
  latest, _ = checkpoints.newest_intact(os.path.join(model_dir, "checkpoints"), restore_strict)
  config.parse_gin([gin_config, *gin_files], gin_bindings, warn_unused_file_macros=False)
  image_shape = run_image_shape(model_dir, image_shape, from_dataset)
  model = config.configured("train.model_fn")(image_shape=image_shape)
  tf.train.Checkpoint(model=model).restore(latest).expect_partial().assert_existing_objects_matched()
  return Restored(model, int(latest.rsplit("-", 1)[1]), latest)
