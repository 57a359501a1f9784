"""A Python handle on an exported model: each signature as a method taking and returning NumPy arrays.

    import numpy as np, tfdis
    model = tfdis.load_export("/tmp/tfdis_quickstart/export")   # EXPORT, EXPORT/NAME or EXPORT/NAME/VERSION
    images = model.decode(np.zeros([2, model.latent_dim]))       # [2, h, w, c] in [0, 1]
    codes = model.encode(images)                                  # {"codes": ..., "mean": ..., ...}

A method takes its inputs by position (in the order the export's metadata lists them) or by name, as NumPy
arrays or nested lists with a leading batch dimension; one example without it is also accepted (all inputs
unbatched) and then the outputs come back unbatched too. A signature with one output returns that array, one
with several returns a dict {output name: array}. Wrong names, counts or shapes raise a `ValueError` that says
what the signature takes.
"""

import json
import os

import numpy as np

METADATA_FILE = os.path.join("assets", "tfdis_metadata.json")


def load_export(path, version=None):
  """Loads an export written by `python -m tfdis.export.export`.

  Args:
    path: a version folder (holding `saved_model.pb`), a model folder EXPORT/NAME holding numeric version
      folders (the newest, or `version`, is loaded), or an export root holding exactly one model folder.
    version: the version to load from a model folder; None for the newest.

  Returns:
    An `ExportedModel`.

  Raises:
    FileNotFoundError: nothing loadable at `path`, with what was expected there.
  """
  folder = _version_folder(os.fspath(path), version)
  import tensorflow as tf  # pylint: disable=g-import-not-at-top  (importing tfdis stays TensorFlow-free)
  return ExportedModel(folder, tf.saved_model.load(folder))


def _version_folder(path, version):
  if os.path.isfile(os.path.join(path, "saved_model.pb")):
    return path
  if not os.path.isdir(path):
    raise FileNotFoundError(f"No export at {path!r}: give EXPORT/NAME/VERSION "
                            "(written by python -m tfdis.export.export).")
  versions = sorted(int(v) for v in os.listdir(path)
                    if v.isdigit() and os.path.isfile(os.path.join(path, v, "saved_model.pb")))
  if versions:
    if version is None:
      return os.path.join(path, str(versions[-1]))
    if version not in versions:
      raise FileNotFoundError(f"{path!r} has no version {version}; it has {versions}.")
    return os.path.join(path, str(version))
  models = [n for n in sorted(os.listdir(path)) if _has_versions(os.path.join(path, n))]
  if len(models) == 1:
    return _version_folder(os.path.join(path, models[0]), version)
  hint = f"it holds several models {models}: name one" if models else "no SavedModel was found below it"
  raise FileNotFoundError(f"Cannot load {path!r}: {hint} (EXPORT/NAME/VERSION/saved_model.pb).")


def _has_versions(folder):
  return os.path.isdir(folder) and any(
      v.isdigit() and os.path.isfile(os.path.join(folder, v, "saved_model.pb")) for v in os.listdir(folder))


class ExportedModel:
  """An exported model whose signatures are methods (`model.decode(codes)`); see the module docstring.

  Attributes:
    path: the version folder loaded.
    metadata: the export's `assets/tfdis_metadata.json` ({} for a SavedModel without one).
    signature_names: the callable signatures, sorted.
  """

  def __init__(self, path, loaded):
    self.path = path
    self._loaded = loaded
    metadata_path = os.path.join(path, METADATA_FILE)
    self.metadata = {}
    if os.path.isfile(metadata_path):
      with open(metadata_path) as f:
        self.metadata = json.load(f)
    self.signature_names = sorted(loaded.signatures.keys())

  @property
  def family(self):
    return self.metadata.get("family")

  @property
  def image_shape(self):
    return tuple(self.metadata.get("image_shape", ()))

  @property
  def latent_dim(self):
    return self.metadata.get("latent_dim")

  def __getattr__(self, name):
    if name.startswith("_") or name not in self.signature_names:
      raise AttributeError(f"{type(self).__name__} ({self.family}) has no signature {name!r}; "
                           f"it has {self.signature_names}.")
    return lambda *args, **kwargs: self.call(name, *args, **kwargs)

  def __dir__(self):
    return sorted(set(super().__dir__()) | set(self.signature_names))

  def __repr__(self):
    return f"ExportedModel({self.family or 'SavedModel'} at {self.path!r}: {', '.join(self.signature_names)})"

  def inputs(self, signature_name):
    """{input name: tf.TensorSpec} of a signature, in the order its positional arguments take."""
    specs = self._loaded.signatures[signature_name].structured_input_signature[1]
    described = self._described(signature_name).get("inputs", {})
    order = [n for n in described if n in specs] + sorted(n for n in specs if n not in described)
    return {name: specs[name] for name in order}

  def _described(self, signature_name):
    """The metadata's description of a signature (`serving_default` is the one it names)."""
    if signature_name == "serving_default":
      signature_name = self.metadata.get("serving_default", signature_name)
    return self.metadata.get("signatures", {}).get(signature_name, {})

  def doc(self, signature_name):
    """The one-line contract the export recorded for a signature ("codes [n, d] -> images ...")."""
    return self._described(signature_name).get("doc", "")

  def call(self, signature_name, *args, **kwargs):
    """Runs one signature on NumPy inputs; returns its array, or a dict of arrays if it has several outputs."""
    if signature_name not in self.signature_names:
      raise ValueError(f"Unknown signature {signature_name!r}: choose from {self.signature_names}.")
    specs = self.inputs(signature_name)
    arrays = _bind(signature_name, specs, args, kwargs)
    unbatched = all(arrays[n].ndim == len(specs[n].shape) - 1 for n in specs)
    if unbatched:
      arrays = {n: a[None] for n, a in arrays.items()}
    for name, spec in specs.items():
      if not spec.shape.is_compatible_with(arrays[name].shape):
        raise ValueError(f"{signature_name}: input {name!r} has shape {list(arrays[name].shape)}, expected "
                         f"{spec.shape.as_list()} (None: any size).")
    outputs = self._loaded.signatures[signature_name](**arrays)
    outputs = {k: v.numpy()[0] if unbatched else v.numpy() for k, v in outputs.items()}
    return next(iter(outputs.values())) if len(outputs) == 1 else outputs


def _bind(signature_name, specs, args, kwargs):
  """Maps positional and keyword arguments to {input name: array of the input's dtype}."""
  names = list(specs)
  if len(args) > len(names):
    raise ValueError(f"{signature_name} takes {len(names)} inputs {names}, got {len(args)} positional.")
  given = dict(zip(names, args))
  for name, value in kwargs.items():
    if name not in specs:
      raise ValueError(f"{signature_name} has no input {name!r}; it takes {names}.")
    if name in given:
      raise ValueError(f"{signature_name}: input {name!r} given twice (by position and by name).")
    given[name] = value
  missing = [n for n in names if n not in given]
  if missing:
    raise ValueError(f"{signature_name} is missing inputs {missing}; it takes {names}.")
  return {n: _array(signature_name, n, given[n], specs[n]) for n in names}


def _array(signature_name, name, value, spec):
  array = np.asarray(value)
  if spec.dtype.is_integer and array.dtype.kind == "f" and not np.array_equal(array, np.round(array)):
    raise ValueError(f"{signature_name}: input {name!r} takes integers ({spec.dtype.name}), got fractions.")
  return array.astype(spec.dtype.as_numpy_dtype)
