"""Load: 32 concurrent clients for a few seconds against the in-process server, with zero errors."""

import json

from tests.support import load as serve_load
from tests.export import raw_http

PREDICT = "/v1/models/beta_vae:predict"


def test_32_concurrent_clients_get_no_errors_and_the_same_answer(server):
  body = json.dumps({"signature_name": "decode", "instances": [[0.5, -1.0]]}).encode()
  status, _, expected = raw_http.request(server.server_address[:2], "POST", PREDICT, body)
  assert status == 200 and json.loads(expected)["predictions"]
  result = serve_load.run_load(server.server_address[:2], PREDICT, body, clients=32, seconds=3.0,
                               expect=expected)
  print(f"\n32 clients, {result['seconds']:.1f} s: {result['requests']} requests, "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, {result['requests_per_s']:.0f}/s")
  assert result["errors"] == 0, result["error_examples"]
  assert result["requests"] >= 32  # every client finished at least one request within the time.
