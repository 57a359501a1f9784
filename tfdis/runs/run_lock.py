"""An exclusive lock on a run's folder, so that two trainers never write over each other.

`hold(folder)` takes an OS file lock (filelock's `FileLock`, flock on Linux) on `folder/LOCK_NAME` without
waiting, and writes the holder's pid, host and start time into the sidecar `LOCK_NAME.json`. A second trainer
fails at once with `RunLocked`, naming them. The OS releases the lock of a process that dies (even by
SIGKILL), so a lock left by a dead run is simply taken; its sidecar still names the dead holder, and the
taker says so in a warning. Where the file system has no flock and filelock falls back to a lock file, a
lock whose sidecar names a dead pid on this host is removed and taken, with the same warning.

The same lock guards export staging folders (`export_lib`): a leftover is removed only when its lock is free.
"""

import contextlib
import json
import os
import socket
import sys
import time

from absl import logging
import filelock

LOCK_NAME = ".tfdis.lock"


class RunLocked(RuntimeError):
  """The folder is held by another live process; the message names its pid and host."""


def pid_alive(pid):
  """Whether a process with this pid runs on this host."""
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:
    return True
  return True


def read_info(lock_path):
  """The holder's {"pid", "host", "started", "command"} from the sidecar of `lock_path`, or {}."""
  try:
    with open(lock_path + ".json") as f:
      return json.load(f)
  except (OSError, ValueError):
    return {}


def describe(info):
  """'pid 123 on host h (since 2026-12-02 13:00:00)' from a sidecar's info."""
  if not info:
    return "a process that has not yet written its pid"
  return f"pid {info.get('pid')} on host {info.get('host')} (since {info.get('started')})"


def _write_info(lock_path):
  info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
          "command": " ".join(sys.argv)}
  with open(lock_path + ".json.tmp", "w") as f:
    json.dump(info, f)
  os.replace(lock_path + ".json.tmp", lock_path + ".json")


def _stale_on_this_host(info):
  return info.get("host") == socket.gethostname() and isinstance(info.get("pid"), int) and not pid_alive(
      info["pid"])


def acquire(lock_path, what):
  """Takes the lock at `lock_path` without waiting; returns the `filelock.FileLock`.

  Args:
    lock_path: the lock file.
    what: what the lock guards, for messages ("the run folder /tmp/run").

  Raises:
    RunLocked: another live process holds it.
  """
  lock = filelock.FileLock(lock_path, timeout=0)
  try:
    lock.acquire()
  except filelock.Timeout:
    info = read_info(lock_path)
    if not _stale_on_this_host(info):
      raise RunLocked(f"{what} is in use by {describe(info)}: wait for that process to finish or stop it, "
                      "or choose another folder.") from None
    os.remove(lock_path)  # a fallback lock file of a dead process (no flock on this file system)
    lock.acquire()
  previous = read_info(lock_path)
  if previous:
    logging.warning("Took over the lock on %s from %s, which ended without releasing it.", what,
                    describe(previous))
  _write_info(lock_path)
  return lock


def release(lock, lock_path):
  """Removes the holder's sidecar, then releases `lock`."""
  with contextlib.suppress(FileNotFoundError):
    os.remove(lock_path + ".json")
  lock.release()


@contextlib.contextmanager
def hold(folder, what=None):
  """Holds the lock on `folder` (created if missing) for the duration of the `with` block.

  Raises:
    RunLocked: another live process holds it; it names that process's pid and host.
  """
  os.makedirs(folder, exist_ok=True)
  lock_path = os.path.join(folder, LOCK_NAME)
  lock = acquire(lock_path, what or f"the run folder {folder}")
  try:
    yield lock_path
  finally:
    release(lock, lock_path)


def is_free(lock_path):
  """Whether nobody holds the lock at `lock_path` right now (it is taken and released to find out)."""
  if not os.path.exists(lock_path):
    return True
  lock = filelock.FileLock(lock_path, timeout=0)
  try:
    lock.acquire()
  except filelock.Timeout:
    return _stale_on_this_host(read_info(lock_path))
  lock.release()
  return True
