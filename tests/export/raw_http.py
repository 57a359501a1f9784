"""A raw HTTP/1.x client for the server tests: any method, path, headers and body, even malformed ones."""

import json
import socket


def request(address, method="POST", path="/", body=b"", headers=None, content_length=True, shut=False,
            timeout=60):
  """Sends one request on a fresh connection and reads the whole answer.

  Args:
    address: (host, port) of the server.
    method, path: the request line's method and target, sent as they are (latin-1).
    body: bytes sent after the headers.
    headers: {name: value} sent as they are.
    content_length: add `Content-Length: len(body)` (unless `headers` names one).
    shut: close the sending side after the body (a client that stops sending).
    timeout: seconds to wait for the answer.

  Returns:
    (status, headers {lower-case name: value}, body bytes).
  """
  headers = dict(headers or {})
  if content_length and not any(k.lower() == "content-length" for k in headers):
    headers["Content-Length"] = str(len(body))
  head = f"{method} {path} HTTP/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
  with socket.create_connection(address, timeout=timeout) as conn:
    try:
      conn.sendall(head.encode("latin-1") + body)
      if shut:
        conn.shutdown(socket.SHUT_WR)
    except (BrokenPipeError, ConnectionResetError):
      pass  # the server may answer (413) and close before reading everything sent; read its answer.
    chunks = []
    while True:
      try:
        chunk = conn.recv(1 << 16)
      except ConnectionResetError:
        break
      if not chunk:
        break
      chunks.append(chunk)
  return parse_response(b"".join(chunks))


def parse_response(data):
  """(status, headers, body) of a raw HTTP answer; status 0 if there is none."""
  head, _, body = data.partition(b"\r\n\r\n")
  lines = head.decode("latin-1").split("\r\n")
  if not lines[0].startswith("HTTP/"):
    return 0, {}, data
  headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
  return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def json_error(answer):
  """The "error" text of an answer that must be a JSON error; raises AssertionError otherwise."""
  status, headers, body = answer
  assert headers.get("content-type") == "application/json", (status, headers, body[:200])
  assert int(headers["content-length"]) == len(body), (status, headers, body[:200])
  error = json.loads(body)["error"]
  assert isinstance(error, str) and error, body[:200]
  return error


def read_answers(conn, count, timeout=60):
  """Reads up to `count` Content-Length-framed HTTP answers from an open socket, in order.

  Returns:
    [(status, headers, body)]; fewer than `count` if the server closed the connection first.
  """
  conn.settimeout(timeout)
  buffer, answers = b"", []
  while len(answers) < count:
    end = buffer.find(b"\r\n\r\n")
    if end >= 0:
      status, headers, _ = parse_response(buffer[:end + 4])
      length = int(headers.get("content-length", 0))
      if len(buffer) >= end + 4 + length:
        answers.append((status, headers, buffer[end + 4:end + 4 + length]))
        buffer = buffer[end + 4 + length:]
        continue
    try:
      chunk = conn.recv(1 << 16)
    except ConnectionResetError:
      break
    if not chunk:
      break
    buffer += chunk
  return answers


def http11(method, path, body=b"", headers=None):
  """The bytes of one HTTP/1.1 request to 127.0.0.1 (Host set, Content-Length unless `headers` chunk it)."""
  headers = {"Host": "127.0.0.1", **(headers or {})}
  if "Transfer-Encoding" not in headers:
    headers.setdefault("Content-Length", str(len(body)))
  head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
  return head.encode("latin-1") + body
