"""Batching helpers: resumed training sees the batches an uninterrupted run would have seen."""

import numpy as np

from tfdis.data import pipeline
from tfdis.data import synthetic


def test_train_batches_resume_at_the_next_step():
  uninterrupted = iter(pipeline.train_batches(synthetic.moons, batch_size=32, seed=3))
  batches = [next(uninterrupted) for _ in range(5)]
  resumed = next(iter(pipeline.train_batches(synthetic.moons, batch_size=32, seed=3, step=4)))
  assert resumed["point"].shape == (32, 2)
  np.testing.assert_array_equal(resumed["point"].numpy(), batches[4]["point"].numpy())


def test_batched_drops_or_keeps_the_last_partial_batch():
  dropped = [b["label"].shape[0] for b in pipeline.batched(synthetic.moons("test"), 64)]
  kept = [b["label"].shape[0] for b in pipeline.eval_batches(synthetic.moons, 64)]
  assert set(dropped) == {64} and len(dropped) == 3000 // 64
  assert sum(kept) == 3000 and kept[-1] == 3000 % 64


def test_take_numpy_returns_the_first_elements_as_arrays():
  first = pipeline.take_numpy(synthetic.moons("test"), 5)
  again = pipeline.take_numpy(synthetic.moons("test"), 8)
  assert first["point"].shape == (5, 2) and first["label"].dtype == np.int32
  np.testing.assert_array_equal(first["point"], again["point"][:5])
  assert pipeline.take_numpy(synthetic.moons("test", start_index=2998), 5)["point"].shape == (2, 2)


def test_without_autotune_turns_autotuning_off_and_keeps_the_elements():
  dataset = synthetic.moons("test").batch(16).prefetch(8)
  tuned_off = pipeline.without_autotune(dataset)
  assert dataset.options().autotune.enabled is not False and tuned_off.options().autotune.enabled is False
  for before, after in zip(dataset.take(3), tuned_off.take(3)):
    np.testing.assert_array_equal(before["point"].numpy(), after["point"].numpy())


def test_every_iterating_helper_reads_without_autotune():
  """The helpers' own datasets (what an iterator would be made of) carry the option."""
  assert pipeline.train_batches(synthetic.moons, batch_size=8).options().autotune.enabled is False
  assert pipeline.eval_batches(synthetic.moons, 8).options().autotune.enabled is False
