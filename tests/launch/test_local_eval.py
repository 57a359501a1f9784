"""local_scores: the local MIG / modularity of `tfdis.metrics` at the chosen proportions, under one name."""

import types

import numpy as np
import pytest

from tfdis import metrics
from tfdis.launch import evaluate_lib
from tfdis.launch import local_eval
from tests.metrics import fakes


def _context(seed=3):
  return types.SimpleNamespace(sampler=fakes.IdentitySampler([20, 24, 28]), representation_fn=fakes.identity,
                               num_train=200, rng=lambda name: np.random.RandomState([seed, sum(map(ord, name))]))


def test_values_equal_the_metrics_called_directly_with_the_same_draws():
  ctx = _context()
  results = local_eval.local_scores(ctx, proportions=(0.1, 0.3), num_clusters=3)
  for name, fn in (("local_mig", metrics.local_mig), ("local_modularity", metrics.local_modularity)):
    rng = ctx.rng(name)
    for proportion in (0.1, 0.3):
      direct = fn(ctx.sampler, ctx.representation_fn, rng, locality_proportion=proportion, num_clusters=3,
                  num_points=200)
      for key, value in direct.items():
        assert results[f"{key}@{proportion}"] == pytest.approx(value)
  assert not any(key.endswith("@1.0") for key in results)


def test_an_identity_code_scores_high_local_mig():
  results = local_eval.local_scores(_context(), proportions=(0.3,), num_clusters=2)
  assert results["local_mig@0.3"] > 0.5


@pytest.mark.parametrize("proportions", [(), (0.0,), (1.5,)])
def test_bad_proportions_raise_naming_the_binding(proportions):
  with pytest.raises(ValueError, match="local_scores.proportions"):
    local_eval.local_scores(_context(), proportions=proportions)


def test_registered_in_evaluate():
  assert evaluate_lib.METRICS["local_scores"] is local_eval.local_scores
