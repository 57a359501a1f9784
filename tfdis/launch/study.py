r"""Runs a study: every cell of a grid (variants × axes × seeds) trained, evaluated and aggregated.

  python -m tfdis.launch.study --study=gin/studies/jl1_vs_beta_vae.gin [--workers=2] \
      [--model_dir=/tmp/tfdis_studies/jl1_vs_beta_vae] [--backend=local|ray] [--gin_param='study.seeds = [0]']

Writes DIR/cells/<cell_id>/ (one training run and its results.json each), DIR/results.csv, DIR/summary.md,
DIR/plots/*.png and TensorBoard under DIR/summary. Re-running the same command skips finished cells and
resumes interrupted ones. Exits with status 1 if a cell failed (the others still run and are aggregated).
"""

import sys

from tfdis import logs

if __name__ == "__main__":  # before TensorFlow is imported
  logs.init(sys.argv)

import os  # pylint: disable=g-import-not-at-top,wrong-import-position

from absl import app
from absl import flags

from tfdis import studies
from tfdis.launch import smoke
from tfdis.runs import cli

_STUDY = flags.DEFINE_string("study", None, "A study gin file (gin/studies/).", required=True)
_MODEL_DIR = flags.DEFINE_string("model_dir", None, "Study folder (default /tmp/tfdis_studies/<study name>).")
_WORKERS = flags.DEFINE_integer("workers", 1, "Cells run at once (processes, or Ray CPUs of a local cluster).")
_BACKEND = flags.DEFINE_enum("backend", "local", ["local", "ray"], "local process pool, or Ray tasks.")
_RAY_ADDRESS = flags.DEFINE_string("ray_address", None, "Ray cluster address (default: start a local one).")
_GIN_PARAMS = flags.DEFINE_multi_string("gin_param", [], "Study bindings, e.g. 'study.seeds = [0, 1]'.")
_NO_TENSORBOARD = flags.DEFINE_bool("no_tensorboard", False, "Skip the TensorBoard copy of the plots.")


def main(argv):
  del argv
  name = os.path.splitext(os.path.basename(_STUDY.value))[0]
  study_dir = _MODEL_DIR.value or os.path.join("/tmp/tfdis_studies", name)
  try:
    table, failed = studies.run(_STUDY.value, study_dir, _WORKERS.value, _BACKEND.value, _RAY_ADDRESS.value,
                                [*_GIN_PARAMS.value, *smoke.bindings("study")],
                                tensorboard=not _NO_TENSORBOARD.value)
  except studies.StudyError as e:
    cli.fail(e)
  print(f"{len(table)} cells in {study_dir}/results.csv; summary: {study_dir}/summary.md; plots: "
        f"{study_dir}/plots/ and TensorBoard {study_dir}/summary")
  for outcome in failed:
    print(f"FAILED {outcome['cell_id']}: {outcome['error']}", file=sys.stderr)
  if failed:
    sys.exit(1)


if __name__ == "__main__":
  app.run(main)
