"""The OroJaR / Hessian Penalty / vanilla simple GAN (Wei et al. 2021, Peebles et al. 2020): `model.py`."""

from tfdis.models.regularized_gan.model import RegularizedGAN, regularized_gan
