"""No .py file in tfdis/ or export/ over 300 lines, no function over 50 (STYLE.md 12), counted from the source."""

import ast

import pytest

from tests.support import imports

MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 50


def function_lengths(source, filename="<source>"):
  """[(qualified name, lines from `def` to its last line)] of every function and method in `source`."""
  found = []
  def visit(node, prefix):
    for child in ast.iter_child_nodes(node):
      name = prefix
      if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        name = f"{prefix}{child.name}."
        if not isinstance(child, ast.ClassDef):
          found.append((name[:-1], child.end_lineno - child.lineno + 1))
      visit(child, name)
  visit(ast.parse(source, filename), "")
  return found


def _sources():
  return {module: path.read_text() for module, path in imports.module_files().items()}


def test_no_file_is_over_the_limit():
  long_files = {m: s.count("\n") for m, s in _sources().items() if s.count("\n") > MAX_FILE_LINES}
  assert not long_files, f"files over {MAX_FILE_LINES} lines: {long_files}"


def test_no_function_is_over_the_limit():
  long_functions = {f"{m}.{name}": n for m, s in _sources().items() for name, n in function_lengths(s, m)
                    if n > MAX_FUNCTION_LINES}
  assert not long_functions, f"functions over {MAX_FUNCTION_LINES} lines: {long_functions}"


@pytest.mark.parametrize("body_lines, expected", [(1, 2), (49, 50), (50, 51)])
def test_function_length_counts_def_to_last_line(body_lines, expected):
  source = "class A:\n  def f(self):\n" + "    x = 1\n" * body_lines + "\ndef g():\n  def h():\n    pass\n"
  assert dict(function_lengths(source)) == {"A.f": expected, "g": 3, "g.h": 2}
