"""Lr/Li-VAE's kill-and-resume (as tests/launch/test_kill_resume.py per family): with the precisions' step-decay
schedule crossing several decays and three fresh GM batches a step, a run killed with SIGKILL and re-run
ends bit-identical to an uninterrupted one (all seven optimizers, their schedule positions, the data
offset of 3 × BATCH_SIZE examples a step, and the noise state)."""

import os
import random

import pytest

from tests.support import faults

# ÷10 of the precisions' learning rate every 2 epochs of 5 steps: decays at steps 10, 20, 30 of the 40.
LRLI = ("gin/papers/lrli_vae/glyphs.gin", ["RELEVANT_DIM = 2", "IRRELEVANT_DIM = 2", "EPOCH_STEPS = 5",
                                           "lrli_vae.variance_decay_epochs = 2"])


@pytest.mark.slow
def test_lrli_sigkill_then_rerun_ends_bit_identical(tmp_path):
  config, bindings = LRLI
  reference, killed = str(tmp_path / "reference"), str(tmp_path / "killed")
  faults.run(faults.command(config, bindings, reference))
  kill_after = random.Random("lrli_vae").randrange(faults.EVERY, faults.STEPS - 2 * faults.EVERY + 1)
  killed_at, resumed = faults.run_killed(faults.command(config, bindings, killed), killed, kill_after)
  assert faults.EVERY <= killed_at < faults.STEPS
  assert resumed.endswith(os.path.join(killed, "checkpoints", f"ckpt-{killed_at}") + ".")
  assert faults.latest_step(killed) == faults.STEPS
  assert faults.mismatches(reference, killed) == []
