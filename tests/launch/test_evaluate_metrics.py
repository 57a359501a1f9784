"""local_mig / local_modularity / local_scores: `tfdis.metrics`' local scores at the chosen proportions."""

import types

import numpy as np
import pytest

from tfdis import metrics
from tfdis.launch import evaluate_lib
from tfdis.launch import evaluate_metrics
from tests.metrics import fakes


def _context(seed=3):
  return types.SimpleNamespace(sampler=fakes.IdentitySampler([20, 24, 28]), representation_fn=fakes.identity,
                               num_train=200, rng=lambda name: np.random.RandomState([seed, sum(map(ord, name))]))


def test_values_equal_the_metrics_called_directly_with_the_same_draws():
  ctx = _context()
  results = evaluate_metrics.local_scores(ctx, proportions=(0.1, 0.3), num_clusters=3)
  for name, fn in (("local_mig", metrics.local_mig), ("local_modularity", metrics.local_modularity)):
    rng = ctx.rng(name)
    for proportion in (0.1, 0.3):
      direct = fn(ctx.sampler, ctx.representation_fn, rng, locality_proportion=proportion, num_clusters=3,
                  num_points=200)
      for key, value in direct.items():
        assert results[f"{key}@{proportion}"] == pytest.approx(value)
  assert not any(key.endswith("@1.0") for key in results)


def test_an_identity_code_scores_high_local_mig():
  results = evaluate_metrics.local_scores(_context(), proportions=(0.3,), num_clusters=2)
  assert results["local_mig@0.3"] > 0.5


@pytest.mark.parametrize("proportions", [(), (0.0,), (1.5,)])
def test_bad_proportions_raise_naming_the_binding(proportions):
  with pytest.raises(ValueError, match="local_scores.proportions"):
    evaluate_metrics.local_scores(_context(), proportions=proportions)


def test_local_mig_alone_gives_the_same_values_as_local_scores():
  ctx = _context()
  alone = evaluate_metrics.local_mig(ctx, proportions=(0.1, 0.3), num_clusters=3)
  together = evaluate_metrics.local_scores(ctx, proportions=(0.1, 0.3), num_clusters=3)
  assert alone and all(together[key] == pytest.approx(value) for key, value in alone.items())
  assert not any(key.startswith("local_modularity") for key in alone)


def test_registered_in_evaluate():
  assert {"local_mig", "local_modularity", "local_scores"} <= set(evaluate_lib.metric_names())
