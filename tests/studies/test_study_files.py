"""Every study in gin/studies/ parses, every cell's training and evaluation configuration parses, and each
file's header says its claim, design, why the effect can show, its expected wall time and its command."""

import glob
import os

import pytest

from tfdis import ROOT
from tfdis import runs
from tfdis.launch import evaluate_lib  # pylint: disable=unused-import  (registers evaluate, vp, ...)
from tfdis.launch import train_lib
from tfdis.studies import spec

STUDIES = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "gin", "studies", "*.gin")))


def test_the_five_studies_exist():
  names = {os.path.basename(p) for p in STUDIES}
  assert {"orojar_vs_hp.gin", "mddae_decorrelation.gin", "lord_ablations.gin", "lrli_vs_cvae_gan.gin",
          "jl1_vs_beta_vae.gin"} <= names


@pytest.mark.parametrize("path", STUDIES)
def test_header(path):
  header = open(os.path.join(ROOT, path)).read().split("\nstudy.")[0]
  for part in ("Claim", "Design", "Why it can show", "Expected wall time", "Required", "overridden"):
    assert part in header, f"{path}: the header lacks {part!r}"
  assert f"python -m tfdis.launch.study --study={path}" in header


@pytest.mark.parametrize("path", STUDIES)
def test_every_cell_configuration_parses(path):
  study = spec.parse(path)
  assert len(study.seeds) >= 5 and len(study.variants) >= 2
  for cell in study.cells()[::len(study.seeds)]:  # one seed per variant: the seed is a flag, not a binding
    runs.parse_gin(*study.train_config(cell))
    assert runs.configured("train.train_steps") > 0
    files, bindings = study.evaluate_config(cell)
    runs.parse_gin(files, bindings)
    assert runs.configured("evaluate.metrics") or runs.configured("evaluate.metric_names")


TINY_TRAIN = ["TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4", "STAGE1_STEPS = 1"]
TINY_EVALUATE = ["evaluate.num_train = 100", "evaluate.num_test = 50", "vp.num_pairs = 100", "vp.epochs = 1",
                 "factor_level.num_train = 200", "factor_level.epochs = 1"]


# 15 variants, each trained 2 steps and evaluated in this process: ~5 CPU-min in all (25 min wall at a load
# average of 16 on 2 cores), hence slow.
@pytest.mark.slow
@pytest.mark.parametrize("path", STUDIES)
def test_every_variant_trains_two_steps_and_evaluates(path, tmp_path):
  study = spec.parse(path)
  for cell in study.cells()[::len(study.seeds)]:
    files, bindings = study.train_config(cell)
    model_dir = str(tmp_path / cell.cell_id)
    train_lib.run(files, [*bindings, *TINY_TRAIN], model_dir, strategy="one_device", seed=cell.seed)
    files, bindings = study.evaluate_config(cell)
    results = evaluate_lib.run(model_dir, files, [*bindings, *TINY_EVALUATE])
    assert results["step"] == 2 and results["metrics"], cell.cell_id
