"""A study's plots: each metric against the variants, and against each numeric axis, with bootstrap CIs.

PNGs go to `DIR/plots/` (matplotlib, Agg backend) and, with the groups' means and interval ends as scalars,
to TensorBoard under `DIR/summary` (`tensorboard --logdir DIR/summary`).
"""

import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position

from tfdis.studies import aggregate  # pylint: disable=g-import-not-at-top,wrong-import-position


def _safe(name):
  return re.sub(r"[^A-Za-z0-9._=-]+", "_", name)


def _label(row, columns):
  return ", ".join(f"{c}={row[c]}" for c in columns)


def numeric_axes(table):
  """Axes with at least two values, all numbers."""
  return [a for a in aggregate.axis_columns(table)
          if table[a].nunique() > 1 and np.issubdtype(table[a].dtype, np.number)]


def variant_plot(groups, metric, axes):
  """Mean and CI of `metric` per variant; one series per combination of the other axes."""
  figure, ax = plt.subplots(figsize=(max(4, 1.2 * groups["variant"].nunique() + 2), 3.5))
  variants = list(dict.fromkeys(groups["variant"]))
  series = groups.groupby(axes, sort=False) if axes else [((), groups)]
  count = len(series) if axes else 1
  for k, (_, frame) in enumerate(series):
    x = np.array([variants.index(v) for v in frame["variant"]]) + 0.3 * (k - (count - 1) / 2) / max(count, 1)
    err = [frame["mean"] - frame["low"], frame["high"] - frame["mean"]]
    ax.errorbar(x, frame["mean"], yerr=err, fmt="o", capsize=4, label=_label(frame.iloc[0], axes) or None)
  ax.set_xticks(range(len(variants)), variants, rotation=20)
  ax.set_ylabel(metric)
  ax.set_title(f"{metric}: mean and 95% CI over seeds", fontsize=9)
  if axes:
    ax.legend(fontsize=7)
  figure.tight_layout()
  return figure


def axis_plot(groups, metric, axis, other_axes):
  """`metric` against the numeric `axis`: one line with a CI band per variant (and other axis values)."""
  figure, ax = plt.subplots(figsize=(5, 3.5))
  for _, frame in groups.groupby(["variant", *other_axes], sort=False):
    frame = frame.sort_values(axis)
    line, = ax.plot(frame[axis], frame["mean"], "o-", label=_label(frame.iloc[0], ["variant", *other_axes]))
    ax.fill_between(frame[axis], frame["low"], frame["high"], alpha=0.2, color=line.get_color())
  ax.set_xlabel(axis)
  ax.set_ylabel(metric)
  ax.set_title(f"{metric} vs {axis}: mean and 95% CI over seeds", fontsize=9)
  ax.legend(fontsize=7)
  figure.tight_layout()
  return figure


def write(table, study_dir, tensorboard=True):
  """Writes every plot of `table` as PNG under study_dir/plots (and TensorBoard); returns the PNG paths."""
  os.makedirs(os.path.join(study_dir, "plots"), exist_ok=True)
  axes = aggregate.axis_columns(table)
  paths, scalars = [], []
  for metric in aggregate.metric_columns(table):
    groups = aggregate.group_stats(table, metric)
    scalars += [(f"{_safe(metric)}/{_safe(_label(row, ['variant', *axes]))}", row)
                for _, row in groups.iterrows()]
    figures = {f"{_safe(metric)}__by_variant": variant_plot(groups, metric, axes)}
    for axis in numeric_axes(table):
      figures[f"{_safe(metric)}__vs_{_safe(axis)}"] = axis_plot(groups, metric, axis,
                                                                 [a for a in axes if a != axis])
    for name, figure in figures.items():
      paths.append(os.path.join(study_dir, "plots", name + ".png"))
      figure.savefig(paths[-1], dpi=100)
      plt.close(figure)
  if tensorboard:
    _write_tensorboard(os.path.join(study_dir, "summary"), paths, scalars)
  return paths


def _write_tensorboard(log_dir, paths, scalars):
  """The PNGs as images and each group's mean / low / high as scalars (step 0)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top  (only the TensorBoard copy needs it)
  writer = tf.summary.create_file_writer(log_dir)
  with writer.as_default(step=0):
    for path in paths:
      image = tf.io.decode_png(tf.io.read_file(path), channels=3)
      tf.summary.image(os.path.splitext(os.path.basename(path))[0], image[tf.newaxis])
    for tag, row in scalars:
      for key in ("mean", "low", "high"):
        if np.isfinite(row[key]):
          tf.summary.scalar(f"{tag}/{key}", float(row[key]))
  writer.flush()
