"""β-VAE and FactorVAE scores on a sampler whose observations are its factors (plus noise)."""

import numpy as np
import pytest

from tests.metrics import fakes
from tfdis import metrics

SMALL = dict(batch_size=16, num_train=200, num_eval=100)


def test_beta_vae_score_is_near_one_for_the_factors_themselves():
  sampler = fakes.IdentitySampler([5, 6, 4, 7], noise=0.05)
  scores = metrics.beta_vae_score(sampler, fakes.identity, np.random.default_rng(0), **SMALL)
  assert scores["train_accuracy"] > 0.95
  assert scores["eval_accuracy"] > 0.95


def test_beta_vae_score_is_near_chance_for_noise():
  sampler = fakes.IdentitySampler([5, 6, 4, 7])
  scores = metrics.beta_vae_score(sampler, fakes.noise_representation(4), np.random.default_rng(1),
                                  **SMALL)
  assert scores["eval_accuracy"] < 0.45  # chance is 1/4


def test_factor_vae_score_is_near_one_for_the_factors_themselves():
  sampler = fakes.IdentitySampler([5, 6, 4, 7], noise=0.05)
  scores = metrics.factor_vae_score(sampler, fakes.identity, np.random.default_rng(2),
                                    num_variance_estimate=500, **SMALL)
  assert scores["train_accuracy"] > 0.95
  assert scores["eval_accuracy"] > 0.95
  assert scores["num_active_dims"] == 4


def test_factor_vae_score_is_near_chance_for_noise():
  sampler = fakes.IdentitySampler([5, 6, 4, 7])
  scores = metrics.factor_vae_score(sampler, fakes.noise_representation(5), np.random.default_rng(3),
                                    num_variance_estimate=500, **SMALL)
  assert scores["eval_accuracy"] < 0.45


def test_factor_vae_prunes_collapsed_dims():
  sampler = fakes.IdentitySampler([5, 6, 4])
  with_collapsed = lambda x: np.concatenate([x, np.full((len(x), 2), 0.3)], axis=1)
  scores = metrics.factor_vae_score(sampler, with_collapsed, np.random.default_rng(4),
                                    num_variance_estimate=300, **SMALL)
  assert scores["num_active_dims"] == 3
  assert scores["eval_accuracy"] > 0.95
  all_collapsed = lambda x: np.zeros((len(x), 3))
  assert metrics.factor_vae_score(sampler, all_collapsed, 0, num_variance_estimate=300, **SMALL) == {
      "train_accuracy": 0.0, "eval_accuracy": 0.0, "num_active_dims": 0.0}


def test_same_seed_same_score_and_random_state_is_accepted():
  sampler = fakes.IdentitySampler([4, 4, 4], noise=1.0)
  first = metrics.beta_vae_score(sampler, fakes.identity, 7, **SMALL)
  assert metrics.beta_vae_score(sampler, fakes.identity, 7, **SMALL) == first
  scores = metrics.factor_vae_score(sampler, fakes.identity, np.random.RandomState(0),
                                    num_variance_estimate=300, **SMALL)
  assert 0.0 <= scores["eval_accuracy"] <= 1.0


def test_points_per_call_only_changes_the_batching():
  # Chunking reorders the random draws, not the protocol: a near-perfect code scores 1 at any chunk size.
  sampler = fakes.IdentitySampler([5, 6], noise=0.01)
  for points_per_call in (1, 7):
    scores = metrics.factor_vae_score(sampler, fakes.identity, 0, num_variance_estimate=200,
                                      points_per_call=points_per_call, **SMALL)
    assert scores["eval_accuracy"] == 1.0


def test_bad_arguments_raise():
  sampler = fakes.IdentitySampler([3, 3])
  with pytest.raises(ValueError, match="batch_size"):
    metrics.factor_vae_score(sampler, fakes.identity, 0, batch_size=1)
  with pytest.raises(ValueError, match="sampler lacks"):
    metrics.beta_vae_score(object(), fakes.identity, 0)
  with pytest.raises(ValueError, match=r"\[num_observations, num_codes\]"):
    metrics.beta_vae_score(sampler, lambda x: np.zeros(len(x)), 0, **SMALL)
