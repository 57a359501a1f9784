"""The GAN's export (OroJaR, Hessian Penalty, WGAN-GP baseline): `generate`, `decode`, `traverse`,
`sefa_traverse`, all from latents z; a GAN has no encoder."""

import tensorflow as tf

from tfdis import editing
from tfdis import signatures
from tfdis.models.regularized_gan import model as regularized_gan_lib


def gan_signatures(model, latent_dim):
  """`generate`, `decode` (the same, for the editor), `traverse` and `sefa_traverse`, all from latents z.

  The SeFa directions are computed from the generator's first-layer weight when the family is built and
  exported as a constant.
  """
  codes = signatures.code_input("codes", latent_dim)
  sweep_inputs = (signatures.index_input("dims", latent_dim), signatures.values_input("values"))
  directions = tf.constant(editing.sefa_directions(editing.first_layer_weight(model.generator))[0])

  def sefa_traverse(codes, directions_index, values):
    return {"images": editing.sefa_sweep(model.decode, codes, directions, directions_index, values)}

  no_encoder = " (a GAN has no encoder: no encode/reconstruct signatures)"
  return (
      signatures.Signature("generate", lambda codes: {"images": model.decode(codes)}, (codes,),
                           "latents z [n, d] ~ N(0, I) -> images [n, h, w, c] in [0, 1]" + no_encoder),
      signatures.Signature("decode", lambda codes: {"images": model.decode(codes)}, (codes,),
                           "latents z [n, d] -> images [n, h, w, c] in [0, 1] (same as generate)"),
      signatures.Signature(
          "traverse", lambda codes, dims, values: {"images": editing.sweep(model.decode, codes, dims, values)},
          (codes, *sweep_inputs),
          "latents z [n, d], dims [n], values [n, v] -> images [n, v, h, w, c]: z[dims] set to values"),
      signatures.Signature(
          "sefa_traverse", sefa_traverse,
          (codes, signatures.index_input("directions_index", latent_dim), signatures.values_input("values")),
          "latents z [n, d], directions_index [n], values [n, v] -> images [n, v, h, w, c]: "
          "z + value · SeFa direction (first-layer eigenvectors, by decreasing eigenvalue)"),
  )


@signatures.register_family(regularized_gan_lib.RegularizedGAN)
def regularized_gan_family(model):
  """WGAN-GP generator (OroJaR, Hessian Penalty, baseline): latents z ~ N(0, I); no encoder."""
  return signatures.Family(
      name="regularized_gan",
      image_shape=model.image_shape,
      signatures=gan_signatures(model, model.latent_dim),
      modules=(model.generator,),
      latent_layout=signatures.gaussian_layout(model.latent_dim))
