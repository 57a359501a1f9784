"""Removes what killed exports leave in an EXPORT/NAME folder: `.V.tmp-*` staging and `.V.old-*` swap folders.

A live export holds `run_lock`'s lock inside its staging folder (taken right after the folder is made, and
kept through the rename into EXPORT/NAME/V), so a staging folder whose lock is free belongs to a dead export.
A staging folder without a lock file younger than `GRACE_S` is left alone: it may be one whose export has
not yet taken its lock. A `.V.old-*` folder holds the previous version V while `--overwrite` swaps it; when
the swap was killed before the new version landed, V is put back from it instead of being deleted.
"""

import glob
import os
import re
import shutil
import time

from absl import logging

from tfdis.runs import run_lock

GRACE_S = 60.0
_LEFTOVER = re.compile(r"^\.(\d+)\.(tmp|old)-")


def _lock_free(folder):
  lock_path = os.path.join(folder, run_lock.LOCK_NAME)
  if not os.path.exists(lock_path):
    return time.time() - os.path.getmtime(folder) > GRACE_S
  return run_lock.is_free(lock_path)


def _version_busy(parent, version):
  """Whether a live export of `version` holds a lock (in a staging folder or in the committed version)."""
  folders = glob.glob(os.path.join(glob.escape(parent), f".{version}.tmp-*"))
  committed = os.path.join(parent, version)
  if os.path.exists(os.path.join(committed, run_lock.LOCK_NAME)):
    folders.append(committed)
  return any(os.path.isdir(f) and not _lock_free(f) for f in folders)


def clean(parent):
  """Removes dead exports' leftovers in `parent` (EXPORT/NAME), logging each; restores an interrupted swap.

  Returns:
    The leftover folders removed or restored.
  """
  if not os.path.isdir(parent):
    return []
  handled = []
  for name in sorted(os.listdir(parent)):
    match = _LEFTOVER.match(name)
    path = os.path.join(parent, name)
    if not match or not os.path.isdir(path) or _version_busy(parent, match.group(1)):
      continue
    target = os.path.join(parent, match.group(1))
    if match.group(2) == "old" and not os.path.exists(target) and os.path.isdir(os.path.join(path, "version")):
      os.rename(os.path.join(path, "version"), target)
      logging.warning("Restored %s from %s, left by an export killed while replacing it.", target, path)
    else:
      logging.warning("Removed %s, left behind by an export that did not finish.", path)
    shutil.rmtree(path, ignore_errors=True)
    handled.append(path)
  return handled
