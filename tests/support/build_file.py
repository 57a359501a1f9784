"""The py_library/py_binary targets of BUILD, read with `ast` (BUILD is Starlark, a Python subset).

`targets()` evaluates each target's `srcs` (lists, `glob([...], exclude=[...])` and their sums) against the
checkout and returns {name: (set of source paths, set of dep names)}.
"""

import ast

from tests.support import imports

RULES = ("py_library", "py_binary")


def _glob(patterns, exclude=()):
  def expand(pattern_list):
    return {str(p.relative_to(imports.ROOT)) for pattern in pattern_list for p in imports.ROOT.glob(pattern)
            if p.is_file()}
  return expand(patterns) - expand(exclude)


def _evaluate(node):
  """The value of a srcs/deps expression: str lists, glob(...) calls and `+` of those."""
  if isinstance(node, ast.List):
    return {_evaluate(e) for e in node.elts} if not node.elts or isinstance(node.elts[0], ast.Constant) \
        else set().union(*(_evaluate(e) for e in node.elts))
  if isinstance(node, ast.Constant):
    return node.value
  if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
    return _evaluate(node.left) | _evaluate(node.right)
  if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "glob":
    kwargs = {k.arg: sorted(_evaluate(k.value)) for k in node.keywords}
    return _glob(sorted(_evaluate(node.args[0])), kwargs.get("exclude", ()))
  raise ValueError(f"BUILD line {node.lineno}: cannot evaluate {ast.dump(node)[:80]}")


def targets(path=None):
  """{target name: (source paths, dep names without ':')} of BUILD's py_library and py_binary rules."""
  tree = ast.parse((path or imports.ROOT / "BUILD").read_text())
  found = {}
  for node in ast.walk(tree):
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in RULES:
      kwargs = {k.arg: k.value for k in node.keywords}
      srcs = _evaluate(kwargs["srcs"]) if "srcs" in kwargs else set()
      deps = {d.lstrip(":") for d in _evaluate(kwargs["deps"])} if "deps" in kwargs else set()
      found[_evaluate(kwargs["name"])] = (srcs, deps)
  return found
