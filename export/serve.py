"""`python -m export.serve`: an alias of `python -m tfdis.export.serve` (same flags), kept for older commands."""

import runpy

if __name__ == "__main__":
  runpy.run_module("tfdis.export.serve", run_name="__main__", alter_sys=True)
