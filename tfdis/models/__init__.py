"""Model families: `keras.Model` subclasses with custom `train_step`, one folder per family.

`tfdis/models/<family>/model.py` holds the model and its `@gin.register` factory named like the family (e.g.
`tfdis.models.beta_vae.model.beta_vae`); `base.py` the shared base class. The package exports the classes.
"""

from tfdis.models.base import DisentanglementModel
from tfdis.models.beta_vae import BetaVAE
from tfdis.models.cvae_gan import CVAEGAN
from tfdis.models.lrli_vae import LrLiVAE
from tfdis.models.lord import LORD
