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
from tfdis.models.lord import evaluation as lord_evaluation
from tfdis.models.lrli_vae import evaluation as lrli_evaluation
from tfdis.models.mddae import evaluation as mddae_evaluation
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


def _local(ctx, fns, proportions, num_clusters):
  """{"<key>@<p>"} of each local metric in `fns` ({name: fn}) at each proportion, one draw stream per metric."""
  if not proportions or any(not 0 < p <= 1 for p in proportions):
    raise ValueError(f"proportions must be a non-empty list of values in (0, 1] (local_mig.proportions, "
                     f"local_modularity.proportions, local_scores.proportions), got {proportions!r}.")
  results = {}
  for name, fn in fns.items():
    rng = ctx.rng(name)
    for proportion in proportions:
      scores = fn(ctx.sampler, ctx.representation_fn, rng, locality_proportion=proportion,
                  num_clusters=num_clusters, num_points=ctx.num_train)
      results.update({f"{key}@{proportion}": value for key, value in scores.items()})
  return results


@gin.register(denylist=["ctx"])
def local_mig(ctx, proportions=LOCALITY_PROPORTIONS, num_clusters=20):
  """Local MIG (Rhodes & Lee 2021) at each locality proportion, `evaluate.num_train` points a cluster."""
  return _local(ctx, {"local_mig": metrics.local_mig}, proportions, num_clusters)


@gin.register(denylist=["ctx"])
def local_modularity(ctx, proportions=LOCALITY_PROPORTIONS, num_clusters=20):
  """Local modularity (Rhodes & Lee 2021) at each locality proportion."""
  return _local(ctx, {"local_modularity": metrics.local_modularity}, proportions, num_clusters)


@gin.register(denylist=["ctx"])
def local_scores(ctx, proportions=(0.1, 0.3), num_clusters=20):
  """Local MIG and local modularity together at a study's few proportions (JL1-VAE's Figs. 4-5: 0.1, 0.3).

  Each at five proportions costs minutes a run; a study binds `local_scores.proportions` and
  `local_scores.num_clusters` instead. Keys: "local_mig@0.1", "local_modularity_std@0.3", ...
  """
  return _local(ctx, {"local_mig": metrics.local_mig, "local_modularity": metrics.local_modularity},
                proportions, num_clusters)


@gin.register(denylist=["ctx"])
def reconstruction(ctx):
  """RMSE, PSNR and SSIM of decode(encode(x)) on `evaluate.num_test` ground-truth images."""
  rng = ctx.rng("reconstruction")
  images = ctx.sampler.sample_observations_from_factors(ctx.sampler.sample_factors(ctx.num_test, rng), rng)
  return metrics.reconstruction_quality(ctx.decode_fn(ctx.representation_fn(images)), images)


KNOWN = (mig, dci, sap, modularity, beta_vae_score, factor_vae_score, local_mig, local_modularity, local_scores,
         reconstruction, mddae_evaluation.attribute_svm, mddae_evaluation.class_swap, mddae_evaluation.mddae_style,
         mddae_evaluation.style_code_class, gan_evaluation.vp, gan_evaluation.factor_level,
         lord_evaluation.lord_leakage, lrli_evaluation.code_label_accuracy, lrli_evaluation.sample_diversity,
         lrli_evaluation.lrli_reconstruction)
