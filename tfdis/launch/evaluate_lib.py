"""The evaluate launcher's library: encode ground-truth samples with a trained model and run the metrics.

Writes `model_dir/results.json` (values, settings, seconds per metric) and TensorBoard scalars under
`model_dir/eval`. Metrics are chosen by name (gin: `evaluate.metrics = [...]`, see gin/metrics/); each name
maps to an adapter in `METRICS` that draws what its metric needs from the run's ground-truth sampler.
"""

import dataclasses
import json
import os
import time

import gin
import numpy as np
import tensorflow as tf
import tqdm

from tfdis import metrics
from tfdis import runs
from tfdis import visualize
from tfdis.launch import lord_eval
from tfdis.launch import lrli_eval
from tfdis.launch import mddae_eval


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
  model: object = None  # the trained model itself, for family-specific adapters (Lr/Li-VAE's code split)
  step: int = None  # the training step of the evaluated checkpoint (LORD: stage 1 or 2)

  def rng(self, name):
    """A NumPy RandomState for metric `name`, fixed by the evaluation seed and the name."""
    return np.random.RandomState([self.seed, sum(map(ord, name))])

  def codes_and_factors(self, n, rng):
    factors = self.sampler.sample_factors(n, rng)
    return self.representation_fn(self.sampler.sample_observations_from_factors(factors, rng)), factors


def _split_metric(fn, name, **kwargs):
  def adapter(ctx):
    rng = ctx.rng(name)
    codes_train, factors_train = ctx.codes_and_factors(ctx.num_train, rng)
    codes_test, factors_test = ctx.codes_and_factors(ctx.num_test, rng)
    return fn(codes_train, factors_train, codes_test, factors_test, **kwargs)
  return adapter


def _mig(ctx):
  return metrics.mig(*ctx.codes_and_factors(ctx.num_train, ctx.rng("mig")))


def _sampled(fn, name, **kwargs):
  return lambda ctx: fn(ctx.sampler, ctx.representation_fn, ctx.rng(name), num_train=ctx.num_train,
                        num_eval=ctx.num_test, **kwargs)


def _local(fn, name, proportions=(0.1, 0.2, 0.3, 0.6, 1.0)):
  def adapter(ctx):
    results = {}
    for proportion in proportions:
      scores = fn(ctx.sampler, ctx.representation_fn, ctx.rng(name), locality_proportion=proportion,
                  num_points=ctx.num_train)
      results.update({f"{key}@{proportion}": value for key, value in scores.items()})
    return results
  return adapter


def _reconstruction(ctx):
  rng = ctx.rng("reconstruction")
  images = ctx.sampler.sample_observations_from_factors(ctx.sampler.sample_factors(ctx.num_test, rng), rng)
  reconstructions = ctx.decode_fn(ctx.representation_fn(images))
  results = {}
  for fn in (metrics.rmse, metrics.psnr, metrics.ssim):
    results.update(fn(reconstructions, images))
  return results


@gin.configurable(denylist=["ctx"])
def vp(ctx, num_pairs=10000, test_ratio=0.99, mode="diff", classifier="convnet", epochs=300, width=64):
  """VP score of the model's decoder/generator (OroJaR's protocol; defaults: the official dSprites setting)."""
  return metrics.variation_predictability(ctx.decode_fn, ctx.latent_dim, ctx.rng("vp"), num_pairs=num_pairs,
                                          test_ratio=test_ratio, mode=mode, classifier=classifier, epochs=epochs,
                                          width=width)


@gin.configurable(denylist=["ctx"])
def factor_level(ctx, epochs=5, width=32, num_train=None, architecture="strided"):
  """MIG/DCI between latents and the factors a classifier trained on real images reads off decoded ones.

  `num_train` real images train the classifier (None: `evaluate.num_train`); `evaluate.num_train` generated
  images are labelled for MIG/DCI. Real images are cheap to render: gin/metrics/gan.gin trains on 40,000.
  """
  return metrics.factor_level_scores(ctx.sampler, ctx.decode_fn, ctx.latent_dim, ctx.rng("factor_level"),
                                     num_train=num_train or ctx.num_train, num_test=ctx.num_test,
                                     num_generated=ctx.num_train, epochs=epochs, width=width,
                                     architecture=architecture)


METRICS = {
    "mig": _mig,
    "dci": _split_metric(metrics.dci, "dci"),
    "sap": _split_metric(metrics.sap, "sap"),
    "modularity": _split_metric(metrics.modularity_explicitness, "modularity"),
    "beta_vae": _sampled(metrics.beta_vae_score, "beta_vae"),
    "factor_vae": _sampled(metrics.factor_vae_score, "factor_vae"),
    "local_mig": _local(metrics.local_mig, "local_mig"),
    "local_modularity": _local(metrics.local_modularity, "local_modularity"),
    "reconstruction": _reconstruction,
    "attribute_svm": mddae_eval.attribute_svm_metric,  # mddAE, case 2 (Song et al. 2020, Fig. 6)
    "class_swap": mddae_eval.class_swap_metric,  # mddAE, case 1
    "vp": vp,
    "factor_level": factor_level,
    "lord": lord_eval.lord_disentanglement,
}
METRICS.update(lrli_eval.adapters(runs.configured))  # Lr/Li-VAE: code_label_accuracy, sample_diversity, ...


def batched(fn, batch_size=256):
  """Wraps a TF function of a batch into a NumPy function of any number of rows."""
  def apply(array):
    outputs = [np.asarray(fn(tf.constant(array[i:i + batch_size], tf.float32)))
               for i in range(0, len(array), batch_size)]
    return np.concatenate(outputs)
  return apply


@gin.configurable(denylist=["model", "step", "model_dir"])
def evaluate(model, step, model_dir, metric_names=("mig", "dci", "sap", "modularity", "beta_vae", "factor_vae",
                                      "reconstruction"),
             num_train=10000, num_test=5000, seed=0, out_name="results.json"):
  """Evaluates `model`, restored from the run in `model_dir` whose configuration is parsed.

  Args:
    model: the trained model (with `encode` and `decode`).
    step: the training step of its checkpoint.
    model_dir: the run's folder.
    metric_names: names in `METRICS`.
    num_train: points for metric fitting (disentanglement_lib: 10,000).
    num_test: points for metric testing (disentanglement_lib: 5,000).
    seed: evaluation seed; the same seed gives the same results.
    out_name: file name of the results in `model_dir`.

  Returns:
    The results dict written to `model_dir/out_name`.
  """
  unknown = sorted(set(metric_names) - set(METRICS))
  if unknown:
    raise ValueError(f"Unknown metrics {unknown}: choose from {sorted(METRICS)}.")
  sampler = runs.configured("%GROUND_TRUTH")
  if sampler is None:
    raise ValueError(f"The run in {model_dir} has no ground-truth sampler (GROUND_TRUTH in its dataset gin "
                     "file): the disentanglement metrics need a dataset with known factors.")
  check_image_shape(sampler, model_dir)
  ctx = Context(sampler, batched(model.encode), batched(model.decode), getattr(model, "latent_dim", None), seed,
                num_train, num_test, model=model, step=step)
  results = {"step": step, "seed": seed, "num_train": num_train, "num_test": num_test, "metrics": {}}
  if getattr(model, "reconstruction_name", None):  # LORD: which loss trained the model (VGG16 or the fallback)
    results["reconstruction_loss"] = model.reconstruction_name
  writer = tf.summary.create_file_writer(os.path.join(model_dir, "eval"))
  for name in tqdm.tqdm(metric_names, desc="metrics", unit="metric"):
    start = time.perf_counter()
    values = {key: float(value) for key, value in METRICS[name](ctx).items()}
    results["metrics"][name] = dict(values, elapsed_s=round(time.perf_counter() - start, 3))
    with writer.as_default(step=step):
      for key, value in values.items():
        tf.summary.scalar(metric_key(name, key), value)
  write_pictures(model, sampler, step, writer, seed)
  writer.flush()
  _write_json(os.path.join(model_dir, out_name), results)
  return results


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


def _write_json(path, payload):
  with open(path + ".tmp", "w") as f:
    json.dump(payload, f, indent=2)
  os.replace(path + ".tmp", path)


def run(model_dir, gin_files=(), gin_bindings=(), restore_strict=False):
  """Evaluates the newest intact checkpoint of the run in `model_dir`, configured by its config.gin +
  `gin_files` (a damaged newer one is skipped with a warning, or raises `CheckpointError` if `restore_strict`)."""
  model, step, _ = runs.load_trained_model(model_dir, gin_files, gin_bindings, restore_strict=restore_strict)
  return evaluate(model, step, model_dir)


def metric_key(name, key):
  """`name/key` for one value of a metric; just `name` when the metric names its value after itself (mig)."""
  return name if key == name else f"{name}/{key}"


def table(results):
  """Formats results as aligned `metric/key value` lines (`mig`, not `mig/mig`)."""
  rows = [(metric_key(name, key), value) for name, values in results["metrics"].items()
          for key, value in values.items() if key != "elapsed_s"]
  width = max(len(key) for key, _ in rows)
  return "\n".join(f"  {key:<{width}}  {value:.4f}" for key, value in rows)
