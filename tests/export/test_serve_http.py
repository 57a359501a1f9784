"""HTTP/1.1 behaviour of export.serve on uvicorn: keep-alive, pipelining, chunked bodies, framing, the
whole-request deadline against slow-byte clients, the in-flight cap, Host allow-list, port in use, shutdown."""

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.export import conftest
from tests.export import raw_http
from tfdis import ROOT

PREDICT = "/v1/models/beta_vae:predict"
DECODE = json.dumps({"signature_name": "decode", "instances": [[0.5, -1.0]]}).encode()


def _root(exported):
  return os.path.dirname(os.path.dirname(exported["export_dir"]))


def test_keep_alive_answers_several_requests_on_one_connection(server):
  with socket.create_connection(server.server_address) as conn:
    answers = []
    for _ in range(3):
      conn.sendall(raw_http.http11("POST", PREDICT, DECODE))
      answers += raw_http.read_answers(conn, 1)
  assert [a[0] for a in answers] == [200, 200, 200] and answers[0][2] == answers[2][2]
  assert all(a[1].get("connection") != "close" for a in answers)


def test_pipelined_requests_in_one_write_are_answered_in_order(server):
  two = raw_http.http11("POST", PREDICT, DECODE) + raw_http.http11("GET", "/v1/models/beta_vae")
  with socket.create_connection(server.server_address) as conn:
    conn.sendall(two)
    first, second = raw_http.read_answers(conn, 2)
  assert first[0] == 200 and len(json.loads(first[2])["predictions"]) == 1
  assert second[0] == 200 and json.loads(second[2])["model_version_status"][0]["state"] == "AVAILABLE"


def test_chunked_body_is_read_whole(server):
  chunks = [DECODE[:7], DECODE[7:20], DECODE[20:]]
  body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
  with socket.create_connection(server.server_address) as conn:
    conn.sendall(raw_http.http11("POST", PREDICT, body, {"Transfer-Encoding": "chunked"}))
    (status, _, answer), = raw_http.read_answers(conn, 1)
  expected = raw_http.request(server.server_address, "POST", PREDICT, DECODE)[2]
  assert status == 200 and answer == expected


def test_conflicting_content_lengths_and_head_bodies(server):
  twice = (f"POST {PREDICT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(DECODE)}\r\n"
           f"Content-Length: 3\r\n\r\n").encode() + DECODE
  with socket.create_connection(server.server_address) as conn:
    conn.sendall(twice)
    answer = raw_http.parse_response(b"".join(iter(lambda: conn.recv(1 << 16), b"")))
  assert answer[0] == 400 and "conflicting Content-Length" in raw_http.json_error(answer)
  status, headers, body = raw_http.request(server.server_address, "HEAD", "/v1/models/beta_vae")
  assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def _trickle(address, data, stop, head=b"", every_s=0.25):
  """Connects, sends `head` at once, then `data` one byte per `every_s` until it is sent, the server
  answers, or `stop` is set; returns (the answer, seconds from connect to answer)."""
  start = time.monotonic()
  with socket.create_connection(address) as conn:
    conn.sendall(head)
    conn.settimeout(every_s)
    for byte in data:
      if stop.is_set():
        break
      try:
        conn.sendall(bytes([byte]))
        if conn.recv(1 << 16, socket.MSG_PEEK):
          break  # the server answered (408) before the request was complete.
      except socket.timeout:
        continue
      except OSError:
        break
    conn.settimeout(30)
    answer = raw_http.parse_response(b"".join(iter(lambda: conn.recv(1 << 16), b"")))
    return answer, time.monotonic() - start


def test_64_slow_byte_clients_are_cut_at_the_deadline_and_do_not_delay_others(exported):
  """32 clients trickle headers and 32 trickle a body, one byte per 0.25 s, against a 3 s deadline."""
  head = raw_http.http11("POST", PREDICT, DECODE)
  body_first = head[:head.index(b"\r\n\r\n") + 4]
  with conftest.serving(_root(exported), request_timeout_s=3.0) as server:
    address, stop = server.server_address, threading.Event()
    with concurrent.futures.ThreadPoolExecutor(64) as pool:
      slow = [pool.submit(_trickle, address, head, stop) for _ in range(32)]
      slow += [pool.submit(_trickle, address, DECODE, stop, body_first) for _ in range(32)]
      time.sleep(0.5)
      latencies, deadline = [], time.monotonic() + 2.0
      while time.monotonic() < deadline:  # a normal client, while all 64 are connected
        began = time.monotonic()
        assert raw_http.request(address, "POST", PREDICT, DECODE)[0] == 200
        latencies.append(time.monotonic() - began)
      results = [f.result(timeout=60) for f in slow]
      stop.set()
  assert max(latencies) < 1.0, latencies
  for (status, headers, body), seconds in results:
    assert status == 408 and raw_http.json_error((status, headers, body)), (status, body[:200])
    assert 2.5 < seconds < 6.0, seconds  # cut at the 3 s deadline, not per byte


def test_requests_beyond_max_in_flight_answer_503_at_once(exported):
  head = raw_http.http11("POST", PREDICT, DECODE)
  with conftest.serving(_root(exported), max_in_flight=1) as server:
    with socket.create_connection(server.server_address) as holder:  # in flight: its body never ends.
      holder.sendall(head[:-5])
      time.sleep(0.3)
      start = time.monotonic()
      status, headers, body = raw_http.request(server.server_address, "POST", PREDICT, DECODE)
      assert status == 503 and headers["retry-after"] == "1" and b"--max_in_flight" in body
      assert time.monotonic() - start < 2
      holder.sendall(head[-5:])  # it completes and is answered.
      assert raw_http.read_answers(holder, 1)[0][0] == 200
    time.sleep(0.2)
    assert raw_http.request(server.server_address, "POST", PREDICT, DECODE)[0] == 200


@pytest.mark.parametrize("host,status", [("localhost:8501", 200), ("127.0.0.1", 200), ("[::1]:1", 200),
                                         ("LOCALHOST", 200), ("evil.example", 403),
                                         ("evil.example:8501", 403), ("127.0.0.1.evil.example", 403),
                                         ("localhost:99999999", 403)])
def test_host_header_allow_list_on_loopback(server, host, status):
  answer = raw_http.request(server.server_address, "GET", "/v1/models/beta_vae/metadata",
                            headers={"Host": host})
  assert answer[0] == status
  if status == 403:
    assert "--allowed_hosts" in raw_http.json_error(answer)


def test_allowed_hosts_extends_the_list(exported):
  with conftest.serving(_root(exported), allowed_hosts=["Editor.lan"]) as server:
    assert raw_http.request(server.server_address, "GET", "/", headers={"Host": "editor.lan:80"})[0] == 200
    assert raw_http.request(server.server_address, "GET", "/", headers={"Host": "other.lan"})[0] == 403


def test_shutdown_lets_a_request_in_flight_finish(exported):
  request = raw_http.http11("POST", PREDICT, DECODE)
  with conftest.serving(_root(exported)) as server:
    with socket.create_connection(server.server_address) as conn:
      conn.sendall(request[:-5])
      time.sleep(0.2)
      stopping = threading.Thread(target=server.shutdown)
      stopping.start()
      time.sleep(0.5)
      conn.sendall(request[-5:])
      answers = raw_http.read_answers(conn, 1)
      stopping.join(timeout=30)
  assert answers and answers[0][0] == 200 and not stopping.is_alive()


def test_port_in_use_is_one_line_and_exit_1(exported):
  with socket.socket() as taken:
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    done = subprocess.run([sys.executable, "-m", "tfdis.export.serve", f"--export_dir={_root(exported)}",
                           f"--port={port}"], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=120)
  assert done.returncode == 1
  assert f"export.serve: Port {port} on 127.0.0.1 is in use" in done.stderr
  assert "Traceback" not in done.stderr and "--helpfull" not in done.stderr
