"""A run killed with SIGKILL and re-run resumes from its last checkpoint and, with op determinism on, ends
bit-identical to an uninterrupted run (model, optimizers and noise-generator states), per family."""

import os
import random
import shutil

import pytest
import tensorflow as tf

from tests.support import faults


# β-VAE runs by default; the GAN and LORD (~40 s each here) are `slow` to keep CI under 15 minutes, and
# bench/faults.py repeats all of them at 5 kill points.
@pytest.mark.parametrize("family", ["beta_vae", pytest.param("orojar_gan", marks=pytest.mark.slow),
                                    pytest.param("lord", marks=pytest.mark.slow)])
def test_sigkill_then_rerun_ends_bit_identical(family, tmp_path):
  config, bindings = faults.FAMILIES[family]
  reference, killed = str(tmp_path / "reference"), str(tmp_path / "killed")
  faults.run(faults.command(config, bindings, reference))
  kill_after = random.Random(family).randrange(faults.EVERY, faults.STEPS - 2 * faults.EVERY + 1)
  killed_at, resumed = faults.run_killed(faults.command(config, bindings, killed), killed, kill_after)
  assert faults.EVERY <= killed_at < faults.STEPS
  assert resumed.endswith(os.path.join(killed, "checkpoints", f"ckpt-{killed_at}") + ".")
  assert faults.latest_step(killed) == faults.STEPS
  assert faults.mismatches(reference, killed) == []
  if family == "orojar_gan":  # the GAN run resumes through its constant-then-linear-decay lr schedule
    operative = open(os.path.join(killed, "operative_config.gin")).read()
    assert "constant_then_linear_decay.total_steps = %TRAIN_STEPS" in operative
  if family == "lord":  # killed after the stage switch (step 20): stage 2's own Adam and schedule resumed too
    assert killed_at > 20
    stage2 = {name: value for name, value in faults.checkpoint_values(killed).items() if "stage2_optimizer" in name}
    iterations = [int(value) for name, value in stage2.items() if "iteration" in name]
    assert iterations == [faults.STEPS - 20] and len(stage2) > 1  # its step counter and its moments


def test_mismatches_sees_a_different_run(tmp_path):
  config, bindings = faults.FAMILIES["beta_vae"]
  first, other = str(tmp_path / "first"), str(tmp_path / "other")
  faults.run(faults.command(config, bindings, first, steps=2, every=2))
  faults.run(faults.command(config, [*bindings, "beta_vae.seed = 1"], other, steps=2, every=2))
  assert faults.mismatches(first, first) == []
  different = faults.mismatches(first, other)
  assert different and all(name in faults.checkpoint_values(first) for name in different)


def test_gan_resumed_mid_decay_ends_bit_identical_with_its_lr_schedule(tmp_path):
  """Fast, in process: the OroJaR config (constant-then-linear-decay lr) resumed from a checkpoint taken
  inside the decay continues the schedule: both optimizers' rates and every final variable are bit-identical."""
  from tfdis.launch import train_lib  # pylint: disable=g-import-not-at-top
  config, bindings = faults.FAMILIES["orojar_gan"]
  bindings = [*bindings, "TRAIN_STEPS = 6", "CHECKPOINT_EVERY = 4", "BATCH_SIZE = 2", "train.deterministic = True"]
  reference, resumed = str(tmp_path / "reference"), str(tmp_path / "resumed")
  full = train_lib.run([config], bindings, reference)  # checkpoints at steps 4 and 6
  checkpoints = os.path.join(resumed, "checkpoints")
  shutil.copytree(os.path.join(reference, "checkpoints"), checkpoints)
  for name in os.listdir(checkpoints):
    if name.startswith("ckpt-6"):
      os.remove(os.path.join(checkpoints, name))
  tf.compat.v1.train.update_checkpoint_state(checkpoints, os.path.join(checkpoints, "ckpt-4"))
  assert faults.latest_step(resumed) == 4  # what a run killed after step 4 leaves
  model = train_lib.run([config], bindings, resumed)
  assert faults.latest_step(resumed) == 6 and faults.mismatches(reference, resumed) == []
  schedule = model.optimizer._learning_rate  # pylint: disable=protected-access
  assert (schedule.constant_steps, schedule.decay_steps) == (3, 3)  # steps 4 and 5 lie in the decay
  for optimizer, reference_optimizer in [(model.optimizer, full.optimizer), (model.d_optimizer, full.d_optimizer)]:
    assert int(optimizer.iterations) == 6
    assert float(optimizer.learning_rate) == float(reference_optimizer.learning_rate) == float(schedule(6))
