"""JL1-VAE's export: the β-VAE family plus `local_traverse` (the paper's local traversals)."""

import dataclasses

import tensorflow as tf

from tfdis import editing
from tfdis import signatures
from tfdis.models.beta_vae import signatures as beta_vae_signatures
from tfdis.models.jl1_vae import model as jl1_vae_lib


def offsets_input(name, half_range=1.0, count=3):
  """Float offsets [n, v] (v free) added to a code; random ones have `count` values in ±`half_range`."""
  return dataclasses.replace(signatures.values_input(name, half_range, count),
                             spec=tf.TensorSpec([None, None], tf.float32, name=name))


def local_traversal_signature(model, image_shape, latent_dim):
  """`local_traverse`: from each image's code, steps along one latent axis (JL1-VAE's local traversals)."""
  def local_traverse(images, dims, offsets):
    return {"images": editing.local_sweep(model.decode, model.encode(images), dims, offsets)}
  return signatures.Signature(
      "local_traverse", local_traverse,
      (signatures.image_input("images", image_shape), signatures.index_input("dims", latent_dim),
       offsets_input("offsets")),
      "images [n, h, w, c], dims [n], offsets [n, v] -> images [n, v, h, w, c] at "
      "encode(images) + offsets · e_dims")


# To give every β-VAE export `local_traverse`, move this registration to BetaVAE (in
# tfdis/models/beta_vae/signatures.py) and add "local_traverse" to the SIGNATURES lists of tests/export.
@signatures.register_family(jl1_vae_lib.JL1VAE)
def jl1_vae_family(model):
  """JL1-VAE: the β-VAE family (named "beta_vae" in the metadata) with `local_traverse` last."""
  family = beta_vae_signatures.beta_vae_family(model)
  extra = local_traversal_signature(model, family.image_shape, model.latent_dim)
  return dataclasses.replace(family, signatures=family.signatures + (extra,))
