"""Server-side batching (TF Serving's --enable_batching): merged calls give the answers of separate calls,
concurrent requests really are merged (calls counted), and grids, large or bad requests run alone."""

import concurrent.futures
import json
import os

import numpy as np
import pytest

from tfdis.export import batching
from tests.export import conftest
from tests.export import raw_http
from tests.export import toy_model

PREDICT = "/v1/models/beta_vae:predict"


def _post(server, path, request):
  answer = raw_http.request(server.server_address, "POST", path, json.dumps(request).encode())
  return answer[0], json.loads(answer[2])


def _concurrently(server, path, requests):
  with concurrent.futures.ThreadPoolExecutor(len(requests)) as pool:
    return list(pool.map(lambda request: _post(server, path, request), requests))


def test_batched_answers_equal_separate_answers_and_are_merged(exported):
  root = os.path.dirname(os.path.dirname(exported["export_dir"]))
  rng = np.random.default_rng(0)
  requests = [{"signature_name": "decode", "instances": rng.standard_normal((rows, 2)).round(3).tolist()}
              for rows in (1, 2, 3, 1, 1)]  # 8 rows in all
  with conftest.serving(root) as plain:
    expected = [_post(plain, PREDICT, r) for r in requests]
  batcher = batching.Batcher(max_batch_size=8, batch_timeout_s=10.0)  # flushed by size, not by time
  with conftest.serving(root, batcher=batcher) as server:
    answers = _concurrently(server, PREDICT, requests)
    assert batcher.calls == 1 and batcher.requests == 5  # five requests, one signature call
    for (status, body), (_, want) in zip(answers, expected):
      assert status == 200
      np.testing.assert_allclose(np.array(body["predictions"]), np.array(want["predictions"]), atol=1e-6)
    traverse = {"signature_name": "traverse_code", "inputs": {"codes": [[0.0, 0.0]], "dims": [0],
                                                              "values": [[0.0, 1.0]]}}
    assert _post(server, PREDICT, traverse)[0] == 200 and batcher.calls == 1  # a sweep runs alone


@pytest.fixture(scope="module")
def toy_root(tmp_path_factory):
  root = tmp_path_factory.mktemp("toy")
  toy_model.write_toy(root)
  return str(root)


def test_timeout_flushes_a_partial_batch_and_large_requests_run_alone(toy_root):
  batcher = batching.Batcher(max_batch_size=4, batch_timeout_s=0.05)
  with conftest.serving(toy_root, batcher=batcher) as server:
    status, body = _post(server, "/v1/models/toy:predict", {"signature_name": "scale", "instances": [[1, 2, 3]]})
    assert status == 200 and body["predictions"] == [{"y": [10.0, 20.0, 30.0], "total": 60.0}]
    assert batcher.calls == 1
    five = {"signature_name": "scale", "inputs": [[1.0, 0.0, 0.0]] * 5}  # more than max_batch_size rows
    status, body = _post(server, "/v1/models/toy:predict", five)
    assert status == 200 and body["outputs"]["total"] == [10.0] * 5 and batcher.calls == 1


def test_one_overflowing_request_in_a_batch_fails_alone(toy_root):
  batcher = batching.Batcher(max_batch_size=3, batch_timeout_s=10.0)
  good = {"signature_name": "scale", "instances": [[1.0, 1.0, 1.0]]}
  bad = {"signature_name": "scale", "instances": [[3e38, 0.0, 0.0]]}
  with conftest.serving(toy_root, batcher=batcher) as server:
    answers = _concurrently(server, "/v1/models/toy:predict", [good, bad, good])
  assert batcher.calls == 1
  assert sorted(status for status, _ in answers) == [200, 200, 422]
  assert [body for status, body in answers if status == 200] == [
      {"predictions": [{"y": [10.0, 10.0, 10.0], "total": 30.0}]}] * 2


def test_rows_of_accepts_only_row_wise_signatures(loaded):
  from tfdis.export import rest_api  # pylint: disable=g-import-not-at-top
  decode = rest_api.prepare(loaded.signatures, {"signature_name": "decode", "instances": [[0.0, 0.0]] * 3})
  assert batching.rows_of(decode) == 3
  sweep = rest_api.prepare(loaded.signatures, {"signature_name": "traverse_code", "inputs": {
      "codes": [[0.0, 0.0]], "dims": [0], "values": [[0.0, 1.0]]}})
  assert batching.rows_of(sweep) is None  # values [n, v], images [n, v, h, w, c]
  with pytest.raises(ValueError, match="max_batch_size must be >= 1"):
    batching.Batcher(max_batch_size=0)
