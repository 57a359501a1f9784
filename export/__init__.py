"""Aliases kept for older commands: `python -m export.export` and `python -m export.serve`, from the repository
root, run `tfdis.export.export` and `tfdis.export.serve` (the export and serving package lives in `tfdis/export/`;
`pip install .` ships only `tfdis`, so that no top-level package named `export` lands in an environment)."""
