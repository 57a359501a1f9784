"""tfdis.schedules against a port of OroJaR's official `lr_policy='linear'` loop; gin, serialization, errors."""

import gin
import keras
import numpy as np
import pytest

from tfdis import runs
from tfdis import schedules


def _official_epoch_rates(lr, n_epochs, n_epochs_decay, epoch_count=1):
  """The lr of each epoch in OroJaR's simplegan train.py: a LambdaLR stepped at the start of every epoch."""
  rule = lambda e: 1.0 - max(0, e + epoch_count - n_epochs) / float(n_epochs_decay + 1)
  steps_taken, rates = 0, []
  for _ in range(epoch_count, n_epochs + n_epochs_decay + 1):
    steps_taken += 1  # model.update_learning_rate() before the epoch's iterations
    rates.append(lr * rule(steps_taken))
  return rates


@pytest.mark.parametrize("n_epochs,n_decay", [(600, 600), (5, 3), (1, 4), (4, 0)])
def test_one_step_per_epoch_is_the_official_rule(n_epochs, n_decay):
  schedule = schedules.ConstantThenLinearDecay(2e-4, n_epochs, n_decay)
  ours = [float(schedule(step)) for step in range(n_epochs + n_decay)]
  np.testing.assert_allclose(ours, _official_epoch_rates(2e-4, n_epochs, n_decay), rtol=0, atol=2e-10)  # 1e-6 lr


def test_values_at_chosen_steps_of_a_run():
  schedule = schedules.constant_then_linear_decay(1.0, total_steps=8)  # 4 + 4 steps
  values = [float(schedule(step)) for step in [0, 2, 3, 4, 5, 6, 7, 8, 100]]
  np.testing.assert_allclose(values, [1.0, 1.0, 0.8, 0.6, 0.4, 0.2, 0.0, 0.0, 0.0], atol=1e-7)
  quarter = schedules.constant_then_linear_decay(1.0, total_steps=8, constant_fraction=0.25)
  assert (quarter.constant_steps, quarter.decay_steps) == (2, 6)


def test_serializes_and_clones_into_the_critic_optimizer():
  optimizer = keras.optimizers.Adam(schedules.constant_then_linear_decay(2e-4, total_steps=10))
  clone = keras.optimizers.Adam.from_config(optimizer.get_config())
  assert isinstance(clone._learning_rate, schedules.ConstantThenLinearDecay)  # pylint: disable=protected-access
  for step in (0, 6, 9):
    clone.iterations.assign(step)
    optimizer.iterations.assign(step)
    assert float(clone.learning_rate) == float(optimizer.learning_rate)
  assert float(optimizer.learning_rate) == 0.0


def test_gan_paper_configs_use_it_over_train_steps():
  try:
    for config in ("gin/papers/orojar/shapes2d.gin", "gin/papers/hessian_penalty/shapes2d.gin",
                   "gin/papers/gan/shapes2d.gin"):
      runs.parse_gin([config], ["TRAIN_STEPS = 1200"])
      schedule = runs.configured("train.optimizer_fn")()._learning_rate  # pylint: disable=protected-access
      assert isinstance(schedule, schedules.ConstantThenLinearDecay), config
      assert (schedule.initial_learning_rate, schedule.constant_steps, schedule.decay_steps) == (2e-4, 600, 600)
    runs.parse_gin(["gin/papers/orojar/shapes2d.gin"], [])  # the official 600 + 600 dSprites epochs
    schedule = runs.configured("train.optimizer_fn")()._learning_rate  # pylint: disable=protected-access
    assert (schedule.constant_steps, schedule.decay_steps) == (600 * 5760, 600 * 5760)
  finally:
    gin.clear_config()


@pytest.mark.parametrize("kwargs,match", [
    ({"total_steps": 0}, "total_steps must be a positive integer"),
    ({"total_steps": 2.5}, "total_steps must be a positive integer"),
    ({"total_steps": 10, "constant_fraction": 1.5}, r"constant_fraction must be in \[0, 1\]"),
    ({"initial_learning_rate": -1.0, "total_steps": 10}, "initial_learning_rate must be >= 0"),
])
def test_bad_settings_name_the_problem(kwargs, match):
  kwargs.setdefault("initial_learning_rate", 1e-4)
  with pytest.raises(ValueError, match=match):
    schedules.constant_then_linear_decay(**kwargs)
