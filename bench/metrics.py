r"""Times the disentanglement metric suite on shapes2d for the identity and the noise representations.

    python -m bench.metrics            # disentanglement_lib sizes; DCI alone takes ~20 min on 2 CPU cores
    python -m bench.metrics --quick    # ~1-2 minutes: fewer points, DCI on fewer points and factors

The representations are the standard sanity pair, no trained model needed: "identity" (the code is the
ground-truth factor vector, as floats) and "noise" (independent N(0, 1) codes, as many dims as factors).
The identity should score near the top of every metric and noise near the bottom: these values are sanity
checks of the metrics, not results of a model. The β-VAE and FactorVAE scores sample observations
through a ground-truth sampler; for the identity their sampler is shapes2d's factor grid whose
observations are the factor vectors themselves (`FactorsAsObservations`), so the representation is exact
without rendering; `render` times what rendering the shapes2d images would add.
"""

import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # pylint: disable=g-import-not-at-top
from absl import flags  # pylint: disable=g-import-not-at-top
import numpy as np  # pylint: disable=g-import-not-at-top
from sklearn import exceptions  # pylint: disable=g-import-not-at-top

from tfdis import metrics  # pylint: disable=g-import-not-at-top
from tfdis.data import synthetic  # pylint: disable=g-import-not-at-top

_QUICK = flags.DEFINE_bool("quick", False, "~1-2 minute run: 2,000/1,000 points, DCI on 1,000/500 points "
                           "of the factors in --quick_dci_factors, sampled scores on 1,000/500 points.")
_NUM_TRAIN = flags.DEFINE_integer("num_train", 10_000, "training points (codes) of MIG, SAP, modularity, DCI.")
_NUM_TEST = flags.DEFINE_integer("num_test", 5_000, "test points of SAP, modularity/explicitness, DCI.")
_DCI_TRAIN = flags.DEFINE_integer("dci_train", None, "DCI training points (default: --num_train).")
_DCI_TEST = flags.DEFINE_integer("dci_test", None, "DCI test points (default: --num_test).")
_DCI_FACTORS = flags.DEFINE_list("dci_factors", None, "indices of the factors DCI predicts (default: all).")
_QUICK_DCI_FACTORS = flags.DEFINE_list("quick_dci_factors", ["0", "1"], "DCI factors with --quick "
                                       "(shape, scale: 3 + 6 classes).")
_SAMPLED_TRAIN = flags.DEFINE_integer("sampled_train", 10_000, "training points of β-VAE / FactorVAE.")
_SAMPLED_EVAL = flags.DEFINE_integer("sampled_eval", 5_000, "evaluation points of β-VAE / FactorVAE.")
_SEED = flags.DEFINE_integer("seed", 0, "seed of the factor draws and of the noise codes.")
_GENERATIVE = flags.DEFINE_integer("generative_images", 0, "if > 0, also time FID features, the Fréchet "
                                   "distance, LPIPS and PPL on this many shapes2d images / pairs / samples, "
                                   "with RANDOMLY INITIALISED networks: costs only, no values.")


class FactorsAsObservations:
  """shapes2d's ground-truth sampler whose observations are the factor vectors (float64) themselves."""

  def __init__(self, sampler):
    self.factor_sizes = sampler.factor_sizes
    self.factor_names = sampler.factor_names
    self.num_factors = sampler.num_factors
    self._sampler = sampler

  def sample_factors(self, num, rng):
    return self._sampler.sample_factors(num, rng)

  def sample_observations_from_factors(self, factors, rng):
    del rng
    return np.asarray(factors, np.float64)


def _timed(fn):
  """(fn(), wall seconds, CPU seconds of this process)."""
  wall, cpu = time.perf_counter(), time.process_time()
  result = fn()
  return result, time.perf_counter() - wall, time.process_time() - cpu


def _settings():
  quick = _QUICK.value
  num_train, num_test = (2_000, 1_000) if quick else (_NUM_TRAIN.value, _NUM_TEST.value)
  dci_factors = _QUICK_DCI_FACTORS.value if quick else _DCI_FACTORS.value
  return {
      "num_train": num_train, "num_test": num_test,
      "dci_train": _DCI_TRAIN.value or (1_000 if quick else num_train),
      "dci_test": _DCI_TEST.value or (500 if quick else num_test),
      "dci_factors": [int(f) for f in dci_factors] if dci_factors else None,
      "sampled_train": 1_000 if quick else _SAMPLED_TRAIN.value,
      "sampled_eval": 500 if quick else _SAMPLED_EVAL.value,
  }


def _array_metrics(codes_train, codes_test, factors_train, factors_test, settings):
  """(name, callable) of the metrics computed from code and factor arrays."""
  dci_columns = settings["dci_factors"] or list(range(factors_train.shape[1]))
  dci_train, dci_test = settings["dci_train"], settings["dci_test"]
  return [
      ("mig", lambda: metrics.mig(codes_train, factors_train)),
      ("sap", lambda: metrics.sap(codes_train, factors_train, codes_test, factors_test)),
      ("modularity_explicitness", lambda: metrics.modularity_explicitness(
          codes_train, factors_train, codes_test, factors_test)),
      ("dci", lambda: metrics.dci(codes_train[:dci_train], factors_train[:dci_train, dci_columns],
                                  codes_test[:dci_test], factors_test[:dci_test, dci_columns])),
  ]


def _sampled_metrics(sampler, representation_fn, seed, settings):
  sizes = dict(num_train=settings["sampled_train"], num_eval=settings["sampled_eval"])
  return [
      ("beta_vae_score", lambda: metrics.beta_vae_score(sampler, representation_fn,
                                                        np.random.default_rng(seed), **sizes)),
      ("factor_vae_score", lambda: metrics.factor_vae_score(sampler, representation_fn,
                                                            np.random.default_rng(seed), **sizes)),
  ]


def run(settings, seed):
  """Returns rows (metric, key, identity value, noise value, identity wall/CPU s, noise wall/CPU s)."""
  shapes = synthetic.Shapes2D()
  rng = np.random.default_rng(seed)
  factors_train = shapes.sample_factors(settings["num_train"], rng)
  factors_test = shapes.sample_factors(settings["num_test"], rng)
  _, render_wall, render_cpu = _timed(lambda: shapes.sample_observations_from_factors(factors_train))
  noise_rng = np.random.default_rng(seed + 1)
  codes = {
      "identity": (factors_train.astype(np.float64), factors_test.astype(np.float64)),
      "noise": (noise_rng.normal(size=factors_train.shape), noise_rng.normal(size=factors_test.shape)),
  }
  representation_fns = {
      "identity": lambda observations: np.asarray(observations, np.float64),
      "noise": lambda observations: noise_rng.normal(size=(len(observations), shapes.num_factors)),
  }
  results = {}  # (metric, representation) -> (scores, wall, cpu)
  sampler = FactorsAsObservations(shapes)
  for name in ("identity", "noise"):
    suite = (_array_metrics(*codes[name], factors_train, factors_test, settings)
             + _sampled_metrics(sampler, representation_fns[name], seed, settings))
    for metric, fn in suite:
      results[metric, name] = _timed(fn)
      print(f"  {metric:24s} {name:8s} {results[metric, name][1]:8.1f} s", flush=True)
  rows = [("render shapes2d images", f"{settings['num_train']:,} images", "", "", render_wall, render_cpu,
           None, None)]
  for metric in dict.fromkeys(metric for metric, _ in results):
    (ident, id_wall, id_cpu), (noise, no_wall, no_cpu) = results[metric, "identity"], results[metric, "noise"]
    for key in ident:
      first = key == next(iter(ident))
      rows.append((metric if first else "", key, ident[key], noise[key], id_wall if first else None,
                   id_cpu if first else None, no_wall if first else None, no_cpu if first else None))
  return rows


def _cell(value):
  if value is None or value == "":
    return ""
  return f"{value:.3f}" if isinstance(value, float) else str(value)


def _seconds(wall, cpu):
  return "" if wall is None else f"{wall:.1f} / {cpu:.1f}"


def format_table(rows):
  lines = ["| metric | key | identity | noise | identity s (wall / CPU) | noise s (wall / CPU) |",
           "|---|---|---|---|---|---|"]
  for metric, key, ident, noise, id_wall, id_cpu, no_wall, no_cpu in rows:
    lines.append(f"| {metric} | {key} | {_cell(ident)} | {_cell(noise)} | {_seconds(id_wall, id_cpu)} | "
                 f"{_seconds(no_wall, no_cpu)} |")
  return "\n".join(lines)


def _random_weight_files(folder, seed):
  """Random-weight InceptionV3 (no top) and VGG16 files and LPIPS linear layers: timing only."""
  import keras  # pylint: disable=g-import-not-at-top
  keras.utils.set_random_seed(seed)
  inception = os.path.join(folder, "inception_random.weights.h5")
  keras.applications.InceptionV3(weights=None, include_top=False, pooling="avg").save_weights(inception)
  vgg = os.path.join(folder, "vgg16_random.weights.h5")
  keras.applications.VGG16(weights=None, include_top=False, input_shape=(None, None, 3)).save_weights(vgg)
  linear = os.path.join(folder, "lpips_random.npz")
  rng = np.random.default_rng(seed)
  np.savez(linear, **{f"lin{i}": np.abs(rng.normal(size=c)) for i, c in enumerate((64, 128, 256, 512, 512))})
  return inception, vgg, linear


def generative_rows(num, seed):
  """(step, size, wall s, CPU s) of the pretrained-network metrics on random weights (costs only)."""
  import tempfile  # pylint: disable=g-import-not-at-top
  from tfdis.metrics import generative  # pylint: disable=g-import-not-at-top
  shapes = synthetic.Shapes2D()
  rng = np.random.default_rng(seed)
  images = shapes.sample_observations_from_factors(shapes.sample_factors(2 * num, rng))  # [2n, 64, 64, 1]
  projection = rng.normal(size=(10, 64 * 64)) / np.sqrt(10)
  generator = lambda z: (1 / (1 + np.exp(-np.asarray(z) @ projection))).reshape(-1, 64, 64, 1)
  with tempfile.TemporaryDirectory() as folder:
    inception, vgg, linear = _random_weight_files(folder, seed)
    features, wall, cpu = _timed(lambda: generative.inception_features(images, inception))
    rows = [("InceptionV3 pool3 features (299 px, incl. build + load)", f"{2 * num} images", wall, cpu)]
    for method in ("svd", "eigh", "sqrtm"):
      _, wall, cpu = _timed(lambda m=method: generative.frechet_distance_from_features(
          features[:num], features[num:], m))
      rows.append((f"Fréchet distance, method={method!r}", f"2 × {num} × 2048 features", wall, cpu))
    _, wall, cpu = _timed(lambda: metrics.lpips(images[:num], images[num:], vgg, linear))
    rows.append(("LPIPS-VGG (64 px, incl. build + load)", f"{num} pairs", wall, cpu))
    _, wall, cpu = _timed(lambda: metrics.perceptual_path_length(
        generator, 10, seed, num_samples=num, weights_path=vgg, linear_weights_path=linear))
    rows.append(("PPL, LPIPS at 256 px (OroJaR), 64 px generator", f"{num} samples", wall, cpu))
  return rows


def main(argv):
  del argv
  # lbfgs stops at disentanglement_lib's max_iter=100 on the unscaled identity codes; the scores stand.
  warnings.filterwarnings("ignore", category=exceptions.ConvergenceWarning)
  settings = _settings()
  print(f"shapes2d, factor sizes {synthetic.Shapes2D.factor_sizes}; settings: {settings}", flush=True)
  rows = run(settings, _SEED.value)
  dci_factors = settings["dci_factors"] or "all"
  print(f"\nDCI: default GradientBoostingClassifier on {settings['dci_train']:,}/{settings['dci_test']:,} "
        f"points, factors {dci_factors}. β-VAE / FactorVAE: {settings['sampled_train']:,}/"
        f"{settings['sampled_eval']:,} points of batch 64; identity = factors as observations (see "
        "FactorsAsObservations). Identity and noise values are sanity checks, not model results.\n")
  print(format_table(rows))
  if _GENERATIVE.value > 0:
    print("\nPretrained-network metrics with RANDOMLY INITIALISED weights (costs only; values meaningless):\n")
    print("| step | size | wall s | CPU s |\n|---|---|---|---|")
    for step, size, wall, cpu in generative_rows(_GENERATIVE.value, _SEED.value):
      print(f"| {step} | {size} | {wall:.1f} | {cpu:.1f} |", flush=True)


if __name__ == "__main__":
  app.run(main)
