"""Studies: a grid of variants × axes × seeds trained and evaluated cell by cell, aggregated with CIs.

  python -m tfdis.launch.study --study=gin/studies/jl1_vs_beta_vae.gin --workers=2 --model_dir=/tmp/study

`run` is what the launcher calls; `load(dir)` returns a study's table (pandas DataFrame, one row per finished
cell). Modules: `spec` (the study file and its grid), `runner` (cells as processes: local pool or Ray),
`stats` (bootstrap CIs, sign-flip test), `aggregate` (results.csv, summary.md), `plots` (PNG, TensorBoard).
"""

import json
import os

from tfdis.studies import aggregate
from tfdis.studies import plots
from tfdis.studies import runner
from tfdis.studies import spec
from tfdis.studies.aggregate import load
from tfdis.studies.spec import StudyError


def prepare(study, study_dir):
  """Creates `study_dir` and records the study's fixed settings, refusing a folder of another study."""
  os.makedirs(os.path.join(study_dir, "cells"), exist_ok=True)
  path = os.path.join(study_dir, "study.json")
  fingerprint = study.fingerprint()
  if os.path.isfile(path):
    with open(path) as f:
      recorded = json.load(f)
    old_variants = recorded.get("variants", {})
    changed = [k for k, v in fingerprint.items() if k != "variants" and recorded.get(k) != v]
    changed += [f"variant {name}" for name, entries in fingerprint["variants"].items()
                if name in old_variants and old_variants[name] != entries]
    fingerprint["variants"] = {**old_variants, **fingerprint["variants"]}
    if changed:
      raise StudyError(f"{study_dir} holds a study run with other settings ({', '.join(changed)} differ from "
                       "the study file): its cells would mix settings. Use another --model_dir, or delete the "
                       "folder to start over. (Adding seeds, variants or axis values is allowed.)")
  runner.write_json(path, fingerprint)


def run(study_file, study_dir, workers=1, backend="local", ray_address=None, bindings=(), tensorboard=True):
  """Runs (or resumes) the study in `study_file` under `study_dir`, then aggregates and plots it.

  Returns:
    (table, failed): the study's DataFrame and the result dicts of the cells that failed.
  """
  if workers < 1:
    raise StudyError(f"--workers must be at least 1, got {workers}.")
  if backend not in ("local", "ray"):
    raise StudyError(f"Unknown backend {backend!r}: choose 'local' (processes) or 'ray'.")
  study = spec.parse(study_file, bindings)
  prepare(study, study_dir)
  outcomes = runner.run_cells(study, study_dir, workers, backend, ray_address)
  failed = [o for o in outcomes if o["status"] == "failed"]
  try:
    table = aggregate.write(study_dir, study.name, study.baseline, [c.cell_id for c in study.cells()])
  except FileNotFoundError as e:
    first = f"First failure, {failed[0]['cell_id']}: {failed[0]['error']}" if failed else str(e)
    raise StudyError(f"No cell of {study_dir} finished. {first}") from e
  plots.write(table, study_dir, tensorboard=tensorboard)
  return table, failed


__all__ = ["load", "run", "prepare", "StudyError"]
