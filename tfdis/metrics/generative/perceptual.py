"""LPIPS (Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features as a Perceptual Metric").

d(x, y) = Σ_l mean_hw Σ_c w_lc (x̂_lhwc − ŷ_lhwc)², x̂_l = VGG16 features at relu1_2, relu2_2, relu3_3,
relu4_3, relu5_3 (Keras' block1_conv2, block2_conv2, block3_conv3, block4_conv3, block5_conv3) unit-normalised
over channels (‖·‖ + 1e-10), w_l the learned non-negative linear layers (LPIPS v0.1, `lpips=True`).

Weights come from two files the user gives (see `weights.py`): the VGG16 trunk and the linear layers as an
.npz. Two input scalings:
- "caffe" (default), for Keras' `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`: RGB [0, 1] → BGR
  0–255 minus the ImageNet means, as Keras' `vgg16.preprocess_input`. This pairs Keras' (Caffe-converted)
  VGG16 with linear layers calibrated on torchvision's VGG16: an LPIPS-style distance whose values
  approximate, not equal, official LPIPS-VGG.
- "lpips", for torchvision's VGG16 converted into the Keras VGG16 layout (OIHW kernels → HWIO) and saved
  with `model.save_weights("vgg16_torchvision.weights.h5")`: LPIPS's own scaling of [−1, 1] inputs,
  (x − shift) / scale. With the official linear weights this is LPIPS-VGG v0.1 itself.
Distances from randomly initialised weights, as in the tests, mean nothing.
"""

import functools

import gin
import numpy as np

from tfdis.metrics.generative import inception
from tfdis.metrics.generative import weights

LAYERS = ("block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3")
CHANNELS = (64, 128, 256, 512, 512)
_CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)
_LPIPS_SHIFT = (-0.030, -0.088, -0.188)  # RGB, for inputs in [−1, 1]
_LPIPS_SCALE = (0.458, 0.448, 0.450)
INPUT_SCALINGS = ("caffe", "lpips")
MIN_SIZE = 16  # VGG16's four poolings before block5 need at least 16 px.


def scale_inputs(images, input_scaling):
  """float32 [n, H, W, 3] RGB in [0, 1] -> VGG16 inputs for the given scaling (see the module docstring)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  if input_scaling == "caffe":
    return images[..., ::-1] * 255.0 - tf.constant(_CAFFE_BGR_MEAN, tf.float32)
  return (images * 2.0 - 1.0 - tf.constant(_LPIPS_SHIFT)) / tf.constant(_LPIPS_SCALE)


def lpips_from_features(features_a, features_b, linear_weights):
  """LPIPS distances [n] from per-layer features of both images and the linear layers.

  Args:
    features_a: list over layers of [n, h_l, w_l, C_l] features (arrays or tensors).
    features_b: same shapes.
    linear_weights: list over layers of [C_l] non-negative channel weights.

  Returns:
    float32 tensor [n].
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  total = 0.0
  for feat_a, feat_b, weight in zip(features_a, features_b, linear_weights):
    unit_a = feat_a / (tf.norm(feat_a, axis=-1, keepdims=True) + 1e-10)  # [n, h, w, C]
    unit_b = feat_b / (tf.norm(feat_b, axis=-1, keepdims=True) + 1e-10)
    weighted = tf.reduce_sum(tf.square(unit_a - unit_b) * tf.cast(weight, unit_a.dtype), axis=-1)
    total += tf.reduce_mean(weighted, axis=[1, 2])
  return total


@functools.lru_cache(maxsize=4)
def _distance_graph(vgg, input_scaling):
  """A tf.function (a, b, linear) -> [n] LPIPS distances over the trunk `vgg` (cached per trunk)."""
  import keras  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  trunk = keras.Model(vgg.inputs, [vgg.get_layer(name).output for name in LAYERS])
  images_spec = tf.TensorSpec([None, None, None, 3], tf.float32)
  linear_spec = [tf.TensorSpec([c], tf.float32) for c in CHANNELS]

  @tf.function(input_signature=[images_spec, images_spec, linear_spec])
  def distances(images_a, images_b, linear):
    both = tf.concat([images_a, images_b], axis=0)
    features = trunk(scale_inputs(both, input_scaling), training=False)
    num = tf.shape(images_a)[0]
    return lpips_from_features([f[:num] for f in features], [f[num:] for f in features], linear)

  return distances


@gin.register
def lpips_distance_fn(weights_path=None, linear_weights_path=None, input_scaling="caffe", image_size=None,
                      batch_size=16, caller="lpips"):
  """An LPIPS distance callable (images_a, images_b) -> float64 [n], both [n, H, W, C] in [0, 1].

  Args:
    weights_path: VGG16 trunk, `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5` (`weights.VGG16_NO_TOP`).
    linear_weights_path: LPIPS linear layers .npz (`weights.LPIPS_LINEAR`).
    input_scaling: "caffe" or "lpips" (see the module docstring).
    image_size: if set, images are resized to image_size² first (bilinear up, area down).
    batch_size: image pairs per forward pass.
    caller: metric name for error messages.
  """
  if input_scaling not in INPUT_SCALINGS:
    raise ValueError(f"input_scaling must be one of {INPUT_SCALINGS}, got {input_scaling!r}.")
  weights.require_file(weights_path, weights.VGG16_NO_TOP, "weights_path", caller)
  linear = weights.lpips_linear_weights(linear_weights_path, caller, channels=CHANNELS)
  vgg = weights.keras_application("VGG16", weights_path, weights.VGG16_NO_TOP, "weights_path", caller,
                                  include_top=False, input_shape=(None, None, 3))
  graph = _distance_graph(vgg, input_scaling)

  def distance(images_a, images_b):
    images_a = _rgb(inception.check_rgb_or_grey(images_a, "images_a"))
    images_b = _rgb(inception.check_rgb_or_grey(images_b, "images_b"))
    if images_a.shape != images_b.shape:
      raise ValueError(f"images_a {images_a.shape} and images_b {images_b.shape} must have the same shape.")
    if image_size is None and min(images_a.shape[1:3]) < MIN_SIZE:
      raise ValueError(f"LPIPS-VGG needs images of at least {MIN_SIZE}×{MIN_SIZE} px, got "
                       f"{images_a.shape[1]}×{images_a.shape[2]}: upsample them first.")
    parts = [graph(_resize(images_a[i:i + batch_size], image_size),
                   _resize(images_b[i:i + batch_size], image_size), linear).numpy()
             for i in range(0, images_a.shape[0], batch_size)]
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros([0])

  return distance


def _resize(images, image_size):
  """OroJaR's PPL resizing: bilinear up to image_size px, area (box) average down to it; None: as is."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  if image_size is None or images.shape[1:3] == (image_size, image_size):
    return images
  method = "area" if min(images.shape[1:3]) > image_size else "bilinear"
  return tf.image.resize(images, (image_size, image_size), method=method)


def _rgb(images):
  return np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


@gin.register
def lpips(images_a, images_b, weights_path=None, linear_weights_path=None, input_scaling="caffe",
          batch_size=16):
  """Mean LPIPS-VGG distance between corresponding images of two sets.

  Values depend on the weights files and scaling (see the module docstring); values from randomly
  initialised weights, as in the tests, are meaningless.

  Args:
    images_a: [N, H, W, C] in [0, 1], C in {1, 3}, H and W >= 16.
    images_b: same shape.
    weights_path: `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5` (or torchvision's VGG16 converted).
    linear_weights_path: LPIPS linear layers .npz, e.g. `lpips_vgg_v0.1.npz` (how to make it:
      `weights.LPIPS_LINEAR`).
    input_scaling: "caffe" for Keras' file, "lpips" for converted torchvision weights.
    batch_size: image pairs per forward pass.

  Returns:
    {"lpips": mean distance over pairs, "lpips_std": standard deviation over pairs}.
  """
  distance = lpips_distance_fn(weights_path, linear_weights_path, input_scaling, batch_size=batch_size)
  values = distance(images_a, images_b)
  return {"lpips": float(np.mean(values)), "lpips_std": float(np.std(values))}
