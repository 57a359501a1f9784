"""How the absl binaries report a failure: one line on stderr, exit status 1, no flag dump.

absl's `app.run` answers an `app.UsageError` with the program's whole `--help` text before the message; a
bad gin binding, a locked run folder or an export refusal is not a usage mistake, and its one-line message
(which says what to fix) got lost under the flag list. Flag parsing errors stay absl's own (short) ones.
"""

import sys


def fail(error, program=None):
  """Prints `error` to stderr as one `PROGRAM: error: MESSAGE` line and exits with status 1."""
  message = " ".join(str(error).split()) or type(error).__name__
  program = program or sys.argv[0].rsplit("/", 1)[-1]
  print(f"{program}: error: {message}", file=sys.stderr, flush=True)
  sys.exit(1)
