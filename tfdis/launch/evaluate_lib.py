"""The evaluate launcher's library: encode ground-truth samples with a trained model and run the metrics.

Writes `model_dir/results.json` (values, settings, seconds per metric, per-latent activity and KL) and
TensorBoard scalars under `model_dir/eval`. Metrics are chosen by gin reference, as disentanglement_lib's
`evaluation_fn = @mig`: `evaluate.metrics = [@mig, @dci, @lord_leakage]` (see gin/metrics/ and
`tfdis.launch.evaluate_metrics`); each is a function `(ctx) -> dict` that draws what it needs from the
evaluation `Context`. `evaluate.metric_names = ["mig", ...]` names the same functions by string.
"""

import dataclasses
import json
import os
import time

import gin
import numpy as np
import tensorflow as tf
import tqdm

from tfdis import runs
from tfdis import visualize
from tfdis.launch import evaluate_metrics
from tfdis.regularizers import gaussian_kl

DEFAULT_METRICS = (evaluate_metrics.mig, evaluate_metrics.dci, evaluate_metrics.sap, evaluate_metrics.modularity,
                   evaluate_metrics.beta_vae_score, evaluate_metrics.factor_vae_score,
                   evaluate_metrics.reconstruction)
LATENTS_SHOWN = 16  # latents listed by `table`, the most active first (results.json has them all)


@dataclasses.dataclass
class Context:
  """What a metric adapter may use: the ground truth, the representation and the sample sizes."""
  sampler: object
  representation_fn: object
  decode_fn: object
  latent_dim: int
  seed: int
  num_train: int
  num_test: int
  model: object = None  # the trained model itself, for family-specific metrics (Lr/Li-VAE's code split)
  step: int = None  # the training step of the evaluated checkpoint (LORD: stage 1 or 2)
  dataset_fn: object = None  # the run's configured dataset function (Lr/Li-VAE's labeled test split)

  def rng(self, name):
    """A NumPy RandomState for metric `name`, fixed by the evaluation seed and the name."""
    return np.random.RandomState([self.seed, sum(map(ord, name))])

  def codes_and_factors(self, n, rng):
    factors = self.sampler.sample_factors(n, rng)
    return self.representation_fn(self.sampler.sample_observations_from_factors(factors, rng)), factors


def batched(fn, batch_size=256):
  """Wraps a TF function of a batch into a NumPy function of any number of rows."""
  def apply(array):
    outputs = [np.asarray(fn(tf.constant(array[i:i + batch_size], tf.float32)))
               for i in range(0, len(array), batch_size)]
    return np.concatenate(outputs)
  return apply


def metric_names():
  """The names `evaluate.metric_names` accepts: those of the metrics `tfdis.launch.evaluate_metrics` knows."""
  return sorted(fn.__name__ for fn in evaluate_metrics.KNOWN)


def resolve_metrics(metrics=None, names=None):
  """The metric functions to run: those named by `names`, else `metrics` (gin references), else the default.

  `names` win, so that a binding `evaluate.metric_names = [...]` overrides a suite file's `evaluate.metrics`.

  Raises:
    ValueError: a name is unknown (the message lists the known names).
  """
  if names is None:
    return list(metrics) if metrics is not None else [gin.get_configurable(fn) for fn in DEFAULT_METRICS]
  known = {fn.__name__: fn for fn in evaluate_metrics.KNOWN}
  unknown = sorted(set(names) - set(known))
  if unknown:
    raise ValueError(f"Unknown metrics {unknown}: choose from {sorted(known)}.")
  return [gin.get_configurable(known[name]) for name in names]


@gin.configurable(denylist=["model", "step", "model_dir"])
def evaluate(model, step, model_dir, metrics=None, metric_names=None, num_train=10000, num_test=5000, seed=0,
             out_name="results.json"):
  """Evaluates `model`, restored from the run in `model_dir` whose configuration is parsed.

  Args:
    model: the trained model (with `encode` and `decode`).
    step: the training step of its checkpoint.
    model_dir: the run's folder.
    metrics: metric functions `(ctx) -> dict`, given as gin references (`[@mig, @dci]`); each one's results go
      under its function's name. None: `metric_names`, else `DEFAULT_METRICS` (disentanglement_lib's suite).
    metric_names: the same by name (`["mig", "dci"]`, see `metric_names()`); overrides `metrics`.
    num_train: points for metric fitting (disentanglement_lib: 10,000).
    num_test: points for metric testing (disentanglement_lib: 5,000).
    seed: evaluation seed; the same seed gives the same results.
    out_name: file name of the results in `model_dir`.

  Returns:
    The results dict written to `model_dir/out_name`: "step", "seed", "num_train", "num_test", "metrics"
    ({name: {key: value, "elapsed_s"}}) and, for models that encode, "latents" (`latent_summary`).
  """
  chosen = resolve_metrics(metrics, metric_names)
  ctx = make_context(model, step, model_dir, seed, num_train, num_test)
  results = {"step": step, "seed": seed, "num_train": num_train, "num_test": num_test, "metrics": {}}
  if getattr(model, "reconstruction_name", None):  # LORD: which loss trained the model (VGG16 or the fallback)
    results["reconstruction_loss"] = model.reconstruction_name
  writer = tf.summary.create_file_writer(os.path.join(model_dir, "eval"))
  for fn in tqdm.tqdm(chosen, desc="metrics", unit="metric"):
    start = time.perf_counter()
    values = {key: float(value) for key, value in fn(ctx).items()}
    results["metrics"][fn.__name__] = dict(values, elapsed_s=round(time.perf_counter() - start, 3))
    with writer.as_default(step=step):
      for key, value in values.items():
        tf.summary.scalar(metric_key(fn.__name__, key), value)
  latents = latent_summary(ctx)
  if latents is not None:
    results["latents"] = latents
  write_pictures(model, ctx.sampler, step, writer, seed)
  writer.flush()
  runs.write_json(os.path.join(model_dir, out_name), results, allow_nan=True)  # PSNR of a perfect copy: inf
  return results


def make_context(model, step, model_dir, seed, num_train, num_test):
  """The evaluation `Context` of `model` on the parsed run's ground-truth sampler (checked to fit the run)."""
  sampler = runs.configured("%GROUND_TRUTH")
  if sampler is None:
    raise ValueError(f"The run in {model_dir} has no ground-truth sampler (GROUND_TRUTH in its dataset gin "
                     "file): the disentanglement metrics need a dataset with known factors.")
  check_image_shape(sampler, model_dir)
  return Context(sampler, batched(model.encode), batched(model.decode), getattr(model, "latent_dim", None), seed,
                 num_train, num_test, model=model, step=step, dataset_fn=runs.configured("train.dataset_fn"))


def latent_summary(ctx):
  """Per-latent statistics of the codes of `num_test` ground-truth images, or None for a model that cannot encode.

  "activity": the variance of each latent's code (the posterior mean for VAEs) over the images: near 0 for a
  latent the encoder does not use. "kl", for models with a Gaussian posterior (`posterior(images)` ->
  (mean, logvar)): each latent's KL(q(z_i|x) || N(0, 1)), averaged over the images (`gaussian_kl`, reduction
  "none"); it sums to the KL term of the loss.
  """
  rng = ctx.rng("latents")
  images = ctx.sampler.sample_observations_from_factors(ctx.sampler.sample_factors(ctx.num_test, rng), rng)
  try:
    codes = ctx.representation_fn(images)  # [n, d]
  except NotImplementedError:  # a GAN, or the cVAE-GAN (it encodes with the label)
    return None
  summary = {"activity": np.var(codes.astype(np.float64), axis=0).tolist()}
  if hasattr(ctx.model, "posterior"):
    kl = batched(lambda x: gaussian_kl(*ctx.model.posterior(x), reduction="none"))(images)  # [n, d]
    summary["kl"] = np.mean(kl.astype(np.float64), axis=0).tolist()
  return summary


def check_image_shape(sampler, model_dir):
  """Raises a one-line ValueError naming both shapes when the sampler's images do not fit the run's model."""
  rng = np.random.RandomState(0)
  observed = tuple(sampler.sample_observations_from_factors(sampler.sample_factors(1, rng), rng).shape[1:])
  expected = runs.run_image_shape(model_dir)
  if observed != expected:
    raise ValueError(f"The ground-truth sampler (GROUND_TRUTH) renders images of shape {list(observed)}, but "
                     f"the run in {model_dir} takes {list(expected)}: evaluate with a GROUND_TRUTH of the "
                     "run's dataset.")


def write_pictures(model, sampler, step, writer, seed, count=8):
  """Writes the model's pictures (traversal grid, reconstructions or samples) on ground-truth images."""
  rng = np.random.RandomState(seed)
  images = sampler.sample_observations_from_factors(sampler.sample_factors(count, rng), rng)
  pictures = model.summary_images(tf.constant(images, tf.float32))
  with writer.as_default(step=step):
    for name, batch in pictures.items():
      tf.summary.image(f"images/{name}", visualize.tile(np.asarray(batch))[np.newaxis], step=step)


def run(model_dir, gin_files=(), gin_bindings=(), restore_strict=False):
  """Evaluates the newest intact checkpoint of the run in `model_dir`, configured by its config.gin +
  `gin_files` (a damaged newer one is skipped with a warning, or raises `CheckpointError` if `restore_strict`)."""
  model, step, _ = runs.load_trained_model(model_dir, gin_files, gin_bindings, restore_strict=restore_strict)
  return evaluate(model, step, model_dir)


def metric_key(name, key):
  """`name/key` for one value of a metric; just `key` when it already starts with the metric's name (`mig`,
  `local_mig@0.1`), so that no name prints doubled (`mig/mig`)."""
  if key == name or key.startswith((name + "@", name + "_")):
    return key
  return f"{name}/{key}"


def table(results):
  """Formats results as aligned `metric/key value` lines (`mig`, not `mig/mig`), then the latent summary."""
  rows = [(metric_key(name, key), value) for name, values in results["metrics"].items()
          for key, value in values.items() if key != "elapsed_s"]
  width = max([len(key) for key, _ in rows] + [8])
  lines = [f"  {key:<{width}}  {value:.4f}" for key, value in rows]
  return "\n".join(lines + latent_lines(results.get("latents")))


def latent_lines(latents, shown=LATENTS_SHOWN):
  """Lines of the per-latent summary: latent index, activity and KL, the `shown` most active latents first."""
  if not latents:
    return []
  activity = np.asarray(latents["activity"])
  order = np.argsort(-activity, kind="stable")[:shown]
  kl = latents.get("kl")
  lines = [f"  latents by activity (variance of the codes){' and KL' if kl else ''}, {len(order)} of "
           f"{len(activity)}:", "  " + "latent".ljust(8) + "".join(f"{i:>8d}" for i in order),
           "  " + "activity".ljust(8) + "".join(f"{activity[i]:8.3f}" for i in order)]
  if kl:
    lines.append("  " + "kl".ljust(8) + "".join(f"{kl[i]:8.3f}" for i in order))
  return lines
