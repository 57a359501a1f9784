"""Model families: `keras.Model` subclasses with custom `train_step`, one family per file.

Each module also holds a `@gin.register` factory named like the module (e.g. `tfdis.models.beta_vae.beta_vae`);
the package exports the classes only, so that the module names stay importable.
"""

from tfdis.models.base import DisentanglementModel
from tfdis.models.beta_vae import BetaVAE
from tfdis.models.cvae_gan import CVAEGAN
from tfdis.models.lrli_vae import LrLiVAE
from tfdis.models.lord import LORD
