"""The static import graph of tfdis/ and the export/ aliases (read with `ast`, nothing imported), for the structure
tests.

LAYERS is the one statement of the package order (lowest first). A module may import modules of its own
layer or of lower ones, never of a higher one:

  core        tfdis/__init__.py and its plain helpers (configurables, distribute, schedules, visualize, ...)
  base        jacobian, data, metrics, losses, networks, regularizers
  editing     edit operations
  models      keras.Model families (tfdis/models/<family>/model.py, ...)
  runs        tfdis/runs/ (gin parsing, run loading, checkpoints) and signatures: tfdis/signatures.py and
              tfdis/models/<family>/signatures.py (a family's export sits beside its model, above all models)
  export      the export and serving libraries (they never import launch)
  launch      the launch libraries (train_lib, evaluate_lib, quickstart_lib may use export)
  studies     the study runner
  binaries    absl mains: tfdis/launch/{train,evaluate,...}.py, tfdis/export/{export,serve,cli_flags}.py
"""

import ast
import fnmatch
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("tfdis", "export")

LAYERS = (
    ("core", ("tfdis", "tfdis.catalog", "tfdis.configurables", "tfdis.distribute", "tfdis.exported",
              "tfdis.logs", "tfdis.schedules", "tfdis.visualize")),
    ("base", ("tfdis.jacobian", "tfdis.data*", "tfdis.metrics*", "tfdis.losses*", "tfdis.networks*",
              "tfdis.regularizers*")),
    ("editing", ("tfdis.editing*",)),
    ("models", ("tfdis.models*",)),
    ("runs", ("tfdis.runs*", "tfdis.signatures", "tfdis.models.*.signatures")),
    ("export", ("tfdis.export*",)),
    ("launch", ("tfdis.launch*",)),
    ("studies", ("tfdis.studies*",)),
    ("binaries", ("tfdis.launch.train", "tfdis.launch.evaluate", "tfdis.launch.quickstart", "tfdis.launch.list",
                  "tfdis.launch.study", "tfdis.launch.scripts", "tfdis.export.export", "tfdis.export.serve",
                  "tfdis.export.cli_flags", "export*")),  # export/: aliases of tfdis.export's binaries
)
LEVEL = {name: level for level, (name, _) in enumerate(LAYERS)}


def layer_of(module):
  """The layer of a dotted module name: the most specific pattern matching it (exact names beat globs)."""
  best = None
  for name, patterns in LAYERS:
    for pattern in patterns:
      if fnmatch.fnmatchcase(module, pattern) or fnmatch.fnmatchcase(module, pattern.rstrip("*")):
        rank = (pattern.count(".") + ("*" not in pattern), len(pattern))
        if best is None or rank > best[0]:
          best = (rank, name)
  if best is None:
    raise ValueError(f"{module} is in no layer of tests/support/imports.py: add it to LAYERS.")
  return best[1]


def module_files():
  """{dotted module name: path} of every .py file under tfdis/ and tfdis/export/."""
  found = {}
  for package in PACKAGES:
    for path in sorted((ROOT / package).rglob("*.py")):
      parts = list(path.relative_to(ROOT).with_suffix("").parts)
      if parts[-1] == "__init__":
        parts.pop()
      found[".".join(parts)] = path
  return found


def _resolve(name, modules):
  """`name` if it is one of `modules`, else its longest prefix that is (`from tfdis import runs` -> tfdis.runs)."""
  while name and name not in modules:
    name = name.rpartition(".")[0]
  return name or None


def imports_of(path, modules):
  """The modules of `modules` that the file at `path` imports statically (anywhere in the file)."""
  found = set()
  for node in ast.walk(ast.parse(path.read_text(), str(path))):
    if isinstance(node, ast.Import):
      names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
      names = [f"{node.module}.{alias.name}" for alias in node.names]
    else:
      continue
    found.update(m for m in (_resolve(n, modules) for n in names) if m)
  return found


def import_graph():
  """{module: set of imported modules} over tfdis/ and tfdis/export/ (only imports of those packages)."""
  modules = module_files()
  return {name: imports_of(path, modules) - {name} for name, path in modules.items()}
