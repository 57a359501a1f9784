"""Edits of a split code [z_s, z_u] (Lr/Li-VAE, Zheng & Sun 2019): transfer, inpainting, class sampling.

The functions take the model's pieces as callables, so that they run eagerly, inside `tf.function` and in
exported signatures alike.
"""

import tensorflow as tf


def transfer(encode_parts, decode, identity_images, other_images):
  """Decodes z_s of `identity_images` with z_u of `other_images` (paper Fig. 6), row by row.

  Args:
    encode_parts: callable images [n, ...] -> (z_s [n, d_s], z_u [n, d_u]).
    decode: callable codes [n, d_s + d_u] -> images.
    identity_images: [n, h, w, c], the label-relevant source (class / identity).
    other_images: [n, h, w, c], the label-irrelevant source (pose, style, ...).

  Returns:
    [n, h, w, c] images.
  """
  z_s, _ = encode_parts(identity_images)
  _, z_u = encode_parts(other_images)
  return decode(tf.concat([z_s, z_u], axis=-1))


def transfer_grid(encode_parts, decode, identity_images, other_images):
  """All pairs: [n, m, h, w, c], entry (i, j) with z_s from `identity_images[i]`, z_u from `other_images[j]`."""
  z_s, _ = encode_parts(identity_images)  # [n, d_s]
  _, z_u = encode_parts(other_images)  # [m, d_u]
  n, m = tf.shape(z_s)[0], tf.shape(z_u)[0]
  pairs = tf.concat([tf.repeat(z_s, m, axis=0), tf.tile(z_u, [n, 1])], axis=-1)  # [n·m, d]
  images = decode(pairs)
  return tf.reshape(images, tf.concat([[n, m], tf.shape(images)[1:]], 0))


def inpaint(reconstruct, images, masks):
  """x·(1 − m) + G(E(x·(1 − m)))·m (paper sec. 4.5): masked pixels are filled from the reconstruction.

  As in the official `image_inpainting`, the encoders see the corrupted image (masked pixels zeroed), so
  the result never depends on what lay under the mask.

  Args:
    reconstruct: callable images -> decode(encode(images)).
    images: [n, h, w, c] in [0, 1].
    masks: [n, h, w, 1] or [n, h, w, c], 1 where pixels are missing.

  Returns:
    [n, h, w, c] inpainted images.
  """
  masks = tf.broadcast_to(tf.cast(masks, images.dtype), tf.shape(images))
  corrupted = images * (1.0 - masks)
  return corrupted + reconstruct(corrupted) * masks


def class_samples(class_codes, decode, labels, noise, relevant_dim):
  """Images of class `labels` [n]: z_s = μ_y + ε_s/√Λ_y, z_u = ε_u, from noise [n, d_s + d_u] ~ N(0, I).

  Args:
    class_codes: callable (labels [n], ε_s [n, d_s]) -> z_s [n, d_s] (the mixture prior).
    decode: callable codes -> images.
    labels: [n] int class ids.
    noise: [n, d_s + d_u] standard normal noise (an input, so that exports are deterministic).
    relevant_dim: d_s.
  """
  z_s = class_codes(labels, noise[:, :relevant_dim])
  return decode(tf.concat([z_s, noise[:, relevant_dim:]], axis=-1))
