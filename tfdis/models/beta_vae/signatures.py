"""β-VAE's export: `encode`, `decode`, `reconstruct`, `traverse`, `traverse_code` over the encoder/decoder."""

from tfdis import signatures
from tfdis.models import base
from tfdis.models.beta_vae import model as beta_vae_lib


@signatures.register_family(beta_vae_lib.BetaVAE)
def beta_vae_family(model):
  """β-VAE (and subclasses without their own family): codes are posterior means under a N(0, I) prior."""
  image_shape = base.image_shape_of(model)
  d = model.latent_dim
  return signatures.Family(
      name="beta_vae",
      image_shape=image_shape,
      signatures=(signatures.common_signatures(model, image_shape, d)
                  + signatures.traversal_signatures(model, image_shape, d)),
      modules=(model.encoder, model.decoder),
      latent_layout=signatures.gaussian_layout(d))
