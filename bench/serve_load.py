r"""Load test of the REST server: concurrent clients for a bounded time; p50/p99 latency and requests/s.

  python bench/serve_load.py                       # an untrained beta_vae 64×64×1, latent 10, 20 s per case
  python bench/serve_load.py --seconds 5 --clients 8 --export_dir /tmp/export --model beta_vae

The server runs as its own process (`python -m export.serve --port=0`), the clients are threads of this one,
each sending requests one after another on a fresh connection (the server speaks HTTP/1.0) for `--seconds`.
A request counts as an error unless it answers 200 with a JSON body. `tests/export/test_serve_load.py` runs
`run_load` for a few seconds against an in-process server and requires zero errors.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # `python bench/serve_load.py` imports export/ and tfdis/ from the checkout.


def run_load(address, path, body, clients=32, seconds=5.0, timeout=60.0, expect=None):
  """`clients` threads POST `body` to `path` until `seconds` have passed.

  Args:
    address: (host, port) of the server.
    path: e.g. "/v1/models/beta_vae:predict".
    body: the request body (bytes).
    clients: concurrent client threads.
    seconds: how long each client keeps sending (requests in flight at the end are finished and counted).
    timeout: socket timeout of each request, seconds.
    expect: if given, the exact answer body every request must get (e.g. a single request's answer).

  Returns:
    {"requests", "errors", "error_examples" (≤ 5), "p50_ms", "p99_ms", "max_ms", "requests_per_s",
     "seconds", "clients"}.
  """
  latencies, errors, lock = [], [], threading.Lock()
  start = time.perf_counter()
  deadline = start + seconds

  def client():
    mine, bad = [], []
    while time.perf_counter() < deadline:
      began = time.perf_counter()
      try:
        conn = http.client.HTTPConnection(*address, timeout=timeout)
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        conn.close()
        if response.status != 200 or not payload.startswith(b"{"):
          bad.append(f"{response.status}: {payload[:200]!r}")
        elif expect is not None and payload != expect:
          bad.append(f"200 with a different answer: {payload[:200]!r}")
      except (OSError, http.client.HTTPException) as e:
        bad.append(f"{type(e).__name__}: {e}")
      mine.append(time.perf_counter() - began)
    with lock:
      latencies.extend(mine)
      errors.extend(bad)

  threads = [threading.Thread(target=client) for _ in range(clients)]
  for thread in threads:
    thread.start()
  for thread in threads:
    thread.join()
  elapsed = time.perf_counter() - start
  ms = np.array(latencies) * 1000.0
  return {"requests": len(latencies), "errors": len(errors), "error_examples": errors[:5],
          "p50_ms": float(np.percentile(ms, 50)) if len(ms) else None,
          "p99_ms": float(np.percentile(ms, 99)) if len(ms) else None,
          "max_ms": float(ms.max()) if len(ms) else None,
          "requests_per_s": len(latencies) / elapsed, "seconds": elapsed, "clients": clients}


def export_untrained(root, image_shape=(64, 64, 1), latent_dim=10):
  """Exports an untrained β-VAE to ROOT/beta_vae/1 (serving cost does not depend on the weights)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from export import export_lib  # pylint: disable=g-import-not-at-top
  from export import signatures  # pylint: disable=g-import-not-at-top
  from tfdis.models import beta_vae  # pylint: disable=g-import-not-at-top
  model = beta_vae.beta_vae(image_shape=image_shape, latent_dim=latent_dim, seed=0)
  model(tf.zeros((1, *image_shape)))
  path = os.path.join(root, "beta_vae", "1")
  export_lib.write_saved_model(signatures.family_for(model), path)
  return path


def start_server(export_dir):
  """Starts `python -m export.serve` on a free port; returns (process, (host, port))."""
  process = subprocess.Popen([sys.executable, "-m", "export.serve", f"--export_dir={export_dir}", "--port=0"],
                             cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2"),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
  line = process.stdout.readline()  # "Serving NAMES on http://HOST:PORT/"
  if not line.startswith("Serving"):
    process.kill()
    raise RuntimeError(f"export.serve did not start: {line!r}")
  host, port = line.split("http://")[1].rstrip("/\n").split(":")
  return process, (host, int(port))


def cases(image_shape, latent_dim):
  """(label, signature, request) from light to heavy, batch 1, fixed seed."""
  rng = np.random.default_rng(0)
  code = rng.standard_normal((1, latent_dim)).round(4).tolist()
  image = rng.uniform(size=(1, *image_shape)).round(4).tolist()
  return [
      ("decode", {"signature_name": "decode", "instances": code}),
      ("reconstruct", {"signature_name": "reconstruct", "instances": image}),
      ("traverse_code, 7 values", {"signature_name": "traverse_code", "inputs": {
          "codes": code, "dims": [0], "values": [np.linspace(-3, 3, 7).tolist()]}}),
  ]


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--export_dir", help="EXPORT folder to serve (default: export an untrained model)")
  parser.add_argument("--model", default="beta_vae")
  parser.add_argument("--image_shape", default="64,64,1")
  parser.add_argument("--latent_dim", type=int, default=10)
  parser.add_argument("--clients", type=int, default=32)
  parser.add_argument("--seconds", type=float, default=20.0)
  args = parser.parse_args()
  image_shape = tuple(int(s) for s in args.image_shape.split(","))
  with tempfile.TemporaryDirectory() as tmp:
    export_dir = args.export_dir or os.path.dirname(os.path.dirname(
        export_untrained(tmp, image_shape, args.latent_dim)))
    process, address = start_server(export_dir)
    try:
      path = f"/v1/models/{args.model}:predict"
      print(f"{args.clients} clients × {args.seconds:g} s per case, server pid {process.pid} on {address}; "
            f"load average before: {os.getloadavg()[0]:.1f}")
      print("| signature (batch 1) | requests | errors | p50 ms | p99 ms | max ms | requests/s |")
      print("|---|---|---|---|---|---|---|")
      for label, request in cases(image_shape, args.latent_dim):
        body = json.dumps(request).encode()
        run_load(address, path, body, clients=2, seconds=1.0)  # warm-up: traces and caches.
        r = run_load(address, path, body, clients=args.clients, seconds=args.seconds)
        print(f"| {label} | {r['requests']} | {r['errors']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
              f"{r['max_ms']:.1f} | {r['requests_per_s']:.1f} |", flush=True)
        for example in r["error_examples"]:
          print("  error:", example)
      print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
      process.terminate()
      process.wait(timeout=60)


if __name__ == "__main__":
  main()
