"""Predict validation per signature contract: index ranges, broadcasting, non-finite outputs, strict UTF-8,
booleans, unknown input names; each answers a 4xx JSON error that names the fix."""

import json

import numpy as np
import pytest

from tests.export import conftest
from tests.export import raw_http
from tests.export import toy_model

PREDICT = "/v1/models/beta_vae:predict"
CODES = [[0.5, -1.0], [2.0, 0.25]]


def _strict_json(payload):
  def refuse(token):
    raise AssertionError(f"{token} in a response")
  return json.loads(payload, parse_constant=refuse)


@pytest.mark.parametrize("dim", [99, 2, -1, 2**31 - 1, -(2**31)])
def test_traverse_dims_outside_the_latents_are_refused_naming_the_range(call, dim):
  inputs = {"codes": CODES[:1], "dims": [dim], "values": [[0.0, 1.0]]}
  status, body = call(PREDICT, {"signature_name": "traverse_code", "inputs": inputs})
  assert status == 400 and f"holds {dim}" in body["error"] and "[0, 1]" in body["error"]
  inputs["dims"] = [1]
  assert call(PREDICT, {"signature_name": "traverse_code", "inputs": inputs})[0] == 200


def test_inputs_that_do_not_broadcast_name_the_sizes_not_tf_text(call):
  inputs = {"codes": CODES + [[0.0, 0.0]], "dims": [0, 1], "values": [[0.0, 1.0]] * 3}
  status, body = call(PREDICT, {"signature_name": "traverse_code", "inputs": inputs})
  assert status == 400 and "do not broadcast" in body["error"] and "'dims': 2" in body["error"]
  assert "Incompatible shapes" not in body["error"] and "same number of rows, or 1" in body["error"]
  inputs["dims"] = [0]  # one row shared by all: broadcasts.
  status, body = call(PREDICT, {"signature_name": "traverse_code", "inputs": inputs})
  assert status == 200 and np.array(body["outputs"]).shape == (3, 2, 16, 16, 1)


def test_utf16_and_other_non_utf8_bodies_are_refused(server):
  body = json.dumps({"signature_name": "decode", "instances": CODES})
  for data in (body.encode("utf-16"), body.encode("utf-32"), b'{"signature_name": "d\xe9code"}'):
    answer = raw_http.request(server.server_address, "POST", PREDICT, data)
    assert answer[0] == 400 and "must be UTF-8" in raw_http.json_error(answer)
  assert raw_http.request(server.server_address, "POST", PREDICT, body.encode("utf-8"))[0] == 200


@pytest.mark.parametrize("rows", [[[True, 0.5]], [[0.5, 1.0], [False, 0.0]], [[1, True]]])
def test_booleans_are_not_numbers(call, rows):
  status, body = call(PREDICT, {"signature_name": "decode", "instances": rows})
  assert status == 400 and "not booleans" in body["error"]


def test_booleans_in_an_integer_input_are_refused(call):
  inputs = {"codes": CODES, "dims": [True, 0], "values": [[0.0], [1.0]]}
  status, body = call(PREDICT, {"signature_name": "traverse_code", "inputs": inputs})
  assert status == 400 and "'dims'" in body["error"] and "not booleans" in body["error"]


@pytest.mark.parametrize("request_body", [
    {"signature_name": "decode", "inputs": {"code": CODES}},
    {"signature_name": "decode", "instances": [{"code": CODES[0]}]},
    {"signature_name": "traverse_code", "inputs": {"codes": CODES, "dim": [0, 1], "values": [[0.0], [1.0]]}},
])
def test_a_wrong_input_name_is_unknown_input_not_a_dtype_error(call, request_body):
  status, body = call(PREDICT, request_body)
  assert status == 400 and ("unknown input 'code'; this signature takes: codes" in body["error"] or
                            "unknown input 'dim'; this signature takes: codes, dims, values" in body["error"])


@pytest.fixture(scope="module")
def toy_server(tmp_path_factory):
  root = tmp_path_factory.mktemp("toy")
  toy_model.write_toy(root)
  with conftest.serving(str(root)) as server:
    yield server


def test_outputs_that_overflow_answer_422_never_a_nan_literal(toy_server):
  big = {"signature_name": "scale", "instances": [[3e38, 1.0, -3e38], [1.0, 2.0, 3.0]]}
  status, headers, payload = raw_http.request(toy_server.server_address, "POST", "/v1/models/toy:predict",
                                              json.dumps(big).encode())
  error = raw_http.json_error((status, headers, payload))
  assert status == 422 and "non-finite" in error and "'y'" in error and _strict_json(payload)
  small = {"signature_name": "scale", "instances": [[1.0, 2.0, 3.0]]}
  status, _, payload = raw_http.request(toy_server.server_address, "POST", "/v1/models/toy:predict",
                                        json.dumps(small).encode())
  assert status == 200 and _strict_json(payload)["predictions"] == [{"y": [10.0, 20.0, 30.0], "total": 60.0}]


def test_every_beta_vae_answer_near_the_float32_limit_is_valid_json(server):
  for value in (3e38, -3.4e38, 1e30):
    request = {"signature_name": "decode", "instances": [[value, value]]}
    status, _, payload = raw_http.request(server.server_address, "POST", PREDICT, json.dumps(request).encode())
    assert status in (200, 422) and _strict_json(payload)
