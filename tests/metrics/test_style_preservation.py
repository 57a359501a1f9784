"""style_preservation: R² of style factors read off edited images, against analytic linear features."""

import numpy as np
import pytest

from tfdis import metrics

RNG = np.random.RandomState(0)
MIXING = RNG.normal(size=(3, 12))  # style [N, 3] -> features [N, 12]


def _features(style, noise=0.01, seed=1):
  return style @ MIXING + noise * np.random.RandomState(seed).normal(size=(len(style), 12))


def _style(n, seed):
  return np.random.RandomState(seed).randint(0, 6, size=(n, 3))


def test_edits_that_keep_the_features_of_their_source_score_the_real_ceiling_near_one():
  train, test, source = _style(300, 2), _style(100, 3), _style(100, 4)
  result = metrics.style_preservation(_features(train), train, _features(test), test, _features(source, seed=5),
                                      source, names=["a", "b", "c"])
  assert result["style_r2_real"] > 0.99 and result["style_r2"] > 0.99
  assert {"style_r2_a", "style_r2_b", "style_r2_c"} <= set(result)


def test_edits_that_forget_the_source_style_score_at_or_below_zero():
  train, test, source = _style(300, 2), _style(100, 3), _style(200, 4)
  forgotten = _features(_style(200, 6))  # the edit drew a new style, unrelated to the source's
  result = metrics.style_preservation(_features(train), train, _features(test), test, forgotten, source)
  assert result["style_r2_real"] > 0.99
  assert result["style_r2"] < 0.1  # independent: expected R² = -1 (two independent draws), never near 1


def test_partial_preservation_is_read_per_factor():
  train, test, source = _style(300, 2), _style(100, 3), _style(200, 4)
  edited = source.copy()
  edited[:, 2] = _style(200, 7)[:, 2]  # factor 2 lost, factors 0 and 1 kept
  result = metrics.style_preservation(_features(train), train, _features(test), test, _features(edited), source)
  assert result["style_r2_0"] > 0.99 and result["style_r2_1"] > 0.99 and result["style_r2_2"] < 0.1


@pytest.mark.parametrize("change, message", [
    (lambda a: {**a, "source_style": a["source_style"][:-1]}, "one style row per image"),
    (lambda a: {**a, "edited_features": a["edited_features"][:, :5]}, "same feature and style widths"),
    (lambda a: {**a, "test_style": np.zeros_like(a["test_style"])}, "constant style column"),
    (lambda a: {**a, "names": ["only_one"]}, "one name each"),
])
def test_bad_inputs_raise_naming_the_problem(change, message):
  train, test, source = _style(50, 2), _style(20, 3), _style(20, 4)
  arrays = dict(train_features=_features(train), train_style=train, test_features=_features(test),
                test_style=test, edited_features=_features(source), source_style=source)
  with pytest.raises(ValueError, match=message):
    metrics.style_preservation(**change(arrays))
