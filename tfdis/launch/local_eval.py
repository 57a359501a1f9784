"""`evaluate` adapter "local_scores": local MIG and local modularity at chosen locality proportions.

The "local_mig" / "local_modularity" adapters of `evaluate_lib` score five proportions (0.1 … 1.0) on 20
clusters each, which costs minutes a run; a study that reads only p = 0.1 and 0.3 (JL1-VAE's Figs. 4-5)
binds `local_scores.proportions` and `local_scores.num_clusters` instead. Keys are those of the two
adapters ("local_mig@0.1", "local_modularity_std@0.3", ...) under the metric name "local_scores".
"""

import gin

from tfdis import metrics


@gin.configurable(denylist=["ctx"])
def local_scores(ctx, proportions=(0.1, 0.3), num_clusters=20):
  """Local MIG and modularity (Rhodes & Lee 2021) at each of `proportions`, `ctx.num_train` points a cluster.

  Args:
    ctx: the evaluation `Context` (sampler, representation, seed, sample sizes).
    proportions: locality proportions in (0, 1].
    num_clusters: clusters (centroids) averaged over, per proportion and metric.

  Returns:
    {"local_mig@p", "local_mig_std@p", ..., "local_modularity@p", ...} for each p.
  """
  if not proportions or any(not 0 < p <= 1 for p in proportions):
    raise ValueError(f"local_scores.proportions must be a non-empty list of values in (0, 1], got "
                     f"{proportions!r}.")
  results = {}
  for name, fn in (("local_mig", metrics.local_mig), ("local_modularity", metrics.local_modularity)):
    rng = ctx.rng(name)
    for proportion in proportions:
      scores = fn(ctx.sampler, ctx.representation_fn, rng, locality_proportion=proportion,
                  num_clusters=num_clusters, num_points=ctx.num_train)
      results.update({f"{key}@{proportion}": value for key, value in scores.items()})
  return results


ADAPTERS = {"local_scores": local_scores}
