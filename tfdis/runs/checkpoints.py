"""Checkpoint integrity: a sha256 manifest beside each checkpoint, restore from the newest intact one, leftovers.

After each successful save the launcher writes `ckpt-N.sha256` (JSON: size and sha256 of `ckpt-N.index` and
every `ckpt-N.data-*`), atomically, so a checkpoint whose files were truncated or had bytes flipped later is
recognised. A checkpoint without a manifest (killed between the save and the manifest, or written before
manifests existed) is checked by reading every tensor instead.

On restore, checkpoints are tried newest first: a damaged one is reported by path in a warning and skipped
for the newest intact one, or raises `CheckpointError` when `strict`. Training (which holds the run's lock,
`run_lock`) also moves damaged checkpoints into `checkpoints/damaged/` (nothing is deleted) and points the
`checkpoint` state file at the intact one; evaluate and export only read.
"""

import glob
import hashlib
import json
import os
import re
import shutil

from absl import logging
import tensorflow as tf

MANIFEST_SUFFIX = ".sha256"
DAMAGED_DIR = "damaged"
_STEP = re.compile(r"ckpt-(\d+)\.index$")


class CheckpointError(RuntimeError):
  """A damaged checkpoint where none may be skipped, or no intact checkpoint at all; names the paths."""


def _sha256(path, chunk=1 << 20):
  digest = hashlib.sha256()
  with open(path, "rb") as f:
    for block in iter(lambda: f.read(chunk), b""):
      digest.update(block)
  return digest.hexdigest()


def checkpoint_files(prefix):
  """The files of the checkpoint at `prefix` (`.../ckpt-N`): its .index and .data-* shards."""
  return sorted([prefix + ".index", *glob.glob(glob.escape(prefix) + ".data-*")])


def write_manifest(prefix):
  """Writes `prefix.sha256` with the size and sha256 of each of the checkpoint's files, atomically."""
  manifest = {os.path.basename(path): {"bytes": os.path.getsize(path), "sha256": _sha256(path)}
              for path in checkpoint_files(prefix)}
  with open(prefix + MANIFEST_SUFFIX + ".tmp", "w") as f:
    json.dump(manifest, f, indent=1)
    f.flush()
    os.fsync(f.fileno())
  os.replace(prefix + MANIFEST_SUFFIX + ".tmp", prefix + MANIFEST_SUFFIX)


def save(manager, step):
  """Saves a checkpoint numbered `step` with `manager`, then its manifest; drops manifests of deleted ones."""
  prefix = manager.save(checkpoint_number=step)
  write_manifest(prefix)
  for manifest in glob.glob(os.path.join(glob.escape(manager.directory), "ckpt-*" + MANIFEST_SUFFIX)):
    if not os.path.exists(manifest[:-len(MANIFEST_SUFFIX)] + ".index"):
      os.remove(manifest)
  return prefix


def damage(prefix):
  """Why the checkpoint at `prefix` cannot be trusted (a one-line reason), or None when it is intact."""
  manifest_path = prefix + MANIFEST_SUFFIX
  if os.path.exists(manifest_path):
    try:
      with open(manifest_path) as f:
        manifest = json.load(f)
    except (OSError, ValueError) as e:
      return f"its manifest {manifest_path} is unreadable ({e})"
    files = {os.path.basename(p) for p in checkpoint_files(prefix)}
    if files != set(manifest):
      return f"its files {sorted(files)} are not the ones its manifest lists ({sorted(manifest)})"
    folder = os.path.dirname(prefix)
    for name, expected in sorted(manifest.items()):
      path = os.path.join(folder, name)
      if os.path.getsize(path) != expected["bytes"]:
        return f"{name} has {os.path.getsize(path)} bytes, its manifest says {expected['bytes']}"
      if _sha256(path) != expected["sha256"]:
        return f"the sha256 of {name} does not match its manifest"
    return None
  try:  # no manifest: read every tensor (catches truncation and, through TF's per-tensor crc32c, most flips)
    reader = tf.train.load_checkpoint(prefix)
    for name in reader.get_variable_to_shape_map():
      reader.get_tensor(name)
  except Exception as e:  # pylint: disable=broad-except  (IndexError, DataLossError, OpError, ...)
    return f"it cannot be read ({type(e).__name__}: {' '.join(str(e).split())[:200]})"
  return None


def all_checkpoints(directory):
  """The checkpoint prefixes in `directory`, newest first: the `checkpoint` state file's latest, then the
  rest (its list and every `ckpt-N.index`) by step, highest first."""
  found = {}
  for index in glob.glob(os.path.join(glob.escape(directory), "ckpt-*.index")):
    if _STEP.search(os.path.basename(index)):
      found[index[:-len(".index")]] = None
  latest = None
  try:
    state = tf.train.get_checkpoint_state(directory)
  except Exception:  # pylint: disable=broad-except  (a damaged state file: the globbed files remain)
    state = None
  if state is not None:
    listed = [*state.all_model_checkpoint_paths, state.model_checkpoint_path]
    found.update({p: None for p in listed if p and os.path.exists(p + ".index")})
    latest = state.model_checkpoint_path if state.model_checkpoint_path in found else None
  step = lambda prefix: int(prefix.rsplit("-", 1)[1]) if prefix.rsplit("-", 1)[-1].isdigit() else -1  # noqa: E731
  rest = sorted((p for p in found if p != latest), key=step, reverse=True)
  return ([latest] if latest else []) + rest


def newest_intact(directory, strict=False):
  """The newest intact checkpoint in `directory` and the damaged ones newer than it.

  Args:
    directory: a run's checkpoints/ folder.
    strict: raise on the first damaged checkpoint instead of skipping it.

  Returns:
    (prefix, damaged): the checkpoint to restore (None when the folder holds none) and
    [(prefix, reason)] of the skipped ones, each also logged as a warning.

  Raises:
    CheckpointError: a damaged checkpoint and `strict`, or checkpoints exist but none is intact.
  """
  damaged = []
  for prefix in all_checkpoints(directory):
    reason = damage(prefix)
    if reason is None:
      for bad, why in damaged:
        logging.warning("Checkpoint %s is damaged (%s): skipping it for %s.", bad, why, prefix)
      return prefix, damaged
    if strict:
      raise CheckpointError(f"Checkpoint {prefix} is damaged ({reason}); drop restore_strict to resume from "
                            "the newest intact checkpoint instead.")
    damaged.append((prefix, reason))
  if damaged:
    raise CheckpointError(f"Every checkpoint in {directory} is damaged: "
                          + "; ".join(f"{p} ({why})" for p, why in damaged)
                          + ". Move the folder away to train from scratch.")
  return None, []


def prepare_for_training(directory, strict=False):
  """Removes leftovers, sets aside damaged checkpoints, and points the state file at the newest intact one.

  Call it while holding the run's lock, before building the `tf.train.CheckpointManager`.

  Returns:
    The prefix training resumes from, or None for a fresh run.
  """
  if not os.path.isdir(directory):
    return None
  remove_leftovers(directory)
  prefix, damaged = newest_intact(directory, strict)
  for bad, _ in damaged:
    target = os.path.join(directory, DAMAGED_DIR)
    os.makedirs(target, exist_ok=True)
    for path in [*checkpoint_files(bad), bad + MANIFEST_SUFFIX]:
      if os.path.exists(path):
        shutil.move(path, os.path.join(target, os.path.basename(path)))
    logging.warning("Moved the damaged checkpoint %s into %s.", bad, target)
  if damaged or _state_unreadable(directory):
    remaining = list(reversed(all_checkpoints(directory)))  # oldest first, as the state file lists them
    if prefix:
      remaining = [p for p in remaining if p != prefix] + [prefix]
      tf.compat.v1.train.update_checkpoint_state(directory, prefix, all_model_checkpoint_paths=remaining)
  return prefix


def _state_unreadable(directory):
  try:
    state = tf.train.get_checkpoint_state(directory)
  except Exception:  # pylint: disable=broad-except  (a damaged `checkpoint` text proto)
    return True
  return state is None and bool(all_checkpoints(directory))


def remove_leftovers(directory):
  """Deletes what a killed save leaves in a checkpoints/ folder (`ckpt-N_temp/`, temp files); logs each.

  Returns:
    The removed paths.
  """
  patterns = ["ckpt-*_temp", "checkpoint.tmp*", "*" + MANIFEST_SUFFIX + ".tmp"]
  removed = sorted({p for pattern in patterns for p in glob.glob(os.path.join(glob.escape(directory), pattern))})
  for path in removed:
    if os.path.isdir(path):
      shutil.rmtree(path)
    else:
      os.remove(path)
    logging.warning("Removed %s, left behind by a run that was killed while saving.", path)
  return removed
