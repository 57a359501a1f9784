"""Models for the multi-worker test, imported by its gin file in the worker processes.

`noise_free_beta_vae` decodes the posterior mean instead of a sample: a step then does not depend on how the
reparameterization noise is split over workers, so 2 workers and 1 process must take the same step.
"""

import gin

from tfdis.models.beta_vae import model as beta_vae_lib


class NoiseFreeBetaVAE(beta_vae_lib.BetaVAE):

  def sample(self, mean, logvar):
    del logvar
    return mean


@gin.register
def noise_free_beta_vae(image_shape, latent_dim=2):
  model = beta_vae_lib.beta_vae(image_shape, latent_dim=latent_dim)
  noise_free = NoiseFreeBetaVAE(model.encoder, model.decoder, beta=model.beta, reconstruction=model.reconstruction)
  noise_free(model.encoder.inputs[0])
  return noise_free
