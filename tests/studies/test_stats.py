"""Bootstrap CIs cover a known mean at their nominal rate; the sign-flip test rejects a shift, not the null."""

import itertools

import numpy as np
import pytest

from tfdis.studies import stats


def _coverage(draw, mean, n, repeats=1000, **kwargs):
  rng = np.random.default_rng(n)
  hits = 0
  for _ in range(repeats):
    _, low, high = stats.bootstrap_ci(draw(rng, n), num_resamples=2000, rng=rng, **kwargs)
    hits += low <= mean <= high
  return hits / repeats


# 1,000 repeats: the Monte Carlo standard error of a 0.95 coverage is 0.007; ±0.025 is > 3 of them.
@pytest.mark.parametrize("n", [10, 30])
def test_expanded_interval_covers_a_normal_mean_at_95_percent(n):
  assert abs(_coverage(lambda rng, n: rng.normal(3.0, 2.0, n), 3.0, n) - 0.95) < 0.025


def test_expanded_interval_covers_a_skewed_mean():
  # Exponential(1), n = 20: the mean's sampling distribution is skewed; the t interval covers ~0.93 here.
  assert 0.915 < _coverage(lambda rng, n: rng.exponential(1.0, n), 1.0, 20) < 0.97


def test_plain_percentile_undercovers_at_five_seeds_and_expanded_does_better():
  normal = lambda rng, n: rng.normal(0.0, 1.0, n)  # noqa: E731
  plain, expanded = _coverage(normal, 0.0, 5, expanded=False), _coverage(normal, 0.0, 5)
  assert plain < 0.87 and expanded > plain + 0.05 and expanded > 0.89


def test_bootstrap_edge_cases():
  assert stats.bootstrap_ci([2.0]) == (2.0, 2.0, 2.0)
  assert stats.bootstrap_ci([1.0, 1.0, np.nan]) == (1.0, 1.0, 1.0)
  assert all(np.isnan(stats.bootstrap_ci([])))
  mean, low, high = stats.bootstrap_ci([0.0, 1.0, 2.0, 3.0])
  assert mean == 1.5 and 0.0 <= low < 1.5 < high <= 3.0
  assert stats.bootstrap_ci([0.0, 1.0, 2.0, 3.0]) == (mean, low, high)  # seeded: reproducible


def test_sign_flip_is_exact_against_brute_force():
  d = np.array([0.3, -0.1, 0.5, 0.2, 0.4, -0.2])
  patterns = [np.array(s) for s in itertools.product((1, -1), repeat=len(d))]
  brute = np.mean([abs((s * d).mean()) >= abs(d.mean()) - 1e-12 for s in patterns])
  assert stats.sign_flip_p_value(d) == pytest.approx(brute)
  assert stats.sign_flip_p_value(np.full(5, 0.7)) == pytest.approx(stats.smallest_p_value(5)) == 0.0625


# Exact enumeration (n = 8: the smallest p is 2 / 256), then sampled sign patterns (n = 20).
@pytest.mark.parametrize("n, shift", [(8, 3.0), (20, 1.5)])
def test_sign_flip_small_p_for_a_clear_shift(n, shift):
  d = np.random.default_rng(n).normal(shift, 1.0, n)
  assert stats.sign_flip_p_value(d) < 0.01


@pytest.mark.parametrize("n", [10, 20])
def test_sign_flip_p_is_uniform_under_the_null(n):
  rng = np.random.default_rng(100 + n)
  p = np.array([stats.sign_flip_p_value(rng.normal(0.0, 1.0, n), num_permutations=999, rng=rng)
                for _ in range(400)])
  # 400 draws: a binomial rate of 0.05 has a standard error of 0.011, of 0.5 one of 0.025.
  assert abs(np.mean(p <= 0.05) - 0.05) < 0.035
  assert abs(np.mean(p <= 0.5) - 0.5) < 0.08
  assert abs(np.mean(p) - 0.5) < 0.05
