"""What each model family exports: named signatures with explicit `tf.TensorSpec`s, and its latent layout.

A family registers one function `(model) -> Family` for its model class:

  @register_family(BetaVAE)
  def beta_vae_family(model):
    ...

Later families (GAN: `generate`; mddAE: `set_attribute`, `swap_class`; LORD: `transfer`; Lr/Li-VAE:
`inpaint`, `sample`) add one such entry each. Every family exports `encode`, `decode` and `reconstruct`
(`common_signatures`); the first signature listed is also served as `serving_default`.

Signature functions take keyword tensors named like their inputs and return a dict of named outputs, so
the SavedModel's SignatureDefs, the TFLite signature runners and the REST API share the same names.
"""

import dataclasses
from typing import Callable

import numpy as np
import tensorflow as tf

from tfdis.models import base
from tfdis.models import beta_vae as beta_vae_lib
from tfdis.models import jl1_vae as jl1_vae_lib

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


def family_for(model):
  """The `Family` of `model`, from the registration of its class or of its nearest registered base."""
  for cls in type(model).__mro__:
    if cls in _FAMILIES:
      return _FAMILIES[cls](model)
  raise ValueError(f"No export family registered for {type(model).__name__}; add one with "
                   "@export.signatures.register_family(ModelClass).")


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


def sweep(decode_fn, codes, dims, values):
  """Decodes each code with one dimension swept: the batched form of `tfdis.editing.traverse`.

  Args:
    decode_fn: callable [m, d] codes -> [m, h, w, c] images.
    codes: [n, d] codes.
    dims: [n] int32, the dimension each row sweeps.
    values: [n, v] values that dimension takes.

  Returns:
    [n, v, h, w, c] images; row i is `traverse(decode_fn, codes[i], dims[i], values[i])`.
  """
  mask = tf.expand_dims(tf.one_hot(dims, tf.shape(codes)[1], dtype=codes.dtype), 1)  # [n, 1, d]
  swept = tf.expand_dims(codes, 1) * (1.0 - mask) + tf.expand_dims(values, 2) * mask  # [n, v, d]
  images = decode_fn(tf.reshape(swept, [-1, codes.shape[-1]]))  # [n·v, h, w, c]
  return tf.reshape(images, tf.concat([tf.shape(swept)[:2], tf.shape(images)[1:]], 0))


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
    return {"images": sweep(model.decode, model.encode(images), dims, values)}
  def traverse_code(codes, dims, values):
    return {"images": sweep(model.decode, codes, dims, values)}
  return (
      Signature("traverse", traverse, (image_input("images", image_shape), *sweep_inputs),
                "images [n, h, w, c], dims [n], values [n, v] -> images [n, v, h, w, c]"),
      Signature("traverse_code", traverse_code, (code_input("codes", latent_dim), *sweep_inputs),
                "codes [n, d], dims [n], values [n, v] -> images [n, v, h, w, c]"),
  )


@register_family(beta_vae_lib.BetaVAE)
def beta_vae_family(model):
  """β-VAE (and subclasses such as JL1-VAE): codes are posterior means under a N(0, I) prior."""
  image_shape = base.image_shape_of(model)
  d = model.latent_dim
  return Family(
      name="beta_vae",
      image_shape=image_shape,
      signatures=common_signatures(model, image_shape, d) + traversal_signatures(model, image_shape, d),
      modules=(model.encoder, model.decoder),
      latent_layout=[{"name": "z", "start": 0, "size": d, "kind": "gaussian",
                      "range": [-NORMAL_CODE_RANGE, NORMAL_CODE_RANGE]}])


def offsets_input(name, half_range=1.0, count=3):
  """Float offsets [n, v] (v free) added to a code; random ones have `count` values in ±`half_range`."""
  return dataclasses.replace(values_input(name, half_range, count),
                             spec=tf.TensorSpec([None, None], tf.float32, name=name))


def local_sweep(decode_fn, codes, dims, offsets):
  """Decodes each code moved along one latent axis: code + offset · e_dim, for each offset.

  Args:
    decode_fn: callable [m, d] codes -> [m, h, w, c] images.
    codes: [n, d] codes.
    dims: [n] int32, the axis each row moves along.
    offsets: [n, v] offsets along that axis (0 gives the code's own decoding).

  Returns:
    [n, v, h, w, c] images.
  """
  axis = tf.expand_dims(tf.one_hot(dims, tf.shape(codes)[1], dtype=codes.dtype), 1)  # [n, 1, d]
  moved = tf.expand_dims(codes, 1) + tf.expand_dims(offsets, 2) * axis  # [n, v, d]
  images = decode_fn(tf.reshape(moved, [-1, codes.shape[-1]]))  # [n·v, h, w, c]
  return tf.reshape(images, tf.concat([tf.shape(moved)[:2], tf.shape(images)[1:]], 0))


def local_traversal_signature(model, image_shape, latent_dim):
  """`local_traverse`: from each image's code, steps along one latent axis (JL1-VAE's local traversals)."""
  def local_traverse(images, dims, offsets):
    return {"images": local_sweep(model.decode, model.encode(images), dims, offsets)}
  return Signature("local_traverse", local_traverse,
                   (image_input("images", image_shape), index_input("dims", latent_dim),
                    offsets_input("offsets")),
                   "images [n, h, w, c], dims [n], offsets [n, v] -> images [n, v, h, w, c] at "
                   "encode(images) + offsets · e_dims")


def with_local_traversal(family_fn):
  """Wraps a `(model) -> Family` export so that its signatures end with `local_traverse`."""
  def family(model):
    base_family = family_fn(model)
    extra = local_traversal_signature(model, base_family.image_shape, model.latent_dim)
    return dataclasses.replace(base_family, signatures=base_family.signatures + (extra,))
  return family


# JL1-VAE is the β-VAE family plus `local_traverse`. To give every β-VAE export `local_traverse`, register
# `with_local_traversal(beta_vae_family)` for BetaVAE instead, and add "local_traverse" to the SIGNATURES
# lists of tests/export (they assert the exact β-VAE list).
register_family(jl1_vae_lib.JL1VAE)(with_local_traversal(beta_vae_family))


# RegularizedGAN (OroJaR, Hessian Penalty, WGAN-GP baseline): appended family registration.
from tfdis.editing import sefa as sefa_lib  # pylint: disable=wrong-import-position
from tfdis.models import regularized_gan as regularized_gan_lib  # pylint: disable=wrong-import-position


def gan_signatures(model, latent_dim):
  """`generate`, `decode` (the same, for the editor), `traverse` and `sefa_traverse`, all from latents z.

  The SeFa directions are computed from the generator's first-layer weight when the family is built and
  exported as a constant.
  """
  codes = code_input("codes", latent_dim)
  sweep_inputs = (index_input("dims", latent_dim), values_input("values"))
  directions = tf.constant(sefa_lib.sefa_directions(sefa_lib.first_layer_weight(model.generator))[0])

  def sefa_traverse(codes, directions_index, values):
    moves = tf.expand_dims(values, 2) * tf.expand_dims(tf.gather(directions, directions_index), 1)
    shifted = tf.expand_dims(codes, 1) + moves  # [n, v, d]
    images = model.decode(tf.reshape(shifted, [-1, latent_dim]))
    return {"images": tf.reshape(images, tf.concat([tf.shape(shifted)[:2], tf.shape(images)[1:]], 0))}

  no_encoder = " (a GAN has no encoder: no encode/reconstruct signatures)"
  return (
      Signature("generate", lambda codes: {"images": model.decode(codes)}, (codes,),
                "latents z [n, d] ~ N(0, I) -> images [n, h, w, c] in [0, 1]" + no_encoder),
      Signature("decode", lambda codes: {"images": model.decode(codes)}, (codes,),
                "latents z [n, d] -> images [n, h, w, c] in [0, 1] (same as generate)"),
      Signature("traverse", lambda codes, dims, values: {"images": sweep(model.decode, codes, dims, values)},
                (codes, *sweep_inputs),
                "latents z [n, d], dims [n], values [n, v] -> images [n, v, h, w, c]: z[dims] set to values"),
      Signature("sefa_traverse", sefa_traverse,
                (codes, index_input("directions_index", latent_dim), values_input("values")),
                "latents z [n, d], directions_index [n], values [n, v] -> images [n, v, h, w, c]: "
                "z + value · SeFa direction (first-layer eigenvectors, by decreasing eigenvalue)"),
  )


@register_family(regularized_gan_lib.RegularizedGAN)
def regularized_gan_family(model):
  """WGAN-GP generator (OroJaR, Hessian Penalty, baseline): latents z ~ N(0, I); no encoder."""
  d = model.latent_dim
  return Family(
      name="regularized_gan",
      image_shape=model.image_shape,
      signatures=gan_signatures(model, d),
      modules=(model.generator,),
      latent_layout=[{"name": "z", "start": 0, "size": d, "kind": "gaussian",
                      "range": [-NORMAL_CODE_RANGE, NORMAL_CODE_RANGE]}])
