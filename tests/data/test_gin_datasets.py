"""gin/datasets/*.gin: each parses and binds DATASET (and GROUND_TRUTH where the data has one)."""

import inspect

import gin
import pytest

import tfdis
from tfdis import data

_FILES = sorted((tfdis.GIN_DIR / "datasets").glob("*.gin"))
_SYNTHETIC_SAMPLERS = {"shapes2d": data.Shapes2D, "three_dots": data.ThreeDots, "glyphs": data.Glyphs,
                       "attributes": data.Attributes, "circles": data.Circles}


@gin.configurable
def _probe(dataset=gin.REQUIRED, ground_truth=None):
  return dataset, ground_truth


@pytest.fixture
def clean_gin():
  gin.clear_config()
  yield
  gin.clear_config()


def test_every_dataset_function_has_a_gin_file():
  assert {f.stem for f in _FILES} == {"shapes2d", "circles", "three_dots", "glyphs", "attributes", "moons", "mnist",
                                      "cifar10", "celeb_a", "dsprites", "shapes3d", "smallnorb", "cars3d"}


@pytest.mark.parametrize("path", _FILES, ids=lambda p: p.stem)
def test_gin_file_binds_its_dataset(clean_gin, path):
  del clean_gin
  text = path.read_text()
  assert text.startswith("# ") and "Required:" in text and "Commonly overridden:" in text
  gin.parse_config_file(str(path))
  gin.parse_config("_probe.dataset = %DATASET")
  dataset_fn, _ = _probe()
  assert inspect.unwrap(dataset_fn) is getattr(data, path.stem)  # gin hands out a wrapper.
  if path.stem in _SYNTHETIC_SAMPLERS:
    gin.parse_config("_probe.ground_truth = %GROUND_TRUTH")
    _, sampler = _probe()
    assert isinstance(sampler, _SYNTHETIC_SAMPLERS[path.stem])
    image = next(iter(dataset_fn(split="train").take(1)))["image"]
    assert tuple(image.shape) == sampler.image_shape  # the training stream and the metrics' sampler agree
