"""`python -m tests.studies.fake_evaluate`: the fake evaluate launcher (see fake_cell)."""

import sys

from tests.studies import fake_cell

if __name__ == "__main__":
  fake_cell.main("evaluate", sys.argv[1:])
