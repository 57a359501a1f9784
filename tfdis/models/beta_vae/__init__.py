"""β-VAE (Higgins et al. 2017): the model and its gin factory in `model.py`."""

from tfdis.models.beta_vae.model import BetaVAE, beta_vae
