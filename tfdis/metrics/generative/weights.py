"""The pretrained weight files of the generative-model metrics: what each is, where to get it, how to load it.

Nothing is downloaded at run time. A metric that needs a network takes the path of its weights file; a
missing or unreadable file raises an error that names the file, where to get it and how to pass it.
Networks are built with `weights=None` and filled with `load_weights`, the same code path whether the file
holds the ImageNet weights or (in tests) random ones saved from the same architecture.
"""

import collections
import functools
import os

import numpy as np

_KERAS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"

# how_to_get: a sentence saying where the file comes from.
WeightFile = collections.namedtuple("WeightFile", ["description", "file_name", "how_to_get", "md5"])
_KERAS_CACHE = " (keras.applications keeps the files it downloads in ~/.keras/models/)"

INCEPTION_NO_TOP = WeightFile(
    "Keras InceptionV3 ImageNet weights without the top (pool3 features)",
    "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "Download it from " + _KERAS_URL + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
    + _KERAS_CACHE,
    "bcbd6486424b2319ff4ef7d526e38f63")
INCEPTION_TOP = WeightFile(
    "Keras InceptionV3 ImageNet weights with the top (1000-class softmax)",
    "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
    "Download it from " + _KERAS_URL + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
    + _KERAS_CACHE,
    "9a0d58056eeedaa3f26cb7ebd46da564")
VGG16_NO_TOP = WeightFile(
    "Keras VGG16 ImageNet weights without the top",
    "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "Download it from " + _KERAS_URL + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" + _KERAS_CACHE,
    "6d6bbae143d832006294945121d1f1fc")
LPIPS_LINEAR = WeightFile(
    "LPIPS v0.1 VGG linear-layer weights as .npz (arrays lin0..lin4 of 64, 128, 256, 512, 512 "
    "non-negative channel weights)",
    "lpips_vgg_v0.1.npz",
    "Make it from lpips/weights/v0.1/vgg.pth of `pip install lpips` "
    "(github.com/richzhang/PerceptualSimilarity): "
    "state = torch.load('vgg.pth'); np.savez('lpips_vgg_v0.1.npz', **{f'lin{i}': "
    "state[f'lin{i}.model.1.weight'].numpy().reshape(-1) for i in range(5)})",
    None)


def _instructions(weight_file, argument, caller):
  md5 = f" (md5 {weight_file.md5})" if weight_file.md5 else ""
  return (f"{caller} needs the {weight_file.description}: the file {weight_file.file_name}{md5}. "
          f"Nothing is downloaded at run time. {weight_file.how_to_get} on a machine with internet "
          f"access, then pass {caller}(..., {argument}='/path/to/{weight_file.file_name}') or bind it with "
          f"gin: {caller}.{argument} = '/path/to/{weight_file.file_name}'.")


def require_file(path, weight_file, argument, caller):
  """Returns `path` as an absolute path, or raises an error saying which file is needed and how to pass it.

  Args:
    path: the user's path (str, os.PathLike or None).
    weight_file: the `WeightFile` expected there.
    argument: the name of the argument that takes the path (for the message).
    caller: the name of the metric (for the message).

  Raises:
    ValueError: if `path` is None.
    FileNotFoundError: if no file exists at `path`.
  """
  if path is None:
    raise ValueError("no weights file given. " + _instructions(weight_file, argument, caller))
  path = os.path.abspath(os.fspath(path))
  if not os.path.isfile(path):
    raise FileNotFoundError(f"no file at {path}. " + _instructions(weight_file, argument, caller))
  return path


def _file_key(path):
  """(path, mtime, size): a cached network is rebuilt when its weights file changes."""
  stat = os.stat(path)
  return path, stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=4)
def _cached_network(builder_name, kwargs_items, file_key):
  import keras  # pylint: disable=g-import-not-at-top
  builder = getattr(keras.applications, builder_name)
  model = builder(weights=None, **dict(kwargs_items))
  model.load_weights(file_key[0])
  return model


def keras_application(builder_name, path, weight_file, argument, caller, **kwargs):
  """A `keras.applications` network built with `weights=None` and loaded from `path` (cached per file).

  Args:
    builder_name: e.g. "InceptionV3" or "VGG16".
    path: weights file (legacy `.h5` as keras.applications ships them, or Keras 3 `.weights.h5`).
    weight_file: the `WeightFile` expected, for error messages.
    argument: name of the argument that took `path`.
    caller: name of the metric.
    **kwargs: arguments of the builder other than `weights` (include_top, pooling, input_shape).

  Raises:
    ValueError: if the file does not hold weights of this architecture (e.g. the top variant where the
      no-top one is needed).
  """
  path = require_file(path, weight_file, argument, caller)
  try:
    return _cached_network(builder_name, tuple(sorted(kwargs.items())), _file_key(path))
  except (ValueError, KeyError, OSError) as error:
    raise ValueError(f"{path} does not hold weights of keras.applications.{builder_name}"
                     f"({', '.join(f'{k}={v!r}' for k, v in sorted(kwargs.items()))}): {error}. "
                     + _instructions(weight_file, argument, caller)) from error


def lpips_linear_weights(path, caller="lpips", argument="linear_weights_path", channels=None):
  """Reads the LPIPS linear layers from an .npz: list of 5 float32 arrays [C_l] (see `LPIPS_LINEAR`)."""
  path = require_file(path, LPIPS_LINEAR, argument, caller)
  channels = channels or (64, 128, 256, 512, 512)
  try:
    with np.load(path) as archive:
      layers = [np.asarray(archive[f"lin{i}"], np.float32).reshape(-1) for i in range(len(channels))]
  except (KeyError, ValueError, OSError) as error:
    raise ValueError(f"{path} is not an LPIPS linear-weights .npz ({error}). "
                     + _instructions(LPIPS_LINEAR, argument, caller)) from error
  sizes = tuple(layer.size for layer in layers)
  if sizes != tuple(channels):
    raise ValueError(f"{path} holds linear layers of {sizes} channels; LPIPS-VGG needs {tuple(channels)}. "
                     + _instructions(LPIPS_LINEAR, argument, caller))
  return layers
