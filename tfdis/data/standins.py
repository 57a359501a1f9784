"""Tiny stand-ins for the real datasets, written where the real loaders read them: no download, seconds.

CI has no internet, so the paper configs on real data (dSprites, 3dshapes, CelebA, CIFAR-10, MNIST,
smallNORB through tensorflow-datasets; Cars3D from its manual .mat files) could not train there. These
functions write a few random records with each real dataset's features (image shape and dtype, every label,
factor and attribute with its real number of classes) in the real on-disk format: a prepared tfds dataset
(tfrecord shards + dataset_info.json, made by the dataset's own tfds builder with its record generator
swapped for random records) and Cars3D `car_NNN_mesh.mat` files. `tfdis.data.tfds_datasets` and
`tfdis.data.manual_datasets` then read them unchanged; point them there with the documented bindings
(`standin_bindings`: `mnist.data_dir = 'DIR'`, ..., `cars3d.path = 'DIR/...'`).

  write_tfds("dsprites", data_dir)     a prepared tfds "dsprites" of `num_records` random records per split
  write_cars3d(folder, num_cars)       `num_cars` random .mat files in Cars3D's layout
  write_all(data_dir)                  every stand-in; returns the gin bindings that select them
"""

import os
from unittest import mock

import numpy as np

# tfds name -> the splits its real builder declares (the loaders read "train" and "test" where they exist).
TFDS_SPLITS = {
    "celeb_a": ("train", "validation", "test"),
    "cifar10": ("train", "test"),
    "dsprites": ("train",),
    "mnist": ("train", "test"),
    "shapes3d": ("train",),
    "smallnorb": ("train", "test"),
}
_BINARY_IMAGES = ("dsprites",)  # dSprites stores its pixels as 0/1.
# 3dshapes' held-out "test" split is its first 10,000 records (tfds_datasets.TEST_RECORDS) and LORD's config
# trains on the rest, so its stand-in needs more; their images are one colour each to stay small and fast.
MIN_RECORDS = {"shapes3d": 10_000 + 8}
CARS3D_FOLDER = os.path.join("downloads", "manual", "cars3d")
CARS3D_VIEWS = (24, 4)  # azimuths, elevations: the real files' last two axes.


def _random_value(feature, rng, binary_images, flat_images=False):
  """A random decoded value of one tfds feature, within its real range (class labels < num_classes).

  Images are uniform noise, 0/1 noise (`binary_images`), or one random colour each (`flat_images`).
  """
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

  features = tfds.features
  if isinstance(feature, features.FeaturesDict):
    return {key: _random_value(sub, rng, binary_images, flat_images) for key, sub in feature.items()}
  if isinstance(feature, features.ClassLabel):
    return int(rng.integers(feature.num_classes))
  if isinstance(feature, features.Image):
    size = (1, 1, feature.shape[-1]) if flat_images else feature.shape
    return np.broadcast_to(rng.integers(0, 2 if binary_images else 256, size=size, dtype=np.uint8), feature.shape)
  if isinstance(feature, features.Text):
    return f"standin_{int(rng.integers(10**6)):06d}"  # e.g. a file name
  dtype = np.dtype(feature.np_dtype)
  if dtype == np.bool_:
    return bool(rng.integers(2))
  if np.issubdtype(dtype, np.integer):
    return int(rng.integers(1, 200))  # e.g. CelebA's identity numbers (1..10,177) and landmarks
  if np.issubdtype(dtype, np.floating):
    return float(rng.random())
  raise TypeError(f"No stand-in value for the tfds feature {feature!r}; add a case to standins._random_value.")


def write_tfds(name, data_dir, num_records=8, seed=0):
  """Prepares tfds dataset `name` under `data_dir` with `num_records` random records per split.

  The dataset's own builder writes it (so the version, features and file layout are the real ones); only its
  split generator is replaced, by one that yields random records and downloads nothing.

  Args:
    name: a key of `TFDS_SPLITS`.
    data_dir: the tfds data directory to write into (the loaders' `data_dir`).
    num_records: records per split (at least `MIN_RECORDS[name]`).
    seed: seed of the records.

  Returns:
    The prepared `tfds.core.DatasetBuilder`.
  """
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

  if name not in TFDS_SPLITS:
    raise ValueError(f"No tfds stand-in for {name!r}; the stand-ins are {sorted(TFDS_SPLITS)}.")
  builder = tfds.builder(name, data_dir=data_dir)
  features = builder.info.features
  num_records = max(num_records, MIN_RECORDS.get(name, 0))
  flat = num_records > 1000

  def records(split_seed):
    rng = np.random.default_rng(split_seed)
    for i in range(num_records):
      yield i, _random_value(features, rng, name in _BINARY_IMAGES, flat)

  def split_generators(dl_manager, *args, **kwargs):
    del dl_manager, args, kwargs
    return {split: records(seed * 1000 + k) for k, split in enumerate(TFDS_SPLITS[name])}

  with mock.patch.object(builder, "_split_generators", split_generators):
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
        compute_stats=tfds.download.ComputeStatsMode.SKIP, try_download_gcs=False))
  return builder


def write_cars3d(folder, num_cars=21, size=16, seed=0):
  """Writes `num_cars` random `car_NNN_mesh.mat` files ("im": uint8 [size, size, 3, 24, 4]) into `folder`.

  The real files are 128x128; the loader resizes any size to 64x64. LORD's config holds 20 cars out, so
  its stand-in needs at least 21.
  """
  from scipy import io as scipy_io  # pylint: disable=g-import-not-at-top

  os.makedirs(folder, exist_ok=True)
  rng = np.random.default_rng(seed)
  for car in range(num_cars):
    im = rng.integers(0, 256, size=(size, size, 3, *CARS3D_VIEWS), dtype=np.uint8)
    scipy_io.savemat(os.path.join(folder, f"car_{car + 1:03d}_mesh.mat"), {"im": im})
  return folder


def standin_bindings(data_dir):
  """gin bindings that point every real-data loader at the stand-ins under `data_dir`."""
  cars = os.path.join(data_dir, CARS3D_FOLDER)
  return [f"{name}.data_dir = '{data_dir}'" for name in sorted(TFDS_SPLITS)] + [
      f"cars3d.path = '{cars}'", f"Cars3D.path = '{cars}'"]


def write_all(data_dir, num_records=8):
  """Writes every stand-in under `data_dir`; returns `standin_bindings(data_dir)`."""
  for name in sorted(TFDS_SPLITS):
    write_tfds(name, data_dir, num_records)
  write_cars3d(os.path.join(data_dir, CARS3D_FOLDER))
  return standin_bindings(data_dir)
