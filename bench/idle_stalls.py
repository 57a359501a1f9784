r"""Idle stalls: how long a garbage collection waits after a training run, before and after the fix.

    python bench/idle_stalls.py [--cycles=8] [--configs=papers/lord/cars3d.gin,papers/mddae/celeba.gin]  # ≈ 10 min

Under TensorFlow 2.21 a tf.data iterator with autotuning on runs a model thread that sleeps between its
optimization passes; deleting the iterator from a garbage collection waits for that sleep to end, with no CPU
used. Keras' iterators sit in reference cycles, so the deletion happens at whatever collection comes next: in a
test process or the quick start (train, then evaluate, then export) the process then idles for seconds.

Two variants run side by side, each in its own process, on the same configurations and idle times:
  before: `fit` reads through TensorFlow's OneDeviceStrategy("/cpu:0") (a MultiDeviceIterator) and the
          datasets keep autotuning on (`pipeline.without_autotune` replaced by the identity);
  after:  tfdis as shipped (the default strategy on a CPU-only machine, autotuning off).
Each cycle trains 2 steps into a fresh folder (gin/tests settings), idles for the cycle's seconds (what a
test or an evaluation does before the next collection), then times `gc.collect()`. A stall is the
collection's wall time less its CPU time. The script prints the per-cycle stalls, their sums and the ratio.
"""

import json
import os
import subprocess
import sys
import tempfile

from absl import app
from absl import flags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_CYCLES = flags.DEFINE_integer("cycles", 8, "Train-idle-collect cycles per configuration and variant.")
_CONFIGS = flags.DEFINE_list("configs", ["papers/lord/cars3d.gin", "papers/mddae/celeba.gin"],
                             "Paper configurations (under gin/); real datasets read tfdis.data.standins' tiny "
                             "stand-ins (LORD on glyphs and β-VAE on shapes2d showed no stall).")
IDLE_SECONDS = (3, 5, 7, 9, 11, 13, 15, 17)  # cycled; the same for both variants

_CHILD = r"""
import gc, json, os, sys, time
sys.path.insert(0, {root!r})
variant, configs, cycles, idle, out = json.loads(sys.argv[1])
import tensorflow as tf
from tfdis import distribute
from tfdis.data import pipeline
from tfdis.data import standins
from tfdis.launch import train_lib
standin_bindings = standins.write_all(os.path.join(out, "standins"))
if variant == "before":
  pipeline.without_autotune = lambda dataset: dataset
  distribute.make_strategy = lambda name="auto", tpu_address="": tf.distribute.OneDeviceStrategy("/cpu:0")
rows = []
for config in configs:
  family = os.path.basename(os.path.dirname(config))  # papers/<family>/...: its tiny settings gin/tests/<family>.gin
  for cycle in range(cycles):
    bindings = ["TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4", *standin_bindings]
    train_lib.run([config, f"gin/tests/{{family}}.gin"], bindings, f"{{out}}/{{family}}_{{cycle}}")
    seconds = idle[cycle % len(idle)]
    time.sleep(seconds)
    wall, cpu = time.perf_counter(), time.process_time()
    gc.collect()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows.append({{"config": config, "idle": seconds, "wall": wall, "cpu": cpu, "stall": max(wall - cpu, 0.0)}})
print("ROWS " + json.dumps(rows))
"""


def run_variant(variant, configs, cycles):
  out = tempfile.mkdtemp(prefix=f"idle_stalls_{variant}_")
  argument = json.dumps([variant, configs, cycles, IDLE_SECONDS, out])
  result = subprocess.run([sys.executable, "-c", _CHILD.format(root=ROOT), argument], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  lines = [line for line in result.stdout.splitlines() if line.startswith("ROWS ")]
  if result.returncode or not lines:
    sys.exit(f"the {variant} variant failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
  return json.loads(lines[-1][len("ROWS "):])


def main(argv):
  del argv
  configs = [os.path.join("gin", config) for config in _CONFIGS.value]
  results = {variant: run_variant(variant, configs, _CYCLES.value) for variant in ("before", "after")}
  print(f"{'config':<32} {'idle s':>6} {'before: stall s':>16} {'after: stall s':>15}")
  for before, after in zip(results["before"], results["after"]):
    print(f"{before['config'][len('gin/'):]:<32} {before['idle']:>6} {before['stall']:>16.2f} {after['stall']:>15.2f}")
  totals = {variant: sum(row["stall"] for row in rows) for variant, rows in results.items()}
  collections = {variant: sum(row["wall"] for row in rows) for variant, rows in results.items()}
  print(f"total stall: before {totals['before']:.1f} s, after {totals['after']:.1f} s "
        f"(collections' wall time {collections['before']:.1f} s vs {collections['after']:.1f} s, "
        f"ratio {collections['before'] / max(collections['after'], 1e-9):.1f}x) over "
        f"{len(results['before'])} cycles each")


if __name__ == "__main__":
  app.run(main)
