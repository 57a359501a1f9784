"""Lr/Li-VAE (Zheng & Sun 2019): the model (`model.py`) and its objectives mixin (`objectives.py`)."""

from tfdis.models.lrli_vae.model import LrLiVAE, lrli_vae
