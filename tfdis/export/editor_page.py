"""The web latent editor served at `/`: one self-contained page (no external scripts, works offline).

The page lives in asset files shipped with the package (tfdis/export/editor/: index.html, editor.css, editor.js,
editor_views.js); `render` inlines the style and the scripts into index.html with the list of served models,
so the server answers one HTML response and needs no route per asset.

Pick a model (or open `/?model=NAME`): the page shows the input, its reconstruction and a decode of the code
held by sliders grouped by the export's latent layout (class / content, z_s / z_u, y / z ...), the most
active latents first; a traversal grid, a PNG download, LORD's transfer grid with edit by example and Lr/Li-VAE's
class sampling and inpainting call the REST API (`:predict`) with the export's own signatures.
"""

import functools
from importlib import resources
import json

ASSETS = "editor"
STYLE = "editor.css"
SCRIPTS = ("editor.js", "editor_views.js")  # one <script>, in this order: the views use the core


@functools.lru_cache(maxsize=None)
def asset(name):
  """The text of the editor asset `name` (a file of tfdis/export/editor/, installed as package data)."""
  return resources.files(__package__).joinpath(ASSETS, name).read_text(encoding="utf-8")


def render(model_names):
  """The editor page listing `model_names` (JSON-escaped so a name cannot close the script)."""
  names = json.dumps(list(model_names)).replace("<", "\\u003c").replace(">", "\\u003e")
  page = asset("index.html")
  for marker, text in (("/*__STYLE__*/", asset(STYLE)),
                       ("/*__SCRIPT__*/", "\n".join(asset(name) for name in SCRIPTS)),
                       ("__MODELS__", names)):  # last: a name's text is never searched for markers
    if page.count(marker) != 1:
      raise RuntimeError(f"tfdis/export/{ASSETS}/index.html must hold {marker} once; reinstall tfdis.")
    page = page.replace(marker, text)
  return page
