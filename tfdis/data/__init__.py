"""Datasets: functions returning `tf.data.Dataset`, chosen by a gin reference (STYLE.md rule 6).

Element contract (DESIGN.md): a dict with
  "image":      float32 [H, W, C] in [0, 1]
  "label":      int32 scalar            (if the dataset has classes)
  "attributes": float32 [A]             (if the dataset has binary/continuous attributes)
  "factors":    int32 [F]               (if the ground-truth factors are known)
  "index":      int64 scalar            (`tfdis.data.indexed` only: the image's position in a finite training set)

Dataset functions share one signature:
  fn(split="train", seed=0, start_index=0) -> tf.data.Dataset of unbatched elements.
  "train" is infinite (repeats), deterministic for a seed; `start_index` skips that many elements so that a
  resumed run continues the stream where it stopped. Other splits ("test") are finite and fixed.

Ground-truth samplers (for metrics) expose `num_factors`, `factor_sizes`, `factor_names`,
`sample_factors(n, rng) -> int [n, F]` and `sample_observations_from_factors(factors, rng) -> float32 [n, H, W, C]`.
"""

from tfdis.data import adapters  # registers partially_labeled, points_as_images for every config
from tfdis.data import pipeline
from tfdis.data import streams
from tfdis.data.manual_datasets import Cars3D
from tfdis.data.manual_datasets import cars3d
from tfdis.data.synthetic import Attributes
from tfdis.data.synthetic import attributes
from tfdis.data.synthetic import Circles
from tfdis.data.synthetic import circles
from tfdis.data.synthetic import Glyphs
from tfdis.data.synthetic import glyphs
from tfdis.data.synthetic import GroundTruthSampler
from tfdis.data.synthetic import moons
from tfdis.data.synthetic import Shapes2D
from tfdis.data.synthetic import shapes2d
from tfdis.data.synthetic import three_dots
from tfdis.data.synthetic import ThreeDots
from tfdis.data.tfds_datasets import celeb_a
from tfdis.data.tfds_datasets import CELEB_A_ATTRIBUTES
from tfdis.data.tfds_datasets import cifar10
from tfdis.data.tfds_datasets import DatasetNotPreparedError
from tfdis.data.tfds_datasets import dsprites
from tfdis.data.tfds_datasets import mnist
from tfdis.data.tfds_datasets import shapes3d
from tfdis.data.tfds_datasets import smallnorb
