"""BUILD states the true package graph: each target's deps are exactly the targets its sources import."""

from tests.support import build_file
from tests.support import imports

# Targets whose sources import modules by name (importlib), with the deps those imports need.
BY_NAME = {"scripts": {"export", "launch", "studies"},
           "export_aliases": {"cli_flags", "core", "export", "runs"}}  # the binaries export/*.py run


def _owner_of_each_module():
  """{module: target} over tfdis/ and export/, checking every module is in exactly one non-test target."""
  by_path = {}
  for name, (srcs, _) in build_file.targets().items():
    for src in srcs:
      if src.startswith(imports.PACKAGES):
        assert src not in by_path, f"{src} is in both :{by_path[src]} and :{name}"
        by_path[src] = name
  owners = {}
  for module, path in imports.module_files().items():
    relative = str(path.relative_to(imports.ROOT))
    assert relative in by_path, f"{relative} is in no BUILD target: add it to one's srcs."
    owners[module] = by_path[relative]
  return owners


def imported_targets():
  """{target: set of other targets its modules import}, from the static import graph."""
  owners = _owner_of_each_module()
  found = {target: set() for target in set(owners.values())}
  for module, targets in imports.import_graph().items():
    found[owners[module]].update(owners[t] for t in targets if owners[t] != owners[module])
  for target, deps in BY_NAME.items():
    found[target] |= deps
  return found


def test_every_module_is_in_exactly_one_target():
  assert _owner_of_each_module()


def test_deps_are_exactly_the_imported_targets():
  declared = {name: deps for name, (_, deps) in build_file.targets().items()}
  wrong = {target: {"missing": sorted(needed - declared[target]), "not imported": sorted(declared[target] - needed)}
           for target, needed in imported_targets().items() if needed != declared[target]}
  assert not wrong, f"BUILD deps differ from the imports: {wrong}"


def test_glob_and_sums_are_evaluated(tmp_path):
  build = tmp_path / "BUILD"
  build.write_text('py_library(name = "x", srcs = glob(["tfdis/export/*_lib.py"],'
                   ' exclude = ["tfdis/export/tflite_lib.py"])'
                   ' + ["tfdis/jacobian.py"], deps = [":a", ":b"])\n')
  srcs, deps = build_file.targets(build)["x"]
  assert "tfdis/export/export_lib.py" in srcs and "tfdis/export/tflite_lib.py" not in srcs
  assert "tfdis/jacobian.py" in srcs
  assert deps == {"a", "b"}
