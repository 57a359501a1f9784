"""What a model family exports: named signatures with explicit `tf.TensorSpec`s, and its latent layout.

Each family keeps its export beside its model, in `tfdis/models/<family>/signatures.py`, as one function
`(model) -> Family` registered for its model class:

  @signatures.register_family(model_lib.BetaVAE)
  def beta_vae_family(model):
    ...

This module knows no family. `family_for(model)` imports the `signatures` module next to the module of the
model's class (and of its bases) by name, so that exporting imports no model module itself. Every family
exports `encode`, `decode` and `reconstruct` (`common_signatures`) or says why not; the first signature
listed is also served as `serving_default`.

Signature functions take keyword tensors named like their inputs and return a dict of named outputs, so
the SavedModel's SignatureDefs, the TFLite signature runners and the REST API share the same names.
"""

import dataclasses
import importlib
from typing import Callable

import numpy as np
import tensorflow as tf

from tfdis import editing

# Half-width of the slider range (and of random `values`) for codes with a standard normal prior.
NORMAL_CODE_RANGE = 3.0


@dataclasses.dataclass(frozen=True)
class Input:
  """One named input of a signature: its spec, and how to draw valid random values (for parity checks).

  `sample(rng, batch)` returns a NumPy array of `spec`'s dtype whose first dimension is `batch`.
  """
  name: str
  spec: tf.TensorSpec
  sample: Callable[[np.random.Generator, int], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Signature:
  """An exported function `fn(*inputs) -> {output_name: tensor}`; its parameters are named as `inputs`."""
  name: str
  fn: Callable[..., dict]
  inputs: tuple
  doc: str

  def input_signature(self):
    return [inp.spec for inp in self.inputs]

  def sample_inputs(self, rng, batch=2):
    return {inp.name: inp.sample(rng, batch) for inp in self.inputs}


@dataclasses.dataclass(frozen=True)
class Family:
  """A model family's export: its signatures, the sub-models holding their variables, and metadata.

  Attributes:
    name: family name recorded in the metadata ("beta_vae").
    image_shape: (h, w, c) of the model's images.
    signatures: tuple of `Signature`; the first is also `serving_default`.
    modules: Keras models whose variables the SavedModel holds (never the training model itself).
    latent_layout: list of {"name", "start", "size", "kind", "range"} segments of the code vector.
    class_names: names of the classes the model edits by, if any.
    attribute_names: names of the attributes the model edits, if any.
  """
  name: str
  image_shape: tuple
  signatures: tuple
  modules: tuple
  latent_layout: list
  class_names: tuple = ()
  attribute_names: tuple = ()


_FAMILIES = {}


def register_family(model_class):
  """Decorator registering `fn(model) -> Family` as the export of `model_class` (and its subclasses)."""
  def decorator(fn):
    _FAMILIES[model_class] = fn
    return fn
  return decorator


def signatures_module_name(model_class):
  """`tfdis.models.beta_vae.signatures` for a class defined in `tfdis.models.beta_vae.model`."""
  return model_class.__module__.rpartition(".")[0] + ".signatures"


def _import_signatures_of(model_class):
  """Imports the signatures module beside a tfdis model class's module, if there is one (it registers)."""
  if not model_class.__module__.startswith("tfdis.models."):
    return
  name = signatures_module_name(model_class)
  try:
    importlib.import_module(name)
  except ModuleNotFoundError as e:
    if e.name != name:
      raise  # the module exists but imports something missing: a real error.


def family_for(model):
  """The `Family` of `model`, from the registration of its class or of its nearest registered base."""
  for cls in type(model).__mro__:
    _import_signatures_of(cls)
    if cls in _FAMILIES:
      return _FAMILIES[cls](model)
  raise ValueError(f"No export family registered for {type(model).__name__}; add one with "
                   f"@tfdis.signatures.register_family({type(model).__name__}) in "
                   f"{signatures_module_name(type(model)).replace('.', '/')}.py.")


def image_input(name, image_shape):
  """Float images [n, h, w, c] in [0, 1]."""
  spec = tf.TensorSpec([None, *image_shape], tf.float32, name=name)
  return Input(name, spec, lambda rng, n: rng.uniform(size=(n, *image_shape)).astype(np.float32))


def code_input(name, latent_dim):
  """Float codes [n, d], drawn from the standard normal prior."""
  spec = tf.TensorSpec([None, latent_dim], tf.float32, name=name)
  return Input(name, spec, lambda rng, n: rng.standard_normal((n, latent_dim)).astype(np.float32))


def index_input(name, high):
  """Int32 indices [n] in [0, high), e.g. the latent dimension a traversal sweeps."""
  spec = tf.TensorSpec([None], tf.int32, name=name)
  return Input(name, spec, lambda rng, n: rng.integers(0, high, size=n).astype(np.int32))


def values_input(name, half_range=NORMAL_CODE_RANGE, count=3):
  """Float sweep values [n, v] (v free); random ones have `count` values in ±`half_range`."""
  spec = tf.TensorSpec([None, None], tf.float32, name=name)
  return Input(name, spec,
               lambda rng, n: rng.uniform(-half_range, half_range, size=(n, count)).astype(np.float32))


def scalar_input(name, low, high):
  """Float values [n], one per image; random ones uniform in [low, high]."""
  spec = tf.TensorSpec([None], tf.float32, name=name)
  return Input(name, spec, lambda rng, n: rng.uniform(low, high, size=n).astype(np.float32))


def gaussian_layout(latent_dim, name="z"):
  """The latent layout of one segment of `latent_dim` codes under a N(0, I) prior."""
  return [{"name": name, "start": 0, "size": latent_dim, "kind": "gaussian",
           "range": [-NORMAL_CODE_RANGE, NORMAL_CODE_RANGE]}]


def common_signatures(model, image_shape, latent_dim):
  """`encode`, `decode` and `reconstruct` through the model's own `encode`/`decode` methods."""
  images, codes = image_input("images", image_shape), code_input("codes", latent_dim)
  return (
      Signature("encode", lambda images: {"codes": model.encode(images)}, (images,),
                "images [n, h, w, c] in [0, 1] -> codes [n, d]"),
      Signature("decode", lambda codes: {"images": model.decode(codes)}, (codes,),
                "codes [n, d] -> images [n, h, w, c] in [0, 1]"),
      Signature("reconstruct", lambda images: {"images": model.decode(model.encode(images))}, (images,),
                "images [n, h, w, c] -> decode(encode(images))"),
  )


def traversal_signatures(model, image_shape, latent_dim):
  """`traverse` (from images) and `traverse_code` (from codes): one latent dimension swept per row."""
  sweep_inputs = (index_input("dims", latent_dim), values_input("values"))
  def traverse(images, dims, values):
    return {"images": editing.sweep(model.decode, model.encode(images), dims, values)}
  def traverse_code(codes, dims, values):
    return {"images": editing.sweep(model.decode, codes, dims, values)}
  return (
      Signature("traverse", traverse, (image_input("images", image_shape), *sweep_inputs),
                "images [n, h, w, c], dims [n], values [n, v] -> images [n, v, h, w, c]"),
      Signature("traverse_code", traverse_code, (code_input("codes", latent_dim), *sweep_inputs),
                "codes [n, d], dims [n], values [n, v] -> images [n, v, h, w, c]"),
  )
