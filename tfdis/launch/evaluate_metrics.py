"""The metrics `evaluate` runs on ground-truth samples, each a gin-registered function `(ctx) -> dict`.

A suite names them by gin reference, as disentanglement_lib's `evaluation_fn = @mig`:

  evaluate.metrics = [@mig, @dci, @reconstruction]
  dci.num_train = 5000

The results of each go under its function's name in results.json. The families' own protocols live beside
their models (`tfdis.models.<family>.evaluation`); `KNOWN` collects every metric once, so that names given as
strings (`evaluate.metric_names = ["mig"]`) resolve to the same functions. `ctx` is the evaluation
`Context` of `tfdis.launch.evaluate_lib`: the sampler, the batched encode/decode functions, the model and the
sample sizes.
"""

import gin

from tfdis import metrics
from tfdis.launch import mddae_eval
from tfdis.models.lord import evaluation as lord_evaluation
from tfdis.models.lrli_vae import evaluation as lrli_evaluation
from tfdis.models.regularized_gan import evaluation as gan_evaluation

LOCALITY_PROPORTIONS = (0.1, 0.2, 0.3, 0.6, 1.0)


def _train_test(ctx, name, num_train=None, num_test=None):
  """(codes, factors) of a fit set and a test set (`evaluate.num_train` / `num_test` points by default)."""
  rng = ctx.rng(name)
  train = ctx.codes_and_factors(num_train or ctx.num_train, rng)
  return (*train, *ctx.codes_and_factors(num_test or ctx.num_test, rng))


@gin.register(denylist=["ctx"])
def mig(ctx, num_bins=20):
  """Mutual information gap (Chen et al. 2018) on `evaluate.num_train` points: {"mig"}."""
  return metrics.mig(*ctx.codes_and_factors(ctx.num_train, ctx.rng("mig")), num_bins=num_bins)


@gin.register(denylist=["ctx"])
def dci(ctx):
  """DCI disentanglement, completeness, informativeness (Eastwood & Williams 2018)."""
  return metrics.dci(*_train_test(ctx, "dci"))


@gin.register(denylist=["ctx"])
def sap(ctx, continuous_factors=False):
  """SAP score (Kumar et al. 2018): {"sap"}."""
  return metrics.sap(*_train_test(ctx, "sap"), continuous_factors=continuous_factors)


@gin.register(denylist=["ctx"])
def modularity(ctx, num_bins=20):
  """Modularity and explicitness (Ridgeway & Mozer 2018)."""
  return metrics.modularity_explicitness(*_train_test(ctx, "modularity"), num_bins=num_bins)


@gin.register(denylist=["ctx"])
def beta_vae_score(ctx, batch_size=64):
  """β-VAE score (Higgins et al. 2017): {"train_accuracy", "eval_accuracy"}."""
  return metrics.beta_vae_score(ctx.sampler, ctx.representation_fn, ctx.rng("beta_vae"),
                                num_train=ctx.num_train, num_eval=ctx.num_test, batch_size=batch_size)


@gin.register(denylist=["ctx"])
def factor_vae_score(ctx, batch_size=64):
  """FactorVAE score (Kim & Mnih 2018): {"train_accuracy", "eval_accuracy"}."""
  return metrics.factor_vae_score(ctx.sampler, ctx.representation_fn, ctx.rng("factor_vae"),
                                  num_train=ctx.num_train, num_eval=ctx.num_test, batch_size=batch_size)


def _local(fn, ctx, name, proportions):
  results = {}
  for proportion in proportions:
    scores = fn(ctx.sampler, ctx.representation_fn, ctx.rng(name), locality_proportion=proportion,
                num_points=ctx.num_train)
    results.update({f"{key}@{proportion}": value for key, value in scores.items()})
  return results


@gin.register(denylist=["ctx"])
def local_mig(ctx, proportions=LOCALITY_PROPORTIONS):
  """Local MIG (Rhodes & Lee 2021) at each locality proportion: {"local_mig@p"}."""
  return _local(metrics.local_mig, ctx, "local_mig", proportions)


@gin.register(denylist=["ctx"])
def local_modularity(ctx, proportions=LOCALITY_PROPORTIONS):
  """Local modularity (Rhodes & Lee 2021) at each locality proportion."""
  return _local(metrics.local_modularity, ctx, "local_modularity", proportions)


@gin.register(denylist=["ctx"])
def reconstruction(ctx):
  """RMSE, PSNR and SSIM of decode(encode(x)) on `evaluate.num_test` ground-truth images."""
  rng = ctx.rng("reconstruction")
  images = ctx.sampler.sample_observations_from_factors(ctx.sampler.sample_factors(ctx.num_test, rng), rng)
  return metrics.reconstruction_quality(ctx.decode_fn(ctx.representation_fn(images)), images)


@gin.register(denylist=["ctx"])
def attribute_svm(ctx, intensities=(0.5, 1.0, 1.5, 2.0), num_runs=5, pool=4):
  """mddAE case 2 (Song et al. 2020, Fig. 6): `mddae_eval.attribute_svm_metric`."""
  return mddae_eval.attribute_svm_metric(ctx, intensities, num_runs, pool)


@gin.register(denylist=["ctx"])
def class_swap(ctx, pool=2):
  """mddAE case 1: `mddae_eval.class_swap_metric` (swapped images read as their target class)."""
  return mddae_eval.class_swap_metric(ctx, pool)

KNOWN = (mig, dci, sap, modularity, beta_vae_score, factor_vae_score, local_mig, local_modularity,
         reconstruction, attribute_svm, class_swap, gan_evaluation.vp, gan_evaluation.factor_level,
         lord_evaluation.lord_leakage, lrli_evaluation.code_label_accuracy, lrli_evaluation.sample_diversity,
         lrli_evaluation.lrli_reconstruction)
