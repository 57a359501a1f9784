"""Style clustering (LORD, Gabbay & Hoshen 2020, sec. 4 "in-class variation"): pseudo-classes by k-means.

When classes hold large in-class variation, LORD first clusters the images by style (k-means on the Gram
statistics of early conv features, Li et al. 2017) and treats the clusters as classes. Features come from
VGG16's block1_conv2 read from a user's weights file, or, without one, from a documented fallback: a fixed,
seeded random 3×3 conv layer of 32 filters (random-feature Gram statistics still separate textures and
colours; they are not the paper's features, and the logs say so). This fallback is not trained.

`style_clustered` is a dataset function (gin: `indexed.dataset_fn = @style_clustered`): its train split is the
first `num_images` images of the wrapped train stream, cycled, with "label" = the image's cluster, so that
`indexed` over the same `num_images` gives LORD the clusters as classes.
"""

from absl import logging
import gin
import keras
import numpy as np
from sklearn import cluster
import tensorflow as tf

from tfdis.data import pipeline


def style_feature_fn(vgg_weights_path=None, seed=0):
  """Feature network images [n, h, w, c] in [0, 1] -> conv features [n, h, w, k]: VGG16 block1_conv2 or fallback."""
  if vgg_weights_path:
    from tfdis.losses import perceptual  # pylint: disable=g-import-not-at-top
    vgg = perceptual.vgg16_features(str(vgg_weights_path), layers=("block1_conv2",))
    return lambda images: vgg(perceptual._vgg_input(images))[0]  # pylint: disable=protected-access
  logging.warning("Style clustering: no VGG16 weights file given: using the fallback features of a fixed random "
                  "3x3 conv layer (32 filters, seed %d) instead of VGG16 block1_conv2.", seed)
  layer = keras.layers.Conv2D(32, 3, padding="same", activation="relu",
                              kernel_initializer=keras.initializers.HeNormal(seed))
  return lambda images: layer(2.0 * images - 1.0)


def gram_features(images, feature_fn, batch_size=256):
  """Upper-triangular Gram statistics F^T F / (h·w) of the features of each image: [n, k(k+1)/2]."""
  rows = []
  for start in range(0, len(images), batch_size):
    features = feature_fn(tf.constant(images[start:start + batch_size], tf.float32))  # [b, h, w, k]
    k = features.shape[-1]
    flat = tf.reshape(features, [tf.shape(features)[0], -1, k])
    gram = tf.matmul(flat, flat, transpose_a=True) / tf.cast(tf.shape(flat)[1], tf.float32)  # [b, k, k]
    rows.append(tf.boolean_mask(gram, np.triu(np.ones((k, k), bool)), axis=1).numpy())
  return np.concatenate(rows)


def cluster_labels(images, num_clusters, feature_fn, seed=0):
  """k-means (k = `num_clusters`) labels [n] of the images' standardized Gram features."""
  features = gram_features(images, feature_fn)
  features = (features - features.mean(0)) / (features.std(0) + 1e-8)
  return cluster.KMeans(num_clusters, n_init=10, random_state=seed).fit_predict(features).astype(np.int32)


@gin.register
def style_clustered(split="train", seed=0, start_index=0, dataset_fn=None, num_images=10_000, num_clusters=10,
                    image_seed=0, vgg_weights_path=None):
  """`dataset_fn`'s first `num_images` train images with "label" = their style cluster, cycled in order.

  Args:
    split: "train" (the clustered images); other splits are passed through unchanged.
    seed, start_index: as for any dataset function (the order is fixed: `indexed` shuffles).
    dataset_fn: the wrapped dataset function.
    num_images: images to cluster; bind the same `indexed.num_images`.
    num_clusters: k of k-means, the number of pseudo-classes (bind NUM_CLASSES to it).
    image_seed: seed of the wrapped train stream (bind the same `indexed.image_seed`).
    vgg_weights_path: VGG16 notop weights file; None: the random-feature fallback (logged).
  """
  del seed
  if dataset_fn is None:
    raise ValueError("style_clustered wraps a dataset function: bind style_clustered.dataset_fn = @your_dataset.")
  if split != "train":
    return dataset_fn(split=split)
  rows = pipeline.take_numpy(dataset_fn(split="train", seed=image_seed), num_images)
  rows["label"] = cluster_labels(rows["image"], num_clusters, style_feature_fn(vgg_weights_path, image_seed))
  logging.info("Style clustering: %d images in %d clusters of sizes %s.", len(rows["label"]), num_clusters,
               np.bincount(rows["label"], minlength=num_clusters).tolist())
  return tf.data.Dataset.from_tensor_slices(rows).repeat().skip(start_index)
