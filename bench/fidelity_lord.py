r"""LORD against its Table-3 ablations on glyphs at a CPU budget: leakage and content-transfer error.

    python bench/fidelity_lord.py --quick    # ≈ 1 min: a smoke run
    python bench/fidelity_lord.py            # the recorded run (bench/BENCHMARKS.md)

Variants (Gabbay & Hoshen 2020, Table 3), each trained from the same indexed set of `--num_images` glyphs
(class = glyph class, 10; content = thickness, slant, width, x, y) with the same small networks:
  lord                 latent optimization, noise σ = 1 + decay 1e-3, stage 2 (encoders)
  no_regularization    content_noise = 0, content_decay = 0
  no_second_stage      stage 1 only: codes are the stage-1 embeddings of the training images
  amortized_kl         encoders from the start, class codes averaged per class in the batch, KL on content
Evaluation: leakage (`metrics.lord_leakage`, MLP classifier, chance beside): class from content codes
(y ← c) and the 5 content factors from class codes (y → c); content-transfer error (`metrics.
content_transfer_error`): mean L1 and 1 − SSIM of the transfer to the exact rendering of (class of a,
content of b). Every variant is scored on fresh held-out glyphs: by its encoders, or, for `no_second_stage`,
by test-time latent optimization of a class and a content code per image against the frozen generator
(`lord_inference.optimize_codes`, `--latent_steps` Adam steps), as the paper does.
The reconstruction loss is the L1 + MS-SSIM fallback (no VGG16 weights here). One seed.
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

from tfdis import metrics  # pylint: disable=g-import-not-at-top
from tfdis.data import indexed  # pylint: disable=g-import-not-at-top
from tfdis.data import synthetic  # pylint: disable=g-import-not-at-top
from tfdis.models.lord import evaluation as lord_eval  # pylint: disable=g-import-not-at-top
from tfdis.models.lord import model as lord_lib  # pylint: disable=g-import-not-at-top

flags.DEFINE_bool("quick", False, "A smoke run: few steps and points.")
flags.DEFINE_integer("num_images", 2000, "Indexed training images.")
flags.DEFINE_integer("stage1_steps", 500, "Stage-1 steps.")
flags.DEFINE_integer("stage2_steps", 250, "Stage-2 steps (variants with a second stage).")
flags.DEFINE_integer("batch_size", 32, "Batch size.")
flags.DEFINE_integer("num_eval", 1000, "Held-out images for leakage, and transfer pairs.")
flags.DEFINE_integer("latent_steps", 200, "Adam steps of the test-time latent optimization (no_second_stage).")
flags.DEFINE_string("out", "bench/results/fidelity_lord.json", "Where to write the results.")
FLAGS = flags.FLAGS

SHAPE = (32, 32, 1)
NETWORK = dict(class_dim=16, content_dim=8, adain_dim=32, encoder_width=16)
VARIANTS = {
    "lord": dict(second_stage=True),
    "no_regularization": dict(second_stage=True, content_noise=0.0, content_decay=0.0),
    "no_second_stage": dict(second_stage=False),
    "amortized_kl": dict(second_stage=False, amortized=True, content_kl=1.0, content_noise=0.0,
                         content_decay=0.0),
}


def train(settings, num_images, stage1_steps, stage2_steps, batch_size, seed=0):
  settings = dict(settings)
  steps = stage1_steps + (stage2_steps if settings.pop("second_stage") else 0)
  keras.utils.set_random_seed(seed)
  model = lord_lib.lord(SHAPE, num_classes=10, num_images=num_images, stage1_steps=stage1_steps, seed=seed,
                        train_steps=steps, **NETWORK, **settings)
  model.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.999))
  data = indexed.indexed(dataset_fn=synthetic.glyphs, num_images=num_images, seed=seed)
  model.fit(data.batch(batch_size, drop_remainder=True).prefetch(2), steps_per_epoch=steps, epochs=1, verbose=0)
  return model


def evaluate(name, model, num_eval, rng, latent_steps):
  inference = lord_eval.LATENT_OPTIMIZATION if name == "no_second_stage" else lord_eval.ENCODERS
  parts = lord_eval.parts_function(model, inference, latent_steps=latent_steps)
  sampler = synthetic.Glyphs()
  factors = sampler.sample_factors(num_eval, rng)
  class_codes, content_codes = parts(sampler.sample_observations_from_factors(factors))
  leak = metrics.lord_leakage(content_codes, class_codes, factors[:, 0], factors[:, 1:], rng)
  transfer = lambda x, y: np.asarray(model.decode(parts(x)[0], parts(y)[1]))  # noqa: E731
  errors = metrics.content_transfer_error(sampler, transfer, [0], rng, num_pairs=num_eval)
  scored_on = "held-out glyphs, " + ("latent optimization" if name == "no_second_stage" else "encoders")
  return {**leak, **{f"transfer_{k}": v for k, v in errors.items()}, "scored_on": scored_on}


def main(argv):
  del argv
  num_images, s1, s2, num_eval = ((200, 30, 20, 200) if FLAGS.quick else
                                  (FLAGS.num_images, FLAGS.stage1_steps, FLAGS.stage2_steps, FLAGS.num_eval))
  results = {"settings": {"num_images": num_images, "stage1_steps": s1, "stage2_steps": s2,
                          "batch_size": FLAGS.batch_size, "num_eval": num_eval, "network": NETWORK,
                          "reconstruction": "l1+dssim fallback", "latent_steps": FLAGS.latent_steps},
             "variants": {}}
  for name, settings in VARIANTS.items():
    start = time.perf_counter()
    model = train(settings, num_images, s1, s2, FLAGS.batch_size)
    trained = time.perf_counter() - start
    scores = evaluate(name, model, num_eval, np.random.default_rng(0), 20 if FLAGS.quick else FLAGS.latent_steps)
    results["variants"][name] = {**scores, "train_s": round(trained, 1),
                                 "eval_s": round(time.perf_counter() - start - trained, 1)}
    print(name, json.dumps(results["variants"][name]), flush=True)
  if not FLAGS.quick:
    os.makedirs(os.path.dirname(FLAGS.out), exist_ok=True)
    with open(FLAGS.out, "w") as f:
      json.dump(results, f, indent=2)
  keys = ["class_from_content", "class_from_content_chance", "content_from_class", "content_from_class_chance",
          "transfer_l1", "transfer_dssim", "transfer_l1_content_source"]
  print("| variant | " + " | ".join(keys) + " | scored on |")
  for name, row in results["variants"].items():
    print(f"| {name} | " + " | ".join(f"{row[k]:.3f}" for k in keys) + f" | {row['scored_on']} |")


if __name__ == "__main__":
  app.run(main)
