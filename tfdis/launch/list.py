r"""Lists what tfdis ships: model families, paper configurations per dataset, datasets, metric suites.

  python -m tfdis.launch.list [--section=papers] [--metric_names]

Paper configurations that need data you must provide (tensorflow-datasets or a manual download) are marked
`[needs: ...]`; the others run offline as they are. Any path shown is a valid --gin_file.
"""

import sys

from tfdis import logs

if __name__ == "__main__":  # before TensorFlow is imported
  logs.init(sys.argv)

from absl import app
from absl import flags

from tfdis import catalog

_SECTION = flags.DEFINE_enum("section", None, catalog.SECTIONS, "Only this section.")
_METRIC_NAMES = flags.DEFINE_boolean(
    "metric_names", True, "Also list the metric names `evaluate` accepts (imports TensorFlow: a few seconds).")


def main(argv):
  del argv
  found = catalog.catalog()
  if _SECTION.value:
    found = {_SECTION.value: found[_SECTION.value]}
  names = ()
  if _METRIC_NAMES.value and "metrics" in found:
    from tfdis.launch import evaluate_lib  # pylint: disable=g-import-not-at-top
    names = evaluate_lib.metric_names()
  print(catalog.format_catalog(found, names))


if __name__ == "__main__":
  app.run(main)
