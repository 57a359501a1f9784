"""Ships the gin/ configuration tree inside the package, as `tfdis/gin/`, and the editor's page files (the rest
is in pyproject.toml).

pyproject's `packages.find` only finds folders under their own names, and the tree stays at the repository's
top (`gin/...` is how the README, the paper files' `include` lines and every engineer name it), so the
mapping `tfdis.gin` -> `gin/` is declared here. `tfdis.GIN_DIR` finds it in both layouts.
"""

import setuptools

_GIN = ["tfdis.gin"] + [f"tfdis.gin.{name}" for name in setuptools.find_namespace_packages(where="gin")]

setuptools.setup(
    # Only tfdis: the checkout's top-level `export/` holds aliases of tfdis.export, not shipped (a top-level
    # package named `export` would collide in users' environments).
    packages=setuptools.find_packages(include=["tfdis", "tfdis.*"]) + _GIN,
    package_dir={"tfdis.gin": "gin"},
    package_data={**{name: ["*.gin"] for name in _GIN},
                  # the web editor's page files (tfdis/export/editor_page.py)
                  "tfdis.export": ["editor/*.html", "editor/*.css", "editor/*.js"]},
)
