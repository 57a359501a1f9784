"""The models under an export folder, as the server loads them: versions, labels, signature defs, metadata.

Each NAME is served at its newest version that loads, plus every version a label names (`labels.json` in
EXPORT/NAME, or serve's --version_labels). A version that does not load is kept with its reason (TF
Serving's state END). The served metadata never holds an absolute local path (`redact`).
"""

import dataclasses
import json
import os
import re

from absl import logging
from google.protobuf import json_format
from google.protobuf import message as protobuf_message
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

from tfdis.export import layout
from tfdis.export import rest_api

LABELS_FILE = "labels.json"
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~:/-])(?:/[\w.~+-]+)+/?|\b[A-Za-z]:\\[^\s'\"]*")


class ServeError(RuntimeError):
  """The server cannot start: nothing under the export folder loads, a setting is out of range, the port is
  taken."""


@dataclasses.dataclass
class ServedModel:
  """One loaded version of a model."""
  name: str
  version: int
  path: str
  signatures: object  # `loaded.signatures` of tf.saved_model.load(path)
  signature_defs: dict  # {name: SignatureDef as TF Serving's JSON}
  metadata: dict  # assets/tfdis_metadata.json ({} if absent), with local paths redacted
  index_bounds: dict  # rest_api.index_bounds(metadata)


@dataclasses.dataclass
class Model:
  """A model's loaded versions, the versions that failed to load and its version labels."""
  name: str
  versions: dict  # {version: ServedModel}
  broken: dict  # {version: (TF Serving error code, reason)}
  labels: dict  # {label: version}

  @property
  def latest(self):
    return self.versions[max(self.versions)] if self.versions else None


def discover(export_dir, version_labels=None):
  """Loads each EXPORT/NAME (or EXPORT itself if it is a NAME folder): its newest version that loads and
  the versions its labels name. `version_labels`: {name: {label: version}}, over labels.json."""
  root = os.path.abspath(export_dir)
  if _versions(root):
    folders = {os.path.basename(root): root}
  else:
    names = sorted(os.listdir(root)) if os.path.isdir(root) else []
    folders = {n: os.path.join(root, n) for n in names if _versions(os.path.join(root, n))}
  if not folders:
    raise ServeError(f"No SavedModel under {export_dir}: expected EXPORT/NAME/VERSION/saved_model.pb "
                     "(python -m tfdis.export.export writes one).")
  version_labels = version_labels or {}
  models = {name: load_model(name, folder, {**version_labels.get("", {}), **version_labels.get(name, {})})
            for name, folder in folders.items()}
  if not any(model.versions for model in models.values()):
    reasons = "; ".join(f"{m.name}/{v}: {why}" for m in models.values() for v, (_, why) in m.broken.items())
    raise ServeError(f"No version under {export_dir} loads: {reasons}")
  return models


def _versions(folder):
  if not os.path.isdir(folder):
    return []
  return [int(v) for v in os.listdir(folder)
          if v.isdigit() and os.path.isfile(os.path.join(folder, v, "saved_model.pb"))]


def load_model(name, folder, extra_labels=None):
  """The `Model` of EXPORT/NAME: the newest version that loads, and the labelled versions."""
  labels = {**read_labels(folder), **(extra_labels or {})}
  model = Model(name, {}, {}, labels)
  wanted = set(labels.values())
  for version in sorted(_versions(folder), reverse=True):
    if model.versions and version not in wanted:
      continue
    try:
      model.versions[version] = load(name, folder, version)
    except Exception as e:  # pylint: disable=broad-except  (any broken folder: skip it, say why)
      model.broken[version] = _load_error(folder, version, e)
      logging.warning("Skipping %s version %d: %s", name, version, model.broken[version][1])
  for label, version in labels.items():
    if version not in model.versions:
      logging.warning("Label %r of %s names version %d, which is not loaded.", label, name, version)
  return model


def read_labels(folder):
  """{label: version} of EXPORT/NAME/labels.json ({} if there is none); a bad file is an error."""
  path = os.path.join(folder, LABELS_FILE)
  if not os.path.isfile(path):
    return {}
  with open(path) as f:
    labels = json.load(f)
  if not isinstance(labels, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                             for v in labels.values()):
    raise ServeError(f'{path} must map labels to versions, e.g. {{"stable": 1, "canary": 2}}; got '
                     f"{rest_api.clip(labels)}.")
  return labels


def _load_error(folder, version, error):
  """(TF Serving error code, reason) of a version folder that did not load."""
  first_line = (str(error).strip().splitlines() or [""])[0]
  reason = f"{type(error).__name__}: {rest_api.clip(redact(first_line, folder), 200)}"
  if isinstance(error, protobuf_message.DecodeError):
    return "DATA_LOSS", f"{reason} ({version}/saved_model.pb is not a SavedModel)"
  if not os.path.isdir(os.path.join(folder, str(version), "variables")):
    return "NOT_FOUND", f"{version}/variables/ is missing (an export still being copied, or a broken one)"
  return "UNKNOWN", reason


def load(name, folder, version):
  """Loads EXPORT/NAME/VERSION as a `ServedModel`."""
  path = os.path.join(folder, str(version))
  logging.info("Loading %s version %d from %s.", name, version, path)
  defs = signature_defs(path)  # a garbage saved_model.pb fails here, before TensorFlow reads it.
  metadata_path = os.path.join(path, layout.METADATA_PATH)
  metadata = {}
  if os.path.isfile(metadata_path):
    with open(metadata_path) as f:
      metadata = redact(json.load(f), path)
  return ServedModel(name, version, path, tf.saved_model.load(path).signatures, defs, metadata,
                     rest_api.index_bounds(metadata))


def signature_defs(path):
  """The SignatureDefs of a SavedModel's serving graph, in TF Serving's JSON form."""
  saved_model = saved_model_pb2.SavedModel()
  with open(os.path.join(path, "saved_model.pb"), "rb") as f:
    saved_model.ParseFromString(f.read())
  graph = next(g for g in saved_model.meta_graphs if "serve" in g.meta_info_def.tags)
  return {key: json_format.MessageToDict(value, always_print_fields_with_no_presence=True,
                                         preserving_proto_field_name=True)
          for key, value in sorted(graph.signature_def.items()) if not key.startswith("__")}


def redact(value, base):
  """`value` (JSON) with absolute paths made relative to `base` when inside it, else "<redacted>/NAME"."""
  if isinstance(value, dict):
    return {key: redact(item, base) for key, item in value.items()}
  if isinstance(value, list):
    return [redact(item, base) for item in value]
  if not isinstance(value, str):
    return value
  base = os.path.abspath(base)
  def replace(match):
    path = match[0].rstrip("/\\")
    if path == base or path.startswith(base + os.sep):
      return os.path.relpath(path, base)
    return "<redacted>/" + re.split(r"[/\\]", path)[-1]
  return _ABSOLUTE_PATH.sub(replace, value)
