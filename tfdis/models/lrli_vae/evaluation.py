"""Evaluation of Lr/Li-VAE and its cVAE-GAN baseline (Zheng & Sun 2019, secs. 4.2–4.3).

`evaluate` metrics `(ctx) -> dict`, over the run's labeled test split (`ctx.dataset_fn(split="test")`):
- `code_label_accuracy`: how well z_s and z_u predict the label (logistic regression on a held-out split,
  `tfdis.metrics.leakage`): z_s should be high, z_u near the chance level.
- `sample_diversity`: intra-class diversity (mean 1 − MS-SSIM over same-class pairs) of class-conditional
  samples (`tfdis.metrics.intra_class_diversity`; paper Table 2).
- `lrli_reconstruction`: RMSE / PSNR / SSIM of decode(encode(x)) (`tfdis.metrics.reconstruction_quality`).

Each metric calls an array-level function of the model and NumPy arrays (`label_accuracies`,
`class_sample_diversity`, `reconstructions`), which bench/fidelity_lrli_vae.py calls directly.
"""

import gin
import numpy as np
import tensorflow as tf

from tfdis import metrics
from tfdis.data import pipeline


def encode_parts(model, images, labels, batch_size=256):
  """(z_s [N, d_s], z_u [N, d_u]) as NumPy, in batches (labels are used by the cVAE-GAN baseline only)."""
  parts = [model.encode_parts(tf.constant(images[i:i + batch_size]), tf.constant(labels[i:i + batch_size]))
           for i in range(0, len(images), batch_size)]
  return tuple(np.concatenate([np.asarray(p[k]) for p in parts]) for k in range(2))


def label_accuracies(model, images, labels, rng, classifier="logistic"):
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


def class_sample_diversity(model, num_per_class=20, seed=0, max_pairs_per_class=100):
  """Intra-class diversity of class-conditional samples: {"intra_class_diversity", "..._std"}."""
  images, labels = class_samples(model, num_per_class, seed)
  return metrics.intra_class_diversity(images, labels, max_pairs_per_class=max_pairs_per_class, rng=seed)


def reconstructions(model, images, labels):
  """decode(encode_parts(images, labels)) as NumPy."""
  z_s, z_u = encode_parts(model, images, labels)
  return np.asarray(model.decode(tf.constant(np.concatenate([z_s, z_u], -1))))


def labeled_test_set(dataset_fn, num):
  """(images, labels) NumPy arrays of the first `num` elements of `dataset_fn(split="test")`."""
  batch = pipeline.take_numpy(dataset_fn(split="test"), num)
  return batch["image"], batch["label"].astype(np.int32)


def _test_set(ctx):
  """The run's labeled test split, `evaluate.num_test` examples, for an Lr/Li-VAE or cVAE-GAN model."""
  if getattr(ctx, "model", None) is None or not hasattr(ctx.model, "encode_parts"):
    raise ValueError("This metric needs an Lr/Li-VAE (or cVAE-GAN) run: its model splits codes into z_s, z_u.")
  return labeled_test_set(ctx.dataset_fn, ctx.num_test)


@gin.register(denylist=["ctx"])
def code_label_accuracy(ctx, classifier="logistic"):
  """`label_accuracies` on the test split: z_s should read the label, z_u should not."""
  return label_accuracies(ctx.model, *_test_set(ctx), ctx.rng("code_label"), classifier=classifier)


@gin.register(denylist=["ctx"])
def sample_diversity(ctx, num_per_class=20, max_pairs_per_class=100):
  """`class_sample_diversity` of `num_per_class` samples per class (seed: the evaluation's)."""
  if getattr(ctx, "model", None) is None or not hasattr(ctx.model, "sample"):
    raise ValueError("sample_diversity needs an Lr/Li-VAE (or cVAE-GAN) run: its model samples per class.")
  return class_sample_diversity(ctx.model, num_per_class, ctx.seed, max_pairs_per_class)


@gin.register(denylist=["ctx"])
def lrli_reconstruction(ctx):
  """RMSE / PSNR / SSIM of the test split's reconstructions (the label feeds the cVAE-GAN's decoder)."""
  images, labels = _test_set(ctx)
  return metrics.reconstruction_quality(reconstructions(ctx.model, images, labels), images)
