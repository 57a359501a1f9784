"""The lock on a run folder: a second trainer fails at once naming the holder; a dead holder's lock is taken."""

import os
import signal
import socket
import subprocess
import sys
import time

from absl import logging
import pytest

from tfdis import ROOT
from tfdis.launch import train_lib
from tfdis import runs
from tfdis.runs import run_lock

BASE = ["gin/runs/train.gin", "gin/models/beta_vae.gin"]
SMALL = ["DATASET = @tiny_images", "BATCH_SIZE = 4", "LATENT_DIM = 2", "TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2"]
HOLDER = ("import sys, time; from tfdis.runs import run_lock\n"
          "with run_lock.hold(sys.argv[1]):\n  print('held', flush=True)\n  time.sleep(600)\n")


@pytest.fixture
def holder(tmp_path):
  """A separate process holding the lock on tmp_path/run; yields (process, folder)."""
  folder = str(tmp_path / "run")
  process = subprocess.Popen([sys.executable, "-c", HOLDER, folder], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
  assert process.stdout.readline().strip() == "held"
  yield process, folder
  if process.poll() is None:
    process.kill()
  process.wait()


def test_second_trainer_fails_at_once_naming_pid_and_host(holder):
  process, folder = holder
  start = time.time()
  with pytest.raises(run_lock.RunLocked, match=rf"in use by pid {process.pid} on host {socket.gethostname()}"):
    train_lib.run(BASE, SMALL, folder, strategy="one_device")
  assert time.time() - start < 30  # no waiting for the holder
  assert not os.path.exists(os.path.join(folder, "checkpoints"))  # nothing written


def test_lock_of_a_killed_trainer_is_taken_over_with_a_warning(holder, monkeypatch):
  process, folder = holder
  process.send_signal(signal.SIGKILL)
  process.wait()
  warnings = []
  monkeypatch.setattr(logging, "warning", lambda fmt, *args: warnings.append(fmt % args))
  model = train_lib.run(BASE, SMALL, folder, strategy="one_device")
  assert int(model.optimizer.iterations.numpy()) == 2
  assert any(f"from pid {process.pid} on host" in w and "ended without releasing" in w for w in warnings)
  assert not os.path.exists(os.path.join(folder, run_lock.LOCK_NAME + ".json"))  # released at the end


def test_lock_is_released_after_a_failing_run_and_held_during_one(tmp_path):
  folder = str(tmp_path)
  with run_lock.hold(folder):
    with pytest.raises(run_lock.RunLocked):  # a second lock object, same process: flock still excludes
      with run_lock.hold(folder):
        pass
    assert run_lock.read_info(os.path.join(folder, run_lock.LOCK_NAME))["pid"] == os.getpid()
  with pytest.raises(runs.ConfigError):
    train_lib.run(BASE, SMALL + ["train.batch_size = 0"], folder, strategy="one_device")
  with run_lock.hold(folder):  # free again
    pass


def test_fallback_lock_file_of_a_dead_pid_on_this_host_is_stale(tmp_path):
  lock_path = str(tmp_path / run_lock.LOCK_NAME)
  dead = subprocess.Popen([sys.executable, "-c", "pass"])
  dead.wait()
  with open(lock_path + ".json", "w") as f:
    f.write(f'{{"pid": {dead.pid}, "host": "{socket.gethostname()}", "started": "then"}}')
  assert run_lock._stale_on_this_host(run_lock.read_info(lock_path))  # pylint: disable=protected-access
  with open(lock_path + ".json", "w") as f:
    f.write(f'{{"pid": {os.getpid()}, "host": "{socket.gethostname()}", "started": "now"}}')
  assert not run_lock._stale_on_this_host(run_lock.read_info(lock_path))  # pylint: disable=protected-access
