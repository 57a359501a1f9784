"""Every paper configuration and the quick start train for 2 steps (STYLE.md rule 10), on real data's stand-ins.

Configs on real data (tfds, Cars3D) read the tiny stand-ins of `tfdis.data.standins` through the real loaders
(`NAME.data_dir` bindings); every config adds its family's tiny settings, gin/tests/<family>.gin.
"""

import glob
import os
import re

import gin
import pytest

from tfdis import ROOT
from tfdis import runs
from tfdis.data import standins
from tfdis.launch import train_lib

CONFIGS = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "gin", "papers", "**", "*.gin"),
                                                            recursive=True)) + ["gin/quickstart.gin"]
TWO_STEPS = ["TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4", "train.log_every = 1"]
_INCLUDE = re.compile(r"^include '([^']+)'", re.MULTILINE)


def included(config):
  """Every gin file `config` includes, recursively, in include order."""
  files = []
  for path in _INCLUDE.findall(open(os.path.join(ROOT, config)).read()):
    files += [path, *included(path)]
  return files


def family(config):
  """The model family of a config: the name of the gin/models file it includes."""
  models = [os.path.basename(p)[:-len(".gin")] for p in included(config) if p.startswith("gin/models/")]
  assert len(models) == 1, f"{config} includes {len(models)} model files: {models}"
  return models[0]


@pytest.fixture(scope="session")  # a module fixture would put all 124 tests on one worker (tests/conftest.py)
def standin_bindings(tmp_path_factory):
  return standins.write_all(str(tmp_path_factory.mktemp("standin_data")))


def test_every_family_has_tiny_test_settings():
  families = {family(config) for config in CONFIGS}
  assert families == {os.path.basename(p)[:-len(".gin")] for p in glob.glob(os.path.join(ROOT, "gin/models/*.gin"))
                      if os.path.basename(p) != "cvae_gan.gin"}  # cvae_gan: a baseline swapped in by flag
  for name in families | {"cvae_gan"}:
    assert os.path.exists(os.path.join(ROOT, "gin", "tests", f"{name}.gin")), name


def test_every_paper_has_a_config_that_runs_offline():
  """Each paper folder holds at least one config whose header says `Required: none` (built-in data)."""
  papers = sorted(os.listdir(os.path.join(ROOT, "gin", "papers")))
  offline = {config.split("/")[2] for config in CONFIGS if config.startswith("gin/papers/")
             and re.search(r"Required:\s*none", open(os.path.join(ROOT, config)).read().split("\n\n")[0])}
  assert len(papers) >= 8 and offline == set(papers), sorted(set(papers) - offline)


@pytest.mark.parametrize("config", CONFIGS)
def test_config_trains_two_steps(config, standin_bindings, tmp_path):
  tiny = f"gin/tests/{family(config)}.gin"
  model = train_lib.run([config, tiny], TWO_STEPS + standin_bindings, str(tmp_path))
  assert int(model.optimizer.iterations.numpy()) == 2
  assert (tmp_path / "operative_config.gin").exists()


@pytest.mark.parametrize("config", CONFIGS)
def test_config_headers_cite_and_say_what_to_override(config):
  header = open(os.path.join(ROOT, config)).read().split("\n\n")[0]
  assert header.startswith("#") and "Required" in header and "overridden" in header
  if config.startswith("gin/papers/"):  # a citation: authors and year, e.g. "(Wei et al. 2021)"
    assert re.search(r"[A-Z][a-z]+( et al\.| & [A-Z][a-z]+)?,? (19|20)\d\d\b", header), config


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "gin", "tests", "*.gin"))))
def test_tiny_settings_headers_say_what_to_include(path):
  header = open(path).read().split("\n\n")[0]
  assert header.startswith("#") and "Include after" in header and "Required" in header, path


_RUN_SETTINGS = re.compile(r"^(keras\.optimizers\.\S+|LEARNING_RATE|BATCH_SIZE|TRAIN_STEPS|train\.(?!model_fn)\w+)",
                           re.MULTILINE)


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "gin", "models", "*.gin"))))
def test_model_files_hold_no_run_settings(path):
  """Optimizer, batch, length and dataset belong to gin/runs/<family>.gin; a model file names its model only."""
  found = _RUN_SETTINGS.findall(open(path).read())
  assert not found, f"{os.path.relpath(path, ROOT)} sets run settings {found}: move them to gin/runs/"


@pytest.mark.parametrize("config", [c for c in CONFIGS if c.startswith("gin/papers/")])
def test_paper_configs_include_their_familys_run(config):
  assert f"gin/runs/{family(config)}.gin" in included(config), config


def test_attribute_names_in_configs_are_the_datasets_own():
  from tfdis.data import tfds_datasets  # pylint: disable=g-import-not-at-top
  from tfdis.data.synthetic import faces  # pylint: disable=g-import-not-at-top
  for config, names in [("gin/papers/mddae/celeba.gin", tfds_datasets.CELEB_A_ATTRIBUTES),
                        ("gin/papers/mddae/attributes.gin", faces.ATTRIBUTE_NAMES)]:
    runs.parse_gin([config])
    try:
      assert tuple(runs.configured("mddae.target_names")) == names
    finally:
      gin.clear_config()
