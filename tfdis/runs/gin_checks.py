"""Checks that every gin binding can configure the run: unreferenced macros, unknown names, closest matches.

gin itself rejects `unknown.param = 1`, but a macro is only a name: `--gin_param='BETTA = 3.0'` defines a
new macro BETTA that nothing reads, and the run trains with the default β. So after parsing, every macro is
looked up among the macros the configuration references (`%NAME` anywhere in a bound value, in another
macro, or read by the launchers' code, `CODE_MACROS`):

- a macro set by a `--gin_param` binding that nothing references is an error: the user asked for a
  setting the run cannot take;
- a macro defined in a gin *file* that nothing references is only a warning: paper configs include shared
  files whose macros some variants do not read (most dataset files define NUM_CLASSES, which only some
  models read; a variant may switch a term off or swap a model); failing there would reject shipped
  configurations that train correctly. The dataset files' descriptive macros are not warned about.

Errors name the binding and the closest known names (difflib).
"""

import difflib
import inspect
import re

from absl import logging
from gin import config as gin_config
from gin import config_parser

MACRO_SELECTOR = "gin.macro"
# Macros that launcher code reads with `gin.query_parameter` rather than through a `%NAME` in a binding.
CODE_MACROS = frozenset({"GROUND_TRUTH"})
# Macros that gin/datasets/*.gin define to describe the dataset to readers (and to the model files that need
# them); a file defining one that nothing reads is normal and not warned about. A binding setting one is
# still an error, since it changes nothing.
DESCRIPTIVE_MACROS = frozenset({"NUM_CLASSES", "NUM_ATTRIBUTES", "POINT_DIM"})


def _walk_references(value, found):
  if isinstance(value, gin_config.ConfigurableReference):
    if value.selector == MACRO_SELECTOR:
      found.add(value.scoped_selector.rsplit("/", 1)[0])
  elif isinstance(value, dict):
    for item in value.values():
      _walk_references(item, found)
  elif isinstance(value, (list, tuple, set, frozenset)):
    for item in value:
      _walk_references(item, found)


def defined_macros():
  """Names of the macros the parsed configuration defines."""
  config = gin_config._CONFIG  # pylint: disable=protected-access
  return {scope for scope, selector in config if selector == MACRO_SELECTOR}


def referenced_macros():
  """Names of the macros that some bound value (or a launcher, `CODE_MACROS`) reads."""
  found = set(CODE_MACROS)
  for params in gin_config._CONFIG.values():  # pylint: disable=protected-access
    _walk_references(params, found)
  return found


def configurable_names():
  """Short and full names of the registered configurables (for suggestions)."""
  names = set()
  for selector, configurable in gin_config._REGISTRY.items():  # pylint: disable=protected-access
    names.update({selector, configurable.name})
  return names


def closest(name, candidates, n=3):
  """The `n` names in `candidates` closest to `name` (difflib), as a readable clause; '' when none is close."""
  matches = difflib.get_close_matches(name, sorted(candidates), n=n, cutoff=0.6)
  return f" Did you mean {' or '.join(matches)}?" if matches else ""


def binding_macros(binding):
  """Macro names that a binding string defines (`NAME = value` lines), parsed without the registry."""
  statements = config_parser.ConfigParser(binding, gin_config.ParserDelegate(skip_unknown=True))
  return [s.selector for s in statements
          if isinstance(s, config_parser.BindingStatement) and not s.arg_name and not s.scope]


def unknown_configurable_hint(binding):
  """For a binding gin rejected: the closest known names to the configurables, parameters or references it
  names that are unknown, as ' Did you mean ...?' clauses, or ''."""
  try:
    statements = list(config_parser.ConfigParser(binding, gin_config.ParserDelegate(skip_unknown=True)))
  except Exception:  # pylint: disable=broad-except  (a syntax error: gin's own message says where)
    return ""
  known = configurable_names()
  hints = [closest(name, known) for name in re.findall(r"@([\w./]+)", binding) if name not in known]
  for statement in statements:
    if not isinstance(statement, config_parser.BindingStatement) or not statement.arg_name:
      continue
    configurable = gin_config._REGISTRY.get_match(statement.selector)  # pylint: disable=protected-access
    if configurable is None:
      hints.append(closest(statement.selector, known))
    else:
      parameters = inspect.signature(configurable.wrapped).parameters
      if statement.arg_name not in parameters:
        hints.append(closest(statement.arg_name, parameters))
  return "".join(hints)


def check_macros(bindings, error_cls, warn_files=True):
  """Raises `error_cls` for a macro set by one of `bindings` that nothing references; warns for file macros.

  Args:
    bindings: the `--gin_param` strings, already parsed into gin's configuration.
    error_cls: the exception class to raise (the launcher's ConfigError).
    warn_files: log a warning for each unread macro that a file defines.
  """
  defined, referenced = defined_macros(), referenced_macros()
  unreferenced = defined - referenced
  from_bindings = {}
  for binding in bindings:
    for name in binding_macros(binding):
      from_bindings.setdefault(name, binding)
  for name, binding in sorted(from_bindings.items()):
    if name in unreferenced:
      suggestions = closest(name, (referenced | defined) - {name}) or closest(name, configurable_names())
      raise error_cls(f"Bad gin binding {binding!r}: macro {name} is read by nothing in this configuration, "
                      f"so it would change nothing.{suggestions} Fix the name, or drop the binding.")
  unread_in_files = sorted(unreferenced - set(from_bindings) - DESCRIPTIVE_MACROS)
  if warn_files and unread_in_files:
    logging.warning("gin macro(s) %s defined in the gin files are read by nothing in this configuration "
                    "(shared macros that this variant does not use?).", ", ".join(unread_in_files))

