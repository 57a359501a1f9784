"""A study's table: one row per finished cell (settings, timings, every metric), and its summary over seeds.

Columns of `load(dir)` / `results.csv`: `cell_id`, `variant`, one column per axis, `seed`, `step`,
`train_seconds`, `eval_seconds`, then one column per metric value named `<metric>/<key>` (e.g. `mig/mig`,
`local_mig/local_mig@0.1`).
"""

import itertools
import json
import os

import numpy as np
import pandas as pd

from tfdis.studies import runner
from tfdis.studies import stats

SETTINGS_TAIL = ("seed", "step", "train_seconds", "eval_seconds")


def load(study_dir):
  """The study's table as a pandas DataFrame, read from its cells (finished ones only).

  Raises:
    FileNotFoundError: `study_dir` holds no finished cell.
  """
  rows, axes = [], []
  for cell_id in sorted(os.listdir(os.path.join(study_dir, "cells"))
                        if os.path.isdir(os.path.join(study_dir, "cells")) else []):
    directory = os.path.join(study_dir, "cells", cell_id)
    if not os.path.isfile(os.path.join(directory, runner.RESULTS)):
      continue
    settings = _read(os.path.join(directory, "cell.json"))["settings"]
    results = _read(os.path.join(directory, runner.RESULTS))
    timing = _read(os.path.join(directory, "timing.json"), default={})
    axes += [k for k in settings if k not in ("variant", "seed") and k not in axes]
    row = {"cell_id": cell_id, **settings, "step": results.get("step"),
           "train_seconds": timing.get("train_seconds", np.nan), "eval_seconds": timing.get("evaluate_seconds",
                                                                                           np.nan)}
    for name, values in results["metrics"].items():
      row.update({f"{name}/{key}": value for key, value in values.items() if key != "elapsed_s"})
    rows.append(row)
  if not rows:
    raise FileNotFoundError(f"{study_dir} holds no finished cell (cells/*/results.json): run the study first, "
                            "python -m tfdis.launch.study --study=... --model_dir=" + study_dir)
  table = pd.DataFrame(rows)
  metrics = sorted(c for c in table.columns if "/" in c)
  return table[["cell_id", "variant", *axes, *SETTINGS_TAIL, *metrics]]


def _read(path, default=None):
  if default is not None and not os.path.isfile(path):
    return default
  with open(path) as f:
    return json.load(f)


def axis_columns(table):
  """The grid's axis columns of a study table (between `variant` and `seed`)."""
  columns = list(table.columns)
  return columns[columns.index("variant") + 1:columns.index("seed")]


def metric_columns(table):
  return [c for c in table.columns if "/" in c and table[c].notna().any()]


def group_stats(table, metric, confidence=0.95):
  """Per (variant, axis values): n, mean and bootstrap CI of `metric` over seeds, as a DataFrame."""
  keys = ["variant", *axis_columns(table)]
  rows = []
  for key, group in table.groupby(keys, sort=False, dropna=False):
    mean, low, high = stats.bootstrap_ci(group[metric].to_numpy(float), confidence)
    rows.append({**dict(zip(keys, key)), "n": int(group[metric].notna().sum()), "mean": mean, "low": low,
                 "high": high})
  return pd.DataFrame(rows)


def paired_stats(table, metric, baseline=None, confidence=0.95):
  """Paired differences a − b between variants on the same seeds (and axis values): n, mean, CI, p."""
  axes = axis_columns(table)
  variants = list(dict.fromkeys(table["variant"]))
  pairs = ([(v, baseline) for v in variants if v != baseline] if baseline
           else list(itertools.combinations(variants, 2)))
  rows = []
  for key, group in (table.groupby(axes, sort=False, dropna=False) if axes else [((), table)]):
    by_seed = group.pivot_table(index="seed", columns="variant", values=metric, aggfunc="first")
    for a, b in pairs:
      if a not in by_seed or b not in by_seed:
        continue
      d = (by_seed[a] - by_seed[b]).dropna().to_numpy(float)
      mean, low, high = stats.bootstrap_ci(d, confidence)
      key = key if isinstance(key, tuple) else (key,)
      rows.append({"pair": f"{a} − {b}", **dict(zip(axes, key)), "n": len(d), "mean": mean, "low": low,
                   "high": high, "p": stats.sign_flip_p_value(d)})
  return pd.DataFrame(rows)


def _fmt(x):
  return "nan" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.4g}"


def _markdown(frame, columns):
  lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
  for _, row in frame.iterrows():
    lines.append("| " + " | ".join(_fmt(row[c]) if isinstance(row[c], (float, np.floating)) else str(row[c])
                                   for c in columns) + " |")
  return lines


def summary(table, name, baseline=None, total_cells=None, confidence=0.95):
  """The study's summary.md: per metric, mean ± CI per variant, then the paired differences."""
  axes = axis_columns(table)
  seeds = sorted(table["seed"].unique())
  n = len(seeds)
  lines = [f"# Study {name}", "",
           f"{len(table)} finished cells" + (f" of {total_cells}" if total_cells else "") +
           f"; seeds {[int(s) for s in seeds]}. Intervals: {confidence:.0%} expanded-percentile bootstrap of "
           "the mean over seeds (tfdis.studies.stats). p: two-sided sign-flip permutation test of the mean "
           f"paired difference (same seed and axis values); with {n} seeds the smallest attainable p is "
           f"{stats.smallest_p_value(n):.3g}. Low/high: the interval's ends.", ""]
  for metric in metric_columns(table):
    lines += [f"## {metric}", ""]
    lines += _markdown(group_stats(table, metric, confidence), ["variant", *axes, "n", "mean", "low", "high"])
    paired = paired_stats(table, metric, baseline, confidence)
    if len(paired):
      lines += ["", "Paired differences:", ""]
      lines += _markdown(paired, ["pair", *axes, "n", "mean", "low", "high", "p"])
    lines.append("")
  return "\n".join(lines)


def write(study_dir, name, baseline=None, cell_ids=None):
  """Writes results.csv and summary.md of the cells `cell_ids` (default: all) into `study_dir`.

  Returns:
    The table written.
  """
  table = load(study_dir)
  if cell_ids is not None:  # a folder may hold cells of a larger grid than the one asked for now
    table = table[table["cell_id"].isin(cell_ids)].reset_index(drop=True)
    if table.empty:
      raise FileNotFoundError(f"{study_dir} holds none of this study's cells finished.")
  total_cells = None if cell_ids is None else len(cell_ids)
  table.to_csv(os.path.join(study_dir, "results.csv"), index=False)
  with open(os.path.join(study_dir, "summary.md"), "w") as f:
    f.write(summary(table, name, baseline, total_cells))
  return table
