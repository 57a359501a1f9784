"""Losses: pure functions `(x, y) -> scalar`."""

from tfdis.losses.reconstruction import RECONSTRUCTION_LOSSES
from tfdis.losses.reconstruction import bernoulli_reconstruction
from tfdis.losses.reconstruction import gaussian_reconstruction
from tfdis.losses.reconstruction import reconstruction_loss
