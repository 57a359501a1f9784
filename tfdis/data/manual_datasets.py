"""Datasets read from manual downloads: Cars3D (Reed et al. 2015), which tfds has no builder for.

Expected layout: the `.mat` files of the `cars` folder of
http://www.scottreed.info/files/nips2015-analogy-data.tar.gz (data/cars/car_001_mesh.mat, ..., 183 files),
copied into one folder, by default `<tfds data dir>/downloads/manual/cars3d/` (tfds data dir:
$TFDS_DATA_DIR or ~/tensorflow_datasets), or any folder passed as `path`:

  cars3d/car_001_mesh.mat   each holds "im": uint8 [128, 128, 3, 24, 4] (height, width, RGB, azimuth,
  cars3d/car_002_mesh.mat   elevation)
  ...

Images are resized (area) to 64x64x3. Factors, as disentanglement_lib's: [elevation 4, azimuth 24,
object] (objects numbered in sorted file-name order); "label" is the object's number among all of them
(LORD's class). The "test" split is every image once, in factor order (17,568 for the full set).

Held-out cars (LORD, Gabbay & Hoshen 2020, A.2: 163 models train, 20 are held out): with `num_held_out` > 0
the `held_out_objects` (drawn once by `held_out_seed`; the official `split_classes` draws them unseeded) are
left out of "train", and "test" holds their images only. `Cars3D(subset=...)` samples one part; its object
factor then numbers the cars of that part (0..n-1), `objects` maps them back, and "label" stays the car's
number among all, as the official code's class ids (its class embedding keeps all 183 rows).
"""

import functools
import glob
import os

import gin
import numpy as np
import tensorflow as tf

from tfdis.data import streams
from tfdis.data import tfds_datasets
from tfdis.data.synthetic import base

URL = "http://www.scottreed.info/files/nips2015-analogy-data.tar.gz"
FACTOR_NAMES = ("elevation", "azimuth", "object")
IMAGE_SIZE = 64
_CHUNK = 64


def default_path():
  """`<data dir>/downloads/manual/cars3d`, the data dir being $TFDS_DATA_DIR or ~/tensorflow_datasets."""
  data_dir = os.environ.get("TFDS_DATA_DIR", os.path.join(os.path.expanduser("~"), "tensorflow_datasets"))
  return os.path.join(data_dir, "downloads", "manual", "cars3d")


def _load_mesh(filename):
  """One car's 96 views, resized: uint8 [4 elevations, 24 azimuths, 64, 64, 3]."""
  from scipy import io as scipy_io  # pylint: disable=g-import-not-at-top

  views = np.transpose(scipy_io.loadmat(filename)["im"], (4, 3, 0, 1, 2))  # [4, 24, H, W, 3]
  flat = views.reshape((-1,) + views.shape[2:])
  resized = tf.image.resize(tf.cast(flat, tf.float32), [IMAGE_SIZE, IMAGE_SIZE], method="area")
  resized = tf.cast(tf.round(tf.clip_by_value(resized, 0.0, 255.0)), tf.uint8).numpy()
  return resized.reshape(views.shape[:2] + resized.shape[1:])


@functools.lru_cache(maxsize=2)
def load_cars3d(path=None):
  """All views of all cars: uint8 [objects, 4, 24, 64, 64, 3], cached per path.

  Raises:
    DatasetNotPreparedError: no `.mat` file in the folder.
  """
  path = path or default_path()
  files = sorted(glob.glob(os.path.join(path, "*.mat")))
  if not files:
    raise tfds_datasets.DatasetNotPreparedError(
        f"No Cars3D .mat files in {path}. Download {URL}, extract it, and copy the .mat files of its "
        f"data/cars folder (car_001_mesh.mat, ...) into {path} (or pass path=FOLDER, gin: "
        f"cars3d.path = 'FOLDER').")
  return np.stack([_load_mesh(f) for f in files])


SUBSETS = ("all", "train", "test")


def held_out_objects(num_objects, num_held_out, seed=0):
  """The sorted numbers of the `num_held_out` of `num_objects` cars held out for testing (deterministic)."""
  if not 0 <= num_held_out < num_objects:
    raise ValueError(f"num_held_out = {num_held_out} must be in [0, {num_objects}): some cars must train.")
  return np.sort(np.random.RandomState(seed).choice(num_objects, num_held_out, replace=False))


def subset_objects(num_objects, subset, num_held_out=0, held_out_seed=0):
  """The numbers of the cars in `subset`: "all", "train" (not held out) or "test" (held out; all if none)."""
  if subset not in SUBSETS:
    raise ValueError(f"Unknown Cars3D subset {subset!r}: use one of {SUBSETS}.")
  test = held_out_objects(num_objects, num_held_out, held_out_seed)
  if subset == "all" or (subset == "test" and not num_held_out):
    return np.arange(num_objects)
  return test if subset == "test" else np.setdiff1d(np.arange(num_objects), test)


@gin.register
class Cars3D(base.GroundTruthSampler):
  """Cars3D ground truth: [elevation 4, azimuth 24, object]; images looked up, not rendered.

  Args:
    path: folder of the .mat files (see the module docstring); None for the default.
    subset: "all" cars, the "train" cars or the held-out "test" cars (see the module docstring).
    num_held_out: cars held out (LORD: 20); 0: none ("test" is then every car).
    held_out_seed: seed of the draw of the held-out cars.
  """

  factor_names = FACTOR_NAMES
  image_shape = (IMAGE_SIZE, IMAGE_SIZE, 3)

  def __init__(self, path=None, subset="all", num_held_out=0, held_out_seed=0):
    self.path, self.subset, self.num_held_out, self.held_out_seed = path, subset, num_held_out, held_out_seed
    images = load_cars3d(path)  # [all objects, 4, 24, 64, 64, 3]
    self.objects = subset_objects(len(images), subset, num_held_out, held_out_seed)
    self.images = images[self.objects]  # [objects of the subset, 4, 24, 64, 64, 3]
    self.factor_sizes = (4, 24, len(self.objects))

  def lookup(self, factors):
    """Images of `factors` (int [n, 3]): float32 [n, 64, 64, 3] in [0, 1]."""
    factors = np.asarray(factors).reshape(-1, 3)
    return self.images[factors[:, 2], factors[:, 0], factors[:, 1]].astype(np.float32) / 255.0

  def sample_observations_from_factors(self, factors, rng=None):
    del rng
    return self.lookup(factors)

  def compiled_render(self, factors):
    return self.render(tf.cast(factors, tf.int32))  # A lookup: nothing for XLA to compile.

  def render(self, factors):
    images = tf.numpy_function(self.lookup, [factors], tf.float32, stateful=False)
    return tf.ensure_shape(images, [None, *self.image_shape])

  def extras(self, factors):
    return {"label": tf.gather(tf.constant(self.objects, tf.int32), factors[:, 2])}

  def factors_of(self, indices):
    """Factors int32 [n, 3] of flat indices into the [object, elevation, azimuth] grid."""
    objects, elevations, azimuths = np.unravel_index(indices, (self.factor_sizes[2], 4, 24))
    return np.stack([elevations, azimuths, objects], axis=1).astype(np.int32)


@gin.register
def cars3d(split="train", seed=0, start_index=0, path=None, num_held_out=0, held_out_seed=0):
  """Cars3D: {"image": [64, 64, 3], "label": object, "factors": [3]}; test: every image once.

  Args:
    split: "train" (epochs of seeded permutations) or "test" (all images in factor order).
    seed: integer seed of the train stream.
    start_index: index of the first element (resume).
    path: folder of the .mat files (see the module docstring); None for the default.
    num_held_out: cars left out of "train", the only ones in "test" (LORD: 20); 0: none, both see all.
    held_out_seed: seed of the draw of the held-out cars (`held_out_objects`).

  Returns:
    A `tf.data.Dataset` of unbatched elements.
  """
  streams.check_split(split)
  sampler = Cars3D(path, split if num_held_out else "all", num_held_out, held_out_seed)
  train = split == streams.TRAIN
  indices = streams.permuted_indices(int(np.prod(sampler.factor_sizes)), seed, start_index,
                                     shuffle=train, repeat=train)

  def chunk(index):
    factors = tf.numpy_function(sampler.factors_of, [index], tf.int32, stateful=False)
    return sampler.elements(tf.ensure_shape(factors, [None, 3]))

  return indices.batch(_CHUNK).map(chunk, num_parallel_calls=tf.data.AUTOTUNE,
                                   deterministic=True).unbatch()
