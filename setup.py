"""Ships the gin/ configuration tree inside the package, as `tfdis/gin/`, and the editor's page files (the rest
is in pyproject.toml).

pyproject's `packages.find` only finds folders under their own names, and the tree stays at the repository's
top (`gin/...` is how the README, the paper files' `include` lines and every engineer name it), so the
mapping `tfdis.gin` -> `gin/` is declared here. `tfdis.GIN_DIR` finds it in both layouts.
"""

import setuptools

_GIN = ["tfdis.gin"] + [f"tfdis.gin.{name}" for name in setuptools.find_namespace_packages(where="gin")]

setuptools.setup(
    packages=setuptools.find_packages(include=["tfdis", "tfdis.*", "export", "export.*"]) + _GIN,
    package_dir={"tfdis.gin": "gin"},
    package_data={**{name: ["*.gin"] for name in _GIN},
                  "export": ["editor/*.html", "editor/*.css", "editor/*.js"]},  # the web editor (export/editor_page.py)
)
