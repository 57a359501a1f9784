"""Generator metrics of the regularized GANs (Wei et al. 2021, OroJaR): `evaluate` metrics `(ctx) -> dict`.

A GAN has no encoder: both score the decoder (`ctx.decode_fn`, latents [n, d] -> images in [0, 1]).
"""

import gin

from tfdis import metrics


@gin.register(denylist=["ctx"])
def vp(ctx, num_pairs=10000, test_ratio=0.99, mode="diff", classifier="convnet", epochs=300, width=64):
  """VP score of the model's decoder/generator (OroJaR's protocol; defaults: the official dSprites setting)."""
  return metrics.variation_predictability(ctx.decode_fn, ctx.latent_dim, ctx.rng("vp"), num_pairs=num_pairs,
                                          test_ratio=test_ratio, mode=mode, classifier=classifier, epochs=epochs,
                                          width=width)


@gin.register(denylist=["ctx"])
def factor_level(ctx, epochs=5, width=32, num_train=None, architecture="strided"):
  """MIG/DCI between latents and the factors a classifier trained on real images reads off decoded ones.

  `num_train` real images train the classifier (None: `evaluate.num_train`); `evaluate.num_train` generated
  images are labelled for MIG/DCI. Real images are cheap to render: gin/metrics/gan.gin trains on 40,000.
  """
  return metrics.factor_level_scores(ctx.sampler, ctx.decode_fn, ctx.latent_dim, ctx.rng("factor_level"),
                                     num_train=num_train or ctx.num_train, num_test=ctx.num_test,
                                     num_generated=ctx.num_train, epochs=epochs, width=width,
                                     architecture=architecture)
