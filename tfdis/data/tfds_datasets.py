"""Real datasets through tensorflow-datasets, in the element contract of DESIGN.md.

Nothing downloads unless asked (`download=True`): a dataset that is not prepared under `data_dir` (default
`$TFDS_DATA_DIR` or ~/tensorflow_datasets) raises `DatasetNotPreparedError` at once, saying what to run and
where to put the result. tensorflow_datasets is imported on first use, so `import tfdis.data` stays cheap.

  mnist      {"image": 28x28x1, "label": digit}
  cifar10    {"image": 32x32x3, "label": class}
  celeb_a    {"image": 64x64x3, "label": identity, "attributes": 40 in CELEB_A_ATTRIBUTES order}
  dsprites   {"image": 64x64x1, "factors": shape 3, scale 6, orientation 40, x 32, y 32}
  shapes3d   {"image": 64x64x3, "factors": floor_hue 10, wall_hue 10, object_hue 10, scale 8, shape 4,
              orientation 15}
  smallnorb  {"image": 64x64x1, "label": category, "factors": category 5, instance 10, elevation 9,
              azimuth 18, lighting 6}

Train streams repeat forever: epoch e reads the records in file order through a shuffle buffer seeded by
(seed, e); `start_index` skips whole epochs arithmetically and the rest as undecoded records. dsprites and
shapes3d have one tfds split; their "test" is their first `TEST_RECORDS` = 10,000 records (tfds writes
records in hashed order, so a fixed pseudo-random sample of the factor grid). By default "train" is every
record, "test" included, as the unsupervised papers train on the whole grid; `held_out=True` (gin:
HELD_OUT = True) declares a held-out split: "train" is then the other records only (727,280 and 470,000).
"""

import gin
import tensorflow as tf

from tfdis.data import streams

_SHUFFLE_BUFFER = 10_000
CELEB_A_CROP = 140  # Central square crop of the 218x178 aligned CelebA images before resizing.
CELEB_A_ATTRIBUTES = (
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips",
    "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby",
    "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones", "Male",
    "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose",
    "Receding_Hairline", "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair",
    "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young")
gin.constant("CELEB_A_ATTRIBUTES", CELEB_A_ATTRIBUTES)  # gin: mddae.target_names = %CELEB_A_ATTRIBUTES
DSPRITES_FACTORS = ("shape", "scale", "orientation", "x_position", "y_position")
SHAPES3D_FACTORS = ("floor_hue", "wall_hue", "object_hue", "scale", "shape", "orientation")
SMALLNORB_FACTORS = ("category", "instance", "elevation", "azimuth", "lighting")


class DatasetNotPreparedError(FileNotFoundError):
  """A tfds dataset is not prepared locally and downloading was not requested."""


def prepared_builder(name, data_dir=None, download=False):
  """The tfds builder of `name`, prepared: checks local files first and never downloads unasked.

  Args:
    name: tfds dataset name, e.g. "celeb_a".
    data_dir: tfds data directory; None for tfds' default ($TFDS_DATA_DIR or ~/tensorflow_datasets).
    download: download and prepare the dataset if it is missing (needs internet).

  Returns:
    A `tfds.core.DatasetBuilder` whose data is on disk.

  Raises:
    DatasetNotPreparedError: the data is missing and `download` is False.
  """
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

  builder = tfds.builder(name, data_dir=data_dir)
  if builder.is_prepared():
    return builder
  if download:
    builder.download_and_prepare()
    return builder
  root = str(builder.data_path.parent.parent)
  raise DatasetNotPreparedError(
      f"tfds dataset {name!r} (version {builder.version}) is not prepared under {root} "
      f"(looked for {builder.data_path}). tfdis does not download by default. On a machine with "
      f"internet, run `tfds build {name} --data_dir=DIR` and copy DIR/{name} to {root}/{name}; or pass "
      f"data_dir=DIR (gin: {name}.data_dir = 'DIR') where it is prepared; or set download=True. "
      f"Manual downloads (e.g. celeb_a when Google Drive refuses) go in {root}/downloads/manual, see "
      f"https://www.tensorflow.org/datasets/catalog/{name}.")


def tfds_stream(name, split, seed, start_index, to_element, tfds_splits, data_dir=None,
                download=False, skip_decoding=("image",), ignored=()):
  """A contract stream over a tfds dataset.

  Args:
    name: tfds dataset name.
    split: "train" (infinite, shuffled by `seed`) or "test" (finite, in file order).
    seed: integer seed of the train stream.
    start_index: index of the first element (resume).
    to_element: function (decoded tfds example) -> contract element.
    tfds_splits: {"train": tfds split string, "test": tfds split string}.
    data_dir: tfds data directory (None: tfds' default).
    download: download and prepare a missing dataset (needs internet).
    skip_decoding: image features read as encoded bytes and decoded only after skipping.
    ignored: image features read as encoded bytes and dropped (never decoded).

  Returns:
    A `tf.data.Dataset` of unbatched contract elements.
  """
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

  streams.check_split(split)
  builder = prepared_builder(name, data_dir, download)
  decoders = {key: tfds.decode.SkipDecoding() for key in (*skip_decoding, *ignored)}
  records = builder.as_dataset(split=tfds_splits[split], shuffle_files=False, decoders=decoders)
  if split == streams.TRAIN:
    records = _epochs(records, seed, start_index)
  else:
    records = records.skip(start_index)
  features = builder.info.features

  def decode(example):
    example = {key: value for key, value in example.items() if key not in ignored}
    for key in skip_decoding:
      example[key] = features[key].decode_example(example[key])
    return to_element(example)

  return records.map(decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def _epochs(records, seed, start_index):
  """Endless epochs of `records`, epoch e shuffled with a seed made of (seed, e); skips `start_index`."""
  num_records = int(records.cardinality())
  if num_records <= 0:
    raise ValueError("A tfds split of unknown or zero size cannot be streamed by epochs.")
  first_epoch, offset = divmod(int(start_index), num_records)

  def epoch(e):
    # As in tfdis/data/indexed.py: under the launcher's global seed, `random_seed.get_seed` would compare this
    # tensor seed as a Python bool; the order depends on (seed, e) only, so the graph's seed is dropped.
    tf.compat.v1.get_default_graph().seed = None
    return records.shuffle(_SHUFFLE_BUFFER, seed=seed * 1_000_003 + e, reshuffle_each_iteration=False)

  return tf.data.Dataset.counter(first_epoch).flat_map(epoch).skip(offset)


def _image(example, resize=None):
  """Image uint8 -> float32 in [0, 1], optionally resized (area) to `resize` x `resize`."""
  image = tf.cast(example["image"], tf.float32) / 255.0
  if resize is not None:
    image = tf.image.resize(image, [resize, resize], method="area")
  return image


def _factors(example, keys):
  return tf.stack([tf.cast(example[key], tf.int32) for key in keys])


def _classified(example):
  return {"image": _image(example), "label": tf.cast(example["label"], tf.int32)}


@gin.register
def mnist(split="train", seed=0, start_index=0, data_dir=None, download=False):
  """MNIST (tfds "mnist"): {"image": [28, 28, 1], "label"}; 60,000 train / 10,000 test records."""
  return tfds_stream("mnist", split, seed, start_index, _classified, {"train": "train", "test": "test"},
                     data_dir, download)


@gin.register
def cifar10(split="train", seed=0, start_index=0, data_dir=None, download=False):
  """CIFAR-10 (tfds "cifar10"): {"image": [32, 32, 3], "label"}; 50,000 train / 10,000 test records."""
  return tfds_stream("cifar10", split, seed, start_index, _classified, {"train": "train", "test": "test"},
                     data_dir, download)


def _celeb_a_element(example):
  image = tf.image.resize_with_crop_or_pad(example["image"], CELEB_A_CROP, CELEB_A_CROP)
  attributes = tf.stack([tf.cast(example["attributes"][key], tf.float32) for key in CELEB_A_ATTRIBUTES])
  return {"image": _image({"image": image}, resize=64), "attributes": attributes,
          "label": tf.cast(example["identity"]["Identity_No"], tf.int32)}


@gin.register
def celeb_a(split="train", seed=0, start_index=0, data_dir=None, download=False):
  """CelebA (tfds "celeb_a"), central 140x140 crop resized to 64x64.

  Elements {"image": [64, 64, 3], "attributes": float32 [40] 0/1 in CELEB_A_ATTRIBUTES order, "label":
  identity number, 1..10,177}; 162,770 train / 19,962 test records.
  """
  return tfds_stream("celeb_a", split, seed, start_index, _celeb_a_element,
                     {"train": "train", "test": "test"}, data_dir, download)


def _dsprites_element(example):
  # dSprites stores pixels as 0/1; min(., 1) also maps a 0/255 encoding to 0/1.
  image = tf.cast(tf.minimum(example["image"], 1), tf.float32)
  return {"image": image, "factors": _factors(example, [f"label_{k}" for k in DSPRITES_FACTORS])}


@gin.register
def dsprites(split="train", seed=0, start_index=0, data_dir=None, download=False, held_out=False):
  """dSprites (tfds "dsprites"): {"image": [64, 64, 1] 0/1, "factors": [5]}; 737,280 records.

  `held_out`: leave the "test" records (the first 10,000) out of "train" (see the module docstring).
  """
  return tfds_stream("dsprites", split, seed, start_index, _dsprites_element, _held_out_splits(held_out),
                     data_dir, download)


TEST_RECORDS = 10_000


def _held_out_splits(held_out):
  """{"train", "test"} tfds split strings of a one-split dataset: test its first TEST_RECORDS records."""
  return {"train": f"train[{TEST_RECORDS}:]" if held_out else "train", "test": f"train[:{TEST_RECORDS}]"}


def _shapes3d_element(example):
  return {"image": _image(example),
          "factors": _factors(example, [f"label_{k}" for k in SHAPES3D_FACTORS])}


@gin.register
def shapes3d(split="train", seed=0, start_index=0, data_dir=None, download=False, held_out=False):
  """3dshapes (tfds "shapes3d"): {"image": [64, 64, 3], "factors": [6]}; 480,000 records.

  `held_out`: leave the "test" records (the first 10,000) out of "train" (see the module docstring).
  """
  return tfds_stream("shapes3d", split, seed, start_index, _shapes3d_element, _held_out_splits(held_out),
                     data_dir, download)


def _smallnorb_element(example):
  keys = ["label_category", "instance", "label_elevation", "label_azimuth", "label_lighting"]
  return {"image": _image(example, resize=64), "label": tf.cast(example["label_category"], tf.int32),
          "factors": _factors(example, keys)}


@gin.register
def smallnorb(split="train", seed=0, start_index=0, data_dir=None, download=False):
  """smallNORB (tfds "smallnorb"), left camera resized to 64x64.

  Elements {"image": [64, 64, 1], "label": category, "factors": [5] (category, instance, elevation,
  azimuth, lighting)}; 24,300 train / 24,300 test records (disjoint instances).
  """
  return tfds_stream("smallnorb", split, seed, start_index, _smallnorb_element,
                     {"train": "train", "test": "test"}, data_dir, download, ignored=("image2",))
