"""README's "Where tfdis departs from the official code" table: complete rows, each naming tests that exist."""

import os
import re

from tfdis import ROOT

HEADING = "## Where tfdis departs from the official code, and why"


def _rows():
  readme = open(os.path.join(ROOT, "README.md")).read()
  section = readme.split(HEADING, 1)[1].split("\n## ", 1)[0]
  lines = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| family")]
  return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_every_family_has_rows_of_five_filled_columns():
  rows = _rows()
  assert {"OroJaR", "Hessian Penalty", "LORD", "Lr/Li-VAE", "mddAE"} <= {row[0] for row in rows}
  for row in rows:
    assert len(row) == 5 and all(row), row


def test_every_named_test_exists():
  named = 0
  for row in _rows():
    for ref in re.findall(r"`(tests/[^`:]+\.py)(?:::(\w+))?", row[4]):
      path, name = ref
      assert os.path.isfile(os.path.join(ROOT, path)), path
      if name:
        assert re.search(rf"^def {name}\b", open(os.path.join(ROOT, path)).read(), re.M), (path, name)
      named += 1
  assert named >= 20
