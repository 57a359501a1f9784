"""Writes that readers never see half done, and the check that a run's weights are all finite."""

import json
import os

import numpy as np
import tensorflow as tf


def write_atomically(path, text):
  """Writes `text` to `path` through a temporary file renamed over it (any tf.io.gfile path)."""
  with tf.io.gfile.GFile(path + ".tmp", "w") as f:
    f.write(text)
  tf.io.gfile.rename(path + ".tmp", path, overwrite=True)


def write_json(path, data, allow_nan=False):
  """Writes `data` as indented JSON to `path` atomically, creating its folder.

  NaN/Inf raise `ValueError` unless `allow_nan` (strict JSON has neither; Python's reader accepts them).
  """
  tf.io.gfile.makedirs(os.path.dirname(path) or ".")
  write_atomically(path, json.dumps(data, indent=2, allow_nan=allow_nan))


def nonfinite_variables(variables):
  """The paths of the variables holding a NaN or an Inf (empty when all are finite)."""
  return [getattr(v, "path", v.name) for v in variables if not np.all(np.isfinite(np.asarray(v.numpy())))]
