r"""Lr/Li-VAE against the cVAE-GAN baseline at a CPU budget: the 2-D toy (paper sec. 4.1) and glyphs.

    python bench/fidelity_lrli_vae.py --quick    # ≈ 2 min on 2 CPU cores
    python bench/fidelity_lrli_vae.py            # ≈ 6–8 min: the recorded run (bench/BENCHMARKS.md)

1. Toy (`moons`, three noisy half circles; x label relevant, y irrelevant), MLPs of the paper's sizes
   (encoders and discriminator 32-64-64), 1-D z_s and z_u, Adam 5e-4 β = (0, 0.9). Both models are
   trained from the same stream for the same number of steps; then `--toy_samples` class-conditional samples
   per class are compared with real points: per class, the standard deviation of the label-irrelevant y and
   of the label-relevant x, and the 1-D Wasserstein distance of generated to real y. A PNG scatter plot
   (real | Lr/Li-VAE | cVAE-GAN, colour = class) is written to `--plot`.
2. Glyphs (10 classes, 32x32x1): label accuracy of z_s and z_u (logistic regression, held-out split) beside
   the chance level, intra-class diversity (1 − MS-SSIM) of class-conditional samples beside that of real
   images, and reconstruction RMSE/PSNR/SSIM on test images.

The paper trains 320k iterations at batch 96 on GPUs with VGG encoders; these numbers show the pipeline end
to end and the direction of the effects at a few hundred to a few thousand steps, one seed.
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app  # pylint: disable=g-import-not-at-top
from absl import flags  # pylint: disable=g-import-not-at-top
import keras  # pylint: disable=g-import-not-at-top
import numpy as np  # pylint: disable=g-import-not-at-top
from scipy import stats  # pylint: disable=g-import-not-at-top
import tensorflow as tf  # pylint: disable=g-import-not-at-top

from tfdis import metrics  # pylint: disable=g-import-not-at-top
from tfdis.data import adapters  # pylint: disable=g-import-not-at-top
from tfdis.data import synthetic  # pylint: disable=g-import-not-at-top
from tfdis.models.lrli_vae import evaluation as lrli_eval  # pylint: disable=g-import-not-at-top
from tfdis.models.cvae_gan import model as cvae_gan  # pylint: disable=g-import-not-at-top
from tfdis.models.lrli_vae import model as lrli_vae  # pylint: disable=g-import-not-at-top

_QUICK = flags.DEFINE_bool("quick", False, "≈ 2 min: 600 toy steps, 60 glyph steps, small evaluation.")
_TOY_STEPS = flags.DEFINE_integer("toy_steps", 3000, "training steps per model on the toy (batch 64).")
_TOY_SAMPLES = flags.DEFINE_integer("toy_samples", 500, "generated points per class on the toy.")
_STEPS = flags.DEFINE_integer("steps", 400, "training steps per model on glyphs.")
_BATCH = flags.DEFINE_integer("batch_size", 32, "glyphs batch size.")
_DIMS = flags.DEFINE_integer("code_dim", 16, "d_s = d_u on glyphs (the baseline's z has d_u).")
_TEST = flags.DEFINE_integer("num_test", 1000, "glyph test images for accuracy and reconstruction.")
_PER_CLASS = flags.DEFINE_integer("samples_per_class", 30, "samples per class for the diversity.")
_SEED = flags.DEFINE_integer("seed", 0, "seed of weights, streams and noise.")
_PLOT = flags.DEFINE_string("plot", "/tmp/lrli_vae_toy.png", "PNG of the toy scatter plot.")
_OUT = flags.DEFINE_string("out", None, "optional JSON file for the results.")

COLOURS = np.array([[0.1, 0.6, 0.1], [0.85, 0.1, 0.1], [0.1, 0.2, 0.85]])


def _compile(model):
  model.compile(optimizer=keras.optimizers.Adam(5e-4, beta_1=0.0, beta_2=0.9))
  return model


def _fit(model, dataset, steps, batch):
  data = dataset.batch(batch, drop_remainder=True).prefetch(2)
  start = time.perf_counter()
  logs = model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0).history
  return {"train_s": round(time.perf_counter() - start, 1), **{k: float(v[-1]) for k, v in logs.items()}}


def _scatter(panels, extent=(-4.0, 4.0, -1.0, 2.0), size=(300, 180)):
  """Side-by-side scatter plots [(points [n, 2], labels [n])] as one uint8 RGB image (no matplotlib here)."""
  width, height = size
  images = []
  for points, labels in panels:
    canvas = np.ones((height, width, 3))
    cols = ((points[:, 0] - extent[0]) / (extent[1] - extent[0]) * (width - 1)).round().astype(int)
    rows = ((extent[3] - points[:, 1]) / (extent[3] - extent[2]) * (height - 1)).round().astype(int)
    for r, c, k in zip(rows, cols, labels):
      if 1 <= r < height - 1 and 1 <= c < width - 1:
        canvas[r - 1:r + 2, c - 1:c + 2] = COLOURS[k]
    canvas[[0, -1], :] = 0  # frame
    canvas[:, [0, -1]] = 0
    images.append(canvas)
  return (np.concatenate(images, axis=1) * 255).astype(np.uint8)


def _toy_stats(points, labels, real_points, real_labels):
  out = {}
  for k in range(3):
    gen, real = points[labels == k], real_points[real_labels == k]
    out[f"class{k}"] = {"std_y": float(gen[:, 1].std()), "real_std_y": float(real[:, 1].std()),
                        "std_x": float(gen[:, 0].std()), "real_std_x": float(real[:, 0].std()),
                        "wasserstein_y": float(stats.wasserstein_distance(gen[:, 1], real[:, 1])),
                        "wasserstein_x": float(stats.wasserstein_distance(gen[:, 0], real[:, 0]))}
  for key in ("std_y", "wasserstein_y", "wasserstein_x"):
    out[f"mean_{key}"] = float(np.mean([out[f"class{k}"][key] for k in range(3)]))
  return out


def toy(steps, num_samples, seed, plot):
  """Trains both models on `moons`; returns their sample statistics and writes the scatter PNG."""
  dataset = adapters.points_as_images(dataset_fn=synthetic.moons, seed=seed)
  real = next(iter(synthetic.moons(split="test").batch(3 * num_samples)))
  real_points, real_labels = real["point"].numpy(), real["label"].numpy()
  results, panels = {}, [(real_points, real_labels)]
  labels = np.repeat(np.arange(3), num_samples).astype(np.int32)
  for name, build in (("lrli_vae", lambda: lrli_vae.lrli_vae((2,), num_classes=3, relevant_dim=1,
                                                               irrelevant_dim=1, seed=seed)),
                      ("cvae_gan", lambda: cvae_gan.cvae_gan((2,), num_classes=3, irrelevant_dim=1, seed=seed))):
    keras.utils.set_random_seed(seed)
    model = _compile(build())
    train = _fit(model, dataset, steps, 64)
    noise = tf.random.stateless_normal([len(labels), model.latent_dim], seed=[seed, 3])
    points = model.sample(tf.constant(labels), noise).numpy()
    results[name] = {"train": train, **_toy_stats(points, labels, real_points, real_labels)}
    panels.append((points, labels))
  tf.io.write_file(plot, tf.io.encode_png(_scatter(panels)))
  results["plot"] = plot
  return results


def glyphs(steps, batch, code_dim, num_test, per_class, seed):
  """Trains both models on glyphs; returns label accuracies, diversity and reconstruction quality."""
  dataset = synthetic.glyphs(split="train", seed=seed)
  images, labels = lrli_eval.labeled_test_set(synthetic.glyphs, num_test)
  real_diversity = metrics.intra_class_diversity(images[:per_class * 10], labels[:per_class * 10],
                                                 max_pairs_per_class=100, rng=seed)
  results = {"real_intra_class_diversity": real_diversity["intra_class_diversity"]}
  for name, build in (("lrli_vae", lambda: lrli_vae.lrli_vae((32, 32, 1), num_classes=10, relevant_dim=code_dim,
                                                               irrelevant_dim=code_dim, seed=seed)),
                      ("cvae_gan", lambda: cvae_gan.cvae_gan((32, 32, 1), num_classes=10, irrelevant_dim=code_dim,
                                                             seed=seed))):
    keras.utils.set_random_seed(seed)
    model = _compile(build())
    train = _fit(model, dataset, steps, batch)
    results[name] = {"train": train,
                     **lrli_eval.label_accuracies(model, images, labels, seed),
                     **lrli_eval.class_sample_diversity(model, per_class, seed),
                     **metrics.reconstruction_quality(lrli_eval.reconstructions(model, images, labels), images)}
  return results


def main(argv):
  del argv
  quick = _QUICK.value
  start = time.perf_counter()
  results = {"toy": toy(600 if quick else _TOY_STEPS.value, 200 if quick else _TOY_SAMPLES.value, _SEED.value,
                        _PLOT.value)}
  print(json.dumps(results["toy"], indent=1), flush=True)
  results["glyphs"] = glyphs(60 if quick else _STEPS.value, _BATCH.value, _DIMS.value,
                             300 if quick else _TEST.value, 10 if quick else _PER_CLASS.value, _SEED.value)
  results["wall_s"] = round(time.perf_counter() - start, 1)
  print(json.dumps(results["glyphs"], indent=1))
  print("wall_s", results["wall_s"])
  if _OUT.value:
    with open(_OUT.value, "w") as f:
      json.dump(results, f, indent=1)


if __name__ == "__main__":
  app.run(main)
