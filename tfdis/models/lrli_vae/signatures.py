"""Lr/Li-VAE's export (Zheng & Sun 2019): codes [z_s, z_u]; `encode`, `decode`, `reconstruct`, `transfer`,
`sample` and, for images, `inpaint`."""

import numpy as np
import tensorflow as tf

from tfdis import signatures
from tfdis.models.lrli_vae import model as lrli_vae_lib

image_input, code_input, index_input = signatures.image_input, signatures.code_input, signatures.index_input
Signature = signatures.Signature


def mask_input(name, image_shape):
  """Float masks [n, h, w, 1], 1 where pixels are missing; random ones cover a random rectangle."""
  height, width = image_shape[:2]
  def sample(rng, n):
    masks = np.zeros((n, height, width, 1), np.float32)
    for mask in masks:
      top, left = rng.integers(0, height // 2), rng.integers(0, width // 2)
      mask[top:top + height // 2, left:left + width // 2] = 1.0
    return masks
  return signatures.Input(name, tf.TensorSpec([None, height, width, 1], tf.float32, name=name), sample)


def lrli_signatures(model, image_shape):
  """`encode` (codes, z_s, z_u), `decode`, `reconstruct`, `transfer`, `sample` and, for images, `inpaint`."""
  images, d = image_input("images", image_shape), model.latent_dim

  def encode(images):
    z_s, z_u = model.encode_parts(images)
    return {"codes": tf.concat([z_s, z_u], -1), "z_s": z_s, "z_u": z_u}

  exported = (
      Signature("encode", encode, (images,),
                "images [n, h, w, c] in [0, 1] -> codes [n, d_s + d_u] = [z_s, z_u], z_s [n, d_s], z_u [n, d_u]"),
      Signature("decode", lambda codes: {"images": model.decode(codes)}, (code_input("codes", d),),
                "codes [n, d_s + d_u] -> images [n, h, w, c]"),
      Signature("reconstruct", lambda images: {"images": model(images)}, (images,),
                "images [n, h, w, c] -> decode(encode(images))"),
      Signature("transfer",
                lambda identity_images, other_images: {"images": model.transfer(identity_images, other_images)},
                (image_input("identity_images", image_shape), image_input("other_images", image_shape)),
                "identity_images, other_images [n, h, w, c] -> images with z_s (class/identity) of the first "
                "and z_u (everything else) of the second"),
      Signature("sample", lambda labels, noise: {"images": model.sample(labels, noise)},
                (index_input("labels", model.num_classes), code_input("noise", d)),
                "labels [n] class ids, noise [n, d_s + d_u] ~ N(0, I) -> images [n, h, w, c]: z_s = μ_y + "
                "ε_s/√Λ_y from the class's Gaussian, z_u = ε_u"),
  )
  if len(image_shape) == 3:
    exported += (Signature("inpaint", lambda images, masks: {"images": model.inpaint(images, masks)},
                           (images, mask_input("masks", image_shape)),
                           "images [n, h, w, c], masks [n, h, w, 1] (1 = missing) -> x·(1−m) + "
                           "G(E(x·(1−m)))·m"),)
  return exported


@signatures.register_family(lrli_vae_lib.LrLiVAE)
def lrli_vae_family(model):
  """Lr/Li-VAE: codes [z_s, z_u]; z_s under the learned class mixture, z_u under N(0, I)."""
  image_shape = tuple(int(s) for s in model.encoder_u.inputs[0].shape[1:])
  if model.encoder_s is None:
    raise ValueError("The cVAE-GAN baseline encodes with the label and has no export family; export an "
                     "Lr/Li-VAE run.")
  ds, du = model.relevant_dim, model.irrelevant_dim
  span = [-signatures.NORMAL_CODE_RANGE, signatures.NORMAL_CODE_RANGE]
  return signatures.Family(
      name="lrli_vae", image_shape=image_shape, signatures=lrli_signatures(model, image_shape),
      modules=(model.encoder_s, model.encoder_u, model.decoder, model.prior),
      latent_layout=[{"name": "z_s", "start": 0, "size": ds, "kind": "gaussian_mixture", "range": span},
                     {"name": "z_u", "start": ds, "size": du, "kind": "gaussian", "range": span}],
      class_names=tuple(str(k) for k in range(model.num_classes)))
