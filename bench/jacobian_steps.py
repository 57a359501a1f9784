"""Full training steps of the Jacobian-penalized families, exact vs finite differences (issue 22).

Usage: nice python bench/jacobian_steps.py [--repeats 5] [--cases official,default,jl1] [--output FILE]
(also run by `bench/jacobian.py --steps`).

Every step is the model's own loss (`RegularizedGAN.generator_terms`: critic forward/backward included;
`JL1VAE.loss_terms`: encoder + decoder) + gradient + Adam apply, in a `tf.function`. "two-pass" rebuilds
the loss as before issue 22 (the loss's own generator/decoder call plus the penalty's); "shared" is the
current code (one pass feeds both). Cases: the official OroJaR shape (simple-GAN width 64, batch 64, d = 6,
the 4 feature maps penalized), this bench's default shape (width 16, image penalized too) and the JL1-VAE
(64×64×1, d = 10, batch 64). Variants are interleaved round by round; the median wall and process-CPU
times are kept (the 2 cores are shared with other engineers, so the load varies). Lazy every N is
amortized as (t_on + (N − 1)·t_off)/N.
"""

import argparse
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # pylint: disable=g-import-not-at-top
import tensorflow as tf  # pylint: disable=g-import-not-at-top

from bench import jacobian as bench_jacobian  # pylint: disable=g-import-not-at-top
from tfdis import regularizers  # pylint: disable=g-import-not-at-top
from tfdis.models.jl1_vae import model as jl1_lib  # pylint: disable=g-import-not-at-top
from tfdis.models.regularized_gan import model as gan_lib  # pylint: disable=g-import-not-at-top
from tfdis.networks import simple_gan  # pylint: disable=g-import-not-at-top

LAZY = 16


def _traced_step(model, loss_fn, variables, settings, sample):
  """A compiled step traced now with `settings` (model attributes read at trace time), then restored."""

  def step(x):
    with tf.GradientTape() as tape:
      loss = loss_fn(x)
    model.optimizer.apply(tape.gradient(loss, variables), variables)
    return loss

  step = tf.function(step)
  saved = {name: getattr(model, name) for name in settings}
  for name, value in settings.items():
    setattr(model, name, value)
  try:
    step.get_concrete_function(sample)
  finally:
    for name, value in saved.items():
      setattr(model, name, value)
  return step


def _two_pass_gan_loss(model, z):
  fake = model.generator(z, training=True)["image"]
  return -tf.reduce_mean(model.discriminator(fake, training=True)) + regularizers.lazy_penalty(
      model.optimizer.iterations, model.lazy_every, model.penalty_weight, lambda: model.penalty_value(z))


def gan_variants(width, batch, layers):
  """name -> (step, (counter, value)) for the generator step of the OroJaR simple GAN."""
  model = gan_lib.regularized_gan((64, 64, 1), latent_dim=6, width=width, penalty="orthogonal_jacobian",
                                  penalty_weight=1e-6, penalty_layers=layers, seed=0)
  model.compile(optimizer=keras.optimizers.Adam(1e-6))
  z = tf.random.stateless_normal([batch, 6], [1, 6])
  shared = lambda x: model.generator_terms(x)["loss"]
  two_pass = lambda x: _two_pass_gan_loss(model, x)
  counter = model.optimizer.iterations
  variables = model.generator.trainable_variables
  specs = {"plain": (shared, {"penalty": "none"})}
  for label, kwargs in (("exact k=2", {}), ("exact k=2 [double_vjp]", {"strategy": "double_vjp"}),
                        ("fin.diff. k=2", {"method": "finite_difference"})):
    kwargs = {"num_directions": 2, **kwargs}
    specs[f"{label}, two-pass"] = (two_pass, {"penalty_kwargs": kwargs})
    specs[f"{label}, shared"] = (shared, {"penalty_kwargs": kwargs})
  lazy = {"penalty_kwargs": {"num_directions": 2}, "lazy_every": LAZY}
  specs[f"lazy/{LAZY} on"] = specs[f"lazy/{LAZY} off"] = (shared, lazy)
  variants = {name: (_traced_step(model, fn, variables, settings, z), (counter, 1 if "off" in name else 0))
              for name, (fn, settings) in specs.items()}
  return variants, z


def jl1_variants(batch):
  """name -> (step, (counter, value)) for the JL1-VAE step (encoder + decoder)."""
  model = jl1_lib.jl1_vae((64, 64, 1), latent_dim=10, gamma=0.1, seed=0)
  model.compile(optimizer=keras.optimizers.Adam(1e-6))
  x = tf.cast(tf.random.stateless_uniform([batch, 64, 64, 1], [0, 1]) > 0.5, tf.float32)
  counter = tf.Variable(0, dtype=tf.int64)
  loss = lambda images: model.loss_terms(images, training=True, step=counter)["loss"]
  two_pass, shared = (lambda: False), (lambda: True)
  specs = {
      "plain": {"gamma": 0.0},
      "exact full, two-pass": {"shares_decoder_pass": two_pass},
      "exact full, shared": {"shares_decoder_pass": shared},
      "fin.diff. full (official)": {"jacobian_method": "finite_difference"},
      "exact k=2 columns": {"jacobian_directions": 2},
      "fin.diff. k=2 columns": {"jacobian_directions": 2, "jacobian_method": "finite_difference"},
  }
  for label, extra in (("", {"shares_decoder_pass": shared}), (" k=2 columns", {"jacobian_directions": 2})):
    specs[f"lazy/{LAZY}{label} on"] = specs[f"lazy/{LAZY}{label} off"] = {"lazy_every": LAZY, **extra}
  variants = {name: (_traced_step(model, loss, model.trainable_variables, settings, x),
                     (counter, 1 if name.endswith("off") else 0)) for name, settings in specs.items()}
  return variants, x


def amortize(results):
  for name in [n for n in results if n.endswith(" on")]:
    base = name[:-3]
    on, off = results.pop(name), results.pop(base + " off")
    results[base + ": penalized step"], results[base + ": skipped step"] = on, off
    results[base + " (amortized)"] = tuple((a + (LAZY - 1) * b) / LAZY for a, b in zip(on, off))
  return results


def summary(title, results, twins):
  """The step table plus the exact / finite-difference and lazy / plain ratios (CPU, wall)."""
  text = [bench_jacobian.table(title, results)]
  for a, b in twins:
    ratio = [results[a][i] / results[b][i] for i in (1, 0)]
    text.append(f"{a} / {b}: {ratio[0]:.3f} (CPU), {ratio[1]:.3f} (wall)")
  print("\n".join(text[1:]), flush=True)
  return "\n".join(text)


GAN_TWINS = [("exact k=2, two-pass", "fin.diff. k=2, two-pass"), ("exact k=2, shared", "fin.diff. k=2, shared"),
             ("exact k=2 [double_vjp], shared", "fin.diff. k=2, shared"),
             ("exact k=2, shared", "exact k=2, two-pass"), (f"lazy/{LAZY} (amortized)", "plain")]
JL1_TWINS = [("exact full, two-pass", "fin.diff. full (official)"),
             ("exact full, shared", "fin.diff. full (official)"),
             ("exact k=2 columns", "fin.diff. k=2 columns"), ("exact k=2 columns", "fin.diff. full (official)"),
             (f"lazy/{LAZY} (amortized)", "plain"), (f"lazy/{LAZY} k=2 columns (amortized)", "plain")]


def run(cases, repeats, batch=64):
  """Yields the markdown sections of the requested cases."""
  keras.utils.set_random_seed(0)
  if "official" in cases:
    variants, z = gan_variants(64, batch, simple_gan.FEATURE_NAMES)
    results = amortize(bench_jacobian.time_variants(variants, z, repeats))
    yield summary(f"OroJaR generator step, official shape (width 64, batch {batch}, 4 feature maps)",
                  results, GAN_TWINS)
  if "default" in cases:
    variants, z = gan_variants(16, batch, simple_gan.FEATURE_NAMES + ("image",))
    results = amortize(bench_jacobian.time_variants(variants, z, repeats))
    yield summary(f"OroJaR generator step, bench default (width 16, batch {batch}, image too)", results,
                  GAN_TWINS)
  if "jl1" in cases:
    variants, x = jl1_variants(batch)
    results = amortize(bench_jacobian.time_variants(variants, x, repeats))
    yield summary(f"JL1-VAE step (64×64×1, d = 10, batch {batch})", results, JL1_TWINS)
  if "forward" in cases:
    yield bench_jacobian.table("Forward only (no gradient), width 64 generator, k = 2",
                               bench_jacobian.forward_bound(6, 64, batch, repeats))


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--repeats", type=int, default=5)
  parser.add_argument("--batch", type=int, default=64)
  parser.add_argument("--cases", default="official,default,jl1,forward")
  parser.add_argument("--output", default="")
  args = parser.parse_args()
  out = [f"TF {tf.__version__}, {os.cpu_count()} CPU cores (shared), load average at start "
         f"{os.getloadavg()[0]:.1f}; median of {args.repeats} interleaved rounds."]
  print(out[0], flush=True)
  out += list(run(args.cases.split(","), args.repeats, args.batch))
  if args.output:
    with open(args.output, "w") as f:
      f.write("\n".join(out) + "\n")


if __name__ == "__main__":
  main()
