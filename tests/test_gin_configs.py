"""Every paper configuration and the quick start train for 2 steps (STYLE.md rule 10)."""

import glob
import os
import re

import pytest

from tfdis import ROOT
from tfdis.data import tfds_datasets
from tfdis.launch import train_lib

CONFIGS = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "gin", "papers", "**", "*.gin"),
                                                            recursive=True)) + ["gin/quickstart.gin"]
TWO_STEPS = ["TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4", "train.log_every = 1"]


def test_every_paper_has_a_config_that_runs_offline():
  """Each paper folder holds at least one config whose header says `Required: none` (built-in data)."""
  papers = sorted(os.listdir(os.path.join(ROOT, "gin", "papers")))
  offline = {config.split("/")[2] for config in CONFIGS if config.startswith("gin/papers/")
             and re.search(r"Required:\s*none", open(os.path.join(ROOT, config)).read().split("\n\n")[0])}
  assert len(papers) >= 8 and offline == set(papers), sorted(set(papers) - offline)


@pytest.mark.parametrize("config", CONFIGS)
def test_config_trains_two_steps(config, tmp_path):
  try:
    model = train_lib.run([config], TWO_STEPS, str(tmp_path))
  except tfds_datasets.DatasetNotPreparedError as e:  # real datasets are not downloadable here
    pytest.skip(str(e).splitlines()[0])
  assert int(model.optimizer.iterations.numpy()) == 2
  assert (tmp_path / "operative_config.gin").exists()


@pytest.mark.parametrize("config", CONFIGS)
def test_config_headers_cite_and_say_what_to_override(config):
  header = open(os.path.join(ROOT, config)).read().split("\n\n")[0]
  assert header.startswith("#") and "Required" in header and "overridden" in header
  if config.startswith("gin/papers/"):  # a citation: authors and year, e.g. "(Wei et al. 2021)"
    assert re.search(r"[A-Z][a-z]+( et al\.| & [A-Z][a-z]+)?,? (19|20)\d\d\b", header), config
