"""Runs a study's cells as separate processes: `train` then `evaluate`, in `DIR/cells/<cell_id>`.

A cell is finished when its `results.json` exists (written atomically by the evaluate launcher): a re-run
skips it. An interrupted cell is run again, and its trainer resumes from the checkpoints in its folder. While
a cell's commands run they hold an exclusive lock on `cell/.lock` (inherited by the child processes), so a
re-run after the study process was killed waits for a still-running orphan instead of training beside it.
Cells run on a local pool of `workers` threads (each waits on its subprocesses) or as Ray tasks.
"""

import concurrent.futures
import fcntl
import json
import os
import subprocess
import sys
import time

import tqdm

from tfdis import ROOT

RESULTS = "results.json"


def cell_dir(study_dir, cell):
  return os.path.join(study_dir, "cells", cell.cell_id)


def is_finished(study_dir, cell):
  return os.path.isfile(os.path.join(cell_dir(study_dir, cell), RESULTS))


def commands(study, cell, directory):
  """The cell's `train` and `evaluate` command lines."""
  def flags(files, params):
    return [*(f"--gin_file={f}" for f in files), *(f"--gin_param={p}" for p in params)]
  train = [sys.executable, "-m", study.train_module, f"--model_dir={directory}", f"--seed={cell.seed}",
           *flags(*study.train_config(cell))]
  evaluate = [sys.executable, "-m", study.evaluate_module, f"--model_dir={directory}",
              *flags(*study.evaluate_config(cell))]
  return {"train": train, "evaluate": evaluate}


def write_json(path, payload):
  with open(path + ".tmp", "w") as f:
    json.dump(payload, f, indent=2)
  os.replace(path + ".tmp", path)


def run_cell(directory, settings, stages):
  """Runs `stages` ({"train": argv, "evaluate": argv}) in order in `directory`, unless already finished.

  Returns:
    {"cell_id", "status": "done" | "skipped" | "failed", "error" (if failed)}.
  """
  os.makedirs(directory, exist_ok=True)
  cell_id = os.path.basename(directory)
  with open(os.path.join(directory, ".lock"), "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)  # waits for an orphan of a killed study still running this cell
    if os.path.isfile(os.path.join(directory, RESULTS)):
      return {"cell_id": cell_id, "status": "skipped"}
    write_json(os.path.join(directory, "cell.json"), {"settings": settings, "commands": stages})
    seconds = {}
    for stage, argv in stages.items():
      start = time.perf_counter()
      with open(os.path.join(directory, f"{stage}.log"), "a") as log:
        done = subprocess.run(argv, cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT,
                              pass_fds=(lock.fileno(),), check=False)
      seconds[f"{stage}_seconds"] = round(time.perf_counter() - start, 2)
      if done.returncode:
        return {"cell_id": cell_id, "status": "failed",
                "error": f"{stage} exited with {done.returncode}; its log: {directory}/{stage}.log\n"
                         + _tail(os.path.join(directory, f"{stage}.log"))}
    write_json(os.path.join(directory, "timing.json"), seconds)
  return {"cell_id": cell_id, "status": "done"}


def _env():
  python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
  return dict(os.environ, PYTHONPATH=python_path, TF_CPP_MIN_LOG_LEVEL="2")


def _tail(path, lines=15):
  with open(path) as f:
    return "".join(f.readlines()[-lines:])


def run_cells(study, study_dir, workers=1, backend="local", ray_address=None):
  """Runs every unfinished cell of `study` under `study_dir`, with one progress bar for the whole grid.

  Returns:
    The result dicts of the cells that ran or failed (finished cells are not listed).
  """
  cells = study.cells()
  todo = [c for c in cells if not is_finished(study_dir, c)]
  jobs = [(cell_dir(study_dir, c), c.settings(), commands(study, c, cell_dir(study_dir, c))) for c in todo]
  outcomes = []
  with tqdm.tqdm(total=len(cells), initial=len(cells) - len(todo), desc=study.name, unit="cell") as bar:
    def done(outcome):
      outcomes.append(outcome)
      bar.update(1)
      bar.set_postfix(failed=sum(o["status"] == "failed" for o in outcomes))
    if backend == "ray":
      _run_on_ray(jobs, done, workers, ray_address)
    elif backend == "local":
      with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for future in concurrent.futures.as_completed([pool.submit(run_cell, *job) for job in jobs]):
          done(future.result())
    else:
      raise ValueError(f"Unknown backend {backend!r}: choose 'local' or 'ray'.")
  return outcomes


def _run_on_ray(jobs, done, workers, address):
  """Runs the jobs as Ray tasks (one CPU each): on the cluster at `address`, or a local one of `workers` CPUs.

  On a cluster, the study folder and the repository must be at the same paths on every node (shared disk).
  """
  try:
    import ray  # pylint: disable=g-import-not-at-top  (only this backend needs it)
  except ImportError as e:
    raise ImportError("--backend=ray needs Ray: pip install ray==2.60.0 (requirements-test.txt).") from e
  started = not ray.is_initialized()
  if started:
    runtime_env = {"env_vars": {"PYTHONPATH": str(ROOT)}}
    if address:
      ray.init(address=address, runtime_env=runtime_env, log_to_driver=False)
    else:
      ray.init(num_cpus=workers, include_dashboard=False, runtime_env=runtime_env, log_to_driver=False)
  try:
    task = ray.remote(num_cpus=1)(run_cell)
    pending = [task.remote(*job) for job in jobs]
    while pending:
      ready, pending = ray.wait(pending, num_returns=1)
      done(ray.get(ready[0]))
  finally:
    if started:
      ray.shutdown()
