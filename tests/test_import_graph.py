"""No upward import in tfdis/ or export/: every static import goes to the importer's layer or a lower one.

The layer order is stated once, in tests/support/imports.py (LAYERS): core < jacobian, data, metrics, losses,
networks, regularizers < editing < models < runs/signatures < export < launch < studies < binaries
(launch may use export, export never launch).
"""

import pytest

from tests.support import imports


def _level(module):
  return imports.LEVEL[imports.layer_of(module)]


def test_no_module_imports_a_higher_layer():
  upward = sorted(f"{module} ({imports.layer_of(module)}) imports {target} ({imports.layer_of(target)})"
                  for module, targets in imports.import_graph().items()
                  for target in targets if _level(target) > _level(module))
  assert not upward, "upward imports:\n" + "\n".join(upward)


def test_every_module_has_a_layer():
  for module in imports.module_files():
    assert imports.layer_of(module) in imports.LEVEL, module


def test_unknown_module_is_refused_naming_the_fix():
  with pytest.raises(ValueError, match="add it to LAYERS"):
    imports.layer_of("elsewhere.module")


def test_signatures_beside_a_model_sit_above_all_models():
  assert imports.layer_of("tfdis.models.lord.signatures") == "runs"
  assert imports.layer_of("tfdis.models.lord.model") == "models"
  assert imports.layer_of("tfdis.launch.train") == "binaries" and imports.layer_of("tfdis.launch.train_lib") == "launch"


def test_imports_are_read_from_the_source_including_nested_ones(tmp_path):
  source = tmp_path / "probe.py"
  source.write_text("import os\nfrom tfdis import runs\nfrom tfdis.models.lord import model as m\n"
                    "def f():\n  from tfdis.export import layout\n  import tfdis.launch.train_lib\n")
  modules = {"tfdis", "tfdis.runs", "tfdis.models.lord.model", "tfdis.export.layout", "tfdis.launch.train_lib"}
  assert imports.imports_of(source, modules) == modules - {"tfdis"}


def _closure(graph, start):
  seen, todo = set(), [start]
  while todo:
    for target in graph[todo.pop()] - seen:
      seen.add(target)
      todo.append(target)
  return seen


def test_the_server_imports_neither_training_nor_models():
  reached = _closure(imports.import_graph(), "tfdis.export.serve_lib")
  assert not {m for m in reached
              if m.startswith(("tfdis.launch", "tfdis.models", "tfdis.data", "tfdis.export.export_lib"))}


def test_export_imports_no_model_module():
  graph = imports.import_graph()
  for module in (m for m in graph if m == "tfdis.export" or m.startswith("tfdis.export.")):
    assert not {m for m in graph[module] if m.startswith("tfdis.models")}, module
