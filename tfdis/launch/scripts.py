"""Console scripts (pyproject's [project.scripts]): `tfdis-train`, `tfdis-evaluate`, `tfdis-export`,
`tfdis-serve`, `tfdis-list`, `tfdis-study`, each the same absl binary as `python -m ...`, with the same flags."""

import importlib
import sys

from absl import app

from tfdis import logs

BINARIES = {
    "train": "tfdis.launch.train",
    "evaluate": "tfdis.launch.evaluate",
    "quickstart": "tfdis.launch.quickstart",
    "list": "tfdis.launch.list",
    "study": "tfdis.launch.study",
    "export": "tfdis.export.export",
    "serve": "tfdis.export.serve",
}


def _run(name):
  logs.init(sys.argv)  # before the binary's module imports TensorFlow
  module = importlib.import_module(BINARIES[name])
  if name in ("export", "serve"):
    from absl import flags  # pylint: disable=g-import-not-at-top
    flags.mark_flag_as_required("export_dir")
  app.run(module.main)


def train():
  _run("train")


def evaluate():
  _run("evaluate")


def quickstart():
  _run("quickstart")


def list_configs():
  _run("list")


def study():
  _run("study")


def export():
  _run("export")


def serve():
  _run("serve")
