"""Exports a training run as a servable SavedModel, TFLite files and a metadata asset.

`export_model(model_dir, EXPORT/NAME/VERSION)` rebuilds the model from the run's config.gin and run.json
(`tfdis.runs`; no dataset is built), restores its newest intact checkpoint and writes, atomically (a staging
folder next to the target, renamed at the end), the layout TF Serving loads:

  EXPORT/NAME/VERSION/
    saved_model.pb, variables/     the family's signatures (encode, decode, reconstruct, ...) over the
                                   encoder/decoder, never the training model
    assets/tfdis_metadata.json     family, image shape, latent layout, names, gin config, signatures, parity
    tflite/SIGNATURE.tflite        one file per signature that converts, checked against the SavedModel
"""

import contextlib
import json
import os
import shutil
import tempfile
import time

import gin
import keras
import numpy as np
import tensorflow as tf

import tfdis
from tfdis import runs
from tfdis import signatures as signatures_lib
from tfdis.export import layout
from tfdis.export import leftovers
from tfdis.export import tflite_lib
from tfdis.runs import checkpoints
from tfdis.runs import run_lock


class ExportError(RuntimeError):
  """An export that cannot be made; the message says why and what to do."""


def export_model(model_dir, export_dir, overwrite=False, image_shape=None,
                 tolerance=tflite_lib.DEFAULT_TOLERANCE, restore_strict=False, tflite=True):
  """Exports the newest intact checkpoint of the run in `model_dir` to `export_dir` (EXPORT/NAME/VERSION).

  Args:
    model_dir: a training run's folder (config.gin and checkpoints/).
    export_dir: the version folder to create; its last component must be a number, as TF Serving expects.
    overwrite: replace an existing `export_dir` (otherwise refuse with `ExportError`).
    image_shape: (h, w, c) of the model's images; by default the run's run.json (needed for older runs).
    tolerance: largest accepted max |TFLite − SavedModel| (and |SavedModel − Keras|).
    restore_strict: refuse when the newest checkpoint is damaged instead of exporting the newest intact one
      (a damaged checkpoint is never exported: `checkpoints.newest_intact`).
    tflite: convert each signature to TFLite and check it; False writes the SavedModel only (what serving and
      the editor read; the conversion is most of an export's time), with no "tflite" files or parity.

  Returns:
    {"export_dir", "metadata", "signatures": [names], "tflite": {name: path}, "not_converted":
    {name: reason}, "parity": {name: max |TFLite − SavedModel|}, "keras_parity": {name: max
    |SavedModel − Keras|}}.

  Raises:
    ExportError: bad target, missing run files, NaN/Inf weights, or an unregistered family; nothing is
      written.
    tflite_lib.ParityError: outputs disagree beyond `tolerance`; nothing is written.
  """
  target = check_target(export_dir, overwrite)
  model, source = restore_model(model_dir, image_shape, restore_strict)
  family = checked_family(model, model_dir)
  with staging_dir(target) as staging:
    write_saved_model(family, staging)
    loaded = tf.saved_model.load(staging)
    keras_parity = check_against_keras(family, loaded, tolerance)
    converted = tflite_lib.convert_and_check(staging, loaded, family.signatures,
                                             os.path.join(staging, layout.TFLITE_DIR), tolerance) if tflite else {}
    metadata = build_metadata(family, loaded, source, keras_parity, converted, tolerance)
    runs.write_json(os.path.join(staging, layout.METADATA_PATH), metadata)
    commit(staging, target, overwrite)
  return {
      "export_dir": target,
      "metadata": os.path.join(target, layout.METADATA_PATH),
      "signatures": [s.name for s in family.signatures],
      "tflite": {k: os.path.join(target, v["file"]) for k, v in converted.items() if v["converted"]},
      "not_converted": {k: v["error"] for k, v in converted.items() if not v["converted"]},
      "parity": {k: v["max_abs_diff"] for k, v in converted.items() if v["converted"]},
      "keras_parity": keras_parity,
  }


def checked_family(model, model_dir):
  """The export `Family` of a restored model, refusing NaN/Inf weights and unregistered classes (`ExportError`)."""
  bad = runs.nonfinite_variables(model.variables)
  if bad:
    raise ExportError(f"The checkpoint in {model_dir} holds NaN/Inf in {len(bad)} variable(s) "
                      f"({', '.join(bad[:3])}): the run diverged; export an earlier checkpoint or retrain.")
  try:
    return signatures_lib.family_for(model)
  except ValueError as e:
    raise ExportError(str(e)) from e


def check_target(export_dir, overwrite=False):
  """Returns the absolute version folder, checking it is EXPORT/NAME/<number> and free (or `overwrite`)."""
  target = os.path.abspath(export_dir)
  version, name = os.path.basename(target), os.path.basename(os.path.dirname(target))
  if not version.isdigit() or not name:
    raise ExportError(f"--export_dir={export_dir} must be EXPORT/NAME/VERSION with a numeric VERSION, the "
                      "layout TF Serving loads (e.g. /tmp/export/beta_vae/1).")
  if os.path.exists(target) and not overwrite:
    raise ExportError(f"{target} already exists: pass --overwrite to replace it, or export to a new "
                      f"version such as {os.path.join(os.path.dirname(target), str(_next_version(target)))}.")
  return target


def _next_version(target):
  parent = os.path.dirname(target)
  versions = [int(v) for v in os.listdir(parent) if v.isdigit()] if os.path.isdir(parent) else []
  return max(versions, default=0) + 1


def restore_model(model_dir, image_shape=None, restore_strict=False):
  """Rebuilds the run's model from its config.gin and restores the newest intact checkpoint.

  gin's global configuration is replaced by the run's while the model is built, then cleared. The image
  shape comes from the run's run.json (or `image_shape`), never from its dataset.

  Returns:
    (model, source): the restored model and {"model_dir", "checkpoint" (the one restored), "step" (its
    step), "gin_config"}.
  """
  try:
    restored = runs.load_trained_model(model_dir, image_shape=image_shape, restore_strict=restore_strict,
                                       from_dataset=False)
  except (FileNotFoundError, checkpoints.CheckpointError) as e:
    raise ExportError(str(e)) from e
  except runs.ConfigError as e:
    raise ExportError(f"Cannot rebuild the model of {model_dir}: {e}") from e
  except (AssertionError, ValueError, tf.errors.OpError) as e:
    raise ExportError(f"The checkpoint in {model_dir} does not fit the model rebuilt from its config.gin: {e}"
                      ) from e
  except Exception as e:  # pylint: disable=broad-except  (a factory may fail in any way on this machine)
    raise ExportError(f"Cannot rebuild the model of {model_dir}: {e}") from e
  finally:
    gin.clear_config()
  with open(os.path.join(model_dir, "config.gin")) as f:
    gin_config = f.read()
  return restored.model, {"model_dir": os.path.abspath(model_dir), "checkpoint": restored.checkpoint,
                          "step": restored.step, "gin_config": gin_config}


def recorded_activity(model_dir, step, latent_dim):
  """Each latent's activity from the run's `evaluate` of the exported step (results.json "latents"), or None.

  The editor orders its sliders by it. An evaluation of another step, or one without per-latent activity of
  `latent_dim` values, is not used: it would describe other weights.
  """
  try:
    with open(os.path.join(model_dir, "results.json")) as f:
      results = json.load(f)
  except (OSError, ValueError):
    return None
  activity = (results.get("latents") or {}).get("activity")
  if results.get("step") != step or not isinstance(activity, list) or len(activity) != latent_dim:
    return None
  return [float(a) for a in activity]


def write_saved_model(family, path):
  """Writes the family's signatures over its sub-models' variables as a SavedModel at `path`."""
  archive = keras.export.ExportArchive()
  for module in family.modules:
    archive.track(module)
  for signature in family.signatures:
    archive.add_endpoint(signature.name, signature.fn, input_signature=signature.input_signature())
  archive.write_out(path, verbose=False)


def check_against_keras(family, loaded, tolerance, seed=1):
  """max |SavedModel − Keras| per signature on random inputs; raises `ParityError` above `tolerance`."""
  rng = np.random.default_rng(seed)
  report = {}
  for signature in family.signatures:
    inputs = signature.sample_inputs(rng, tflite_lib.PARITY_BATCH)
    outputs = signature.fn(**{k: tf.constant(v) for k, v in inputs.items()})
    expected = {k: v.numpy() for k, v in outputs.items()}
    diff = tflite_lib.max_abs_diff(expected, tflite_lib.run_saved_model(loaded, signature.name, inputs))
    tflite_lib.check(signature.name, diff, tolerance, "SavedModel − Keras")
    report[signature.name] = diff
  return report


def build_metadata(family, loaded, source, keras_parity, tflite, tolerance):
  """The JSON-able description the server and the web editor read from assets/tfdis_metadata.json.

  "latent_activity" is there when the run's results.json evaluates the exported step (`recorded_activity`).
  """
  latent_dim = sum(segment["size"] for segment in family.latent_layout)
  activity = recorded_activity(source["model_dir"], source.get("step"), latent_dim)
  return {
      "format_version": layout.FORMAT_VERSION,
      "tfdis_version": tfdis.__version__,
      "family": family.name,
      "image_shape": list(family.image_shape),
      "latent_dim": latent_dim,
      "latent_layout": family.latent_layout,
      **({"latent_activity": activity} if activity is not None else {}),
      "class_names": list(family.class_names),
      "attribute_names": list(family.attribute_names),
      "signatures": {s.name: _describe(s, loaded) for s in family.signatures},
      "serving_default": family.signatures[0].name,
      "parity": {"tolerance": tolerance, "batch": tflite_lib.PARITY_BATCH,
                 "savedmodel_vs_keras": keras_parity,
                 "tflite_vs_savedmodel": {k: v["max_abs_diff"] for k, v in tflite.items() if v["converted"]}},
      "tflite": tflite,
      "source": {"model_dir": source["model_dir"], "checkpoint": source["checkpoint"],
                 "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
      "gin_config": source["gin_config"],
  }


def _describe(signature, loaded):
  def spec(s):
    return {"dtype": s.dtype.name, "shape": [None if d is None else int(d) for d in s.shape.as_list()]}
  outputs = loaded.signatures[signature.name].structured_outputs
  return {"doc": signature.doc,
          "inputs": {i.name: spec(i.spec) for i in signature.inputs},
          "outputs": {k: spec(v) for k, v in outputs.items()}}


@contextlib.contextmanager
def staging_dir(target):
  """Yields a fresh folder next to `target`, locked; on any failure removes it (and parents it created).

  Dead exports' leftovers next to `target` are removed first (`leftovers.clean`). The lock (inside the
  folder, `run_lock`) is held until the `with` block ends, through `commit`'s rename, then its file removed.
  """
  parent = os.path.dirname(target)
  created = []
  probe = parent
  while not os.path.isdir(probe):
    created.append(probe)
    probe = os.path.dirname(probe)
  os.makedirs(parent, exist_ok=True)
  leftovers.clean(parent)
  staging = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.tmp-", dir=parent)
  lock_path = os.path.join(staging, run_lock.LOCK_NAME)
  lock = run_lock.acquire(lock_path, f"the export staging folder {staging}")
  try:
    yield staging
  except BaseException:
    run_lock.release(lock, lock_path)
    shutil.rmtree(staging, ignore_errors=True)
    for folder in created:  # innermost first; stops at the first one that is not empty.
      try:
        os.rmdir(folder)
      except OSError:
        break
    raise
  committed = os.path.join(target, run_lock.LOCK_NAME)  # the lock file moved with the rename
  run_lock.release(lock, committed if os.path.exists(committed) else lock_path)
  for path in (committed, lock_path):
    if os.path.exists(path):
      os.remove(path)


def commit(staging, target, overwrite):
  """Renames `staging` to `target`; an existing `target` is replaced only if `overwrite`."""
  if os.path.exists(target):
    if not overwrite:
      raise ExportError(f"{target} appeared during the export: pass --overwrite to replace it.")
    old = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.old-", dir=os.path.dirname(target))
    os.rename(target, os.path.join(old, "version"))
    try:
      os.rename(staging, target)
    except BaseException:
      os.rename(os.path.join(old, "version"), target)
      raise
    shutil.rmtree(old, ignore_errors=True)
  else:
    os.rename(staging, target)
