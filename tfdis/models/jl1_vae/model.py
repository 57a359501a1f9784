"""JL1-VAE (Rhodes & Lee 2021): a β-VAE whose decoder pays γ·‖∂x̂/∂z‖₁ for local latent alignment.

Follows the official code (travers-rhodes/jlonevae, `vae_jacobian.py`, `jlonevae_trainer.py`):
  * the penalty is Σ|J|/B of the decoder's output images (after the sigmoid) at the sampled z, detached from
    the encoder, so it trains the decoder only;
  * β and γ ramp linearly from 0 over `ramp_steps` optimizer steps (official: 100k), w(step) =
    w · min(step / ramp_steps, 1);
  * the official Jacobian is a forward difference with ε = 1e-3 along every latent dimension
    (`jacobian_method="finite_difference"`); the default here is the exact forward-mode Jacobian;
  * the encoder's log-variance bias starts at −3 (set by the `jl1_vae` factory);
  * γ = 0 skips the penalty (the official trainer short-circuits it too).

Cheaper options (bench/BENCHMARKS.md, issue 22): `jacobian_directions=k` differentiates k latent columns
drawn per sample, scaled by d/k (an unbiased estimate of Σ|J|, `jacobian_penalties.latent_columns`);
`lazy_every=N` computes the penalty on one step in N with weight ×N. With the exact method on every
column, the reconstruction and the penalty share one decoder pass (`penalty_and_logits`).
"""

import gin
import keras
import tensorflow as tf

from tfdis import jacobian
from tfdis import networks
from tfdis.models import base
from tfdis.models.beta_vae import model as beta_vae_lib
from tfdis.regularizers import gaussian_kl
from tfdis.regularizers import jacobian_penalties
from tfdis.regularizers import lazy


@keras.saving.register_keras_serializable(package="tfdis")
class JL1VAE(beta_vae_lib.BetaVAE):
  """β-VAE trained on reconstruction + β(t)·KL + γ(t)·jacobian_l1(decoder, stop_gradient(z)).

  Args:
    encoder: model x -> (mean, logvar), each [batch, d].
    decoder: model z -> logits [batch, h, w, c].
    beta: KL weight after the ramp.
    gamma: weight of the Jacobian L1 penalty after the ramp (paper's three-dots sweep: 0, .05, .1, .2, .4).
    ramp_steps: optimizer steps over which β and γ grow linearly from 0 (0: no ramp).
    jacobian_method: "exact" (forward mode) or "finite_difference" (the official estimator).
    epsilon: finite-difference step (official 1e-3).
    lazy_every: N; the penalty is computed on one step in N with weight ×N (lazy regularization).
    jacobian_directions: None (every latent column) or k: k columns drawn per sample, scaled by d/k.
    reconstruction: "bernoulli" or "gaussian".
    seed: seed of the reparameterization noise.
  """

  LOSS_NAMES = ("loss", "reconstruction", "kl", "jacobian_l1")
  SETTINGS = beta_vae_lib.BetaVAE.SETTINGS + ("gamma", "ramp_steps", "jacobian_method", "epsilon", "lazy_every",
                                              "jacobian_directions")

  def __init__(self, encoder, decoder, beta=4.0, gamma=0.1, ramp_steps=0, jacobian_method="exact",
               epsilon=1e-3, lazy_every=1, reconstruction="bernoulli", seed=None, jacobian_directions=None,
               **kwargs):
    super().__init__(encoder, decoder, beta=beta, reconstruction=reconstruction, seed=seed, **kwargs)
    if jacobian_method not in jacobian_penalties.METHODS:
      raise ValueError(f"Unknown jacobian_method {jacobian_method!r}: use one of "
                       f"{', '.join(map(repr, jacobian_penalties.METHODS))}.")
    if int(lazy_every) < 1 or int(ramp_steps) < 0:
      raise ValueError(f"lazy_every must be >= 1 and ramp_steps >= 0, got {lazy_every} and {ramp_steps}.")
    self.gamma = float(gamma)
    self.ramp_steps = int(ramp_steps)
    self.jacobian_method = jacobian_method
    self.epsilon = float(epsilon)
    self.lazy_every = int(lazy_every)
    if jacobian_directions is not None and (not isinstance(jacobian_directions, int) or jacobian_directions < 1):
      raise ValueError(f"jacobian_directions must be None (every latent column) or an int >= 1, got "
                       f"{jacobian_directions!r}.")
    self.jacobian_directions = jacobian_directions

  def current_step(self):
    """The optimizer's iteration counter (steps applied so far), or None before `compile`."""
    optimizer = getattr(self, "optimizer", None)
    return None if optimizer is None else optimizer.iterations

  def ramped_weights(self, step=None):
    """(β, γ) at `step`: w · min(step / ramp_steps, 1); the full weights if no ramp or step is None."""
    if self.ramp_steps == 0 or step is None:
      return self.beta, self.gamma
    fraction = tf.minimum(tf.cast(step, tf.float32) / float(self.ramp_steps), 1.0)
    return self.beta * fraction, self.gamma * fraction

  def jacobian_penalty(self, codes, training=False):
    """Σ|∂ sigmoid(decoder(z)) / ∂z| / batch at z = stop_gradient(codes): only the decoder gets gradients.

    With `jacobian_directions=k`, the unbiased estimate from k columns drawn per sample."""
    def images(z):
      return tf.sigmoid(self.decoder(z, training=training))
    k = self.jacobian_directions
    return jacobian_penalties.jacobian_l1(images, tf.stop_gradient(codes), method=self.jacobian_method,
                                          epsilon=self.epsilon, num_directions=k,
                                          seed=None if k is None else self.seed_generator)

  def shares_decoder_pass(self):
    """Whether the penalty's pass also gives the reconstruction's logits (exact method, every column)."""
    return self.jacobian_method == "exact" and self.jacobian_directions is None

  def penalty_and_logits(self, codes, training=False):
    """(jacobian_penalty(codes), decoder(codes)) from one decoder pass (exact method, every column).

    The pass runs at z = stop_gradient(codes), so the penalty trains the decoder only, as in the official
    code. The reconstruction's gradient w.r.t. the encoder (∂R/∂logits · J_logits · ∂codes/∂θ) is restored
    exactly by adding the zero-valued term J_logits · (codes − z), J_logits (the d logit columns of the
    same pass) held constant; the image columns are σ'(logits) · J_logits, the sigmoid's chain rule.
    """
    z = tf.stop_gradient(codes)
    directions, _ = jacobian_penalties.latent_columns(z)
    logits, columns = jacobian.batch_jvp(lambda x: self.decoder(x, training=training), z, directions)
    images = tf.sigmoid(logits)
    penalty = jacobian_penalties.l1_of_columns(images * (1.0 - images) * columns)  # columns [d, batch, ...]
    logits = logits + tf.einsum("kb...,bk->b...", tf.stop_gradient(columns), codes - z)
    return penalty, logits

  def decoded_and_penalty(self, codes, training, step):
    """(logits at codes, the lazy penalty: N·penalty on steps that are multiples of N, else 0)."""
    step = 0 if step is None else step
    decode = lambda: self.decoder(codes, training=training)
    if self.gamma == 0.0:
      return decode(), tf.zeros([], codes.dtype)
    if self.shares_decoder_pass():
      penalty, logits = lazy.lazy_penalty(step, self.lazy_every, 1.0,
                                          lambda: self.penalty_and_logits(codes, training),
                                          dtype=codes.dtype, skip_fn=decode)
      return logits, penalty
    penalty = lazy.lazy_penalty(step, self.lazy_every, 1.0, lambda: self.jacobian_penalty(codes, training),
                                dtype=codes.dtype)
    return decode(), penalty

  def loss_terms(self, images, training, step=None):
    """The loss terms on a batch: {"loss", "reconstruction", "kl", "jacobian_l1"}, per-replica batch means.

    Args:
      images: [batch, h, w, c] in [0, 1].
      training: whether the networks run in training mode.
      step: the step the ramp and the lazy schedule read; by default the optimizer's iteration counter.

    Returns:
      Dict of scalars. "jacobian_l1" is the lazy estimate: N·penalty on steps that are multiples of
      N = lazy_every, 0 on the others (exactly the penalty when N = 1), so its running mean is the
      penalty's; it is 0 when γ = 0 (not computed).
    """
    step = self.current_step() if step is None else step
    beta, gamma = self.ramped_weights(step)
    mean, logvar = self.encoder(images, training=training)
    codes = self.sample(mean, logvar)  # [batch, d]
    logits, penalty = self.decoded_and_penalty(codes, training, step)
    reconstruction = self.reconstruction_fn(images, logits)
    kl = gaussian_kl(mean, logvar)
    loss = reconstruction + beta * kl + gamma * penalty
    return {"loss": loss, "reconstruction": reconstruction, "kl": kl, "jacobian_l1": penalty}


@gin.register
def jl1_vae(image_shape, latent_dim=10, beta=4.0, gamma=0.1, ramp_steps=0, jacobian_method="exact",
            epsilon=1e-3, lazy_every=1, reconstruction="bernoulli", seed=None, logvar_bias_init=-3.0,
            jacobian_directions=None):
  """Builds a `JL1VAE` with the disentanglement_lib conv encoder/decoder (log-variance bias −3, official).

  Args:
    image_shape: (h, w, c) of the training images.
    latent_dim: number of latent dimensions.
    beta: KL weight.
    gamma: Jacobian L1 weight.
    ramp_steps: steps of the linear ramp of β and γ from 0 (official: 100,000; 0: none).
    jacobian_method: "exact" or "finite_difference".
    epsilon: finite-difference step.
    lazy_every: compute the penalty every N steps with weight ×N.
    reconstruction: "bernoulli" or "gaussian".
    seed: noise seed.
    logvar_bias_init: initial bias of the encoder's log-variance head.
    jacobian_directions: None (every latent column) or k columns drawn per sample (unbiased, ×d/k).

  Returns:
    An uncompiled, built `JL1VAE`.
  """
  model = JL1VAE(
      networks.conv_encoder(image_shape, latent_dim, logvar_bias_init=logvar_bias_init),
      networks.conv_decoder(latent_dim, image_shape),
      beta=beta, gamma=gamma, ramp_steps=ramp_steps, jacobian_method=jacobian_method, epsilon=epsilon,
      lazy_every=lazy_every, reconstruction=reconstruction, seed=seed,
      jacobian_directions=jacobian_directions, name="jl1_vae")
  return base.built(model, image_shape)
