"""Every command of the README's ```sh blocks runs, as written, with TFDIS_SMOKE=1 (tiny runs).

README.md is read at test time: other engineers edit it, and a changed command is tested as it now reads.
Commands run in README order; those that share a /tmp/<name> folder (a run, then its evaluation, export and
server) form one chain in one temporary folder (/tmp/ becomes it), so chains can run in parallel (-n 2).
The only changes to a command: `python` is this interpreter; the quick start gets `--model_dir` (its default
folder is outside tmp); a server gets `--port=0`, and the port it picks
replaces 8501 in the commands after it. A server started with `&` answers the commands that follow it in its
chain, one started without `&` answers `GET /`; both are stopped at the chain's end. Skipped, with reasons:
`SKIPS`. Every command must exit 0 and print no TensorFlow C++ log line (quiet logs).
"""

import os
import re
import shlex
import subprocess
import sys
import time

import pytest

import tfdis
from tfdis import logs

README = os.path.join(tfdis.ROOT, "README.md")
# (pattern in a command, why it is not run here)
SKIPS = (
    (r"^pip install", "installs packages: CI installs requirements*.txt before the tests"),
    (r"-m pytest", "runs the test suite itself (22-25 minutes); CI runs it"),
    (r"^python bench/", "a benchmark (minutes to hours, CPU-sized); its results are in bench/BENCHMARKS.md"),
    (r"--gin_file=\.\.\.|TF_CONFIG=", "a template: placeholders and other machines (tests/launch/test_multi_worker.py)"),
)
# A binding naming a file the user provides: left out, the run uses its documented fallback.
PLACEHOLDER = re.compile(r"/path/")
TIMEOUT_S = 600


def readme_commands(text):
  """The commands of the ```sh blocks, in order: continuation lines joined, `a && b` split."""
  commands = []
  for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M):
    for line in re.sub(r"\\\n\s*", " ", block).splitlines():
      line = line.strip()
      if line and not line.startswith("#"):
        commands.extend(part.strip() for part in line.split(" && "))
  return commands


def skip_reason(command):
  return next((why for pattern, why in SKIPS if re.search(pattern, command)), None)


def _roots(command):
  roots = set(re.findall(r"/tmp/([\w.-]+)", command))
  if "tfdis.launch.quickstart" in command and "--model_dir" not in command:
    roots.add("tfdis_quickstart")  # its default folder
  return roots


def chains(commands):
  """Commands grouped by the /tmp/<name> folders they share; a `curl` without one joins the previous."""
  groups = []  # [(roots, [commands])]
  for command in commands:
    roots = _roots(command)
    touching = [g for g in groups if g[0] & roots] if roots else groups[-1:] if command.startswith("curl") else []
    merged = (set(roots).union(*(g[0] for g in touching)), [c for g in touching for c in g[1]] + [command])
    groups = [g for g in groups if not any(g is t for t in touching)] + [merged]
  order = {c: i for i, c in enumerate(commands)}
  return [sorted(g[1], key=order.get) for g in groups]


def _argv(command, tmp):
  argv = shlex.split(command.replace("/tmp/", f"{tmp}/"), comments=True)
  background = argv[-1:] == ["&"]
  argv = [a for a in argv[:len(argv) - background] if not PLACEHOLDER.search(a)]
  argv = [a for i, a in enumerate(argv) if not (a == "--gin_param" and i + 1 < len(argv)
                                               and PLACEHOLDER.search(argv[i + 1]))]
  if argv[0] == "python":
    argv[0] = sys.executable
  if "tfdis.launch.quickstart" in argv and not any(a.startswith("--model_dir") for a in argv):
    argv += [f"--model_dir={tmp}/tfdis_quickstart"]
  return argv, background


def _is_server(argv):
  """Whether argv runs the server: `python -m tfdis.export.serve` or its alias `python -m export.serve`."""
  return any(flag == "-m" and module in ("tfdis.export.serve", "export.serve")
             for flag, module in zip(argv, argv[1:]))


def _start_server(argv, env):
  server = subprocess.Popen(argv + ["--port=0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
  line = server.stdout.readline()  # "Serving NAMES on http://127.0.0.1:PORT/"
  match = re.search(r"http://[\d.]+:(\d+)/", line)
  if not match:
    server.kill()
    pytest.fail(f"{argv}: no 'Serving ... on http://...' line; stderr: {server.communicate()[1][-2000:]}")
  return server, match.group(1)


def _check(argv, done):
  assert done.returncode == 0, f"{shlex.join(argv)}\n{done.stderr[-3000:]}"
  noise = [line for line in done.stderr.splitlines() if logs.keep(line.encode()) != line.encode()]
  assert not noise, f"{shlex.join(argv)} printed TensorFlow log noise: {noise[:3]}"


def run_chain(chain, tmp):
  env = dict(os.environ, TFDIS_SMOKE="1", PYTHONPATH=str(tfdis.ROOT))
  servers, port = [], None
  try:
    for command in chain:
      argv, background = _argv(command, tmp)
      if port:
        argv = [a.replace(":8501", f":{port}") for a in argv]
      if _is_server(argv):
        server, port = _start_server(argv, env)
        servers.append(server)
        if not background:  # the editor: answer one request
          argv = ["curl", "-sf", "-o", os.devnull, f"http://127.0.0.1:{port}/"]
        else:
          continue
      started = time.monotonic()
      done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=tmp, env=env)
      print(f"{time.monotonic() - started:6.1f} s  {command}")
      _check(argv, done)
  finally:
    for server in servers:
      server.terminate()
      server.communicate(timeout=30)


def _readme_chains():
  with open(README) as f:
    commands = readme_commands(f.read())
  return chains([c for c in commands if not skip_reason(c)])


def test_readme_has_commands_and_every_skip_has_a_reason():
  with open(README) as f:
    commands = readme_commands(f.read())
  assert any("tfdis.launch.train" in c for c in commands) and any("export.serve" in c for c in commands)
  skipped = [c for c in commands if skip_reason(c)]
  assert len(skipped) < len(commands) / 2, skipped


def test_chains_keep_readme_order_and_group_by_shared_folders():
  commands = ["train --model_dir=/tmp/a", "train --model_dir=/tmp/b", "export --model_dir=/tmp/a "
              "--export_dir=/tmp/export/a/1", "serve --export_dir=/tmp/export &", "curl x", "list"]
  assert chains(commands) == [["train --model_dir=/tmp/b"], commands[:1] + commands[2:5], ["list"]]


# In the default suite, started first (tests/conftest.py): about 8 CPU-min for the 8 chains, the beta_vae/lord/
# export/serve chain 170-200 s (bench/BENCHMARKS.md).
@pytest.mark.parametrize("chain", _readme_chains(), ids=lambda chain: chain[0][:60])
def test_readme_chain_runs(chain, tmp_path):
  run_chain(chain, str(tmp_path))


def test_servers_are_recognised_by_module_under_either_name():
  assert _is_server(["python", "-m", "tfdis.export.serve", "--export_dir=x"])
  assert _is_server(["python", "-m", "export.serve"])
  assert not _is_server(["python", "-m", "tfdis.export.export", "--export_dir=/tmp/export.serve"])
