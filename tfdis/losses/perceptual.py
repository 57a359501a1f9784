"""LORD's reconstruction loss: the official Keras VGG16 perceptual loss, or a documented fallback (L1 + MS-SSIM).

With VGG16 weights the loss is exactly the official Keras code's (avivga/lord, `__perceptual_loss_multiscale`
with its default config): both images are resized (bilinear, TF1 `resize_images` sampling) to 64×64 (its one
scale), tiled to RGB if gray, scaled ×255 and caffe-preprocessed (BGR − ImageNet mean); the loss is the mean
over the five layers block1_conv2, block2_conv2, block3_conv2, block4_conv3 and block5_pool (Keras layers,
after their ReLU) of the mean absolute feature difference, averaged over the batch. No pixel term.
The official PyTorch code (avivga/lord-pytorch, `VGGDistance`) differs: torchvision VGG16 on [0, 1] inputs
without normalization, pre-ReLU conv1_2/conv2_2/conv3_2/conv4_3 and pool5, summed, plus a pixel L1; its
torchvision weights cannot be loaded into Keras's VGG16, so tfdis ports the Keras variant.

VGG16's ImageNet weights cannot be downloaded here: the user passes a Keras weights file of
`keras.applications.VGG16(include_top=False)` (e.g. vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5; gin:
VGG_WEIGHTS). Without one, `lord_reconstruction_loss` falls back to L1 + DSSIM (½(1 − MS-SSIM),
`losses.dssim`) and logs a warning naming VGG_WEIGHTS.
"""

import functools
import os

from absl import logging
import keras
import tensorflow as tf

from tfdis.losses import reconstruction

VGG_LAYERS = ("block1_conv2", "block2_conv2", "block3_conv2", "block4_conv3", "block5_pool")
KERAS_SCALES = (64,)  # The official Keras config's perceptual_loss.scales.
# Names of the losses, recorded in results.json by `tfdis.launch.evaluate`.
KERAS_PERCEPTUAL, FALLBACK = "vgg16_perceptual_keras", "l1_ms_ssim_fallback"
# Smallest side VGG16's five 2×2 poolings accept; smaller images are upsampled to it.
_VGG_MIN_SIDE = 32


@functools.lru_cache(maxsize=4)
def vgg16_features(weights_path, layers=VGG_LAYERS):
  """A frozen model images [b, h, w, 3] (VGG-preprocessed) -> list of the `layers`' features.

  Args:
    weights_path: Keras weights file of `keras.applications.VGG16(include_top=False, weights=None)`.
    layers: names of the VGG16 layers to return.

  Raises:
    FileNotFoundError: `weights_path` does not exist.
  """
  if not os.path.isfile(weights_path):
    raise FileNotFoundError(
        f"VGG16 weights file {weights_path} not found: pass the path of a notop VGG16 weights file (e.g. "
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 from keras-applications), or leave it unset "
        "(None) to use the L1 + MS-SSIM fallback.")
  vgg = keras.applications.VGG16(include_top=False, weights=None, input_shape=(None, None, 3))
  vgg.load_weights(weights_path)
  vgg.trainable = False
  return keras.Model(vgg.input, [vgg.get_layer(name).output for name in layers], name="vgg16_features")


def caffe_input(images):
  """Images [b, h, w, c] in [0, 1], c = 1 or 3 -> VGG16's caffe-style input (RGB ×255 -> BGR − ImageNet mean)."""
  if images.shape[-1] == 1:
    images = tf.tile(images, [1, 1, 1, 3])
  return keras.applications.vgg16.preprocess_input(255.0 * images)


def _vgg_input(images):
  """`caffe_input` of images upsampled (nearest) to VGG16's smallest side if smaller (style clustering)."""
  height, width = images.shape[1], images.shape[2]
  if min(height, width) < _VGG_MIN_SIDE:
    factor = -(-_VGG_MIN_SIDE // min(height, width))
    images = tf.image.resize(images, [height * factor, width * factor], method="nearest")
  return caffe_input(images)


def perceptual_loss(images, reconstructions, feature_model):
  """Mean over layers of mean |φ_l(images) − φ_l(reconstructions)|, φ = `feature_model` (scalar).

  The official Keras `__perceptual_loss` (equal layer weights, per-image means, then the batch mean).
  """
  both = feature_model(caffe_input(tf.concat([images, reconstructions], 0)), training=False)
  batch = tf.shape(images)[0]
  terms = [tf.reduce_mean(tf.abs(f[:batch] - f[batch:])) for f in both]
  return tf.add_n(terms) / len(terms)


def keras_perceptual_loss(images, reconstructions, feature_model, scales=KERAS_SCALES):
  """The official Keras LORD loss: `perceptual_loss` at each of `scales` (bilinear resize), averaged (scalar)."""
  terms = []
  for scale in scales:
    def resize(x):  # TF1 `resize_images` bilinear sampling (align_corners=False, no half-pixel centers)
      return tf.compat.v1.image.resize(x, [scale, scale], method=tf.image.ResizeMethod.BILINEAR)
    terms.append(perceptual_loss(resize(images), resize(reconstructions), feature_model))
  return tf.add_n(terms) / len(terms)


def l1_loss(images, reconstructions):
  """Mean absolute pixel error (scalar)."""
  return tf.reduce_mean(tf.abs(images - reconstructions))


def l1_dssim_loss(images, reconstructions):
  """The fallback: mean L1 + DSSIM (½(1 − MS-SSIM), as many scales as fit the image) (scalar)."""
  return l1_loss(images, reconstructions) + tf.reduce_mean(reconstruction.dssim(images, reconstructions))


def lord_reconstruction_loss(vgg_weights_path=None):
  """LORD's reconstruction loss `(images, reconstructions) -> scalar`, images in [0, 1].

  Args:
    vgg_weights_path: VGG16 notop weights file: the official Keras perceptual loss. None: the fallback
      L1 + DSSIM, announced by a warning in the logs.

  Returns:
    (loss function, name): `KERAS_PERCEPTUAL` or `FALLBACK`.
  """
  if not vgg_weights_path:
    logging.warning("LORD: no VGG16 weights file given (gin: VGG_WEIGHTS = '/path/to/vgg16_notop.h5', i.e. "
                    "lord.vgg_weights_path): training with the fallback reconstruction loss L1 + DSSIM (MS-SSIM) "
                    "instead of the official VGG16 perceptual loss; results are not comparable with the paper's.")
    return l1_dssim_loss, FALLBACK
  features = vgg16_features(str(vgg_weights_path))
  def loss(images, reconstructions):
    return keras_perceptual_loss(images, reconstructions, features)
  return loss, KERAS_PERCEPTUAL
