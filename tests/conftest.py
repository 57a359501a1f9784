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


# The longest tests (the README's command chains, up to 200 s each) start first: last, they left one of the two
# workers idle for 2.5 minutes of a 25-minute run.
FIRST = ("tests/test_readme_commands.py",)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(items):
  """Orders FIRST's tests first; under -n (pytest.ini's `--dist loadgroup`), the tests of a module that share a
  module-scoped fixture run on one worker, so that fixture (a trained run, an export) is built once, not per
  worker."""
  items.sort(key=lambda item: not item.nodeid.startswith(FIRST))  # stable: the rest keep their order
  for item in items:
    info = getattr(item, "_fixtureinfo", None)
    if info and not item.get_closest_marker("xdist_group") and any(
        definition.scope == "module" for definitions in info.name2fixturedefs.values() for definition in definitions):
      item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def _render_square(factors, size=16):
  """[n, 2] (row, column) factors -> [n, size, size, 1] images of a 4×4 bright square at that corner."""
  ys, xs = tf.meshgrid(tf.range(size), tf.range(size), indexing="ij")
  top, left = factors[:, 0, tf.newaxis, tf.newaxis], factors[:, 1, tf.newaxis, tf.newaxis]
  inside = (ys >= top) & (ys < top + 4) & (xs >= left) & (xs < left + 4)
  return tf.cast(inside, tf.float32)[..., tf.newaxis]


@gin.register
def tiny_images(split="train", seed=0, start_index=0):
  """A deterministic stream of 16×16×1 images of one square whose position is drawn from (seed, index)."""
  del split
  def element(index):
    factors = tf.random.stateless_uniform([2], seed=[seed, index], maxval=12, dtype=tf.int32)
    return {"image": _render_square(factors[tf.newaxis])[0], "factors": factors}
  return tf.data.Dataset.range(start_index, 2**62).map(element)


@gin.register
class TinySquares:
  """The ground truth of `tiny_images`: factors (row, column) of the square, 12 values each."""
  factor_sizes = (12, 12)
  factor_names = ("row", "column")
  image_shape = (16, 16, 1)
  num_factors = 2

  def sample_factors(self, n, rng):
    return rng.randint(0, 12, size=(n, 2))

  def sample_observations_from_factors(self, factors, rng):
    del rng
    return _render_square(tf.constant(factors, tf.int32)).numpy()


@pytest.fixture(autouse=True)
def _clear_gin():
  yield
  gin.clear_config()
