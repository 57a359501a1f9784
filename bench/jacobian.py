"""Train-step cost of the exact Jacobian penalties vs finite differences and reverse mode (issue 3).

Usage: python bench/jacobian.py [--quick] [--width 16] [--batch 64] [--repeats 3] [--steps]

`--steps` runs only bench/jacobian_steps.py (issue 22): the families' full training steps, exact vs finite
difference per family, at the official shape (width 64) and this bench's default, two-pass vs shared.

A step is forward + loss + penalty + gradient + Adam apply, in a `tf.function`. Models: the OroJaR
simple-GAN generator (tfdis.networks.simple_gan; penalty on its 4 feature maps + image, λ = 1e-6, loss
mean(image) standing in for the adversarial loss) at d = 6 and 10, and the JL1-VAE decoder
(tfdis.networks.conv.conv_decoder, d = 10, Bernoulli loss on a fixed target, γ·jacobian_l1 at the detached z).
Variants are interleaved round by round and the median wall and process-CPU times are kept (the CPU is
shared). Lazy regularization is amortized as (t_on + (N − 1)·t_off)/N from its penalized and skipped steps.
Reverse mode (tape.batch_jacobian) and XLA run in subprocesses bounded in memory and time.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # pylint: disable=g-import-not-at-top
import tensorflow as tf  # pylint: disable=g-import-not-at-top

from tfdis import regularizers  # pylint: disable=g-import-not-at-top
from tfdis.networks.conv import conv_decoder  # pylint: disable=g-import-not-at-top
from tfdis.networks.simple_gan import simple_generator  # pylint: disable=g-import-not-at-top


def gan_model(d, width):
  """(model, loss(outputs), penalties name -> fn(z)) for the simple GAN generator."""
  gen = simple_generator(latent_dim=d, width=width)
  oro = lambda **kw: (lambda z: 1e-6 * regularizers.orthogonal_jacobian(gen, z, reduction="max", **kw))
  penalties = {
      "exact full": oro(), "exact k=2": oro(num_directions=2),
      "fin.diff. k=2": oro(num_directions=2, method="finite_difference"),
      "fin.diff. full": oro(method="finite_difference"),
      "reverse full": lambda z: 1e-6 * reverse_orojar(gen, z),
  }
  for strategy in ("tile", "loop", "vectorized"):
    penalties[f"exact k=2 [{strategy}]"] = oro(num_directions=2, strategy=strategy)
    penalties[f"exact full [{strategy}]"] = oro(strategy=strategy)
  return gen, lambda out: tf.reduce_mean(out["image"]), penalties, "exact k=2"


def vae_model(d, _):
  """(model, loss(outputs), penalties) for the JL1-VAE decoder at a fixed target image."""
  dec = conv_decoder(d, (64, 64, 1))
  target = tf.cast(tf.random.stateless_uniform([1, 64, 64, 1], [0, 0]) > 0.5, tf.float32)
  jl1 = lambda **kw: (lambda z: 0.1 * regularizers.jacobian_l1(dec, tf.stop_gradient(z), **kw))
  penalties = {"exact full": jl1(), "fin.diff. full": jl1(method="finite_difference"),
               "reverse full": lambda z: 0.1 * reverse_jl1(dec, tf.stop_gradient(z))}
  loss = lambda logits: tf.reduce_mean(tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(
      tf.broadcast_to(target, tf.shape(logits)), logits), [1, 2, 3]))
  return dec, loss, penalties, "exact full"


def _reverse_jacobians(fn, z):
  with tf.GradientTape(persistent=True) as tape:
    tape.watch(z)
    outputs = tf.nest.flatten(fn(z))
  return [tf.reshape(tape.batch_jacobian(y, z), [tf.shape(z)[0], -1, z.shape[-1]]) for y in outputs]


def reverse_orojar(fn, z):
  """The exact OroJaR penalty by reverse mode: one backward pass per output element."""
  total = 0.0
  for jac in _reverse_jacobians(fn, z):  # [batch, n, d]
    gram = tf.einsum("bni,bnj->bij", jac, jac)
    off = tf.reduce_sum(tf.square(gram), [1, 2]) - tf.reduce_sum(tf.square(tf.linalg.diag_part(gram)), -1)
    total += tf.reduce_max(off)
  return total


def reverse_jl1(fn, z):
  return tf.add_n([tf.reduce_mean(tf.reduce_sum(tf.abs(j), [1, 2])) for j in _reverse_jacobians(fn, z)])


MODELS = {"gan": gan_model, "vae": vae_model}


def make_step(model, loss_fn, penalty, lazy_every=None, jit_compile=False):
  """A compiled train step z -> loss; lazy steps read a step counter variable (set it to choose on/off)."""
  optimizer = keras.optimizers.Adam(1e-4)
  optimizer.build(model.trainable_variables)
  counter = tf.Variable(0, dtype=tf.int64)

  def step(z):
    with tf.GradientTape() as tape:
      loss = loss_fn(model(z))
      if penalty is not None and lazy_every:
        loss += regularizers.lazy_penalty(counter, lazy_every, 1.0, lambda: penalty(z))
      elif penalty is not None:
        loss += penalty(z)
    optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
    return loss

  return tf.function(step, jit_compile=jit_compile), counter


def build_variants(kind, d, width, names, lazy):
  """name -> (step, counter value) for the requested penalties plus lazy on/off steps."""
  model, loss_fn, penalties, lazy_penalty = MODELS[kind](d, width)
  variants = {"plain": (make_step(model, loss_fn, None)[0], None)}
  for name in names:
    variants[name] = (make_step(model, loss_fn, penalties[name])[0], None)
  for every in lazy:
    step, counter = make_step(model, loss_fn, penalties[lazy_penalty], lazy_every=every)
    variants[f"lazy/{every} on"] = (step, (counter, 0))
    variants[f"lazy/{every} off"] = (step, (counter, 1))
  return variants


def time_variants(variants, z, repeats):
  """Median (wall, cpu) seconds per variant, one call each per round after a warm-up call."""
  times = {name: [] for name in variants}
  for rnd in range(repeats + 1):
    for name, (step, counter) in variants.items():
      if counter is not None:
        counter[0].assign(counter[1])
      wall, cpu = time.perf_counter(), time.process_time()
      step(z).numpy()
      if rnd:  # round 0 traces and warms up
        times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
  return {name: tuple(np.median(np.array(t), axis=0)) for name, t in times.items()}


def amortize(results, lazy):
  for every in lazy:
    on, off = results.pop(f"lazy/{every} on"), results.pop(f"lazy/{every} off")
    results[f"lazy/{every}: penalized step"], results[f"lazy/{every}: skipped step"] = on, off
    results[f"lazy every {every} (amortized)"] = tuple((a + (every - 1) * b) / every for a, b in zip(on, off))
  return results


def run_case(args):
  """Subprocess entry: prints the cumulative results as a JSON line after each variant."""
  keras.utils.set_random_seed(0)
  names = [n for n in args.variants.split(",") if n]
  z = tf.random.stateless_normal([args.batch, args.latent_dim], [1, 2])
  if not args.jit_compile:
    variants = build_variants(args.model, args.latent_dim, args.width, [n for n in names if n != "plain"], [])
    print(json.dumps(time_variants(variants, z, args.repeats)), flush=True)
    return
  results = {}
  for name in names:
    model, loss_fn, penalties, _ = MODELS[args.model](args.latent_dim, args.width)
    step = make_step(model, loss_fn, penalties.get(name), jit_compile=True)[0]
    start = time.perf_counter()
    step(z).numpy()
    results[f"XLA {name}: first call (compile + run)"] = (time.perf_counter() - start,) * 2
    results[f"XLA {name}"] = time_variants({name: (step, None)}, z, args.repeats)[name]
    print(json.dumps(results), flush=True)


def in_subprocess(args, model, d, batch, variants, jit_compile=False, timeout=300, max_rss_gb=8.0):
  """Runs run_case in a child, killed past timeout s or max_rss_gb of memory; returns (results, note)."""
  cmd = [sys.executable, os.path.abspath(__file__), "--case", "--model", model, "--latent_dim", str(d),
         "--batch", str(batch), "--width", str(args.width), "--repeats", str(max(1, args.repeats - 1)),
         "--variants", ",".join(variants)] + (["--jit_compile"] if jit_compile else [])
  child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
  start, peak = time.time(), 0.0
  while child.poll() is None:
    peak = max(peak, _rss_gb(child.pid))
    if peak > max_rss_gb or time.time() - start > timeout:
      child.kill()
      child.wait()
      lines = child.stdout.read().strip().splitlines()
      note = f"killed after {time.time() - start:.0f} s at {peak:.1f} GB RSS"
      return (json.loads(lines[-1]) if lines else None), note
    time.sleep(0.2)
  lines = child.stdout.read().strip().splitlines()
  return (json.loads(lines[-1]) if child.returncode == 0 and lines else None), f"peak {peak:.1f} GB RSS"


def _rss_gb(pid):
  try:
    with open(f"/proc/{pid}/status") as status:
      return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1e6
  except (OSError, StopIteration):
    return 0.0


def table(title, results, twins=()):
  """Markdown table: median wall/CPU seconds, ratio to plain (CPU) and exact/finite-difference ratios."""
  plain = results.get("plain", (np.nan, np.nan))[1]
  lines = [f"\n**{title}**\n", "| variant | wall s | CPU s | × plain (CPU) |", "|---|---:|---:|---:|"]
  for name, (wall, cpu) in results.items():
    lines.append(f"| {name} | {wall:.3f} | {cpu:.3f} | {cpu / plain:.2f} |")
  for exact, finite in twins:
    if exact in results and finite in results:
      ratio = [results[exact][i] / results[finite][i] for i in (0, 1)]
      lines.append(f"\n{exact} / {finite}: {ratio[1]:.3g} (CPU), {ratio[0]:.3g} (wall)")
  text = "\n".join(lines)
  print(text, flush=True)
  return text


def forward_bound(d, width, batch, repeats):
  """Forward-only costs (no gradient) that bound the exact/finite-difference ratio of a step."""
  from tfdis import jacobian  # pylint: disable=g-import-not-at-top
  gen = simple_generator(latent_dim=d, width=width)
  z = tf.random.stateless_normal([batch, d], [3, 4])
  v = tf.sign(tf.random.stateless_normal([2, batch, d], [5, 6]))
  calls = {
      "plain": lambda: gen(z),
      "forward on 3·batch (fin.diff. k=2)": lambda: gen(tf.concat([z, z, z], 0)),
  }
  for strategy in jacobian.STRATEGIES:
    calls[f"JVP k=2 [{strategy}]"] = lambda s=strategy: jacobian.batch_jvp(gen, z, v, strategy=s)
  total = lambda f: tf.add_n([tf.reduce_sum(t) for t in tf.nest.flatten(f())])  # keeps every output live
  variants = {name: (tf.function(lambda _, f=f: total(f)), None) for name, f in calls.items()}
  return time_variants(variants, z, repeats)


def parse_args():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--quick", action="store_true", help="small sizes, ~2 minutes")
  parser.add_argument("--width", type=int, default=16, help="generator width w (official 64)")
  parser.add_argument("--batch", type=int, default=64)
  parser.add_argument("--repeats", type=int, default=3)
  parser.add_argument("--reverse_batch", type=int, default=1)
  parser.add_argument("--xla_timeout", type=int, default=120)
  parser.add_argument("--output", default="", help="also write the markdown tables to this file")
  parser.add_argument("--steps", action="store_true", help="full-step summary per family (issue 22)")
  parser.add_argument("--case", action="store_true", help=argparse.SUPPRESS)
  parser.add_argument("--model", default="gan", help=argparse.SUPPRESS)
  parser.add_argument("--latent_dim", type=int, default=6, help=argparse.SUPPRESS)
  parser.add_argument("--variants", default="", help=argparse.SUPPRESS)
  parser.add_argument("--jit_compile", action="store_true", help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.quick:
    args.width, args.batch, args.repeats, args.xla_timeout = 8, 32, 2, 45
  return args


def main_tables(args):
  """Yields the markdown tables, section by section."""
  twins = [("exact k=2", "fin.diff. k=2"), ("exact full", "fin.diff. full")]
  lazy = (16,) if args.quick else (4, 16)
  gan6 = {}
  for d in ((6,) if args.quick else (6, 10)):
    z = tf.random.stateless_normal([args.batch, d], [1, d])
    names = ["exact full", "exact k=2", "fin.diff. k=2", "fin.diff. full"]
    lazy_d = lazy if d == 6 else (16,)
    results = time_variants(build_variants("gan", d, args.width, names, lazy_d), z, args.repeats)
    gan6 = gan6 if d != 6 else dict(results)
    yield table(f"OroJaR simple GAN, d = {d}", amortize(results, lazy_d), twins)
  z = tf.random.stateless_normal([args.batch, 10], [1, 10])
  results = time_variants(build_variants("vae", 10, args.width, ["exact full", "fin.diff. full"], lazy), z,
                          args.repeats)
  yield table("JL1-VAE decoder, d = 10", amortize(results, lazy), twins)
  if not args.quick:
    z = tf.random.stateless_normal([args.batch, 6], [1, 6])
    names = [f"exact {k} [{s}]" for k in ("k=2", "full") for s in ("tile", "loop", "vectorized")]
    yield table("Batching strategies, simple GAN d = 6", time_variants(
        build_variants("gan", 6, args.width, names, lazy=()), z, max(1, args.repeats - 1)))
    yield table("Forward only (no gradient), simple GAN d = 6",
                forward_bound(6, args.width, args.batch, args.repeats))
    for model, d in (("gan", 6), ("vae", 10)):
      names = ["plain", "exact full", "reverse full"]
      results, note = in_subprocess(args, model, d, args.reverse_batch, names, max_rss_gb=6.0)
      title = f"Reverse mode, {model} d = {d}, batch {args.reverse_batch} ({note})"
      yield table(title, results, [("exact full", "reverse full")]) if results else f"\n**{title}**\n"
  results, note = in_subprocess(args, "gan", 6, args.batch, ["plain", "exact k=2"], jit_compile=True,
                                timeout=args.xla_timeout)
  title = f"XLA (jit_compile=True), simple GAN d = 6, bounded at {args.xla_timeout} s ({note})"
  results = {"plain": gan6["plain"], "exact k=2": gan6["exact k=2"], **(results or {})}
  yield table(title, results, [("XLA plain", "plain"), ("XLA exact k=2", "exact k=2")])


def main():
  args = parse_args()
  if args.case:
    return run_case(args)
  if args.steps:
    from bench import jacobian_steps  # pylint: disable=g-import-not-at-top
    sys.argv = [sys.argv[0], "--repeats", str(args.repeats), "--batch", str(args.batch)] + (
        ["--output", args.output] if args.output else [])
    return jacobian_steps.main()
  keras.utils.set_random_seed(0)
  start = time.time()
  out = [f"TF {tf.__version__}, {os.cpu_count()} CPU cores (shared), load average at start "
         f"{os.getloadavg()[0]:.1f}; width {args.width}, batch {args.batch}, median of {args.repeats} steps."]
  print(out[0], flush=True)
  for text in main_tables(args):
    out.append(text)
    if "|" not in text:
      print(text, flush=True)
  out.append(f"\nTotal bench time {time.time() - start:.0f} s.")
  print(out[-1])
  if args.output:
    with open(args.output, "w") as f:
      f.write("\n".join(out) + "\n")


if __name__ == "__main__":
  main()
