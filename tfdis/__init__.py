"""tfdis: disentangled image representations in TensorFlow 2 / Keras 3.

Subpackages (see DESIGN in the README): `jacobian` (exact forward-mode Jacobians), `regularizers`, `losses`,
`networks`, `models`, `data`, `metrics`, `editing`, `launch`. Importing `tfdis` imports none of them, so
that `import tfdis.metrics` stays free of Keras training code.
"""

import pathlib

__version__ = "0.1.0"

# The repository root (in a checkout; the site-packages folder when installed).
ROOT = pathlib.Path(__file__).resolve().parent.parent


def gin_dir(package_dir):
  """The `gin/` configuration tree: the checkout's top-level `gin/`, else the installed copy `tfdis/gin/`.

  `pip install .` ships the tree as package data inside the package (setup.py); both layouts resolve the
  same names (`gin/papers/lord/glyphs.gin` from `GIN_DIR.parent`, `papers/lord/glyphs.gin` from `GIN_DIR`).
  """
  package_dir = pathlib.Path(package_dir)
  checkout = package_dir.parent / "gin"
  return checkout if checkout.is_dir() else package_dir / "gin"


GIN_DIR = gin_dir(pathlib.Path(__file__).resolve().parent)


def __getattr__(name):
  """`tfdis.load_export`, imported on first use (it brings TensorFlow in)."""
  if name == "load_export":
    from tfdis.exported import load_export  # pylint: disable=g-import-not-at-top
    return load_export
  raise AttributeError(f"module 'tfdis' has no attribute {name!r}")
