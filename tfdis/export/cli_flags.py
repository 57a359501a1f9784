"""The absl flag that `export.export` and `export.serve` share, defined once.

Both command lines take `--export_dir`; defining it in each module made importing both into one process
(a test, a notebook) fail with `DuplicateFlagError`. Each binary marks it required in its `__main__`.
"""

from absl import flags

EXPORT_DIR = flags.DEFINE_string(
    "export_dir", None,
    "export.export: the version folder to write, EXPORT/NAME/VERSION. export.serve: the EXPORT folder "
    "holding NAME/VERSION folders (or one EXPORT/NAME folder).")
