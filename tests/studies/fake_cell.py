r"""A stand-in for the train and evaluate launchers, for testing the study runner without TensorFlow.

  python -m tests.studies.fake_cell train --model_dir=D --seed=S --gin_param='SHIFT = 1.0' ...
  python -m tests.studies.fake_cell evaluate --model_dir=D --gin_param='evaluate.seed = S'

`train` appends "train" to D/invocations.log, sleeps `SLEEP` seconds (a binding), fails with status 3 if
`FAIL = True`, and writes D/fake_config.json. `evaluate` appends "evaluate" and writes D/results.json in the
evaluate launcher's layout, with fake/score = SHIFT + 0.01 · seed and fake/steps = TRAIN_STEPS. The modules
`fake_train` and `fake_evaluate` call these.
"""

import argparse
import ast
import json
import os
import sys
import time


def _bindings(params):
  values = {}
  for param in params:
    name, value = (part.strip() for part in param.split("=", 1))
    values[name] = ast.literal_eval(value)
  return values


def main(stage, argv):
  parser = argparse.ArgumentParser()
  parser.add_argument("--model_dir", required=True)
  parser.add_argument("--seed", type=int, default=0)
  parser.add_argument("--gin_param", action="append", default=[])
  parser.add_argument("--gin_file", action="append", default=[])
  args = parser.parse_args(argv)
  with open(os.path.join(args.model_dir, "invocations.log"), "a") as f:
    f.write(stage + "\n")
  config_path = os.path.join(args.model_dir, "fake_config.json")
  if stage == "train":
    bindings = _bindings(args.gin_param)
    time.sleep(float(bindings.get("SLEEP", 0.0)))
    if bindings.get("FAIL"):
      print("fake training failed on purpose", file=sys.stderr)
      sys.exit(3)
    with open(config_path, "w") as f:
      json.dump({"seed": args.seed, "bindings": bindings, "files": args.gin_file}, f)
    return
  with open(config_path) as f:
    config = json.load(f)
  seed = _bindings(args.gin_param)["evaluate.seed"]
  score = float(config["bindings"].get("SHIFT", 0.0)) + 0.01 * seed
  results = {"step": config["bindings"].get("TRAIN_STEPS", 0), "seed": seed,
             "metrics": {"fake": {"score": score, "steps": config["bindings"].get("TRAIN_STEPS", 0),
                                  "elapsed_s": 0.0}}}
  with open(os.path.join(args.model_dir, "results.json"), "w") as f:
    json.dump(results, f)
