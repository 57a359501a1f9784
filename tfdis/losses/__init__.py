"""Losses: pure functions `(x, y) -> scalar`."""

from tfdis.losses.reconstruction import RECONSTRUCTION_LOSSES
from tfdis.losses.reconstruction import bernoulli_reconstruction
from tfdis.losses.reconstruction import dssim
from tfdis.losses.reconstruction import ms_ssim
from tfdis.losses.reconstruction import squared_error
from tfdis.losses.reconstruction import gaussian_reconstruction
from tfdis.losses.reconstruction import reconstruction_loss
from tfdis.losses.gaussian_mixture import gaussian_mixture_loss
from tfdis.losses.gaussian_mixture import gaussian_mixture_terms
from tfdis.losses.adversarial import gradient_penalty
from tfdis.losses.adversarial import hinge_discriminator_loss
from tfdis.losses.adversarial import hinge_generator_loss
from tfdis.losses.adversarial import wasserstein_critic_loss
from tfdis.losses.adversarial import wasserstein_generator_loss
from tfdis.losses.perceptual import lord_reconstruction_loss
from tfdis.losses.perceptual import perceptual_loss
