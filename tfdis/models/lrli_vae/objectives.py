"""The objectives of Lr/Li-VAE (Zheng & Sun 2019), a mixin of `tfdis.models.lrli_vae.LrLiVAE`: the GM terms
(with the semi-supervised overall Gaussian, sec. 3.6) and every joint-step term from one forward pass, in the
official code's [−1, 1] range (ZhilZheng/Lr-LiVAE); see that module's docstring."""

import keras
import tensorflow as tf

from tfdis.losses import adversarial
from tfdis.losses import gaussian_mixture as gm
from tfdis.models import base
from tfdis.regularizers import gaussian_kl


def masked_mean(values, mask):
  """Σ mask·values / max(Σ mask, 1): the mean over the examples where mask = 1 (0 if there are none)."""
  return tf.reduce_sum(values * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)


class Objectives:
  """Loss terms of `LrLiVAE`; reads the model's networks, prior and weights."""

  def model_range(self, x):
    """Images [0, 1] → [−1, 1], where the official MSE and discriminator work; points as is."""
    return 2.0 * x - 1.0 if self.output_activation == "sigmoid" else x

  def gm_terms(self, z_s, labels, labeled):
    """(masked mean GM classification, mean likelihood); unlabeled codes use the overall Gaussian."""
    safe = tf.maximum(labels, 0)
    classification, likelihood, _ = gm.gaussian_mixture_terms(
        z_s, safe, self.prior.means, self.prior.log_precisions, self.alpha)
    overall = gm.gaussian_likelihood(z_s, *gm.mixture_moments(self.prior.means, self.prior.log_precisions))
    likelihood = labeled * likelihood + (1.0 - labeled) * overall
    return masked_mean(classification, labeled), tf.reduce_mean(likelihood)

  def _labels(self, data):
    labels = tf.cast(data["label"], tf.int32)
    if not self.semi_supervised:
      tf.debugging.assert_non_negative(labels, "Negative labels (unlabeled examples) need semi_supervised=True.")
    return labels, tf.cast(labels >= 0, tf.float32)

  def joint_terms(self, images, labels, labeled, training=True):
    """Every joint-step term from one forward pass (the official graph); see the module docstring."""
    batch, safe = tf.shape(images)[0], tf.maximum(labels, 0)
    z_s = self.relevant_codes(images, safe, training=training)
    mean, logvar = self.encoder_u(images, training=training)
    z_u = base.gaussian_sample(mean, logvar, self.seed_generator)
    recon = self.generate(tf.concat([z_s, z_u], -1), training=training)
    fake_labels = keras.random.randint([batch], 0, self.num_classes, seed=self.seed_generator, dtype="int32")
    noise = keras.random.normal([batch, self.latent_dim], seed=self.seed_generator)
    fake_codes = tf.concat([tf.stop_gradient(self.class_codes(fake_labels, noise[:, :self.relevant_dim])),
                            noise[:, self.relevant_dim:]], -1)
    fake = self.generate(fake_codes, training=training)
    real, recon, fake = (self.model_range(x) for x in (images, recon, fake))
    d_real, d_rec, d_fake = (self.discriminator([x, y], training=training)[:, 0]
                             for x, y in ((real, safe), (recon, safe), (fake, fake_labels)))
    class_logits = self.latent_classifier(z_u, training=training)
    gm_classification, likelihood = self.gm_terms(z_s, labels, labeled)
    return {
        "reconstruction": tf.reduce_mean(tf.square(real - recon)),
        "kl": gaussian_kl(mean, logvar, reduction="mean"),  # official: mean over the latent dims
        "gm_classification": gm_classification, "gm_likelihood": likelihood,
        "latent_classifier": masked_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(safe, class_logits),
                                         labeled),
        "latent_adversarial": -tf.reduce_mean(tf.nn.log_softmax(class_logits)),  # CE to uniform
        "g_loss": adversarial.hinge_generator_loss(d_rec, d_fake, weights=[labeled, None]),
        "d_loss": adversarial.hinge_discriminator_loss(d_real, d_rec, d_fake, weights=[labeled, labeled, None]),
    }

  def objectives(self, t):
    """{optimizer attribute: loss} of the joint step, from `joint_terms`."""
    rec = self.reconstruction_weight * t["reconstruction"]
    return {"u_optimizer": rec + self.kl_weight * t["kl"] + self.adversarial_weight * t["latent_adversarial"],
            "optimizer": rec + self.gan_weight * t["g_loss"], "d_optimizer": t["d_loss"],
            "c_optimizer": t["latent_classifier"],
            "s_optimizer": rec + self.likelihood_weight * self.lam * t["gm_likelihood"]}

  def with_total(self, terms):
    """Adds "loss": the VAE objective rec_w·rec + KL + GM loss (the quantity the ELBO bounds)."""
    total = (self.reconstruction_weight * terms["reconstruction"] + terms["kl"] + terms["gm_classification"]
             + self.lam * terms["gm_likelihood"])
    return {"loss": total, **terms}
