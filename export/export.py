"""`python -m export.export`: an alias of `python -m tfdis.export.export` (same flags), kept for older commands."""

import runpy

if __name__ == "__main__":
  runpy.run_module("tfdis.export.export", run_name="__main__", alter_sys=True)
