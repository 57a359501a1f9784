r"""Load test of the REST server: concurrent clients for a bounded time; p50/p99 latency and requests/s.

  python bench/serve_load.py                       # an untrained beta_vae 64×64×1, latent 10, 15 s per case
  python bench/serve_load.py --seconds 5 --clients 8 --export_dir /tmp/export --model beta_vae

Two servers run as their own processes (`python -m tfdis.export.serve --port=0`, one with --enable_batching), the
clients are threads of this one, each sending `decode` requests one after another on its own keep-alive
connection for `--seconds`; the two servers are measured in alternation (`--rounds`), side by side in one
run. Then the slow-byte scenario: `--slow_clients` clients connect and send their requests one byte every
`--slow_every_s` (half trickle the headers, half the body) while one normal client measures its latency;
the slow ones must be answered 408 at the server's deadline (`--request_timeout_s`), the normal one fast.
A request counts as an error unless it answers 200 with a JSON body. `tests/export/test_serve_load.py` runs
`run_load` for a few seconds against an in-process server and requires zero errors.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # `python bench/serve_load.py` imports tfdis/export/ and tfdis/ from the checkout.
from tests.support.load import run_load  # noqa: E402  pylint: disable=g-import-not-at-top


def export_untrained(root, image_shape=(64, 64, 1), latent_dim=10):
  """Exports an untrained β-VAE to ROOT/beta_vae/1 (serving cost does not depend on the weights)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfdis.export import export_lib  # pylint: disable=g-import-not-at-top
  from tfdis import signatures  # pylint: disable=g-import-not-at-top
  from tfdis.models.beta_vae import model as beta_vae  # pylint: disable=g-import-not-at-top
  model = beta_vae.beta_vae(image_shape=image_shape, latent_dim=latent_dim, seed=0)
  model(tf.zeros((1, *image_shape)))
  path = os.path.join(root, "beta_vae", "1")
  export_lib.write_saved_model(signatures.family_for(model), path)
  return path


def start_server(export_dir, *flags):
  """Starts `python -m tfdis.export.serve` on a free port with `flags`; returns (process, (host, port))."""
  process = subprocess.Popen([sys.executable, "-m", "tfdis.export.serve", f"--export_dir={export_dir}", "--port=0",
                              *flags], cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2"),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
  line = process.stdout.readline()  # "Serving NAMES on http://HOST:PORT/"
  if not line.startswith("Serving"):
    process.kill()
    raise RuntimeError(f"export.serve did not start: {line!r}")
  host, port = line.split("http://")[1].rstrip("/\n").split(":")
  return process, (host, int(port))


def trickle(address, head, data, every_s, stop):
  """Sends `head`, then `data` one byte per `every_s`; returns (status answered, seconds to it)."""
  start = time.perf_counter()
  try:
    with socket.create_connection(address, timeout=120) as conn:
      conn.sendall(head)
      conn.settimeout(every_s)
      for byte in data:
        if stop.is_set():
          break
        try:
          conn.sendall(bytes([byte]))
          if conn.recv(1, socket.MSG_PEEK):
            break  # answered before the request was complete
        except socket.timeout:
          continue
      conn.settimeout(60)
      answer = b"".join(iter(lambda: conn.recv(1 << 16), b""))
  except OSError as e:
    return f"{type(e).__name__}", time.perf_counter() - start
  status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "none"
  return status, time.perf_counter() - start


def slow_byte_scenario(address, path, body, slow_clients, every_s, seconds):
  """`slow_clients` trickling clients (half the headers, half the body) and one normal client."""
  request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             f"Content-Length: {len(body)}\r\n\r\n").encode() + body
  head = request[:request.index(b"\r\n\r\n") + 4]
  stop = threading.Event()
  with concurrent.futures.ThreadPoolExecutor(slow_clients) as pool:
    slow = [pool.submit(trickle, address, b"", request, every_s, stop) for _ in range(slow_clients // 2)]
    slow += [pool.submit(trickle, address, head, body, every_s, stop)
             for _ in range(slow_clients - slow_clients // 2)]
    time.sleep(1.0)  # all connected and trickling
    normal = run_load(address, path, body, clients=1, seconds=seconds)
    stop.set()
    answers = [f.result() for f in slow]
  return normal, answers


def cases(image_shape, latent_dim):
  """The `decode` request of batch 1, fixed seed."""
  code = np.random.default_rng(0).standard_normal((1, latent_dim)).round(4).tolist()
  return {"signature_name": "decode", "instances": code}


def _row(label, r):
  return (f"| {label} | {r['requests']} | {r['errors']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
          f"{r['max_ms']:.1f} | {r['requests_per_s']:.1f} |")


def compare_batching(export_dir, path, body, args):
  """Both servers, measured in alternation; prints a row per run and the throughput ratio."""
  servers = {"off": start_server(export_dir),
             "on": start_server(export_dir, "--enable_batching", f"--max_batch_size={args.clients}",
                                f"--batch_timeout_ms={args.batch_timeout_ms}")}
  try:
    print("| decode (batch 1), batching | requests | errors | p50 ms | p99 ms | max ms | requests/s |")
    print("|---|---|---|---|---|---|---|")
    rates = {"off": [], "on": []}
    for _ in range(args.rounds):
      for mode, (_, address) in servers.items():
        run_load(address, path, body, clients=2, seconds=1.0)  # warm-up: traces and caches.
        r = run_load(address, path, body, clients=args.clients, seconds=args.seconds)
        rates[mode].append(r["requests_per_s"])
        print(_row(mode, r), flush=True)
        for example in r["error_examples"]:
          print("  error:", example)
    print(f"throughput with / without batching: {np.mean(rates['on']) / np.mean(rates['off']):.2f}×")
  finally:
    for process, _ in servers.values():
      process.terminate()
      process.wait(timeout=60)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--export_dir", help="EXPORT folder to serve (default: export an untrained model)")
  parser.add_argument("--model", default="beta_vae")
  parser.add_argument("--image_shape", default="64,64,1")
  parser.add_argument("--latent_dim", type=int, default=10)
  parser.add_argument("--clients", type=int, default=32)
  parser.add_argument("--seconds", type=float, default=15.0)
  parser.add_argument("--rounds", type=int, default=2)
  parser.add_argument("--batch_timeout_ms", type=float, default=2.0)
  parser.add_argument("--slow_clients", type=int, default=64)
  parser.add_argument("--slow_every_s", type=float, default=2.0)
  parser.add_argument("--request_timeout_s", type=float, default=30.0)
  args = parser.parse_args()
  image_shape = tuple(int(s) for s in args.image_shape.split(","))
  with tempfile.TemporaryDirectory() as tmp:
    export_dir = args.export_dir or os.path.dirname(os.path.dirname(
        export_untrained(tmp, image_shape, args.latent_dim)))
    path, body = f"/v1/models/{args.model}:predict", json.dumps(cases(image_shape, args.latent_dim)).encode()
    print(f"{args.clients} clients × {args.seconds:g} s per run, keep-alive; load average before: "
          f"{os.getloadavg()[0]:.1f}")
    compare_batching(export_dir, path, body, args)
    process, address = start_server(export_dir, f"--request_timeout_s={args.request_timeout_s}")
    try:
      normal, answers = slow_byte_scenario(address, path, body, args.slow_clients, args.slow_every_s,
                                           args.request_timeout_s + 3)
    finally:
      process.terminate()
      process.wait(timeout=60)
    statuses = collections.Counter(status for status, _ in answers)
    cut = [seconds for status, seconds in answers if status == "408"]
    print(f"\nslow-byte: {args.slow_clients} clients, one byte per {args.slow_every_s:g} s, deadline "
          f"{args.request_timeout_s:g} s; one normal client meanwhile:")
    print(_row("normal client", normal))
    print(f"slow clients answered: {dict(statuses)}; 408 after {min(cut, default=0):.1f}–"
          f"{max(cut, default=0):.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
  main()
