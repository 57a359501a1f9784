"""Test setup: two logical CPU devices (for MirroredStrategy tests), quiet logs, a tiny dataset, `slow` marker."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import gin  # pylint: disable=g-import-not-at-top
import pytest  # pylint: disable=g-import-not-at-top
import tensorflow as tf  # pylint: disable=g-import-not-at-top

_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(
    _cpus[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])


def pytest_configure(config):
  config.addinivalue_line("markers", "slow: longer tests (minutes); deselect with -m 'not slow'.")


@gin.register
def tiny_images(split="train", seed=0, start_index=0, size=16):
  """A deterministic stream of [size, size, 1] images of one bright square at a position set by the index."""
  del split
  def render(index):
    rnd = tf.random.stateless_uniform([2], seed=[seed, index], maxval=size - 4, dtype=tf.int32)
    ys, xs = tf.meshgrid(tf.range(size), tf.range(size), indexing="ij")
    inside = (ys >= rnd[0]) & (ys < rnd[0] + 4) & (xs >= rnd[1]) & (xs < rnd[1] + 4)
    return {"image": tf.cast(inside, tf.float32)[..., tf.newaxis], "factors": rnd}
  return tf.data.Dataset.range(start_index, 2**62).map(render)


@pytest.fixture(autouse=True)
def _clear_gin():
  yield
  gin.clear_config()
