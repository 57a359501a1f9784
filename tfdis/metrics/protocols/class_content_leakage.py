"""Class/content leakage (LORD, Gabbay & Hoshen 2020, Sec. 4 "Classification experiments", Table 2).

Following Harsh Jha et al. 2018, a classifier predicts the class label from the content codes (y ← c) and
content labels from the class codes (y → c); the paper does not publish its classifier, so a small
scikit-learn MLP (or a logistic regression) trained on a random split stands in. Lower accuracy means
less leakage; it is reported beside the chance level, the accuracy of always predicting the most common
training label. For continuous content targets (CelebA's 68 landmarks, R(y) → c) a linear regression
reports the test RMSE beside that of predicting the training mean (higher error: less leakage).
"""

import numpy as np
from sklearn import linear_model
from sklearn import neural_network
from sklearn import pipeline
from sklearn import preprocessing

from tfdis.metrics import utils

CLASSIFIERS = ("mlp", "logistic")


def _classifier(name, seed):
  if name == "mlp":
    model = neural_network.MLPClassifier(hidden_layer_sizes=(256,), max_iter=300, random_state=seed)
  elif name == "logistic":
    model = linear_model.LogisticRegression(max_iter=1000)
  else:
    raise ValueError(f"Unknown classifier {name!r}: use one of {CLASSIFIERS}.")
  return pipeline.make_pipeline(preprocessing.StandardScaler(), model)


def _split(num_points, test_fraction, rng):
  if not 0 < test_fraction < 1:
    raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}.")
  order = rng.permutation(num_points)
  num_test = max(1, int(round(test_fraction * num_points)))
  if num_test >= num_points:
    raise ValueError(f"{num_points} points leave nothing to train on: pass more points.")
  return order[num_test:], order[:num_test]


def _classify(codes, labels, train, test, classifier, rng):
  """(test accuracy, chance accuracy) of predicting one integer label column from `codes`."""
  values, counts = np.unique(labels[train], return_counts=True)
  chance = float(np.mean(labels[test] == values[np.argmax(counts)]))
  if values.size < 2:
    return chance, chance  # A single training label: any classifier predicts it, as chance does.
  model = _classifier(classifier, utils.seed_from(rng)).fit(codes[train], labels[train])
  return float(np.mean(model.predict(codes[test]) == labels[test])), chance


def _regress(codes, targets, train, test):
  """(test RMSE, RMSE of predicting the training mean) of a linear regression of `targets` on `codes`."""
  model = linear_model.LinearRegression().fit(codes[train], targets[train])
  error = np.sqrt(np.mean(np.square(model.predict(codes[test]) - targets[test])))
  baseline = np.sqrt(np.mean(np.square(targets[train].mean(axis=0) - targets[test])))
  return float(error), float(baseline)


def leakage(codes, targets, rng, test_fraction=0.2, classifier="mlp"):
  """How well `codes` predict `targets` on held-out points.

  Args:
    codes: [N, D] codes.
    targets: [N] or [N, K]; an integer (or bool) dtype means labels, classified one column at a time; a
      float dtype means continuous targets, regressed jointly (e.g. landmark coordinates).
    rng: np.random.Generator / RandomState / int seed for the split and the classifier.
    test_fraction: fraction of points held out.
    classifier: "mlp" (one hidden layer of 256) or "logistic".

  Returns:
    {"accuracy", "chance"} (means over label columns) for integer targets, {"rmse", "baseline_rmse"}
    for float targets.
  """
  rng = utils.make_rng(rng)
  codes = utils.check_codes(codes, "codes", min_points=2)
  targets = np.asarray(targets)
  if targets.ndim == 1:
    targets = targets[:, np.newaxis]
  if targets.ndim != 2 or targets.shape[0] != codes.shape[0]:
    raise ValueError(f"targets must be [{codes.shape[0]}] or [{codes.shape[0]}, K] to match codes, got "
                     f"shape {np.shape(targets)}.")
  if not (np.issubdtype(targets.dtype, np.number) or targets.dtype == bool):
    raise ValueError(f"targets must be integer labels or float values, got dtype {targets.dtype}: map "
                     "label names to integers first, e.g. np.unique(names, return_inverse=True)[1].")
  train, test = _split(codes.shape[0], test_fraction, rng)
  if np.issubdtype(targets.dtype, np.floating):
    error, baseline = _regress(codes, targets.astype(np.float64), train, test)
    return {"rmse": error, "baseline_rmse": baseline}
  labels = targets.astype(np.int64)
  scores = np.array([_classify(codes, labels[:, k], train, test, classifier, rng)
                     for k in range(labels.shape[1])])  # [K, 2]
  return {"accuracy": float(scores[:, 0].mean()), "chance": float(scores[:, 1].mean())}


def lord_leakage(content_codes, class_codes, class_labels, content_labels, rng, test_fraction=0.2,
                 classifier="mlp"):
  """LORD's Table 2: class from content codes (y ← c) and content from class codes (y → c).

  Args:
    content_codes: [N, Dc] per-image content codes.
    class_codes: [N, Dy] the class code of each image (shared by the images of a class in LORD).
    class_labels: [N] integer class of each image.
    content_labels: [N] or [N, K] integer content labels (e.g. pose factors), or float targets such as
      landmark coordinates (then regressed, see `leakage`).
    rng: np.random.Generator / RandomState / int seed.
    test_fraction: fraction of images held out.
    classifier: "mlp" or "logistic".

  Returns:
    {"class_from_content", "class_from_content_chance"} and either {"content_from_class",
    "content_from_class_chance"} or {"content_from_class_rmse", "content_from_class_baseline_rmse"}.
  """
  rng = utils.make_rng(rng)
  class_scores = leakage(content_codes, class_labels, rng, test_fraction, classifier)
  content_scores = leakage(class_codes, content_labels, rng, test_fraction, classifier)
  result = {"class_from_content": class_scores["accuracy"],
            "class_from_content_chance": class_scores["chance"]}
  if "accuracy" in content_scores:
    result.update(content_from_class=content_scores["accuracy"],
                  content_from_class_chance=content_scores["chance"])
  else:
    result.update(content_from_class_rmse=content_scores["rmse"],
                  content_from_class_baseline_rmse=content_scores["baseline_rmse"])
  return result
