"""LORD's evaluation (Gabbay & Hoshen 2020, Tables 1-3): leakage and content transfer on ground-truth images,
the `evaluate` metric `lord_leakage` (`evaluate.metrics = [@lord_leakage]`).

The codes of the evaluated images come from the stage-2 encoders, or, for a model trained in stage 1 only
(Table 3's "w/o second stage"), from test-time latent optimization against the frozen generator
(`tfdis.models.lord.inference`), as the paper does; never from the training embeddings, which only exist
for training images.
"""

import gin
import numpy as np
import tensorflow as tf

from tfdis import metrics
from tfdis.models.lord import inference as lord_inference

ENCODERS, LATENT_OPTIMIZATION = "encoders", "latent_optimization"
INFERENCES = ("auto", ENCODERS, LATENT_OPTIMIZATION)


def resolve_inference(model, inference, step):
  """`inference`, with "auto" resolved: latent optimization if the run ended in stage 1 (step ≤ stage1_steps)."""
  if inference not in INFERENCES:
    raise ValueError(f"Unknown LORD inference {inference!r}: use one of {INFERENCES}.")
  if inference != "auto":
    return inference
  if step is None:
    raise ValueError("lord_leakage.inference = 'auto' needs the checkpoint's step: pass "
                     "'encoders' or 'latent_optimization'.")
  return LATENT_OPTIMIZATION if step <= model.stage1_steps else ENCODERS


def parts_function(model, inference, latent_steps=200, latent_learning_rate=0.01):
  """NumPy function images [n, h, w, c] -> (class codes [n, Dy], content codes [n, Dc]) by `inference`."""
  if inference == LATENT_OPTIMIZATION:
    return lambda images: lord_inference.optimize_codes(model, images, latent_steps, latent_learning_rate)

  def encoded(images):
    parts = [model.encode_parts(tf.constant(images[i:i + 256], tf.float32)) for i in range(0, len(images), 256)]
    return tuple(np.concatenate([np.asarray(p[k]) for p in parts]) for k in (0, 1))

  return encoded


@gin.register(denylist=["ctx"])
def lord_leakage(ctx, class_factors=(0,), classifier="mlp", inference="auto", latent_steps=200,
                 latent_learning_rate=0.01):
  """LORD's leakage (Table 2: y ← c, y → c, chance beside) and content-transfer error on ground-truth images.

  Content labels are the non-class factors; the transfer target is rendered from the class factors of one
  image and the other factors of the other (`metrics.content_transfer_error`). Needs a LORD model.

  Args:
    ctx: the evaluation `Context` (sampler, model, checkpoint step, sample sizes).
    class_factors: the factors that make the class.
    classifier: "mlp" or "logistic" (`metrics.lord_leakage`).
    inference: "encoders", "latent_optimization", or "auto" (the encoders after stage 2, else latent
      optimization).
    latent_steps, latent_learning_rate: Adam steps and rate of the latent optimization.

  Returns:
    The leakage and "transfer_*" values, and "latent_optimization_steps" (0 when the encoders inferred).
  """
  model = ctx.model
  if not hasattr(model, "encode_class"):
    raise ValueError("The lord_leakage metric needs a model with encode_class/encode_content (a LORD run).")
  inference = resolve_inference(model, inference, getattr(ctx, "step", None))
  parts = parts_function(model, inference, latent_steps, latent_learning_rate)
  rng = ctx.rng("lord")  # the stream of the metric's former name "lord": the same numbers as before
  factors = ctx.sampler.sample_factors(ctx.num_train, rng)
  class_codes, content_codes = parts(ctx.sampler.sample_observations_from_factors(factors, rng))
  content = [k for k in range(factors.shape[1]) if k not in class_factors]
  class_labels = np.ravel_multi_index(factors[:, list(class_factors)].T,
                                      [ctx.sampler.factor_sizes[k] for k in class_factors])
  results = metrics.lord_leakage(content_codes, class_codes, class_labels, factors[:, content], rng,
                                 classifier=classifier)

  def transfer(class_images, content_images):
    return np.asarray(model.decode(tf.constant(parts(class_images)[0]), tf.constant(parts(content_images)[1])))

  errors = metrics.content_transfer_error(ctx.sampler, transfer, class_factors, rng, num_pairs=ctx.num_test)
  return {**results, **{f"transfer_{key}": value for key, value in errors.items()},
          "latent_optimization_steps": latent_steps if inference == LATENT_OPTIMIZATION else 0}
