"""MultiWorkerMirroredStrategy: two worker processes on 127.0.0.1 train in lockstep, end with identical
weights, and take the same steps as one process on the same global batch."""

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from tests.support import faults
from tfdis import ROOT
from tfdis.runs import run_lock
from tfdis.launch import train_lib

STEPS, BATCH = 4, 8
BINDINGS = [f"TRAIN_STEPS = {STEPS}", f"CHECKPOINT_EVERY = {STEPS // 2}", f"BATCH_SIZE = {BATCH}",
            "LEARNING_RATE = 1e-3", "train.log_every = 1"]
NOISE_FREE_BETA_VAE = """
include 'gin/runs/train.gin'
include 'gin/datasets/shapes2d.gin'
import tests.launch.multi_worker_models
train.model_fn = @noise_free_beta_vae
"""


def _free_ports(n):
  sockets = [socket.socket() for _ in range(n)]
  for s in sockets:
    s.bind(("127.0.0.1", 0))
  ports = [s.getsockname()[1] for s in sockets]
  for s in sockets:
    s.close()
  return ports


def _run_workers(gin_file, bindings, model_dir, timeout=300):
  """Runs `train --strategy=multi_worker` in two local worker processes; kills both on failure or timeout."""
  cluster = {"worker": [f"127.0.0.1:{port}" for port in _free_ports(2)]}
  workers = []
  for index in range(2):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="",
               TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}))
    command = [sys.executable, "-m", "tfdis.launch.train", f"--gin_file={gin_file}", f"--model_dir={model_dir}",
               "--strategy=multi_worker", *[f"--gin_param={b}" for b in bindings]]
    workers.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True))
  deadline = time.time() + timeout
  try:
    while any(w.poll() is None for w in workers) and time.time() < deadline:
      time.sleep(0.2)
      if any(w.poll() not in (None, 0) for w in workers):
        break
  finally:
    for w in workers:
      if w.poll() is None:
        w.kill()
    errors = [w.communicate()[1] for w in workers]
  for w, err in zip(workers, errors):
    assert w.returncode == 0, f"worker failed ({w.returncode}):\n{err[-3000:]}"


def test_two_workers_match_each_other_and_one_process(tmp_path):
  gin_file = tmp_path / "noise_free.gin"
  gin_file.write_text(NOISE_FREE_BETA_VAE)
  chief_dir, worker_dir = tmp_path / "workers", tmp_path / "workers" / "workers" / "worker_1"
  _run_workers(str(gin_file), BINDINGS, str(chief_dir))
  assert faults.latest_step(str(chief_dir)) == faults.latest_step(str(worker_dir)) == STEPS
  assert faults.mismatches(str(chief_dir), str(worker_dir)) == []  # bit-identical, optimizer state included
  assert (chief_dir / "operative_config.gin").exists() and (chief_dir / "traversal.png").exists()
  # Each worker locked its own folder (the chief's holds the worker's: one lock on model_dir would deadlock).
  assert (chief_dir / run_lock.LOCK_NAME).exists() and (worker_dir / run_lock.LOCK_NAME).exists()

  train_lib.run([str(gin_file)], BINDINGS, str(tmp_path / "single"), strategy="one_device")
  chief, single = faults.checkpoint_values(str(chief_dir)), faults.checkpoint_values(str(tmp_path / "single"))
  assert chief.keys() == single.keys()
  for name, value in chief.items():
    if np.issubdtype(np.asarray(value).dtype, np.floating):
      np.testing.assert_allclose(value, single[name], atol=2e-5, rtol=1e-4, err_msg=name)
  halfway = tf.train.load_checkpoint(str(chief_dir / "checkpoints" / f"ckpt-{STEPS // 2}"))
  changed = [n for n in chief if "_trainable_variables" in n and not np.array_equal(halfway.get_tensor(n), chief[n])]
  assert len(changed) > 4  # the steps compared above really moved the weights


@pytest.mark.parametrize("family", ["jl1_vae", "orojar_gan"])
def test_families_train_in_lockstep_on_two_workers(family, tmp_path):
  config, bindings = faults.FAMILIES[family]
  _run_workers(config, [*bindings, *BINDINGS], str(tmp_path))
  worker_dir = tmp_path / "workers" / "worker_1"
  assert faults.latest_step(str(tmp_path)) == faults.latest_step(str(worker_dir)) == STEPS
  assert faults.mismatches(str(tmp_path), str(worker_dir)) == []
