"""A study: a grid of training runs (variants × axes × seeds), read from a study gin file.

A study gin file binds only `study.*` (see gin/studies/):

  study.name = "orojar_vs_hp"
  study.base = ["gin/papers/orojar/shapes2d.gin"]          # gin files every cell starts from
  study.bindings = ["TRAIN_STEPS = 400", "LATENT_DIM = 3"]  # gin bindings every cell gets
  study.variants = {"vanilla": ["gin/papers/gan/shapes2d.gin"], "orojar": ["REG_WEIGHT = 1.0"]}
  study.axes = {"REG_WEIGHT": [0.1, 1.0]}                   # each value becomes the binding `NAME = value`
  study.seeds = [0, 1, 2, 3, 4, 5]
  study.metrics = ["gin/metrics/gan.gin", "vp.epochs = 20"]  # the evaluate suite: gin files and bindings

In `base`, `variants` and `metrics`, an entry ending in `.gin` is a gin file, anything else a binding. A cell
is one (variant, axis values, seed); its training gets `--seed=<seed>` and its evaluation `evaluate.seed =
<seed>`, so that variants paired on a seed share initial weights, data stream and evaluation samples.
"""

import dataclasses
import itertools
import os
import re

import gin

from tfdis import ROOT


class StudyError(ValueError):
  """A study file or study folder that cannot run; the message names the problem and the fix."""


@dataclasses.dataclass(frozen=True)
class Cell:
  """One training run of the grid."""
  variant: str
  axes: tuple  # ((name, value), ...) in the study's axis order
  seed: int

  @property
  def cell_id(self):
    parts = [self.variant, *(f"{name}={value}" for name, value in self.axes), f"seed={self.seed}"]
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", "__".join(parts))

  def settings(self):
    return {"variant": self.variant, **dict(self.axes), "seed": self.seed}


@dataclasses.dataclass(frozen=True)
class Study:
  """The parsed study file: what every cell trains and how it is evaluated."""
  name: str
  base: tuple
  variants: dict
  axes: dict
  seeds: tuple
  bindings: tuple = ()
  metrics: tuple = ()
  baseline: str = None
  train_module: str = "tfdis.launch.train"
  evaluate_module: str = "tfdis.launch.evaluate"

  def cells(self):
    """Every cell of the grid, variants outermost and seeds innermost."""
    names = list(self.axes)
    return [Cell(variant, tuple(zip(names, values)), seed)
            for variant in self.variants
            for values in itertools.product(*(self.axes[n] for n in names))
            for seed in self.seeds]

  def train_config(self, cell):
    """(gin files, gin bindings) of the cell's training run."""
    entries = [*self.base, *self.bindings, *self.variants[cell.variant],
               *(f"{name} = {_gin_value(value)}" for name, value in cell.axes)]
    return _split(entries)

  def evaluate_config(self, cell):
    """(gin files, gin bindings) of the cell's evaluation."""
    files, bindings = _split(self.metrics)
    return files, [*bindings, f"evaluate.seed = {cell.seed}"]

  def fingerprint(self):
    """What must not change between a study folder's runs (cells would mix settings otherwise)."""
    return {"base": list(self.base), "bindings": list(self.bindings), "metrics": list(self.metrics),
            "variants": {k: list(v) for k, v in self.variants.items()}, "train_module": self.train_module,
            "evaluate_module": self.evaluate_module}


def _gin_value(value):
  if isinstance(value, str) and value[:1] in "@%":
    return value  # a gin reference or macro
  return repr(value)


def _split(entries):
  files = [e for e in entries if e.endswith(".gin")]
  return files, [e for e in entries if not e.endswith(".gin")]


@gin.configurable("study")
def _study(name=None, base=(), variants=gin.REQUIRED, axes=None, seeds=(0,), bindings=(), metrics=(),
           baseline=None, train_module="tfdis.launch.train", evaluate_module="tfdis.launch.evaluate"):
  return Study(name, tuple(base), dict(variants), dict(axes or {}), tuple(seeds), tuple(bindings),
               tuple(metrics), baseline, train_module, evaluate_module)


def parse(path, bindings=()):
  """Reads the study file at `path` (plus `study.*` bindings), checking it before anything runs.

  Raises:
    StudyError: the file is missing, binds something else than `study.*`, or its grid is malformed.
  """
  resolved = path if os.path.isfile(path) else os.path.join(ROOT, path)
  if not os.path.isfile(resolved):
    raise StudyError(f"Study file {path} not found; pass one such as gin/studies/orojar_vs_hp.gin.")
  gin.clear_config()
  try:
    gin.parse_config_file(resolved)
    for binding in bindings:
      gin.parse_config(binding)
    study = _study()
  except Exception as e:  # gin's errors name the file and line
    raise StudyError(f"Bad study file {path}: {e}") from e
  finally:
    gin.clear_config()
  if study.name is None:
    study = dataclasses.replace(study, name=os.path.splitext(os.path.basename(path))[0])
  _check(study, path)
  return study


def _check(study, path):
  """Raises StudyError naming the first malformed part of `study`."""
  if not study.variants:
    raise StudyError(f"{path}: study.variants is empty; give at least one, e.g. {{'default': []}}.")
  for name, entries in study.variants.items():
    if isinstance(entries, str) or not all(isinstance(e, str) for e in entries):
      raise StudyError(f"{path}: variant {name!r} must be a list of gin files and bindings, got {entries!r}.")
  for name, values in study.axes.items():
    if isinstance(values, str) or not list(values):
      raise StudyError(f"{path}: axis {name!r} needs a non-empty list of values, got {values!r}.")
  if not study.seeds or not all(isinstance(s, int) for s in study.seeds):
    raise StudyError(f"{path}: study.seeds must be a non-empty list of integers, got {study.seeds!r}.")
  if study.baseline is not None and study.baseline not in study.variants:
    raise StudyError(f"{path}: study.baseline {study.baseline!r} is not a variant ({sorted(study.variants)}).")
  entries = [*study.base, *study.metrics, *itertools.chain(*study.variants.values())]
  for entry in entries:
    if entry.endswith(".gin") and not os.path.isfile(os.path.join(ROOT, entry)):
      raise StudyError(f"{path}: gin file {entry} not found (paths are relative to the repository root).")
