"""mddae_style / style_code_class: on glyphs, with oracle mddAEs whose codes are the true factors."""

import types

import numpy as np
import pytest

from tfdis.data.synthetic.digits import Glyphs
from tfdis.launch import evaluate_lib
from tfdis.models.mddae import evaluation as mddae_eval

NUM_CLASSES = 10


class _RecordingGlyphs(Glyphs):
  """Glyphs that remember the factors of every image they render (for the oracle encoder)."""

  def __init__(self):
    self.seen = {}

  def sample_observations_from_factors(self, factors, rng=None):
    images = super().sample_observations_from_factors(factors, rng)
    self.seen.update({image.tobytes(): row for image, row in zip(images, np.asarray(factors))})
    return images


def _context(sampler, z_of, keep_style=True):
  """An evaluate Context whose encoder reads the true factors: codes = [one-hot class, z_of(factors)]."""
  def encode(images):
    factors = np.stack([sampler.seen[image.tobytes()] for image in np.asarray(images, np.float32)])
    return np.concatenate([np.eye(NUM_CLASSES)[factors[:, 0]], z_of(factors)], axis=1).astype(np.float32)

  def decode(codes):
    style = codes[:, NUM_CLASSES:].round().astype(np.int32)
    if not keep_style:  # a decoder that draws a fresh style, forgetting the source's
      style = np.stack([np.random.RandomState(1).randint(0, s, len(codes)) for s in sampler.factor_sizes[1:]], 1)
    return sampler.sample_observations_from_factors(np.c_[codes[:, :NUM_CLASSES].argmax(1), style])

  return types.SimpleNamespace(sampler=sampler, representation_fn=encode, decode_fn=decode, num_train=1000,
                               num_test=150, rng=lambda name: np.random.RandomState(sum(map(ord, name))))


def _style(factors):
  return factors[:, 1:].astype(np.float32)


def test_a_swap_that_keeps_the_style_scores_near_the_real_ceiling_and_one_that_forgets_it_near_zero():
  sampler = _RecordingGlyphs()
  kept = mddae_eval.mddae_style(_context(sampler, _style))
  forgot = mddae_eval.mddae_style(_context(sampler, _style, keep_style=False))
  assert kept["style_r2_real"] > 0.5  # the ridge regression reads glyph style off pooled pixels (0.69)
  assert kept["style_r2"] > kept["style_r2_real"] - 0.15
  assert forgot["style_r2"] < 0.1 and forgot["style_r2_real"] == pytest.approx(kept["style_r2_real"])
  # Reconstructions are never swapped: the style-forgetting decoder also forgets there, the oracle does not.
  assert kept["style_r2_reconstruction"] > kept["style_r2_real"] - 0.15
  assert forgot["style_r2_reconstruction"] < 0.1
  assert {"style_r2_thickness", "style_r2_slant", "style_r2_width", "style_r2_x", "style_r2_y"} <= set(kept)


def test_swaps_go_to_another_class_drawn_for_each_image():
  sampler = _RecordingGlyphs()
  ctx = _context(sampler, _style)
  factors = sampler.sample_factors(200, np.random.RandomState(0))
  images, targets = mddae_eval.swap_to_random_class(
      ctx.representation_fn, ctx.decode_fn, sampler.sample_observations_from_factors(factors, None),
      factors[:, 0], NUM_CLASSES, np.random.RandomState(0))
  assert np.all(targets != factors[:, 0]) and len(np.unique(targets)) == NUM_CLASSES
  np.testing.assert_allclose(images, sampler.sample_observations_from_factors(np.c_[targets, factors[:, 1:]]),
                             atol=1e-6)


def test_the_class_read_from_z_is_at_chance_for_a_style_code_and_high_when_z_holds_the_class():
  sampler = _RecordingGlyphs()
  style_only = mddae_eval.style_code_class(_context(sampler, _style))
  leaky = mddae_eval.style_code_class(_context(sampler, lambda f: np.eye(NUM_CLASSES)[f[:, 0]]))
  assert style_only["accuracy"] < style_only["chance"] + 0.12 and leaky["accuracy"] > 0.95


def test_the_adapters_are_registered_and_refuse_a_dataset_without_a_class_factor():
  assert {"mddae_style", "style_code_class"} <= set(evaluate_lib.metric_names())
  assert evaluate_lib.resolve_metrics(names=["mddae_style"])[0].__wrapped__ is mddae_eval.mddae_style
  ctx = types.SimpleNamespace(sampler=types.SimpleNamespace(factor_names=("x0", "y0"), factor_sizes=(4, 4)))
  for metric in (mddae_eval.mddae_style, mddae_eval.style_code_class):
    with pytest.raises(ValueError, match="factor 0 is the class"):
      metric(ctx)
