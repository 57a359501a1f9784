"""LORD's optimizers and learning-rate schedules, as the official PyTorch code (avivga/lord-pytorch) sets them.

Stage 1: Adam (β 0.5, 0.999) at 3e-4 for the generator and 3e-3 for the class and content embeddings, both
cosine-annealed per step to 1e-5 over the stage-1 steps (`CosineAnnealingLR(T_max = epochs × batches,
eta_min = 1e-5)`). Stage 2: a fresh Adam over the generator and the encoders at 1e-4, cosine-annealed to 1e-5
over the stage-2 steps; the stage-1 moments are not carried over.

The Keras code (avivga/lord) differs: the cosine is stepped per epoch, the embeddings' rate is 10× the
generator's all along (3e-3 -> 1e-4, `LRMultiplier`), and stage 2 keeps 1e-4, halved by `ReduceLROnPlateau`.
The paper (Gabbay & Hoshen 2020, App.) names neither schedule. tfdis follows the PyTorch code.

Each schedule is a function of its optimizer's own step counter, so a checkpoint of the optimizers (their
iteration counts and moments) restores the rates exactly. Constant rates are schedules too: a Keras optimizer
made with a float rate holds one more variable, and a checkpoint would not fit a run of another length.
"""

import keras


@keras.saving.register_keras_serializable(package="tfdis")
class ConstantRate(keras.optimizers.schedules.LearningRateSchedule):
  """lr(t) = `rate` for every step t."""

  def __init__(self, rate):
    self.rate = float(rate)

  def __call__(self, step):
    del step
    return keras.ops.convert_to_tensor(self.rate, "float32")

  def get_config(self):
    return {"rate": self.rate}


def cosine_decay(initial, steps, final):
  """lr(t) = final + (initial − final)(1 + cos(π t / steps)) / 2 for t ≤ `steps`, then `final`.

  The closed form of PyTorch's `CosineAnnealingLR(T_max=steps, eta_min=final)`, t the optimizer's
  0-based iteration count (the rate of the step it is about to take).

  Args:
    initial: rate at t = 0.
    steps: length of the decay; None or 0 (or `final` None): the constant rate `initial`.
    final: rate at t ≥ `steps`.

  Returns:
    A `keras.optimizers.schedules.CosineDecay`, or a `ConstantRate`.
  """
  if final is None or not steps:
    return ConstantRate(initial)
  if steps < 0 or initial <= 0 or final < 0:
    raise ValueError(f"cosine_decay needs initial > 0, final >= 0 and steps > 0 (got initial={initial}, "
                     f"final={final}, steps={steps}).")
  return keras.optimizers.schedules.CosineDecay(float(initial), int(steps), alpha=float(final) / float(initial))


def base_learning_rate(optimizer):
  """The float learning rate `optimizer` was made with; the LORD schedules start from it.

  Raises:
    ValueError: the optimizer already holds a schedule.
  """
  rate = optimizer.get_config()["learning_rate"]
  if not isinstance(rate, (int, float)):
    raise ValueError("LORD builds its own schedules from the generator's learning rate: give the optimizer a "
                     "float learning_rate (e.g. keras.optimizers.Adam.learning_rate = 3e-4), not a schedule; set "
                     "lord.min_learning_rate = None for constant rates.")
  return float(rate)


def check_stage_boundary(stage1_steps, steps_per_execution):
  """Raises `ValueError` unless `steps_per_execution` divides `stage1_steps` (the phase is picked per execution)."""
  if stage1_steps % steps_per_execution:
    raise ValueError(
        f"steps_per_execution={steps_per_execution} does not divide stage1_steps={stage1_steps}: "
        "the phase is chosen once per execution, so one would run stage-2 steps with the stage-1 step "
        "function. Make stage1_steps a multiple of steps_per_execution (or use steps_per_execution=1).")
