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
from tfdis.models.beta_vae import model as beta_vae_lib
from tfdis.models.jl1_vae import model as jl1_vae_lib

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
from tfdis.models.regularized_gan import model as regularized_gan_lib  # pylint: disable=wrong-import-position


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


# Lr/Li-VAE (Zheng & Sun 2019): appended family registration.
from tfdis.models.lrli_vae import model as lrli_vae_lib  # pylint: disable=wrong-import-position


def mask_input(name, image_shape):
  """Float masks [n, h, w, 1], 1 where pixels are missing; random ones cover a random rectangle."""
  height, width = image_shape[:2]
  def sample(rng, n):
    masks = np.zeros((n, height, width, 1), np.float32)
    for mask in masks:
      top, left = rng.integers(0, height // 2), rng.integers(0, width // 2)
      mask[top:top + height // 2, left:left + width // 2] = 1.0
    return masks
  return Input(name, tf.TensorSpec([None, height, width, 1], tf.float32, name=name), sample)


def lrli_signatures(model, image_shape):
  """`encode` (codes, z_s, z_u), `decode`, `reconstruct`, `transfer`, `sample` and, for images, `inpaint`."""
  images, d = image_input("images", image_shape), model.latent_dim

  def encode(images):
    z_s, z_u = model.encode_parts(images)
    return {"codes": tf.concat([z_s, z_u], -1), "z_s": z_s, "z_u": z_u}

  signatures = (
      Signature("encode", encode, (images,),
                "images [n, h, w, c] in [0, 1] -> codes [n, d_s + d_u] = [z_s, z_u], z_s [n, d_s], z_u [n, d_u]"),
      Signature("decode", lambda codes: {"images": model.decode(codes)}, (code_input("codes", d),),
                "codes [n, d_s + d_u] -> images [n, h, w, c]"),
      Signature("reconstruct", lambda images: {"images": model(images)}, (images,),
                "images [n, h, w, c] -> decode(encode(images))"),
      Signature("transfer",
                lambda identity_images, other_images: {"images": model.transfer(identity_images, other_images)},
                (image_input("identity_images", image_shape), image_input("other_images", image_shape)),
                "identity_images, other_images [n, h, w, c] -> images with z_s (class/identity) of the first "
                "and z_u (everything else) of the second"),
      Signature("sample", lambda labels, noise: {"images": model.sample(labels, noise)},
                (index_input("labels", model.num_classes), code_input("noise", d)),
                "labels [n] class ids, noise [n, d_s + d_u] ~ N(0, I) -> images [n, h, w, c]: z_s = μ_y + "
                "ε_s/√Λ_y from the class's Gaussian, z_u = ε_u"),
  )
  if len(image_shape) == 3:
    signatures += (Signature("inpaint", lambda images, masks: {"images": model.inpaint(images, masks)},
                             (images, mask_input("masks", image_shape)),
                             "images [n, h, w, c], masks [n, h, w, 1] (1 = missing) -> x·(1−m) + "
                             "G(E(x·(1−m)))·m"),)
  return signatures


@register_family(lrli_vae_lib.LrLiVAE)
def lrli_vae_family(model):
  """Lr/Li-VAE: codes [z_s, z_u]; z_s under the learned class mixture, z_u under N(0, I)."""
  image_shape = tuple(int(s) for s in model.encoder_u.inputs[0].shape[1:])
  if model.encoder_s is None:
    raise ValueError("The cVAE-GAN baseline encodes with the label and has no export family; export an "
                     "Lr/Li-VAE run.")
  ds, du = model.relevant_dim, model.irrelevant_dim
  span = [-NORMAL_CODE_RANGE, NORMAL_CODE_RANGE]
  return Family(
      name="lrli_vae", image_shape=image_shape, signatures=lrli_signatures(model, image_shape),
      modules=(model.encoder_s, model.encoder_u, model.decoder, model.prior),
      latent_layout=[{"name": "z_s", "start": 0, "size": ds, "kind": "gaussian_mixture", "range": span},
                     {"name": "z_u", "start": ds, "size": du, "kind": "gaussian", "range": span}],
      class_names=tuple(str(k) for k in range(model.num_classes)))


# mddAE family (AE, disAE, disAE-XCov, mddAE-XCov, mddAE-dCov): appended family registration.
from tfdis.models.mddae import model as mddae_lib  # pylint: disable=wrong-import-position

# Slider range of an attribute's intensity: editing may go beyond 1 (the paper shows up to about 2).
ATTRIBUTE_RANGE = (-1.0, 3.0)


def scalar_input(name, low, high):
  """Float values [n], one per image; random ones uniform in [low, high]."""
  spec = tf.TensorSpec([None], tf.float32, name=name)
  return Input(name, spec, lambda rng, n: rng.uniform(low, high, size=n).astype(np.float32))


def mddae_edit_signatures(model, image_shape):
  """Case 1 (`targets="classes"`): `swap_class`, `class_analogies`; case 2: `set_attribute`, `attribute_sweep`."""
  images, c = image_input("images", image_shape), model.num_targets
  if model.targets == "classes":
    return (
        Signature("swap_class", lambda images, target_class: {"images": model.swap_class(images, target_class)},
                  (images, index_input("target_class", c)),
                  "images [n, h, w, c], target_class [n] -> images [n, h, w, c]: ŷ's target element exchanged "
                  "with its maximum, z kept"),
        Signature("class_analogies", lambda images: {"images": model.class_analogies(images)}, (images,),
                  "images [n, h, w, c] -> images [n, C, h, w, c]: each image shown as every class"),
    )
  low, high = ATTRIBUTE_RANGE
  return (
      Signature("set_attribute", lambda images, attribute_index, value: {
          "images": model.set_attribute(images, attribute_index, value)},
                (images, index_input("attribute_index", c), scalar_input("value", low, high)),
                "images [n, h, w, c], attribute_index [n], value [n] (any real, above 1 allowed) -> images"),
      Signature("attribute_sweep", lambda images, attribute_index, values: {
          "images": model.attribute_sweep(images, attribute_index, values)},
                (images, index_input("attribute_index", c), values_input("values", high)),
                "images [n, h, w, c], attribute_index [n], values [n, v] -> images [n, v, h, w, c]: an "
                "intensity sweep of one attribute per image"),
  )


@register_family(mddae_lib.MddAE)
def mddae_family(model):
  """mddAE and baselines: codes [ŷ, z]; ŷ are class probabilities or attribute intensities."""
  image_shape = base.image_shape_of(model)
  c, d = model.num_targets, model.latent_dim - model.num_targets
  names = model.target_names
  kind = "class_probability" if model.targets == "classes" else "attribute_intensity"
  y_range = [0.0, 1.0] if model.targets == "classes" else list(ATTRIBUTE_RANGE)
  return Family(
      name="mddae",
      image_shape=image_shape,
      signatures=common_signatures(model, image_shape, model.latent_dim) + mddae_edit_signatures(model, image_shape),
      modules=(model.encoder, model.decoder),
      latent_layout=[{"name": "y", "start": 0, "size": c, "kind": kind, "range": y_range, "names": list(names)},
                     {"name": "z", "start": c, "size": d, "kind": "deterministic",
                      "range": [-NORMAL_CODE_RANGE, NORMAL_CODE_RANGE]}],
      class_names=names if model.targets == "classes" else (),
      attribute_names=names if model.targets == "attributes" else ())


# LORD (Gabbay & Hoshen 2020): class/content codes, transfer. Appended family registration.
from tfdis import editing as lord_editing  # pylint: disable=wrong-import-position
from tfdis.models.lord import model as lord_lib  # pylint: disable=wrong-import-position


def lord_signatures(model, image_shape):
  """LORD's own signatures: the class and content encoders, decoding a (class, content) pair, transfer."""
  class_images, content_images = image_input("class_images", image_shape), image_input("content_images",
                                                                                        image_shape)

  def transfer_grid(class_images, content_images):
    return {"images": lord_editing.transfer_grid(model.encode_parts, model.decode, class_images,
                                                  content_images)}

  return (
      Signature("encode_class", lambda images: {"class_codes": model.encode_class(images)},
                (image_input("images", image_shape),), "images [n, h, w, c] -> class codes [n, d_y] (E_y)"),
      Signature("encode_content", lambda images: {"content_codes": model.encode_content(images)},
                (image_input("images", image_shape),), "images [n, h, w, c] -> content codes [n, d_c] (E_c)"),
      Signature("decode_class_content",
                lambda class_codes, content_codes: {"images": model.decode(class_codes, content_codes)},
                (code_input("class_codes", model.class_dim), code_input("content_codes", model.content_dim)),
                "class codes [n, d_y], content codes [n, d_c] -> images G(class, content) [n, h, w, c]"),
      Signature("transfer", lambda class_images, content_images: {
          "images": model.transfer(class_images, content_images)}, (class_images, content_images),
                "class_images [n, ...], content_images [n, ...] -> images [n, h, w, c] with the class of the "
                "first and the content of the second (eq. 9)"),
      Signature("transfer_grid", transfer_grid, (class_images, content_images),
                "class_images [n, ...], content_images [m, ...] -> images [n, m, h, w, c]: row i keeps the class "
                "of class_images[i], column j takes the content of content_images[j]"),
  )


@register_family(lord_lib.LORD)
def lord_family(model):
  """LORD: codes are [class code | content code]; `decode` takes the concatenation (see latent_layout)."""
  image_shape, d_y, d_c = model.image_shape, model.class_dim, model.content_dim
  return Family(
      name="lord",
      image_shape=image_shape,
      signatures=common_signatures(model, image_shape, d_y + d_c) + lord_signatures(model, image_shape),
      modules=(model.generator, model.class_encoder, model.content_encoder),
      latent_layout=[
          {"name": "class", "start": 0, "size": d_y, "kind": "class_code",
           "range": [-NORMAL_CODE_RANGE, NORMAL_CODE_RANGE]},
          {"name": "content", "start": d_y, "size": d_c, "kind": "content_code",
           "range": [-NORMAL_CODE_RANGE, NORMAL_CODE_RANGE]}])
