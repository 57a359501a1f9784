"""Throughput of the synthetic input pipelines next to the images/s a β-VAE training step consumes.

For each synthetic dataset: images/s of its train stream batched by 64 and prefetched (the pipeline alone),
images/s of a β-VAE `fit` on a fixed in-memory batch (the training step alone, never starved), and images/s
of the same `fit` fed by the pipeline (both together, sharing the CPU). The pipeline keeps up when the last
number matches the step's. Each rate is also given per CPU second (all threads of the process), which a
busy shared machine disturbs less than wall time: the pipeline's share of the CPU while it feeds training
is (step /CPU·s) / (pipeline /CPU·s).

  python bench/input_pipeline.py [--seconds=5] [--datasets=shapes2d,attributes] [--no_model]

Prints a Markdown table (the one recorded in bench/BENCHMARKS.md, "Input pipelines").
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

from tfdis.data import pipeline  # pylint: disable=g-import-not-at-top,wrong-import-position
from tfdis.data import synthetic  # pylint: disable=g-import-not-at-top,wrong-import-position

BATCH_SIZE = 64


class Rate:
  """Items per wall second and per CPU second (all threads of this process) over a timed block."""

  def __enter__(self):
    self.wall, self.cpu = time.perf_counter(), time.process_time()
    return self

  def __exit__(self, *unused):
    self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

  def of(self, count):
    return count / self.wall, count / self.cpu


def pipeline_rate(dataset_fn, seconds):
  """(per wall s, per CPU s) elements of `dataset_fn`'s train stream, batched and prefetched."""
  batches = iter(pipeline.train_batches(dataset_fn, BATCH_SIZE))
  next(batches)
  count, deadline = 0, time.perf_counter() + seconds
  with Rate() as rate:
    while time.perf_counter() < deadline:
      next(batches)
      count += BATCH_SIZE
  return rate.of(count)


def _beta_vae(image_shape):
  from tfdis.models.beta_vae import model as beta_vae  # pylint: disable=g-import-not-at-top

  model = beta_vae.beta_vae(image_shape, latent_dim=10, beta=1.0, reconstruction="bernoulli")
  model.compile(optimizer=keras.optimizers.Adam(1e-4))
  return model


class _StepClock(keras.callbacks.Callback):
  """Times training batches after `warmup` of them, and stops `fit` once `seconds` have been timed."""

  def __init__(self, seconds, warmup=3):
    super().__init__()
    self.seconds, self.warmup, self.batches, self.rate = seconds, warmup, 0, Rate()

  def on_train_batch_end(self, batch, logs=None):
    self.batches += 1
    if self.batches == self.warmup:
      self.rate.__enter__()
    elif self.batches > self.warmup and time.perf_counter() - self.rate.wall >= self.seconds:
      self.rate.__exit__()
      self.model.stop_training = True


def fit_rate(model, batches, seconds):
  """(per wall s, per CPU s) images of one `model.fit` on `batches`, timed between batches."""
  clock = _StepClock(seconds)
  model.fit(batches, steps_per_epoch=1_000_000, epochs=1, verbose=0, shuffle=False, callbacks=[clock])
  return clock.rate.of((clock.batches - clock.warmup) * BATCH_SIZE)


def model_rates(dataset_fn, seconds):
  """β-VAE rates ((wall, CPU) on a fixed in-memory batch, (wall, CPU) fed by the pipeline)."""
  batches = pipeline.train_batches(dataset_fn, BATCH_SIZE)
  fixed = next(iter(batches))
  model = _beta_vae(tuple(fixed["image"].shape[1:]))
  alone = fit_rate(model, tf.data.Dataset.from_tensors(fixed).repeat(), seconds)
  return alone, fit_rate(model, batches, seconds)


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
  parser.add_argument("--datasets", default=",".join(synthetic.DATASETS), help="comma-separated names")
  parser.add_argument("--no_model", action="store_true", help="measure the pipelines only")
  args = parser.parse_args(argv)
  print(f"tensorflow {tf.__version__}, keras {keras.__version__}, {os.cpu_count()} CPUs, "
        f"GPUs: {len(tf.config.list_physical_devices('GPU'))}, batch {BATCH_SIZE}")
  print("| dataset | element | pipeline /s | pipeline /CPU·s | β-VAE step /s | β-VAE step /CPU·s "
        "| β-VAE fit on the pipeline /s |")
  print("|---|---|---|---|---|---|---|")
  for name in args.datasets.split(","):
    dataset_fn = synthetic.DATASETS[name]
    spec = dataset_fn().element_spec
    key = "image" if "image" in spec else "point"
    rates = list(pipeline_rate(dataset_fn, args.seconds))
    if not args.no_model and key == "image":
      alone, fed = model_rates(dataset_fn, args.seconds)
      rates += [*alone, fed[0]]
    cells = [f"{r:,.0f}" for r in rates] + ["n/a"] * (5 - len(rates))
    print(f"| {name} | {key} {list(spec[key].shape)} | " + " | ".join(cells) + " |", flush=True)

if __name__ == "__main__":
  main()
