"""Model families: `keras.Model` subclasses with custom `train_step`, one family per file."""

from tfdis.models.base import DisentanglementModel
from tfdis.models.beta_vae import BetaVAE
from tfdis.models.beta_vae import beta_vae
