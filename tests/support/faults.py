"""Fault-probe helpers shared by tests/launch (kill/resume, damaged checkpoints) and bench/faults.py.

`FAMILIES` are CPU-sized runs: a paper config plus its family's tiny settings (gin/tests/<family>.gin,
included through a binding so that every caller passes one config and a list of bindings). `command` is the
`train` command of a deterministic run; `run_killed` SIGKILLs one after a checkpoint and re-runs it;
`corrupt`/`run_corrupted` damage its latest checkpoint; `mismatches` compares two runs' final checkpoints
bit for bit.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tiny(family):
  """The binding that includes gin/tests/<family>.gin, the family's tiny settings."""
  return f"include 'gin/tests/{family}.gin'"


# Family -> (gin file, bindings): CPU-sized, a checkpoint every EVERY steps.
FAMILIES = {
    "beta_vae": ("gin/papers/beta_vae/shapes2d.gin", [tiny("beta_vae")]),
    "jl1_vae": ("gin/papers/jl1_vae/shapes2d.gin", [tiny("jl1_vae")]),
    "orojar_gan": ("gin/papers/orojar/shapes2d.gin", [tiny("gan")]),
    # Stage 1 (latent optimization) for 20 steps, then stage 2 (amortized encoders): kills land in both.
    "lord": ("gin/papers/lord/glyphs.gin", [tiny("lord")]),
}
STEPS, EVERY, BATCH = 40, 5, 8


def command(config, bindings, model_dir, steps=STEPS, every=EVERY):
  """The `train` command of one CPU-sized deterministic run."""
  params = [*bindings, f"TRAIN_STEPS = {steps}", f"CHECKPOINT_EVERY = {every}", f"BATCH_SIZE = {BATCH}",
            "train.deterministic = True", "train.log_every = 1"]
  return [sys.executable, "-m", "tfdis.launch.train", f"--gin_file={config}", f"--model_dir={model_dir}",
          "--strategy=one_device", *[f"--gin_param={p}" for p in params]]


def _env():
  return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")


def latest_step(model_dir):
  latest = tf.train.latest_checkpoint(os.path.join(model_dir, "checkpoints"))
  return int(latest.rsplit("-", 1)[1]) if latest else 0


def run(cmd, timeout=600):
  """Runs `cmd` to completion; raises with its stderr's tail if it fails."""
  done = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=timeout)
  if done.returncode:
    raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
  return done


def run_killed(cmd, model_dir, kill_after_step, delay=0.0, timeout=600):
  """Starts `cmd`, SIGKILLs it `delay` s after its latest checkpoint reaches `kill_after_step`, then re-runs it.

  Returns:
    (killed_at, resumed_from): the step of the first run's latest checkpoint when it was killed, and the
    stderr line of the re-run that says where it resumed.
  """
  process = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  deadline = time.time() + timeout
  try:
    while latest_step(model_dir) < kill_after_step and process.poll() is None and time.time() < deadline:
      time.sleep(0.05)
    if process.poll() is not None:
      raise RuntimeError(f"the run ended (code {process.returncode}) before it could be killed")
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
  finally:
    if process.poll() is None:
      process.kill()
    process.wait()
  killed_at = latest_step(model_dir)
  rerun = run(cmd, timeout)
  resumed = [line for line in rerun.stderr.splitlines() if "Resumed from" in line]
  return killed_at, (resumed[-1] if resumed else "")


CORRUPTIONS = ("truncate_data", "flip_data", "flip_index")


def corrupt(model_dir, how, rng):
  """Damages the latest checkpoint of `model_dir` (`corrupt_checkpoint`); returns (its prefix, description)."""
  prefix = tf.train.latest_checkpoint(os.path.join(model_dir, "checkpoints"))
  return prefix, corrupt_checkpoint(prefix, how, rng)


def corrupt_checkpoint(prefix, how, rng):
  """Damages the checkpoint at `prefix` as `how` (one of CORRUPTIONS): `.data` truncated at a random length,
  or 3 random bits of `.data` / `.index` flipped. Returns a description ('flip_data: 3 byte(s) at ...')."""
  path = prefix + (".index" if how == "flip_index" else ".data-00000-of-00001")
  size = os.path.getsize(path)
  if how == "truncate_data":
    length = rng.randrange(0, size)
    os.truncate(path, length)
    return f"{how}: {size} -> {length} bytes"
  with open(path, "r+b") as f:
    offsets = sorted(rng.sample(range(size), min(3, size)))
    for offset in offsets:
      f.seek(offset)
      byte = f.read(1)[0]
      f.seek(offset)
      f.write(bytes([byte ^ (1 << rng.randrange(8))]))
  return f"{how}: {len(offsets)} byte(s) at {', '.join(map(str, offsets))}"


def run_corrupted(cmd, reference_dir, model_dir, how, rng, timeout=600):
  """Copies the finished `reference_dir` to `model_dir`, damages its latest checkpoint, and re-runs `cmd`.

  Returns:
    (description, resumed_from): what was damaged, and the re-run's "Resumed from" stderr line.
  """
  shutil.copytree(reference_dir, model_dir)
  _, description = corrupt(model_dir, how, rng)
  rerun = run(cmd, timeout)
  resumed = [line for line in rerun.stderr.splitlines() if "Resumed from" in line]
  return description, (resumed[-1] if resumed else "")


def checkpoint_values(model_dir):
  """{variable name: array} of the latest checkpoint in `model_dir` (the save counter excluded)."""
  reader = tf.train.load_checkpoint(os.path.join(model_dir, "checkpoints"))
  return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
          if not name.startswith("save_counter") and not name.startswith("_CHECKPOINTABLE_OBJECT_GRAPH")}


def mismatches(reference_dir, other_dir):
  """Names of the variables whose bits differ between the two runs' latest checkpoints (or are missing)."""
  ref, other = checkpoint_values(reference_dir), checkpoint_values(other_dir)
  bad = sorted(set(ref) ^ set(other))
  for name in set(ref) & set(other):
    a, b = np.asarray(ref[name]), np.asarray(other[name])
    if a.shape != b.shape or a.tobytes() != b.tobytes():
      bad.append(name)
  return bad
