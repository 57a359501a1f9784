"""Style preservation of edited images: are the source's style factors still readable after an edit?

mddAE (Song et al. 2020) claims a class swap changes the class and keeps the style (Figs. 4-5 show it by
eye). This scores it: a ridge regression learns each style factor (for glyphs: thickness, slant, width, x,
y) from real images, then reads the style of the edited images; its R² against the *source* image's true
style is the preservation score. The same regression on real held-out images gives the ceiling; predicting
the mean gives R² = 0 (an edit that keeps no style scores at or below 0).
"""

import numpy as np
from sklearn import linear_model
from sklearn import pipeline
from sklearn import preprocessing

from tfdis.metrics import utils

ALPHAS = tuple(np.logspace(-2, 3, 6))


def _r2(predicted, targets, name):
  """Per-column R² of `predicted` against `targets` [N, K]; raises if a target column is constant."""
  spread = np.sum(np.square(targets - targets.mean(axis=0)), axis=0)
  if np.any(spread == 0):
    raise ValueError(f"{name} has a constant style column ({np.flatnonzero(spread == 0).tolist()}): R² is "
                     "undefined; sample more points or leave that factor out.")
  return 1.0 - np.sum(np.square(predicted - targets), axis=0) / spread


def _check_pair(features, style, name):
  features = utils.check_codes(features, f"{name}_features", min_points=2)
  style = utils.check_codes(style, f"{name}_style", min_points=2)
  if features.shape[0] != style.shape[0]:
    raise ValueError(f"{name}_features has {features.shape[0]} rows but {name}_style has {style.shape[0]}: "
                     "pass one style row per image.")
  return features, style


def style_preservation(train_features, train_style, test_features, test_style, edited_features, source_style,
                       names=None):
  """R² of style factors read off edited images against the source images' true style.

  Args:
    train_features, train_style: [N, P] image features (e.g. pooled pixels) of real images and their style
      factors [N, K] (integer classes or values), to fit the regression.
    test_features, test_style: held-out real images and their style: the ceiling.
    edited_features: [M, P] features of edited images.
    source_style: [M, K] the true style of the image each edited image was made from.
    names: K style factor names for the per-factor keys (default "0", "1", ...).

  Returns:
    {"style_r2": mean R² over factors on edited images, "style_r2_real": the same on real test images,
     "style_r2_<name>": per factor on edited images}.
  """
  train_features, train_style = _check_pair(train_features, train_style, "train")
  test_features, test_style = _check_pair(test_features, test_style, "test")
  edited_features, source_style = _check_pair(edited_features, source_style, "edited")
  widths = {train_features.shape[1], test_features.shape[1], edited_features.shape[1]}
  if len(widths) > 1 or len({train_style.shape[1], test_style.shape[1], source_style.shape[1]}) > 1:
    raise ValueError("train, test and edited arrays must have the same feature and style widths, got "
                     f"{train_features.shape}, {test_features.shape}, {edited_features.shape} and "
                     f"{train_style.shape}, {test_style.shape}, {source_style.shape}.")
  names = [str(k) for k in range(train_style.shape[1])] if names is None else list(names)
  if len(names) != train_style.shape[1]:
    raise ValueError(f"{len(names)} names for {train_style.shape[1]} style factors: pass one name each.")
  model = pipeline.make_pipeline(preprocessing.StandardScaler(),
                                 linear_model.RidgeCV(alphas=ALPHAS, alpha_per_target=True))
  model.fit(train_features, train_style)
  real = _r2(model.predict(test_features), test_style, "test_style")
  edited = _r2(model.predict(edited_features), source_style, "source_style")
  return {"style_r2": float(np.mean(edited)), "style_r2_real": float(np.mean(real)),
          **{f"style_r2_{name}": float(value) for name, value in zip(names, edited)}}
