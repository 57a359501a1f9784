"""TFLite files per signature, and the parity check of each against the SavedModel it came from.

A signature that the converter rejects (an op with no TFLite kernel, say), or that LiteRT cannot run, is
recorded with the reason and skipped; a signature that converts must match the SavedModel on random inputs within `tolerance`, run
through LiteRT, or the export fails with `ParityError`.
"""

import os
import re

from ai_edge_litert.interpreter import Interpreter
import numpy as np
import tensorflow as tf

# Largest max |TFLite − SavedModel| accepted for float32 outputs.
DEFAULT_TOLERANCE = 1e-4
# Batch size of the random inputs of the parity checks.
PARITY_BATCH = 3


class ParityError(RuntimeError):
  """Two implementations of a signature disagree by more than the tolerance (or produce NaN)."""


def convert(saved_model_dir, name):
  """Converts one signature of a SavedModel to a TFLite flatbuffer (bytes), builtin ops only."""
  converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir, signature_keys=[name])
  return converter.convert()


def run_tflite(model_content, name, inputs):
  """Runs signature `name` of a TFLite flatbuffer with LiteRT on {input: array}; returns {output: array}."""
  runner = Interpreter(model_content=model_content).get_signature_runner(name)
  return {key: np.asarray(value) for key, value in runner(**inputs).items()}


def run_saved_model(loaded, name, inputs):
  """Runs signature `name` of a loaded SavedModel on {input: array}; returns {output: array}."""
  outputs = loaded.signatures[name](**{key: tf.constant(value) for key, value in inputs.items()})
  return {key: value.numpy() for key, value in outputs.items()}


def max_abs_diff(reference, candidate):
  """max |candidate − reference| over all outputs; inf when names or shapes differ or any value is NaN."""
  if set(reference) != set(candidate):
    return float("inf")
  worst = 0.0
  for key, expected in reference.items():
    actual = np.asarray(candidate[key])
    if actual.shape != expected.shape:
      return float("inf")
    if actual.size:
      diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
      if np.isnan(diff).any():
        return float("inf")
      worst = max(worst, float(diff.max()))
  return worst


def check(name, diff, tolerance, what):
  """Raises `ParityError` unless `diff` ≤ `tolerance` (so NaN and inf fail)."""
  if not diff <= tolerance:
    raise ParityError(f"Signature {name!r}: max |{what}| = {diff:.3g} exceeds the tolerance {tolerance:g}; "
                      "nothing was exported.")


def convert_and_check(saved_model_dir, loaded, signatures, out_dir, tolerance=DEFAULT_TOLERANCE, seed=0):
  """Writes `out_dir/NAME.tflite` for each signature that converts, after checking it against the SavedModel.

  Args:
    saved_model_dir: the SavedModel (in the export's staging folder).
    loaded: that SavedModel, loaded with `tf.saved_model.load`.
    signatures: the family's `Signature`s (their `sample_inputs` give the random inputs).
    out_dir: folder of the .tflite files.
    tolerance: largest accepted max |TFLite − SavedModel|.
    seed: seed of the random inputs.

  Returns:
    {name: {"converted": True, "file", "bytes", "max_abs_diff"} or {"converted": False, "error"}}.

  Raises:
    ParityError: a converted signature differs from the SavedModel by more than `tolerance`.
  """
  rng = np.random.default_rng(seed)
  report = {}
  for signature in signatures:
    try:
      content = convert(saved_model_dir, signature.name)
    except Exception as e:  # pylint: disable=broad-except  (the converter raises many kinds)
      report[signature.name] = {"converted": False, "error": summarize_error(e)}
      continue
    inputs = signature.sample_inputs(rng, PARITY_BATCH)
    try:
      lite = run_tflite(content, signature.name, inputs)
    except Exception as e:  # pylint: disable=broad-except  (converted, but LiteRT cannot run it)
      report[signature.name] = {"converted": False, "error": f"LiteRT cannot run it: {summarize_error(e)}"}
      continue
    diff = max_abs_diff(run_saved_model(loaded, signature.name, inputs), lite)
    check(signature.name, diff, tolerance, "TFLite − SavedModel")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{signature.name}.tflite")
    with open(path, "wb") as f:
      f.write(content)
    report[signature.name] = {"converted": True, "file": os.path.relpath(path, os.path.dirname(out_dir)),
                              "bytes": len(content), "max_abs_diff": diff}
  return report


def summarize_error(error, limit=300):
  """A short reason from a converter error: the ops TFLite lacks and the error code, else the first line."""
  text = str(error)
  ops = re.findall(r"^\s*((?:TF Select|Custom|Flex) ops: .+)$", text, re.MULTILINE)
  codes = re.findall(r"Error code: (\w+)", text)
  if ops or codes:
    reason = "; ".join(dict.fromkeys(ops + codes))
  else:
    reason = next((line.strip() for line in text.splitlines() if line.strip()), repr(error))
  return f"{type(error).__name__}: {reason}"[:limit]
