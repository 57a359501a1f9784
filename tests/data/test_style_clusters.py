"""Style clustering (LORD sec. 4): k-means on Gram statistics recovers known styles; the gin switch."""

import numpy as np
from sklearn import metrics as sk_metrics
import tensorflow as tf

from tfdis.data import indexed
from tfdis.data import style_clusters


def _striped(n, rng):
  """Images [n, 32, 32, 1] of three styles (horizontal, vertical, diagonal stripes), random phase and period."""
  ys, xs = np.mgrid[0:32, 0:32]
  styles = rng.integers(0, 3, size=n)
  images = []
  for style in styles:
    coordinate = [ys, xs, ys + xs][style]
    period, phase = rng.integers(4, 7), rng.uniform(0, 2 * np.pi)
    images.append(0.5 + 0.5 * np.sin(2 * np.pi * coordinate / period + phase))
  return np.asarray(images, np.float32)[..., np.newaxis], styles


def test_clusters_of_random_feature_grams_recover_known_styles():
  images, styles = _striped(90, np.random.default_rng(0))
  labels = style_clusters.cluster_labels(images, 3, style_clusters.style_feature_fn(None, seed=0))
  assert sk_metrics.adjusted_rand_score(styles, labels) == 1.0


def test_the_gin_switch_gives_indexed_images_their_cluster_as_label():
  images, styles = _striped(24, np.random.default_rng(1))

  def striped(split="train", seed=0, start_index=0):
    del split, seed
    return tf.data.Dataset.from_tensor_slices({"image": images}).skip(start_index)

  def clustered(split="train", seed=0, start_index=0):
    return style_clusters.style_clustered(split, seed, start_index, dataset_fn=striped, num_images=24,
                                          num_clusters=3)

  rows = list(indexed.indexed(dataset_fn=clustered, num_images=24).take(24).as_numpy_iterator())
  labels = np.zeros(24, np.int32)
  for row in rows:
    labels[row["index"]] = row["label"]
  assert sk_metrics.adjusted_rand_score(styles, labels) == 1.0
