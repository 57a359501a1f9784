r"""Fault probes: do runs killed with SIGKILL, or whose latest checkpoint was damaged, resume bit-identically?

`--mode kill` (default): for each family, one uninterrupted reference run, then `--kills` runs that are each
killed with SIGKILL at a random step (after at least one checkpoint) and re-run with the same command.
`--mode corrupt`: copies of the finished reference run whose latest checkpoint is damaged at random (`.data`
truncated at a random length, random bytes of `.data` or `.index` flipped), then re-run with the same
command: it must set the damaged checkpoint aside, resume from the previous one and train to the end.
Either way every variable of the final checkpoint (model, optimizers, noise-generator states) is compared
bit for bit with the reference. Runs use `train.deterministic = True` and a CPU-sized configuration.

  python bench/faults.py                 # 5 kill points per family
  python bench/faults.py --kills 2 --families beta_vae
  python bench/faults.py --mode corrupt --kills 6

`tests/launch/test_kill_resume.py` and `tests/launch/test_checkpoint_integrity.py` run the same checks once.
"""

import argparse
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tests.support.faults import BATCH, CORRUPTIONS, EVERY, FAMILIES, STEPS  # noqa: E402  pylint: disable=g-import-not-at-top
from tests.support.faults import command, mismatches, run, run_corrupted, run_killed  # noqa: E402  pylint: disable=g-import-not-at-top


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--mode", choices=["kill", "corrupt"], default="kill")
  parser.add_argument("--kills", type=int, default=5, help="kill points (or corruptions) per family")
  parser.add_argument("--families", nargs="*", default=list(FAMILIES), choices=list(FAMILIES))
  parser.add_argument("--seed", type=int, default=0, help="seed of the kill points and corruptions")
  args = parser.parse_args()
  rng = random.Random(args.seed)
  if args.mode == "kill":
    print(f"{STEPS} steps, checkpoint every {EVERY}, batch {BATCH}, op determinism on, SIGKILL at random steps")
    print("| family | kill points (step of last checkpoint at the kill) | bit-identical | s |")
  else:
    print(f"{STEPS} steps, checkpoint every {EVERY}, batch {BATCH}, op determinism on, latest checkpoint "
          f"(step {STEPS}) damaged at random, re-run resumes from step {STEPS - EVERY}")
    print("| family | damage (kind: detail) | resumed from the previous checkpoint | bit-identical | s |")
  print("|---|---|---:|---:|" + ("" if args.mode == "kill" else "---:|"))
  for family in args.families:
    config, bindings = FAMILIES[family]
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
      reference = os.path.join(tmp, "reference")
      run(command(config, bindings, reference))
      events, matched, resumed_ok = [], 0, 0
      for i in range(args.kills):
        model_dir = os.path.join(tmp, f"faulted_{i}")
        cmd = command(config, bindings, model_dir)
        if args.mode == "kill":
          killed_at, _ = run_killed(cmd, model_dir, rng.randrange(EVERY, STEPS - 2 * EVERY + 1),
                                    delay=rng.uniform(0, 0.3))
          events.append(str(killed_at))
        else:
          description, resumed = run_corrupted(cmd, reference, model_dir, CORRUPTIONS[i % len(CORRUPTIONS)], rng)
          events.append(description)
          resumed_ok += resumed.endswith(f"ckpt-{STEPS - EVERY}.")
        matched += not mismatches(reference, model_dir)
    middle = "" if args.mode == "kill" else f" {resumed_ok}/{args.kills} |"
    print(f"| {family} | {'; '.join(events)} |{middle} {matched}/{args.kills} | {time.time() - start:.0f} |",
          flush=True)


if __name__ == "__main__":
  main()
