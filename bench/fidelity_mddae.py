r"""mddAE's five variants at a CPU budget: Table 1 (reconstruction), Fig. 6 (attribute SVM), case-1 swaps.

    python bench/fidelity_mddae.py --quick   # ≈ 3 min on 2 shared CPU cores: 20 steps per model (smoke test)
    python bench/fidelity_mddae.py           # ≈ 8 min: 200 steps per model on each dataset

The five variants (AE, disAE, disAE-XCov, mddAE-XCov, mddAE-dCov; `tfdis.models.mddae`) are trained from the
same initial weights (same seed, same architecture) on the same stream with the same budget, on
`attributes` (case 2, 64×64×3, α = 1) and `glyphs` (case 1, 32×32×1, α = 0), with the paper's β = 1, γ = 5,
Adam β1 = 0.5. The networks are narrower than the gin configs (CPU-sized; `--filters_*`). Then, on the test
split: RMSE / PSNR / SSIM of the reconstructions (Table 1's layout, mean ± std over images); on attributes,
the paper's SVM protocol (linear SVM per attribute on 4×4-pooled real images; error on test images lacking
the attribute, edited to each intensity); on glyphs, the fraction of class-swapped test images that a
linear classifier of real images reads as the target class.

The paper's claims: mddAE reconstructs as well as AE and better than disAE / disAE-XCov; the SVM error falls
as the intensity rises; dCov beats XCov. A few hundred CPU steps are far from the paper's training, so
these numbers show what this budget gives, not the paper's result.
"""

import json
import os
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app  # pylint: disable=g-import-not-at-top
from absl import flags  # pylint: disable=g-import-not-at-top
import keras  # pylint: disable=g-import-not-at-top
import numpy as np  # pylint: disable=g-import-not-at-top
import tensorflow as tf  # pylint: disable=g-import-not-at-top

from tfdis import metrics  # pylint: disable=g-import-not-at-top
from tfdis import visualize  # pylint: disable=g-import-not-at-top
from tfdis.data import synthetic  # pylint: disable=g-import-not-at-top
from tfdis.launch import evaluate_lib  # pylint: disable=g-import-not-at-top
from tfdis.models.mddae import evaluation as mddae_eval  # pylint: disable=g-import-not-at-top
from tfdis.models.mddae import model as mddae_lib  # pylint: disable=g-import-not-at-top

VARIANTS = ("ae", "disae", "disae_xcov", "mddae_xcov", "mddae_dcov")
LABELS = {"ae": "AE", "disae": "disAE", "disae_xcov": "disAE-XCov", "mddae_xcov": "mddAE-XCov",
          "mddae_dcov": "mddAE-dCov"}

_QUICK = flags.DEFINE_bool("quick", False, "≈ 3 min: 20 steps, 200 test images, 400 real images, 1 SVM run.")
_STEPS = flags.DEFINE_integer("steps", 200, "training steps per model and dataset.")
_BATCH_A = flags.DEFINE_integer("batch_attributes", 32, "batch size on attributes (paper, CelebA: 128).")
_BATCH_G = flags.DEFINE_integer("batch_glyphs", 64, "batch size on glyphs (paper, MNIST: 100).")
_FILTERS_A = flags.DEFINE_list("filters_attributes", ["16", "32", "64", "128"], "conv filters, attributes.")
_FILTERS_G = flags.DEFINE_list("filters_glyphs", ["16", "32", "64"], "conv filters, glyphs.")
_LATENT_A = flags.DEFINE_integer("latent_attributes", 32, "size of z on attributes.")
_LATENT_G = flags.DEFINE_integer("latent_glyphs", 8, "size of z on glyphs.")
_LR = flags.DEFINE_float("learning_rate", 5e-4, "Adam learning rate (paper 1e-4; larger for the short budget).")
_SEED = flags.DEFINE_integer("seed", 0, "seed of the weights and of the data stream.")
_REDUCTION = flags.DEFINE_enum("pixel_reduction", "mean", ["mean", "sum"],
                               "squared error over pixels: per-pixel mean (default) or sum (eq. 2 as written).")
_TEST = flags.DEFINE_integer("num_test", 500, "test images evaluated.")
_REAL = flags.DEFINE_integer("num_real", 1000, "real training images the classifiers learn from.")
_RUNS = flags.DEFINE_integer("num_runs", 2, "SVM runs averaged (paper: 5).")
_INTENSITIES = flags.DEFINE_list("intensities", ["0.25", "0.5", "1.0", "1.5", "2.0"], "edit intensities.")
_SVM_VARIANTS = flags.DEFINE_list("svm_variants", list(VARIANTS), "variants given the SVM protocol.")
_PICTURES = flags.DEFINE_string("picture_dir", None, "optional folder for analogy / sweep PNGs.")
_OUT = flags.DEFINE_string("out", None, "optional JSON file for the results.")


def _settings():
  if _QUICK.value:
    return dict(steps=20, test=200, real=400, runs=1)
  return dict(steps=_STEPS.value, test=_TEST.value, real=_REAL.value, runs=_RUNS.value)


def _take(dataset, n, keys):
  batch = next(iter(dataset.batch(n).take(1)))
  return {k: batch[k].numpy() for k in keys}


def _train(name, variant, settings):
  """A model of `variant` trained on dataset `name`; same seed → same initial weights for every variant."""
  attributes = name == "attributes"
  keras.utils.set_random_seed(_SEED.value)
  model = mddae_lib.mddae(
      (64, 64, 3) if attributes else (32, 32, 1), 10, targets="attributes" if attributes else "classes",
      variant=variant, latent_dim=_LATENT_A.value if attributes else _LATENT_G.value,
      alpha=1.0 if attributes else 0.0, beta=1.0, gamma=5.0, pixel_reduction=_REDUCTION.value,
      filters=tuple(int(f) for f in (_FILTERS_A.value if attributes else _FILTERS_G.value)))
  model.compile(optimizer=keras.optimizers.Adam(_LR.value, beta_1=0.5))
  batch = _BATCH_A.value if attributes else _BATCH_G.value
  data = synthetic.DATASETS[name](split="train", seed=_SEED.value).batch(batch, drop_remainder=True)
  start = time.perf_counter()
  history = model.fit(data.prefetch(2), steps_per_epoch=settings["steps"], epochs=1, verbose=0)
  elapsed = time.perf_counter() - start
  return model, {k: float(v[-1]) for k, v in history.history.items()}, elapsed


def _evaluate(name, model, settings, svm):
  test = _take(synthetic.DATASETS[name](split="test"), settings["test"], ["image", "label", "attributes"]
               if name == "attributes" else ["image", "label"])
  real = _take(synthetic.DATASETS[name](split="train", seed=_SEED.value + 1000), settings["real"],
               list(test))
  encode, decode = evaluate_lib.batched(model.encode), evaluate_lib.batched(model.decode)
  result = metrics.reconstruction_quality(np.clip(decode(encode(test["image"])), 0.0, 1.0), test["image"],
                                          with_std=True)
  if name == "attributes" and svm:
    result.update(mddae_eval.attribute_svm_errors(
        encode, decode, real["image"], real["attributes"] > 0.5, test["image"], test["attributes"] > 0.5,
        [float(i) for i in _INTENSITIES.value], rng=_SEED.value, num_runs=settings["runs"], pool=4,
        attribute_names=synthetic.Attributes.attribute_names))
  if name == "glyphs":
    result.update(mddae_eval.class_swap_accuracy(encode, decode, real["image"], real["label"], test["image"],
                                                 test["label"], 10, pool=2, seed=_SEED.value))
  return result, test["image"][:4]


def _save_pictures(name, variant, model, images):
  if not _PICTURES.value:
    return
  os.makedirs(_PICTURES.value, exist_ok=True)
  pictures = model.summary_images(tf.constant(images))
  key = "analogies" if name == "glyphs" else "intensity_sweep"
  visualize.save_png(visualize.tile(np.asarray(pictures[key])),
                     os.path.join(_PICTURES.value, f"{name}_{variant}_{key}.png"))


def _print_tables(results):
  for name in results:
    print(f"\n{name}: reconstruction on the test split (Table 1 layout), and training cost")
    print(f"  {'model':<12} {'RMSE':>16} {'PSNR':>16} {'SSIM':>16} {'extra':>22} {'s/step':>7}")
    for variant, r in results[name].items():
      extra = f"swap acc {r['swap_accuracy']:.3f}" if "swap_accuracy" in r else ""
      print(f"  {LABELS[variant]:<12} {r['rmse']:.4f} ± {r['rmse_std']:.4f}  {r['psnr']:7.3f} ± "
            f"{r['psnr_std']:5.3f}  {r['ssim']:.4f} ± {r['ssim_std']:.4f} {extra:>22} {r['s_per_step']:7.3f}")
  if "attributes" in results:
    intensities = [f"{float(i):g}" for i in _INTENSITIES.value]
    print("\nattributes: SVM error on edited test images per intensity (Fig. 6 layout; mean of 10 attributes)")
    print(f"  {'model':<12} " + " ".join(f"{i:>7}" for i in intensities) + f" {'real':>7}")
    for variant, r in results["attributes"].items():
      if "real_error" in r:
        print(f"  {LABELS[variant]:<12} " + " ".join(f"{r[f'error_{i}']:7.3f}" for i in intensities)
              + f" {r['real_error']:7.3f}")
    for variant in ("mddae_xcov", "mddae_dcov"):
      r = results["attributes"].get(variant, {})
      if "real_error" in r:
        print(f"  {LABELS[variant]} per attribute at {intensities[-1]}: " + ", ".join(
            f"{n} {r[f'error_{intensities[-1]}_{n}']:.2f}" for n in synthetic.Attributes.attribute_names))


def main(argv):
  del argv
  warnings.filterwarnings("ignore", message="Liblinear failed to converge")  # short SVM fits, reported as is
  settings = _settings()
  print(f"settings: {settings}, seed {_SEED.value}, lr {_LR.value}, batches attributes {_BATCH_A.value} / "
        f"glyphs {_BATCH_G.value}, squared error {_REDUCTION.value} over pixels")
  results, start = {}, time.perf_counter()
  for name in ("attributes", "glyphs"):
    results[name] = {}
    for variant in VARIANTS:
      model, losses, elapsed = _train(name, variant, settings)
      evaluation, images = _evaluate(name, model, settings, variant in _SVM_VARIANTS.value)
      results[name][variant] = dict(evaluation, final_losses=losses, s_per_step=elapsed / settings["steps"])
      _save_pictures(name, variant, model, images)
      print(f"  {name} {LABELS[variant]}: trained {elapsed:.0f} s, losses {losses}", flush=True)
  _print_tables(results)
  print(f"\ntotal {time.perf_counter() - start:.0f} s")
  if _OUT.value:
    with open(_OUT.value, "w") as f:
      json.dump({"settings": dict(settings, pixel_reduction=_REDUCTION.value), "results": results}, f, indent=2)


if __name__ == "__main__":
  app.run(main)
