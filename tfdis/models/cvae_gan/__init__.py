"""cVAE-GAN, the baseline of Lr/Li-VAE (Zheng & Sun 2019): `model.py`."""

from tfdis.models.cvae_gan.model import CVAEGAN, cvae_gan
