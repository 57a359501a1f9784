"""HTTP load helper shared by tests/export/test_serve_load.py and bench/serve_load.py."""

import http.client
import threading
import time

import numpy as np


def run_load(address, path, body, clients=32, seconds=5.0, timeout=60.0, expect=None, keep_alive=True):
  """`clients` threads POST `body` to `path` until `seconds` have passed.

  Args:
    address: (host, port) of the server.
    path: e.g. "/v1/models/beta_vae:predict".
    body: the request body (bytes).
    clients: concurrent client threads.
    seconds: how long each client keeps sending (requests in flight at the end are finished and counted).
    timeout: socket timeout of each request, seconds.
    expect: if given, the exact answer body every request must get (e.g. a single request's answer).
    keep_alive: each client reuses one HTTP/1.1 connection (False: a fresh connection per request).

  Returns:
    {"requests", "errors", "error_examples" (≤ 5), "p50_ms", "p99_ms", "max_ms", "requests_per_s",
     "seconds", "clients"}.
  """
  latencies, errors, lock = [], [], threading.Lock()
  start = time.perf_counter()
  deadline = start + seconds

  def client():
    mine, bad, conn = [], [], None
    while time.perf_counter() < deadline:
      began = time.perf_counter()
      try:
        conn = conn or http.client.HTTPConnection(*address, timeout=timeout)
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        if not keep_alive or response.will_close:
          conn.close()
          conn = None
        if response.status != 200 or not payload.startswith(b"{"):
          bad.append(f"{response.status}: {payload[:200]!r}")
        elif expect is not None and payload != expect:
          bad.append(f"200 with a different answer: {payload[:200]!r}")
      except (OSError, http.client.HTTPException) as e:
        bad.append(f"{type(e).__name__}: {e}")
        conn = None
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
