"""A training process killed with SIGKILL resumes from its last checkpoint when the command is re-run."""

import os
import signal
import subprocess
import sys
import time

import pytest
import tensorflow as tf

from tfdis import ROOT

STEPS, EVERY = 40, 5


def _command(model_dir):
  return [sys.executable, "-m", "tfdis.launch.train", "--gin_file=gin/papers/beta_vae/shapes2d.gin",
          f"--model_dir={model_dir}", "--gin_param=BATCH_SIZE = 8", f"--gin_param=TRAIN_STEPS = {STEPS}",
          f"--gin_param=CHECKPOINT_EVERY = {EVERY}", "--gin_param=LATENT_DIM = 2", "--strategy=one_device"]


def _latest_step(model_dir):
  latest = tf.train.latest_checkpoint(os.path.join(model_dir, "checkpoints"))
  return int(latest.rsplit("-", 1)[1]) if latest else 0


def test_sigkill_then_rerun_resumes(tmp_path):
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
  process = subprocess.Popen(_command(tmp_path), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
  deadline = time.time() + 240
  while _latest_step(tmp_path) < 2 * EVERY and process.poll() is None and time.time() < deadline:
    time.sleep(0.2)
  if process.poll() is not None:
    pytest.fail(f"training ended (code {process.returncode}) before it could be killed")
  process.send_signal(signal.SIGKILL)
  process.wait()
  killed_at = _latest_step(tmp_path)
  assert EVERY <= killed_at < STEPS
  rerun = subprocess.run(_command(tmp_path), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
  assert rerun.returncode == 0, rerun.stderr[-2000:]
  assert f"Resumed from {os.path.join(tmp_path, 'checkpoints', f'ckpt-{killed_at}')}" in rerun.stderr
  assert _latest_step(tmp_path) == STEPS
