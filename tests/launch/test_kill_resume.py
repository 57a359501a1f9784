"""A run killed with SIGKILL and re-run resumes from its last checkpoint and, with op determinism on, ends
bit-identical to an uninterrupted run (model, optimizers and noise-generator states), per family."""

import os
import random

import pytest

from bench import faults


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
