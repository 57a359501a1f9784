"""mddAE evaluation beyond the paper's: does a class swap keep the style, and does z carry the class?

- `style_preservation` ("mddae_style"): each test image is swapped to one other class (drawn at random); a
  ridge regression of real images' style factors (every factor but the class) reads the swapped image's
  style, scored by R² against the source's true style (`tfdis.metrics.style_preservation`). Beside it,
  "style_r2_reconstruction": the same score of plain reconstructions, which separates what the swap loses
  from what the autoencoder's blur already costs the regression (it is fitted on sharp real images).
- `style_code_class` ("style_code_class"): a logistic-regression probe predicts the class from the style
  code z alone (the code after ŷ) on held-out images; a disentangled z scores near chance (beside it). It
  does not saturate on glyphs the way a real-image classifier does: its target is the floor, not the ceiling.

Both assume the mddAE code layout [ŷ (C classes), z] and a sampler whose factor 0 is the class (glyphs).
"""

import numpy as np
import tensorflow as tf

from tfdis import editing
from tfdis import metrics
from tfdis.launch import mddae_eval

CLASS_FACTOR = 0


def swap_to_random_class(encode_fn, decode_fn, images, labels, num_classes, rng):
  """Decodes each image with ŷ swapped to one other class, uniformly drawn: (images, target classes)."""
  labels = np.asarray(labels)
  targets = (labels + 1 + rng.randint(num_classes - 1, size=len(labels))) % num_classes
  codes = np.asarray(encode_fn(np.asarray(images, np.float32)))
  soft, z = codes[:, :num_classes], codes[:, num_classes:]
  swapped = editing.swap_class(tf.constant(soft, tf.float32), tf.constant(targets, tf.int32)).numpy()
  return np.asarray(decode_fn(np.concatenate([swapped, z], axis=1))), targets


def _ground_truth(ctx, n, rng):
  factors = ctx.sampler.sample_factors(n, rng)
  return ctx.sampler.sample_observations_from_factors(factors, rng), np.asarray(factors)


def _num_classes(ctx):
  if getattr(ctx.sampler, "factor_names", (None,))[CLASS_FACTOR] != "class":
    raise ValueError("mddae_style and style_code_class need a sampler whose factor 0 is the class, such as "
                     "glyphs (gin/datasets/glyphs.gin).")
  return int(ctx.sampler.factor_sizes[CLASS_FACTOR])


def style_preservation_metric(ctx, pool=4):
  """`evaluate` adapter "mddae_style": style R² of class-swapped (and of reconstructed) test images."""
  num_classes = _num_classes(ctx)
  rng = ctx.rng("mddae_style")
  real, real_factors = _ground_truth(ctx, ctx.num_train, rng)
  test, test_factors = _ground_truth(ctx, ctx.num_test, rng)
  swapped, _ = swap_to_random_class(ctx.representation_fn, ctx.decode_fn, test, test_factors[:, CLASS_FACTOR],
                                    num_classes, rng)
  reconstructed = np.asarray(ctx.decode_fn(np.asarray(ctx.representation_fn(test))))
  style = [k for k in range(real_factors.shape[1]) if k != CLASS_FACTOR]
  names = [ctx.sampler.factor_names[k] for k in style]
  reference = (mddae_eval.features(real, pool), real_factors[:, style], mddae_eval.features(test, pool),
               test_factors[:, style])
  result = metrics.style_preservation(*reference, mddae_eval.features(swapped, pool), test_factors[:, style],
                                      names)
  unswapped = metrics.style_preservation(*reference, mddae_eval.features(reconstructed, pool),
                                         test_factors[:, style], names)
  return {**result, "style_r2_reconstruction": unswapped["style_r2"]}


def style_code_class_metric(ctx):
  """`evaluate` adapter "style_code_class": held-out accuracy of the class read from z, chance beside."""
  num_classes = _num_classes(ctx)
  rng = ctx.rng("style_code_class")
  images, factors = _ground_truth(ctx, ctx.num_train, rng)
  z = np.asarray(ctx.representation_fn(images))[:, num_classes:]
  if z.shape[1] == 0:
    raise ValueError("style_code_class needs codes [ŷ, z] with a non-empty z (mddAE's layout).")
  return metrics.leakage(z, factors[:, CLASS_FACTOR], rng, classifier="logistic")


ADAPTERS = {"mddae_style": style_preservation_metric, "style_code_class": style_code_class_metric}
