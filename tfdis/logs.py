"""Quiet logs for the command-line binaries: TensorFlow's C++ noise filtered, one line per phase.

TensorFlow 2.21 logs through absl's C++ logging before anything calls `absl::InitializeLog()`, and such
messages go to stderr whatever `TF_CPP_MIN_LOG_LEVEL` says (abseil/abseil-cpp#1718): every run printed
about 20 lines (oneDNN, CUDA stubs, CPU features, the synthetic datasets' XLA-compiled renderer announcing
"Compiled cluster using XLA", five SavedModel-loader blocks per TFLite conversion). The only place they can be
filtered is the stderr file descriptor itself, so `init` puts a pipe there and a thread that copies every
line to the real stderr except:

- C++ INFO and WARNING lines (`I0000 ... port.cc:153] ...`, `W... dataset.cc:997] ...`; `.py` lines are
  Python logging, kept or dropped by its own level);
- the C++ ERROR "failed call to cuInit" on a machine without a usable GPU driver (it only says so);
- absl's "All log messages before absl::InitializeLog() ..." banner and the CPU-feature message's
  second line.

Python absl logging goes to WARNING, and gin's "Path not found" errors, which it logs while probing the
search paths for an `include` that it then finds, are dropped. `--verbose` (or TFDIS_VERBOSE=1) leaves
everything as it was. Binaries call `init` in their `if __name__ == "__main__"` block, before TensorFlow is
imported (`tfdis.launch.scripts` does it for the console scripts), and `phase` for their one line per phase.
"""

import atexit
import os
import re
import sys
import threading

from absl import flags
from absl import logging

VERBOSE = flags.DEFINE_bool("verbose", False, "Show every log line (TensorFlow's C++ INFO lines, XLA, "
                            "gin's path probing); by default only warnings, errors and one line per phase.")

_CPP_LINE = re.compile(rb"[IW]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w./-]+\.(?:cc|h|cpp):\d+\] ")
_DROPPED_LINES = (
    re.compile(rb"^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"),
    re.compile(rb"^To enable the following instructions: .* rebuild TensorFlow"),
    re.compile(rb"^E\d{4} [\d:. ]+\d+ cuda_platform\.cc:\d+\] failed call to cuInit"),
    re.compile(rb"^INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.$"),  # LiteRT, at each TFLite check
)
_FIRST_LETTERS = (b"I", b"W", b"E", b"T")  # of every line `keep` may drop


def verbose_requested(argv):
  """Whether `argv` (before absl parses it) or the TFDIS_VERBOSE environment variable asks for all logs."""
  for arg in argv[1:]:
    if arg in ("--verbose", "--verbose=true", "--verbose=True", "--verbose=1"):
      return True
    if arg in ("--noverbose", "--verbose=false", "--verbose=False", "--verbose=0"):
      return False
  return os.environ.get("TFDIS_VERBOSE", "") not in ("", "0")


def keep(line):
  """The part of one stderr line (bytes, without its newline) that quiet mode lets through, or None.

  A C++ log line glued after a progress bar's carriage-return update (tqdm writes no newline) keeps the
  bar's part.
  """
  if any(pattern.search(line) for pattern in _DROPPED_LINES):
    return None
  match = _CPP_LINE.search(line)
  if match is None:
    return line
  return line[:match.start()] or None


class StderrFilter:
  """Copies what the process writes to file descriptor 2 to the real stderr, through `keep`."""

  def __init__(self):
    sys.stderr.flush()
    self.original = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    self.thread = threading.Thread(target=self._pump, args=(read_end,), name="tfdis-stderr", daemon=True)
    self.thread.start()
    atexit.register(self.close)

  def _write(self, data):
    while data:
      data = data[os.write(self.original, data):]

  def _pump(self, read_end):
    pending = b""
    while chunk := os.read(read_end, 65536):
      *lines, pending = (pending + chunk).split(b"\n")
      for line in lines:
        kept = keep(line)
        if kept is not None:
          self._write(kept + (b"\n" if kept == line else b""))
      if pending and not pending.lstrip(b"\r").startswith(_FIRST_LETTERS):  # a progress bar: show it now
        self._write(pending)
        pending = b""
    if pending:
      self._write(pending)
    os.close(read_end)

  def close(self):
    """Restores the real stderr and waits for the thread to copy what is left."""
    sys.stderr.flush()
    os.dup2(self.original, 2)  # fd 2 held the pipe's only write end in this process: the thread sees EOF
    self.thread.join(timeout=2)  # a child process may hold the pipe open


class _GinProbeFilter:
  """Drops gin's `Path not found` errors: it logs one for every search-path candidate it probes."""

  def filter(self, record):
    return not (record.pathname.endswith(os.path.join("gin", "resource_reader.py"))
                and record.getMessage().startswith("Path not found"))


def init(argv):
  """Sets up quiet logging for a binary unless `argv` or TFDIS_VERBOSE asks for everything.

  Call before TensorFlow is imported. Returns the `StderrFilter`, or None in verbose mode.
  """
  if verbose_requested(argv):
    return None
  os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # honoured by the lines logged after absl's init
  logging.set_verbosity(logging.WARNING)
  logging.get_absl_handler().addFilter(_GinProbeFilter())
  return StderrFilter()


def phase(program, message):
  """Prints the one line of a phase (`train: trained 2 steps into /tmp/run`) to stderr, at any verbosity."""
  print(f"{program}: {message}", file=sys.stderr, flush=True)
