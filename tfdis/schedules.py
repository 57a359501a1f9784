"""Learning-rate schedules of the papers' official code that Keras does not ship.

A schedule is a function of the optimizer's `iterations` (the number of updates already applied), which every
checkpoint holds, so a resumed run continues the schedule where it stopped.
"""

import gin
import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfdis")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
  """lr · max(0, 1 − max(0, step + 2 − constant_steps) / (decay_steps + 1)) at optimizer step `step` (from 0).

  The official `lr_policy='linear'` of OroJaR's simple-GAN code (`networks.get_scheduler`, from the
  CycleGAN/pix2pix code base, `n_epochs` = `n_epochs_decay` = 600), counted in optimizer steps instead of
  epochs. Its rule is 1 − max(0, e + 1 − n_epochs)/(n_epochs_decay + 1) after e scheduler steps, and
  `train.py` steps the scheduler at the *start* of every epoch, so epoch i (from 0) trains at the rule's
  value for e = i + 1: hence the +2. The rate is lr up to step `constant_steps − 2`, lr · (1 − 1/(decay + 1))
  at `constant_steps − 1`, and reaches 0 at the last step `constant_steps + decay_steps − 1` (the official
  last epoch trains at lr 0); it stays 0 after.

  Args:
    initial_learning_rate: lr of the constant phase.
    constant_steps: the official `n_epochs` in steps (lr for its first constant_steps − 1 steps).
    decay_steps: the official `n_epochs_decay` in steps.
  """

  def __init__(self, initial_learning_rate, constant_steps, decay_steps):
    if not initial_learning_rate >= 0:
      raise ValueError(f"initial_learning_rate must be >= 0, got {initial_learning_rate!r}.")
    if int(constant_steps) != constant_steps or constant_steps < 0 or int(decay_steps) != decay_steps \
        or decay_steps < 0:
      raise ValueError(f"constant_steps and decay_steps must be integers >= 0, got {constant_steps!r} and "
                       f"{decay_steps!r}.")
    self.initial_learning_rate = float(initial_learning_rate)
    self.constant_steps, self.decay_steps = int(constant_steps), int(decay_steps)

  def __call__(self, step):
    step = tf.cast(step, tf.float32)
    decayed = tf.maximum(0.0, step + 2.0 - self.constant_steps) / (self.decay_steps + 1.0)
    return self.initial_learning_rate * tf.maximum(0.0, 1.0 - decayed)

  def get_config(self):
    return {"initial_learning_rate": self.initial_learning_rate, "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps}


@gin.register
def constant_then_linear_decay(initial_learning_rate=gin.REQUIRED, total_steps=gin.REQUIRED,
                               constant_fraction=0.5):
  """`ConstantThenLinearDecay` over a run of `total_steps`: constant for the first `constant_fraction`.

  Args:
    initial_learning_rate: lr of the constant phase (gin: %LEARNING_RATE).
    total_steps: length of the run in optimizer steps (gin: %TRAIN_STEPS).
    constant_fraction: share of the run at constant lr (official 600 of 600 + 600 epochs: 0.5).

  Returns:
    The schedule, to pass as an optimizer's `learning_rate`.

  Raises:
    ValueError: total_steps not a positive integer, or constant_fraction outside [0, 1].
  """
  if int(total_steps) != total_steps or total_steps <= 0:
    raise ValueError(f"total_steps must be a positive integer (the run's TRAIN_STEPS), got {total_steps!r}.")
  if not 0.0 <= constant_fraction <= 1.0:
    raise ValueError(f"constant_fraction must be in [0, 1], got {constant_fraction!r}.")
  constant_steps = int(round(constant_fraction * total_steps))
  return ConstantThenLinearDecay(initial_learning_rate, constant_steps, int(total_steps) - constant_steps)
