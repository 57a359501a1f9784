"""The stream contract of every synthetic dataset: determinism, resume, splits, element contract."""

import sys

import numpy as np
import pytest
import tensorflow as tf

from tfdis.data import pipeline
from tfdis.data import synthetic


def _first(name, num, **kwargs):
  return pipeline.take_numpy(synthetic.DATASETS[name](**kwargs), num)


@pytest.fixture(scope="module")
def streams_of(named_sampler):
  """For one dataset: its first 67 train elements (seed 2), and the 5 from start_index 62 (seed 2)."""
  name, sampler = named_sampler
  whole = _first(name, 67, seed=2)
  resumed = _first(name, 5, seed=2, start_index=62)  # Elements 62..66 span the first two chunks of 64.
  return name, sampler, whole, resumed


def test_same_seed_and_start_index_give_the_same_elements(streams_of):
  _, _, whole, resumed = streams_of
  for key in whole:
    np.testing.assert_array_equal(whole[key][62:], resumed[key])


def test_train_stream_differs_between_seeds(streams_of):
  name, _, whole, _ = streams_of
  assert not np.array_equal(whole["factors"][:4], _first(name, 4, seed=3)["factors"])


def test_elements_follow_the_contract(streams_of):
  _, sampler, batch, _ = streams_of
  n = len(batch["image"])
  assert batch["image"].dtype == np.float32 and batch["image"].shape == (n, *sampler.image_shape)
  assert batch["image"].min() >= 0.0 and batch["image"].max() <= 1.0
  assert batch["image"].max() > batch["image"].min()
  assert batch["factors"].dtype == np.int32 and batch["factors"].shape == (n, sampler.num_factors)
  assert np.all(batch["factors"] >= 0) and np.all(batch["factors"] < np.array(sampler.factor_sizes))
  assert len(sampler.factor_names) == sampler.num_factors
  combinations = np.prod(sampler.factor_sizes, dtype=np.float64)
  # Uniform draws: on a grid far larger than 67 all differ; on circles' 4,096 a few repeat (~0.5 expected).
  assert len(np.unique(batch["factors"], axis=0)) >= (n if combinations > 1e5 else n - 5)
  if "label" in batch:
    assert batch["label"].dtype == np.int32
    np.testing.assert_array_equal(batch["label"], batch["factors"][:, 0])
  if "attributes" in batch:
    assert batch["attributes"].dtype == np.float32
    num_attributes = batch["attributes"].shape[1]
    np.testing.assert_array_equal(batch["attributes"], batch["factors"][:, 1:1 + num_attributes])


def test_stream_images_are_the_samplers_renderings_of_their_factors(streams_of):
  _, sampler, batch, _ = streams_of
  rendered = sampler.sample_observations_from_factors(batch["factors"][:8], np.random.RandomState(0))
  np.testing.assert_allclose(rendered, batch["image"][:8], atol=1e-5)


def test_test_split_is_fixed_and_finite(named_sampler):
  name, _ = named_sampler
  size = sys.modules[synthetic.DATASETS[name].__module__].TEST_SIZE
  head = _first(name, 3, split="test", seed=0)
  shifted = _first(name, 2, split="test", seed=9, start_index=1)  # Another seed: the same split.
  np.testing.assert_array_equal(head["factors"][1:], shifted["factors"])
  tail = synthetic.DATASETS[name](split="test", start_index=size - 2)
  assert int(tail.reduce(0, lambda count, _: count + 1)) == 2


def test_sample_factors_accepts_both_numpy_generators(named_sampler):
  _, sampler = named_sampler
  for rng_class in (np.random.RandomState, np.random.default_rng):
    factors = sampler.sample_factors(500, rng_class(3))
    assert factors.shape == (500, sampler.num_factors)
    assert np.all(factors >= 0) and np.all(factors < np.array(sampler.factor_sizes))
    np.testing.assert_array_equal(factors, sampler.sample_factors(500, rng_class(3)))
  assert len(np.unique(factors[:, -1])) == sampler.factor_sizes[-1]


def test_unknown_split_is_refused():
  with pytest.raises(ValueError, match="validation"):
    synthetic.shapes2d(split="validation")


def test_moons_stream():
  train = pipeline.take_numpy(synthetic.moons(seed=1), 3000)
  assert train["point"].dtype == np.float32 and train["point"].shape == (3000, 2)
  assert train["label"].dtype == np.int32 and set(np.unique(train["label"])) == {0, 1, 2}
  resumed = pipeline.take_numpy(synthetic.moons(seed=1, start_index=1500), 10)
  np.testing.assert_array_equal(train["point"][1500:1510], resumed["point"])
  assert int(synthetic.moons(split="test").reduce(0, lambda count, _: count + 1)) == 3000
  # Class k lies on the upper half circle of radius 1 centred at x = 2.2 (k - 1), noise 0.1.
  centre = 2.2 * (train["label"] - 1.0)
  radius = np.hypot(train["point"][:, 0] - centre, train["point"][:, 1])
  assert abs(np.mean(radius) - 1.0) < 0.02 and np.std(radius) < 0.15
  assert np.mean(train["point"][:, 1] > -0.3) > 0.99
  np.testing.assert_allclose([np.mean(train["point"][train["label"] == k, 0]) for k in range(3)],
                             [-2.2, 0.0, 2.2], atol=0.05)
  assert not np.array_equal(train["point"][:10], pipeline.take_numpy(synthetic.moons(seed=2), 10)["point"])


def test_datasets_run_inside_tf_data_graph_mode_batching():
  batch = next(iter(pipeline.batched(synthetic.glyphs(), 4)))
  assert isinstance(batch["image"], tf.Tensor) and batch["image"].shape == (4, 32, 32, 1)
