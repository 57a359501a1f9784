"""Scratch: does the fuzz catch the pre-fix weaknesses? (not part of the repo)"""
import json
import pytest
from export import rest_api
from tests.export import test_serve_fuzz as F
from tests.export.conftest import trained, exported  # noqa: F401
fuzz_server = F.fuzz_server

def old_parse_json(body):
  def reject(token):
    raise rest_api.RestError(f"Malformed JSON: {token} is not a JSON number.")
  try:
    request = json.loads(body, parse_constant=reject)
  except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
    raise rest_api.RestError(f"Malformed JSON: {e}") from e
  if not isinstance(request, dict):
    raise rest_api.RestError("Malformed request: the body must be a JSON object.")
  return request

def test_old_parse_json_is_caught(fuzz_server, monkeypatch):
  monkeypatch.setattr(rest_api, "parse_json", old_parse_json)
  with pytest.raises(AssertionError) as e:
    F.fuzz(fuzz_server, 3000)
  print("CAUGHT:", str(e.value)[:300])
