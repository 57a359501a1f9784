"""JL1-VAE (Rhodes & Lee 2021): β-VAE plus γ·L1 of the decoder Jacobian; the model and its gin factory in `model.py`."""

from tfdis.models.jl1_vae.model import JL1VAE, jl1_vae
