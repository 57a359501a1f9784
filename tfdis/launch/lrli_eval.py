"""Evaluation of Lr/Li-VAE and its cVAE-GAN baseline (Zheng & Sun 2019, secs. 4.2–4.3).

- `code_label_accuracy`: how well z_s and z_u predict the label (logistic regression on a held-out split,
  `tfdis.metrics.leakage`): z_s should be high, z_u near the chance level.
- `sample_diversity`: intra-class diversity (mean 1 − MS-SSIM over same-class pairs) of class-conditional
  samples (`tfdis.metrics.intra_class_diversity`; paper Table 2).
- `reconstruction_quality`: RMSE / PSNR / SSIM of decode(encode(x)).

Each takes the model and arrays, so the evaluate launcher (`METRICS` adapters over the run's test split) and
bench/fidelity_lrli_vae.py share them.
"""

import numpy as np
import tensorflow as tf

from tfdis import metrics


def encode_parts(model, images, labels, batch_size=256):
  """(z_s [N, d_s], z_u [N, d_u]) as NumPy, in batches (labels are used by the cVAE-GAN baseline only)."""
  parts = [model.encode_parts(tf.constant(images[i:i + batch_size]), tf.constant(labels[i:i + batch_size]))
           for i in range(0, len(images), batch_size)]
  return tuple(np.concatenate([np.asarray(p[k]) for p in parts]) for k in range(2))


def code_label_accuracy(model, images, labels, rng, classifier="logistic"):
  """{"z_s_accuracy", "z_u_accuracy", "chance"}; the baseline's z_s is the label itself and is skipped."""
  z_s, z_u = encode_parts(model, images, labels)
  rng = np.random.RandomState(rng) if isinstance(rng, int) else rng
  split_seed = int(rng.randint(2**31 - 1))
  results = {}
  u = metrics.leakage(z_u, labels, split_seed, classifier=classifier)
  results["z_u_accuracy"], results["chance"] = u["accuracy"], u["chance"]
  if getattr(model, "encoder_s", None) is not None:
    results["z_s_accuracy"] = metrics.leakage(z_s, labels, split_seed, classifier=classifier)["accuracy"]
  return results


def class_samples(model, num_per_class, seed=0, batch_size=256):
  """(images [K·n, ...], labels [K·n]): `num_per_class` samples of each class from fixed-seed noise."""
  labels = np.repeat(np.arange(model.num_classes), num_per_class).astype(np.int32)
  noise = tf.random.stateless_normal([len(labels), model.latent_dim], seed=[seed, 7])
  images = [np.asarray(model.sample(tf.constant(labels[i:i + batch_size]), noise[i:i + batch_size]))
            for i in range(0, len(labels), batch_size)]
  return np.concatenate(images), labels


def sample_diversity(model, num_per_class=20, seed=0, max_pairs_per_class=100):
  """Intra-class diversity of class-conditional samples: {"intra_class_diversity", "..._std"}."""
  images, labels = class_samples(model, num_per_class, seed)
  return metrics.intra_class_diversity(images, labels, max_pairs_per_class=max_pairs_per_class, rng=seed)


def reconstruction_quality(model, images, labels):
  """{"rmse", "psnr", "ssim"} of the reconstructions of `images` (in [0, 1])."""
  z_s, z_u = encode_parts(model, images, labels)
  reconstructions = np.asarray(model.decode(tf.constant(np.concatenate([z_s, z_u], -1))))
  results = {}
  for fn in (metrics.rmse, metrics.psnr, metrics.ssim):
    results.update(fn(reconstructions, images))
  return results


def labeled_test_set(dataset_fn, num):
  """(images, labels) NumPy arrays of the first `num` elements of `dataset_fn(split="test")`."""
  batch = next(iter(dataset_fn(split="test").batch(num).take(1)))
  return batch["image"].numpy(), batch["label"].numpy().astype(np.int32)


def adapters(configured):
  """`evaluate_lib.METRICS` entries `(ctx) -> dict` over the run's labeled test split.

  Args:
    configured: `tfdis.runs.configured` (looks up "train.dataset_fn" of the parsed run).
  """
  def test_set(ctx):
    if getattr(ctx, "model", None) is None or not hasattr(ctx.model, "encode_parts"):
      raise ValueError("This metric needs an Lr/Li-VAE (or cVAE-GAN) run: its model splits codes into z_s, z_u.")
    return labeled_test_set(configured("train.dataset_fn"), ctx.num_test)

  return {
      "code_label_accuracy": lambda ctx: code_label_accuracy(ctx.model, *test_set(ctx), ctx.rng("code_label")),
      "sample_diversity": lambda ctx: sample_diversity(ctx.model, seed=ctx.seed),
      "lrli_reconstruction": lambda ctx: reconstruction_quality(ctx.model, *test_set(ctx)),
  }
