"""`python -m tests.studies.fake_train`: the fake training launcher (see fake_cell)."""

import sys

from tests.studies import fake_cell

if __name__ == "__main__":
  fake_cell.main("train", sys.argv[1:])
