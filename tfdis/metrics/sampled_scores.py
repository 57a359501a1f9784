"""The β-VAE and FactorVAE scores: metrics whose definition is a sampling protocol.

β-VAE score (Higgins et al. 2017, Sec. 3): each point fixes one random factor k across a pair of batches,
its feature is the mean |z(x1) − z(x2)| over the batch, and a linear classifier predicts k.
FactorVAE score (Kim & Mnih 2018, Sec. 4): each point fixes factor k across one batch, its feature is
argmin_i Var_batch(z_i) / Var_global(z_i) over the active dims, and a majority-vote classifier maps that
dim to k. Same protocol and defaults as disentanglement_lib's `beta_vae` / `factor_vae` modules.

Unlike the other metrics these sample, because sampling is their definition. A sampler follows the
ground-truth contract of `tfdis.data`: `num_factors`, `factor_sizes`, `sample_factors(n, rng)` and
`sample_observations_from_factors(factors, rng)`.
"""

import numpy as np
from sklearn import linear_model

from tfdis.metrics import utils


def _check_sampler(sampler):
  missing = [name for name in ("num_factors", "sample_factors", "sample_observations_from_factors")
             if not hasattr(sampler, name)]
  if missing:
    raise ValueError(f"sampler lacks {missing}: pass a ground-truth sampler of tfdis.data (num_factors, "
                     "factor_sizes, sample_factors(n, rng), sample_observations_from_factors(factors, rng)).")


def _check_counts(**counts):
  for name, (value, minimum) in counts.items():
    if int(value) != value or value < minimum:
      raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")


def _encode(sampler, representation_fn, factors, rng):
  """Codes [n, L] of observations rendered from `factors` [n, F]."""
  observations = sampler.sample_observations_from_factors(factors, rng)
  codes = np.asarray(representation_fn(observations), dtype=np.float64)
  if codes.ndim != 2 or codes.shape[0] != factors.shape[0]:
    raise ValueError(f"representation_fn returned shape {codes.shape} for {factors.shape[0]} "
                     "observations; it must return [num_observations, num_codes] codes.")
  return codes


def _fixed_factor_batches(sampler, representation_fn, rng, batch_size, num_points, pair):
  """Samples `num_points` batches that each hold one random factor fixed.

  With `pair` (β-VAE) each point has two batches [B] that share only the fixed factor, element by
  element; without (FactorVAE) one batch whose fixed factor takes the value of its first element.

  Returns:
    (fixed factor of each point [P], list of one or two code arrays [P, B, L]).
  """
  num_factors = sampler.num_factors
  index = utils.integers(rng, num_factors, size=num_points)  # [P]
  rows = np.arange(num_points)
  first = np.array(sampler.sample_factors(num_points * batch_size, rng)).reshape(
      num_points, batch_size, num_factors)
  if pair:
    second = np.array(sampler.sample_factors(num_points * batch_size, rng)).reshape(first.shape)
    second[rows, :, index] = first[rows, :, index]
  else:
    first[rows, :, index] = first[rows, 0, index][:, np.newaxis]
  groups = [first, second] if pair else [first]
  codes = [_encode(sampler, representation_fn, g.reshape(-1, num_factors), rng).reshape(
      num_points, batch_size, -1) for g in groups]
  return index, codes


def _chunks(total, size):
  for start in range(0, total, size):
    yield min(size, total - start)


def _beta_vae_points(sampler, representation_fn, rng, batch_size, num_points, points_per_call):
  features, labels = [], []
  for count in _chunks(num_points, points_per_call):
    index, (codes1, codes2) = _fixed_factor_batches(sampler, representation_fn, rng, batch_size, count,
                                                    pair=True)
    features.append(np.mean(np.abs(codes1 - codes2), axis=1))  # [P, L]
    labels.append(index)
  return np.concatenate(features), np.concatenate(labels)


def beta_vae_score(sampler, representation_fn, rng, batch_size=64, num_train=10000, num_eval=5000,
                   points_per_call=16):
  """β-VAE disentanglement score (Higgins et al. 2017), disentanglement_lib's `compute_beta_vae_sklearn`.

  Args:
    sampler: ground-truth sampler (see module docstring).
    representation_fn: callable observations [n, ...] -> codes [n, L] (NumPy).
    rng: np.random.Generator, np.random.RandomState or int seed.
    batch_size: observations averaged into one training point.
    num_train: training points of the logistic regression.
    num_eval: evaluation points.
    points_per_call: training points whose batches are encoded in one `representation_fn` call (memory
      against speed; the definition does not depend on it).

  Returns:
    {"train_accuracy", "eval_accuracy"}: accuracy of predicting the fixed factor (chance 1/F).
  """
  _check_sampler(sampler)
  _check_counts(batch_size=(batch_size, 1), num_train=(num_train, 1), num_eval=(num_eval, 1),
                points_per_call=(points_per_call, 1))
  rng = utils.make_rng(rng)
  train_x, train_y = _beta_vae_points(sampler, representation_fn, rng, batch_size, num_train,
                                      points_per_call)
  model = linear_model.LogisticRegression(random_state=utils.seed_from(rng)).fit(train_x, train_y)
  eval_x, eval_y = _beta_vae_points(sampler, representation_fn, rng, batch_size, num_eval,
                                    points_per_call)
  return {"train_accuracy": float(np.mean(model.predict(train_x) == train_y)),
          "eval_accuracy": float(np.mean(model.predict(eval_x) == eval_y))}


def _factor_vae_votes(sampler, representation_fn, rng, batch_size, num_points, points_per_call,
                      global_variances, active):
  """Vote counts [F, num_active]: how often fixing factor k made active dim i the least varying."""
  votes = np.zeros([sampler.num_factors, int(active.sum())], dtype=np.int64)
  for count in _chunks(num_points, points_per_call):
    index, (codes,) = _fixed_factor_batches(sampler, representation_fn, rng, batch_size, count,
                                            pair=False)
    local_variances = np.var(codes[:, :, active], axis=1, ddof=1)  # [P, num_active]
    argmin = np.argmin(local_variances / global_variances[active], axis=1)
    np.add.at(votes, (index, argmin), 1)
  return votes


def factor_vae_score(sampler, representation_fn, rng, batch_size=64, num_train=10000, num_eval=5000,
                     num_variance_estimate=10000, prune_threshold=0.05, points_per_call=16):
  """FactorVAE disentanglement score (Kim & Mnih 2018), disentanglement_lib's `compute_factor_vae`.

  Args:
    sampler: ground-truth sampler (see module docstring).
    representation_fn: callable observations [n, ...] -> codes [n, L] (NumPy).
    rng: np.random.Generator, np.random.RandomState or int seed.
    batch_size: observations per vote (>= 2: the vote compares sample variances).
    num_train: votes that build the majority-vote classifier.
    num_eval: votes it is evaluated on.
    num_variance_estimate: observations for the global variance of each code dim.
    prune_threshold: code dims whose global standard deviation is below it are collapsed and excluded
      (disentanglement_lib's study configs use 0.05).
    points_per_call: votes whose batches are encoded in one `representation_fn` call (the variance
      estimate is encoded in calls of the same size).

  Returns:
    {"train_accuracy", "eval_accuracy", "num_active_dims"}; both accuracies are 0 if no dim is active.
  """
  _check_sampler(sampler)
  _check_counts(batch_size=(batch_size, 2), num_train=(num_train, 1), num_eval=(num_eval, 1),
                num_variance_estimate=(num_variance_estimate, 2), points_per_call=(points_per_call, 1))
  rng = utils.make_rng(rng)
  factors = np.asarray(sampler.sample_factors(num_variance_estimate, rng))
  rows = batch_size * points_per_call  # observations per representation_fn call, as for the votes
  codes = np.concatenate([_encode(sampler, representation_fn, factors[i:i + rows], rng)
                          for i in range(0, num_variance_estimate, rows)])
  global_variances = np.var(codes, axis=0, ddof=1)
  active = np.sqrt(global_variances) >= prune_threshold
  if not active.any():
    return {"train_accuracy": 0.0, "eval_accuracy": 0.0, "num_active_dims": 0.0}
  train_votes = _factor_vae_votes(sampler, representation_fn, rng, batch_size, num_train, points_per_call,
                                  global_variances, active)
  classifier = np.argmax(train_votes, axis=0)  # [num_active]: the factor each dim votes for most.
  columns = np.arange(train_votes.shape[1])
  eval_votes = _factor_vae_votes(sampler, representation_fn, rng, batch_size, num_eval, points_per_call,
                                 global_variances, active)
  return {
      "train_accuracy": float(train_votes[classifier, columns].sum() / train_votes.sum()),
      "eval_accuracy": float(eval_votes[classifier, columns].sum() / eval_votes.sum()),
      "num_active_dims": float(active.sum()),
  }
