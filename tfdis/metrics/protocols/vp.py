"""Variation Predictability (VP) metric, as used by OroJaR (Wei et al. 2021, Sec. 4; Zhu et al. 2020).

A generator is disentangled when the variation caused by each latent dim is recognizable: draw pairs
z1 ~ U(−2, 2)^d and z2 = z1 with one random dim redrawn, render both, and train a classifier to predict
the changed dim from the image pair (their difference on dSprites, their channel concatenation on CLEVR).
VP is its top-1 accuracy on held-out pairs. Official setting (csyxwei/OroJaR `gen_pairs.py`,
zhuxinqimac/VP-metric-pytorch): 10,000 pairs, a small ConvNet, Adam lr 5e-4, batch 32, 300 epochs,
test_ratio 0.99 on dSprites (it trains on 1%), VP = held-out accuracy at the best epoch.

The ConvNet is this metric's own classifier and lives here: the official VarPred network (conv7/2 64,
conv3 64, max-pool, conv3 128, conv3 256, each with batch norm and ReLU, global average pool, linear)
with its widths scaled by `width` / 64. `classifier="logistic"` is a cheap scikit-learn alternative, not
the paper's protocol.
"""

import numpy as np
from sklearn import linear_model
from sklearn import pipeline
from sklearn import preprocessing

from tfdis.metrics import utils

MODES = ("diff", "concat")
CLASSIFIERS = ("convnet", "logistic")


def make_pairs(generator_fn, latent_dim, num_pairs, rng, z_range=2.0, batch_size=100):
  """Renders VP image pairs.

  Args:
    generator_fn: callable latents float32 [n, latent_dim] -> images [n, H, W, C] (NumPy or tensors).
    latent_dim: number of latent dims d.
    num_pairs: pairs to render.
    rng: np.random.Generator or RandomState.
    z_range: latents are uniform in [−z_range, z_range] (official 2).
    batch_size: latents per `generator_fn` call.

  Returns:
    (images1 [P, H, W, C], images2 [P, H, W, C], labels [P]: the dim that differs).
  """
  z1 = rng.uniform(-z_range, z_range, size=[num_pairs, latent_dim]).astype(np.float32)
  z2 = rng.uniform(-z_range, z_range, size=[num_pairs, latent_dim]).astype(np.float32)
  labels = utils.integers(rng, latent_dim, size=num_pairs)
  changed = np.arange(latent_dim)[np.newaxis, :] == labels[:, np.newaxis]  # [P, d]
  z2 = np.where(changed, z2, z1)

  def render(z):
    return np.concatenate([np.asarray(generator_fn(z[i:i + batch_size]), np.float32)
                           for i in range(0, num_pairs, batch_size)])

  return render(z1), render(z2), labels.astype(np.int64)


def _pair_inputs(images1, images2, mode):
  if mode == "diff":
    return images2 - images1
  if mode == "concat":
    return np.concatenate([images1, images2], axis=-1)
  raise ValueError(f"Unknown mode {mode!r}: use one of {MODES}.")


def _convnet(input_shape, num_classes, width, seed):
  """The VarPred ConvNet with widths (w, w, 2w, 4w) and seeded initializers."""
  import keras  # pylint: disable=g-import-not-at-top
  inputs = keras.Input(input_shape)
  x = inputs
  specs = [(width, 7, 2), (width, 3, 1), "pool", (2 * width, 3, 1), (4 * width, 3, 1)]
  for i, spec in enumerate(specs):
    if spec == "pool":
      x = keras.layers.MaxPooling2D(3, strides=2, padding="same")(x)
      continue
    filters, kernel, stride = spec
    x = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False,
                            kernel_initializer=keras.initializers.HeNormal(seed=seed + i))(x)
    x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
  x = keras.layers.GlobalAveragePooling2D()(x)
  outputs = keras.layers.Dense(num_classes, kernel_initializer=keras.initializers.GlorotUniform(seed=seed))(x)
  return keras.Model(inputs, outputs)


def _fit_convnet(train, test, num_classes, epochs, batch_size, learning_rate, width, seed):
  """(final held-out accuracy, best held-out accuracy over epochs) of the ConvNet."""
  import keras  # pylint: disable=g-import-not-at-top
  model = _convnet(train[0].shape[1:], num_classes, width, seed)
  model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
  history = model.fit(*train, epochs=epochs, batch_size=batch_size, validation_data=test, verbose=0)
  accuracy = history.history["val_accuracy"]
  return float(accuracy[-1]), float(np.max(accuracy))


def _fit_logistic(train, test):
  """Held-out accuracy of a logistic regression on flattened |image2 − image1| (any mode).

  A linear model cannot locate a change from signed differences (a dim moved up or down) or from
  concatenated pairs, so this cheap alternative always sees the magnitude of the difference.
  """
  def features(pairs):
    return np.abs(pairs[1] - pairs[0]).reshape(pairs[0].shape[0], -1)

  model = pipeline.make_pipeline(preprocessing.StandardScaler(),
                                 linear_model.LogisticRegression(max_iter=1000))
  model.fit(features(train[0]), train[1])
  return float(np.mean(model.predict(features(test[0])) == test[1]))


def variation_predictability(generator_fn, latent_dim, rng, num_pairs=10000, test_ratio=0.99, mode="diff",
                             classifier="convnet", epochs=300, batch_size=32, learning_rate=5e-4, width=64,
                             z_range=2.0):
  """VP score of a generator (see module docstring).

  Args:
    generator_fn: callable latents float32 [n, latent_dim] -> images [n, H, W, C].
    latent_dim: number of latent dims.
    rng: np.random.Generator / RandomState / int seed (pairs, split and classifier initialization).
    num_pairs: image pairs rendered.
    test_ratio: fraction of pairs held out for the score (official dSprites 0.99).
    mode: "diff" (image2 − image1, dSprites) or "concat" (channels, CLEVR).
    classifier: "convnet" (official protocol, Keras) or "logistic" (scikit-learn, on the flattened
      absolute difference whatever the mode; see `_fit_logistic`).
    epochs, batch_size, learning_rate, width: ConvNet training; width 64 is the official network.
    z_range: latents uniform in [−z_range, z_range].

  Returns:
    {"vp": held-out accuracy after training, "chance": 1 / latent_dim} and, for the ConvNet,
    "vp_best_epoch": the best held-out accuracy over epochs (the number the official code reports).
  """
  if mode not in MODES:
    raise ValueError(f"Unknown mode {mode!r}: use one of {MODES}.")
  if classifier not in CLASSIFIERS:
    raise ValueError(f"Unknown classifier {classifier!r}: use one of {CLASSIFIERS}.")
  if not 0 < test_ratio < 1:
    raise ValueError(f"test_ratio must be in (0, 1), got {test_ratio!r}.")
  num_train = int(round((1 - test_ratio) * num_pairs))
  if latent_dim < 2 or num_train < latent_dim or num_pairs - num_train < 1:
    raise ValueError(f"{num_pairs} pairs with test_ratio {test_ratio} train on {num_train}; VP needs "
                     f"latent_dim >= 2 and at least one training pair per dim ({latent_dim}): raise "
                     "num_pairs or lower test_ratio.")
  rng = utils.make_rng(rng)
  images1, images2, labels = make_pairs(generator_fn, latent_dim, num_pairs, rng, z_range)
  order = rng.permutation(num_pairs)
  train_index, test_index = order[:num_train], order[num_train:]
  result = {"chance": 1.0 / latent_dim}
  if classifier == "logistic":
    result["vp"] = _fit_logistic(((images1[train_index], images2[train_index]), labels[train_index]),
                                 ((images1[test_index], images2[test_index]), labels[test_index]))
    return result
  inputs = _pair_inputs(images1, images2, mode)
  train = (inputs[train_index], labels[train_index])
  test = (inputs[test_index], labels[test_index])
  result["vp"], result["vp_best_epoch"] = _fit_convnet(train, test, latent_dim, epochs, batch_size,
                                                       learning_rate, width, utils.seed_from(rng))
  return result
