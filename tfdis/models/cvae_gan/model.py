"""cVAE-GAN (Bao et al. 2017), the baseline of Lr/Li-VAE (Zheng & Sun 2019, sec. 4.1): one encoder
x -> z ~ N(μ, σ²) with KL to N(0, I), decoder G([one_hot(y), z]), and the same projection discriminator and
hinge loss; no GM loss and no adversarial latent classifier. The latent classifier is still trained on z
(weight 0 toward the encoder), as a read-out of how much label information z carries.

Encoding needs the label: `encode_parts(images, labels)`.
"""

import gin
import keras
import tensorflow as tf

from tfdis.models import base
from tfdis.models.lrli_vae import model as lrli_vae
from tfdis.networks import lrli as nets


@keras.saving.register_keras_serializable(package="tfdis")
class CVAEGAN(lrli_vae.LrLiVAE):
  """`LrLiVAE` with z_s replaced by the one-hot label (`encoder_s` None, no GM steps)."""

  @property
  def relevant_dim(self):
    return self.num_classes

  def relevant_codes(self, images, labels=None, training=False):
    del training
    if labels is None:
      raise ValueError("cVAE-GAN encodes with the label: call encode_parts(images, labels).")
    return tf.one_hot(tf.maximum(labels, 0), self.num_classes, dtype=images.dtype)

  def class_codes(self, labels, noise):
    del noise
    return tf.one_hot(labels, self.num_classes)

  def gm_terms(self, z_s, labels, labeled):
    del z_s, labels, labeled
    return tf.zeros([]), tf.zeros([])

  def encode(self, images):
    raise NotImplementedError("cVAE-GAN needs the label to encode: use encode_parts(images, labels).")

  def call(self, images, training=False):
    labels = tf.zeros([tf.shape(images)[0]], tf.int32)
    return self.decode(tf.concat(self.encode_parts(images, labels), axis=-1))

  def summary_images(self, images):
    if images.shape.rank == 2:
      return {}
    n = tf.shape(images)[0]
    noise = self.summary_latents(n)
    return {"inputs": images, "class_samples": self.sample(tf.range(n) % self.num_classes, noise)}


@gin.register
def cvae_gan(image_shape, num_classes=10, irrelevant_dim=16, reconstruction_weight=10.0, kl_weight=1.0,
             gan_weight=1.0, seed=None):
  """Builds the cVAE-GAN baseline with Lr/Li-VAE's E_u, decoder and discriminator (gin: `@cvae_gan`).

  Returns:
    An uncompiled, built `CVAEGAN`.
  """
  output = "linear" if len(image_shape) == 1 else "sigmoid"
  model = CVAEGAN(*nets.lrli_networks(image_shape, num_classes, 0, irrelevant_dim), num_classes,
                  gm_steps=0, reconstruction_weight=reconstruction_weight, kl_weight=kl_weight,
                  adversarial_weight=0.0, likelihood_weight=0.0, gan_weight=gan_weight,
                  output_activation=output, seed=seed, name="cvae_gan")
  return base.built(model, image_shape)
