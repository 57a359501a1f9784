"""SeFa (Shen & Zhou 2021, genforce/sefa): closed-form latent directions from a generator's first layer.

genforce's `factorize_weight` takes the first projection's weight in the (latent, output) layout, normalises
its columns (each output unit's weights over z) to unit norm, and eigendecomposes W·Wᵀ ([d, d]); the
eigenvectors, by decreasing eigenvalue, are the directions: those z moves that change the first layer's
output most. Keras kernels of `Dense` are already (latent, output).
"""

import keras
import numpy as np
import tensorflow as tf


def sefa_directions(weight, normalize=True):
  """The SeFa directions of a first-layer weight.

  Args:
    weight: [d, n] weight in the (latent, output) layout (a Keras `Dense` kernel).
    normalize: divide each column by its L2 norm first (genforce does).

  Returns:
    (directions, eigenvalues): float32 [d, d] unit directions, one per row, sorted by decreasing eigenvalue,
    and the [d] eigenvalues of W·Wᵀ. Each direction's sign is fixed so that its largest-|·| entry is > 0.
  """
  weight = np.asarray(weight, np.float64)
  if normalize:
    weight = weight / np.maximum(np.linalg.norm(weight, axis=0, keepdims=True), 1e-12)
  eigenvalues, eigenvectors = np.linalg.eigh(weight @ weight.T)  # ascending; columns are eigenvectors
  order = np.argsort(eigenvalues)[::-1]
  directions = eigenvectors[:, order].T
  signs = np.sign(directions[np.arange(len(directions)), np.argmax(np.abs(directions), axis=1)])
  return (directions * signs[:, np.newaxis]).astype(np.float32), eigenvalues[order].astype(np.float32)


def first_layer_weight(generator):
  """The (latent, output) weight of the first layer of `generator` that has a kernel.

  A `Dense` kernel is returned as is; a `Conv2DTranspose` on the 1×1 latent map (kernel [kh, kw, out, d])
  is reshaped to [d, kh·kw·out], the dense map it computes (up to a permutation of the output units, which
  leaves W·Wᵀ unchanged).

  Raises:
    ValueError: if the first layer with a kernel is neither.
  """
  for layer in generator.layers:
    if not hasattr(layer, "kernel"):
      continue
    kernel = np.asarray(keras.ops.convert_to_numpy(layer.kernel))
    if isinstance(layer, keras.layers.Dense):
      return kernel
    if isinstance(layer, keras.layers.Conv2DTranspose):
      return np.transpose(kernel, [3, 0, 1, 2]).reshape(kernel.shape[3], -1)
    raise ValueError(f"SeFa needs a Dense or Conv2DTranspose first layer; {layer.name} is a "
                     f"{type(layer).__name__}.")
  raise ValueError(f"{generator.name} has no layer with a kernel.")


def sefa_traverse(decode_fn, z, directions, index, values):
  """Decodes z + value · directions[index] for each of `values` (genforce moves z by a distance).

  Args:
    decode_fn: callable [n, d] latents -> [n, h, w, c] images.
    z: [d] latent.
    directions: [k, d] directions (rows), e.g. from `sefa_directions`.
    index: int (or scalar int tensor), the direction to move along.
    values: [v] distances.

  Returns:
    [v, h, w, c] images.
  """
  z = tf.convert_to_tensor(z)
  direction = tf.gather(tf.convert_to_tensor(directions, z.dtype), index)  # [d]
  values = tf.convert_to_tensor(values, z.dtype)
  return decode_fn(z[tf.newaxis] + values[:, tf.newaxis] * direction[tf.newaxis])


def sefa_sweep(decode_fn, codes, directions, indices, values):
  """The batched form of `sefa_traverse`: row i decodes codes[i] + values[i, j] · directions[indices[i]].

  Args:
    decode_fn: callable [m, d] latents -> [m, h, w, c] images.
    codes: [n, d] latents.
    directions: [k, d] directions (rows), e.g. from `sefa_directions`.
    indices: [n] int32, the direction each row moves along.
    values: [n, v] distances.

  Returns:
    [n, v, h, w, c] images.
  """
  moves = tf.expand_dims(values, 2) * tf.expand_dims(tf.gather(directions, indices), 1)  # [n, v, d]
  shifted = tf.expand_dims(codes, 1) + moves  # [n, v, d]
  images = decode_fn(tf.reshape(shifted, [-1, codes.shape[-1]]))  # [n·v, h, w, c]
  return tf.reshape(images, tf.concat([tf.shape(shifted)[:2], tf.shape(images)[1:]], 0))
