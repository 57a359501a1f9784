"""tfdis: disentangled image representations in TensorFlow 2 / Keras 3.

Subpackages (see DESIGN in the README): `jacobian` (exact forward-mode Jacobians), `regularizers`, `losses`,
`networks`, `models`, `data`, `metrics`, `editing`, `launch`. Importing `tfdis` imports none of them, so
that `import tfdis.metrics` stays free of Keras training code.
"""

import pathlib

__version__ = "0.1.0"

# The repository root, where the `gin/` configuration tree lives.
ROOT = pathlib.Path(__file__).resolve().parent.parent
GIN_DIR = ROOT / "gin"


def __getattr__(name):
  """`tfdis.load_export`, imported on first use (it brings TensorFlow in)."""
  if name == "load_export":
    from tfdis.exported import load_export  # pylint: disable=g-import-not-at-top
    return load_export
  raise AttributeError(f"module 'tfdis' has no attribute {name!r}")
