"""TFDIS_SMOKE=1: every command of the README in seconds, for its doc tests and for a first try.

With TFDIS_SMOKE set (not "" or "0"), the binaries (train, evaluate, study, quickstart) append tiny gin
bindings after the user's own, so that later wins: `train` runs 2 steps of batch 4 (checkpoint and pictures at
step 2), `evaluate` samples 200/100 points (LORD's latent optimization: 2 steps), `study` runs seed 0 only (its
cells inherit the variable). The numbers mean nothing; the commands, files and errors are the real ones.
"""

import os

SETTINGS = {
    "train": ("TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4"),
    # LORD's test-time latent optimization (a run that ended in stage 1) takes 2 Adam steps, not 200.
    "evaluate": ("evaluate.num_train = 200", "evaluate.num_test = 100", "lord_leakage.latent_steps = 2"),
    "study": ("study.seeds = [0]",),
}


def enabled():
  """Whether the TFDIS_SMOKE environment variable asks for tiny runs."""
  return os.environ.get("TFDIS_SMOKE", "") not in ("", "0")


def bindings(program):
  """The gin bindings `program` ("train", "evaluate" or "study") appends under TFDIS_SMOKE, else ()."""
  if program not in SETTINGS:
    raise ValueError(f"smoke.bindings: unknown program {program!r}; use one of {sorted(SETTINGS)}.")
  return SETTINGS[program] if enabled() else ()
