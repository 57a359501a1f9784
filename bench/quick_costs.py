r"""What a quick CPU run of each family costs: seconds to a first step, seconds per step and peak memory.

    python bench/quick_costs.py [--steps=10] [--out=/tmp/quick_costs]    # ≈ 10-15 min on 2 CPU cores

For each family's synthetic-data paper configuration (no download), two `python -m tfdis.launch.train`
processes at the paper's batch size, one after the other on a fresh folder each: 2 steps (start-up, graph
tracing, the first checkpoint and pictures), then 2 + `--steps` steps. Per family it prints the wall time of
the 2-step run, the seconds per step from the difference ((t_long − t_short) / steps: start-up cancels), the
peak resident memory of the longer process (`os.wait4`'s ru_maxrss) and the batch. The table goes into the
README ("What a quick run costs") and bench/BENCHMARKS.md.
"""

import json
import os
import subprocess
import sys
import time

from absl import app
from absl import flags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (family, paper configuration): every family and baseline the README lists, on data that needs no download.
CONFIGS = (
    ("β-VAE", "papers/beta_vae/shapes2d.gin"),
    ("JL1-VAE", "papers/jl1_vae/three_dots.gin"),
    ("GAN (SeFa baseline)", "papers/gan/shapes2d.gin"),
    ("OroJaR", "papers/orojar/shapes2d.gin"),
    ("Hessian Penalty", "papers/hessian_penalty/shapes2d.gin"),
    ("mddAE-dCov", "papers/mddae/glyphs.gin"),
    ("LORD", "papers/lord/glyphs.gin"),
    ("Lr/Li-VAE", "papers/lrli_vae/glyphs.gin"),
)
_STEPS = flags.DEFINE_integer("steps", 10, "Steps of the longer run beyond the 2 of the shorter one.")
_OUT = flags.DEFINE_string("out", "/tmp/quick_costs", "Folder for the runs and costs.json.")
_ONLY = flags.DEFINE_list("only", [], "Families to measure (default: all).")


def timed_train(config, model_dir, steps):
  """(wall seconds, peak RSS in MiB, batch size) of one training process of `steps` steps."""
  argv = [sys.executable, "-m", "tfdis.launch.train", f"--gin_file={config}", f"--model_dir={model_dir}",
          f"--gin_param=TRAIN_STEPS = {steps}", f"--gin_param=CHECKPOINT_EVERY = {steps}"]
  started = time.monotonic()
  process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
  stderr = process.stderr.read()
  _, status, usage = os.wait4(process.pid, 0)
  seconds = time.monotonic() - started
  if status:
    raise RuntimeError(f"{' '.join(argv)} failed:\n{stderr.decode()[-2000:]}")
  return seconds, usage.ru_maxrss / 1024, batch_size(model_dir)


def batch_size(model_dir):
  """The run's global batch from its operative_config.gin (`train.batch_size`, through its macro if bound so)."""
  with open(os.path.join(model_dir, "operative_config.gin")) as f:
    values = dict(line.split(" = ", 1) for line in f.read().splitlines() if " = " in line)
  value = values.get("train.batch_size", "?").strip()
  return values.get(value[1:], "?").strip() if value.startswith("%") else value


def main(argv):
  del argv
  os.makedirs(_OUT.value, exist_ok=True)
  rows = []
  for family, config in CONFIGS:
    if _ONLY.value and family not in _ONLY.value:
      continue
    folder = os.path.join(_OUT.value, config.replace("/", "_").removesuffix(".gin"))
    short, _, batch = timed_train(config, folder + "_short", 2)
    long, rss, _ = timed_train(config, folder + "_long", 2 + _STEPS.value)
    rows.append({"family": family, "config": config, "batch": batch, "first_steps_s": short,
                 "s_per_step": (long - short) / _STEPS.value, "peak_rss_mib": rss})
    print(f"| {family} | `{config}` | {batch} | {short:.0f} s | {rows[-1]['s_per_step']:.2f} s | "
          f"{rss / 1024:.1f} GiB |", flush=True)
  with open(os.path.join(_OUT.value, "costs.json"), "w") as f:
    json.dump(rows, f, indent=1)


if __name__ == "__main__":
  app.run(main)
