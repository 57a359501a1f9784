"""Fuzzing the REST server: ≥ 10,000 malformed or hostile requests, every answer a 4xx JSON error.

Hypothesis draws requests from a catalogue of hostile families, each invalid by construction: bytes and
JSON-like text, deep nesting, huge numbers, NaN, mutations of a valid request (wrong rank, shape, dtype,
range, ragged rows, missing or extra inputs, too much work in rows or in a grid of batch sizes), unknown
signatures, path-like model names, odd methods, bad Content-Length, bodies cut short or over the size
limit. Each one goes over a fresh TCP connection to a server on 127.0.0.1; the server must answer every one
with 4xx JSON (HEAD of a GET path: 200 without a body) and still serve a valid predict afterwards.
`derandomize=True` makes the run the same on every machine.
"""

import collections
import concurrent.futures
import json
import os
import re
import urllib.parse

import hypothesis
from hypothesis import strategies as st
import numpy as np
import pytest

from tfdis.export import serve_lib
from tests.export import raw_http

MODEL = "beta_vae"
PREDICT = f"/v1/models/{MODEL}:predict"
MAX_BODY_BYTES = 64 * 1024
MAX_BATCH = 16
PER_EXAMPLE = 16
CLIENTS = 4
NAN_TOKENS = ["NaN", "Infinity", "-Infinity", "nan", "inf"]
BAD_FLOAT_LEAVES = ["a", None, {}, [], [1.0], 1e39, -3.5e38 * 10, "1.0"]
BAD_INT_LEAVES = ["a", None, {}, [], [1], 0.5, 2**31, -(2**31) - 1, 2**64, 1e39, "1"]


@pytest.fixture(scope="module")
def fuzz_server(exported):
  """A server over the export with small limits, so that oversize requests stay cheap to send."""
  import threading  # pylint: disable=g-import-not-at-top
  root = os.path.dirname(os.path.dirname(exported["export_dir"]))
  server = serve_lib.make_server(root, port=0, max_body_bytes=MAX_BODY_BYTES, max_batch=MAX_BATCH)
  thread = threading.Thread(target=server.serve_forever, daemon=True)
  thread.start()
  yield server
  server.shutdown()
  server.server_close()


def input_specs(server):
  """{signature: {input: (shape with None, is_integer)}} of the served model."""
  signatures = server.app.models[MODEL].latest.signatures
  return {name: {key: (spec.shape.as_list(), spec.dtype.is_integer)
                 for key, spec in fn.structured_input_signature[1].items()}
          for name, fn in signatures.items()}


def valid_inputs(specs, rng, rows=2, values=2):
  """Columnar inputs that the signature accepts: {input: nested list}."""
  inputs = {}
  for key, (shape, is_integer) in specs.items():
    sizes = [rows if i == 0 else values if d is None else d for i, d in enumerate(shape)]
    array = rng.integers(0, 2, sizes) if is_integer else np.round(rng.uniform(-2, 2, sizes), 3)
    inputs[key] = array.tolist()
  return inputs


def _set_leaf(value, leaf, path):
  """`value` with its first-element chain's leaf, at depth len(path) choices, replaced by `leaf`."""
  if not isinstance(value, list) or not value:
    return leaf
  index = path[0] % len(value)
  return value[:index] + [_set_leaf(value[index], leaf, path[1:])] + value[index + 1:]


def _last_axis_shrunk(value):
  """Removes the last element of the innermost list along the first-element chain (ragged rows)."""
  if isinstance(value[0], list):
    return [_last_axis_shrunk(value[0])] + value[1:]
  return value[:-1]


def mutate(specs, inputs, kind, draw_index, draw_leaf):
  """One input-level mutation that no valid request has. Returns (columnar inputs, the kind applied)."""
  keys = sorted(inputs)
  key = keys[draw_index % len(keys)]
  shape, is_integer = specs[key]
  inputs = dict(inputs)
  fixed = [k for k in keys if any(d is not None for d in specs[k][0])]
  if kind == "rank_up":
    inputs[key] = [inputs[key]]
  elif kind == "rank_down":
    inputs[key] = inputs[key][0]
  elif kind == "fixed_dim" and fixed:
    inputs[fixed[0]] = _last_axis_shrunk(inputs[fixed[0]]) if len(specs[fixed[0]][0]) > 1 else [[0]]
  elif kind == "ragged" and len(shape) > 1:
    inputs[key] = _last_axis_shrunk(inputs[key])
  elif kind == "leaf":
    inputs[key] = _set_leaf(inputs[key], draw_leaf(BAD_INT_LEAVES if is_integer else BAD_FLOAT_LEAVES),
                            [draw_index] * 8)
  elif kind == "missing" and len(keys) > 1:
    del inputs[key]
  elif kind == "batch" and len(keys) > 1:  # first sizes 2 and 9: a grid of ≥ 18 examples > MAX_BATCH.
    inputs[key] = (inputs[key] * MAX_BATCH)[:MAX_BATCH // 2 + 1]
  elif kind == "work":
    inputs = valid_inputs(specs, np.random.default_rng(draw_index), rows=MAX_BATCH + 1, values=1)
  else:  # "extra", and the fallback of kinds that do not apply to this signature.
    inputs[f"not_an_input_{draw_index}"] = [0.0]
    kind = "extra"
  return inputs, kind


MUTATIONS = ["rank_up", "rank_down", "fixed_dim", "ragged", "leaf", "missing", "batch", "work", "extra"]


@st.composite
def mutated_predict(draw, catalogue):
  """A valid request with one defect, in row or columnar format, sometimes on the versioned path."""
  name = draw(st.sampled_from(sorted(catalogue)))
  specs = catalogue[name]
  rng = np.random.default_rng(draw(st.integers(0, 2**16)))
  inputs = valid_inputs(specs, rng, rows=2, values=draw(st.integers(1, 3)))
  kind = draw(st.sampled_from(MUTATIONS))
  inputs, kind = mutate(specs, inputs, kind, draw(st.integers(0, 7)), lambda xs: draw(st.sampled_from(xs)))
  request = {"signature_name": name}
  if draw(st.booleans()) and kind in ("fixed_dim", "ragged", "leaf", "work"):  # same rows in each input.
    rows = len(next(iter(inputs.values())))
    request["instances"] = [{k: v[i] for k, v in inputs.items()} for i in range(rows)]
  else:
    request["inputs"] = inputs
  body = json.dumps(request)
  if draw(st.integers(0, 9)) == 0:  # NaN / Infinity in place of a number.
    body = re.sub(r"-?\d+\.\d+", draw(st.sampled_from(NAN_TOKENS)), body, count=1)
  path = PREDICT if draw(st.booleans()) else f"/v1/models/{MODEL}/versions/1:predict"
  return "POST", path, {}, body.encode()


def _json_scalars():
  return st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                   st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=4))


@st.composite
def random_tree_predict(draw, catalogue):
  """Random JSON under "instances" or "inputs" of any signature name, with a string row at the end."""
  tree = draw(st.recursive(_json_scalars(), lambda children: st.one_of(
      st.lists(children, max_size=3), st.dictionaries(st.text(max_size=4), children, max_size=3)),
                           max_leaves=6))
  name = draw(st.one_of(st.sampled_from(sorted(catalogue)), st.text(max_size=10), _json_scalars()))
  field = draw(st.sampled_from(["instances", "inputs"]))
  return "POST", PREDICT, {}, json.dumps({"signature_name": name, field: [tree, "not a number"]}).encode()


@st.composite
def raw_body(draw):
  """Bodies that are not a predict request: bytes, JSON-like text, deep nesting, huge numbers."""
  kind = draw(st.sampled_from(["bytes", "text", "deep", "number", "not_object", "neither", "both"]))
  if kind == "bytes":
    body = draw(st.binary(max_size=64))
  elif kind == "text":
    body = draw(st.text(alphabet='[]{}":,0123456789.eE+- NaIfinytrulsd\\\x00é', max_size=40)).encode()
  elif kind == "deep":
    depth, opener = draw(st.integers(1, 6_000)), draw(st.sampled_from(["[", '{"a":', '{"inputs":']))
    body = ('{"signature_name": "decode", "inputs": ' + opener * depth).encode()
  elif kind == "number":
    digits = draw(st.integers(40, 6000))
    number = draw(st.sampled_from(["1" * digits, f"1e{digits}", f"-1e{digits}",
                                   "0." + "0" * digits + "1e99999"]))
    body = ('{"signature_name": "decode", "instances": [[' + number + ', 0]]}').encode()
  elif kind == "not_object":
    body = json.dumps(draw(st.one_of(_json_scalars(), st.lists(_json_scalars(), max_size=3)))).encode()
  elif kind == "neither":
    body = json.dumps({"signature_name": "decode", "instance": [[0, 0]]}).encode()
  else:
    body = json.dumps({"signature_name": "decode", "instances": [[0, 0]], "inputs": [[0, 0]]}).encode()
  return "POST", PREDICT, {}, body


@st.composite
def hostile_http(draw):
  """Path-like and unknown model names, odd versions and methods, bad headers, cut and oversize bodies."""
  kind = draw(st.sampled_from(["quoted_name", "raw_path", "version", "method", "length", "short",
                               "oversize"]))
  body, headers, method = b'{"instances": []}', {}, "POST"  # 400 wherever the path leads.
  if kind == "quoted_name":
    name = draw(st.one_of(st.sampled_from(["..", "../..", "/etc/passwd", f"../{MODEL}", f"{MODEL}/1",
                                           "C:\\Windows", "~", "\x00", f"{MODEL}\x00"]),
                          st.text(min_size=1, max_size=20)))
    path = "/v1/models/" + urllib.parse.quote(name, safe="") + ":predict"
  elif kind == "raw_path":
    path = "/" + draw(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=40))
  elif kind == "version":
    version = draw(st.sampled_from(["0", "2", "01x", "9" * 30, "-1", ""]))
    path = f"/v1/models/{MODEL}/versions/{version}:predict"
  elif kind == "method":
    method = draw(st.sampled_from(["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "BREW"]))
    path = draw(st.sampled_from([PREDICT, f"/v1/models/{MODEL}", "/"]))
  elif kind == "length":
    path = PREDICT
    headers = {"Content-Length": draw(st.sampled_from(["-1", "abc", "\xb2", "1e3", "9" * 25, " ", "0x10"]))}
  elif kind == "short":
    path, headers = PREDICT, {"Content-Length": str(len(body) + draw(st.integers(1, 10_000)))}
  else:
    path, body = PREDICT, b"[" * (MAX_BODY_BYTES + draw(st.integers(1, 2**14)))
  return method, path, headers, body


def requests(catalogue):
  return st.one_of(mutated_predict(catalogue), random_tree_predict(catalogue), raw_body(), hostile_http())


def check_4xx_json(answer, method, path):
  status = answer[0]
  if method == "HEAD" and path in (f"/v1/models/{MODEL}", "/"):  # HEAD of a GET path: its head, no body.
    assert status == 200 and answer[2] == b"", (status, answer[2][:300])
    return
  assert 400 <= status < 500, (status, answer[2][:300])
  if method != "HEAD":
    raw_http.json_error(answer)


def send(server, request):
  method, path, headers, body = request
  answer = raw_http.request(server.server_address[:2], method, path, body, headers,
                            shut=headers.get("Content-Length", "").isdigit())
  check_4xx_json(answer, method, path)
  return answer[0]


def fuzz(server, count):
  """Sends `count` hostile requests, `PER_EXAMPLE` per Hypothesis example; returns {status: how many}.

  Drawing several requests per example amortizes Hypothesis's per-example cost (≈ 1–3 ms here); they are
  sent by `CLIENTS` threads at once, which also checks that refusals do not disturb concurrent requests.
  """
  catalogue = input_specs(server)
  statuses = collections.Counter()
  pool = concurrent.futures.ThreadPoolExecutor(CLIENTS)

  @hypothesis.settings(max_examples=-(-count // PER_EXAMPLE), derandomize=True, database=None,
                       deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
  @hypothesis.given(st.lists(requests(catalogue), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
  def batch(batch_requests):
    statuses.update(pool.map(lambda request: send(server, request), batch_requests))

  with pool:
    batch()  # pylint: disable=no-value-for-parameter
  valid = {"signature_name": "decode", "instances": [[0.5, -1.0]]}
  answer = raw_http.request(server.server_address[:2], "POST", PREDICT, json.dumps(valid).encode())
  assert answer[0] == 200 and len(json.loads(answer[2])["predictions"]) == 1  # still serving.
  return statuses


def test_fuzz_10000_hostile_requests_all_answer_4xx_json(fuzz_server):
  statuses = fuzz(fuzz_server, 10_000)
  assert sum(statuses.values()) >= 10_000
  assert {400, 404, 405, 413} <= set(statuses), statuses  # the families reach each kind of refusal.


@pytest.mark.slow
def test_fuzz_100000_hostile_requests(fuzz_server):
  assert sum(fuzz(fuzz_server, 100_000).values()) >= 100_000
