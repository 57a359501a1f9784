"""The HTTP side of export.serve: uvicorn (h11) + starlette in front of `serve_lib.App`.

uvicorn speaks HTTP/1.1: keep-alive (idle connections close after `KEEP_ALIVE_S`), pipelining (answered in
order), chunked bodies, strict framing (h11 refuses conflicting Content-Lengths, bad lengths, bad request
lines) and graceful shutdown (in-flight requests finish, for up to `GRACEFUL_S`). What it leaves out is
added here, in JSON like every other answer:

- a whole-request deadline: the request line, headers and body must all arrive within `request_timeout_s`
  of its first byte (or of the connection, for one that sends nothing), however slowly they trickle; else
  408 and the connection closes. `http_protocol.DeadlineProtocol` times the whole request (the app's body read has the
  same bound, as a backstop). Slow clients cost a socket each, never a thread: others are not delayed.
  Refusals written by the protocol (408, 400, 503) half-close and drop further input for `http_protocol.LINGER_S`
  before closing, so that a client still sending reads the answer rather than a connection reset.
- caps answered at once, never queued: past `max_connections` open connections a new one gets 503 and is
  closed; past `max_in_flight` requests being read or computed, a request gets 503 (Retry-After: 1).
- a Host allow-list when bound to loopback (DNS rebinding): Host must name localhost, 127.0.0.1 or [::1]
  (any port) or one of serve's --allowed_hosts, else 403. A request without Host (HTTP/1.0) is let in: no
  browser sends one.
- bodies over `max_body_bytes` answer 413 (after reading and dropping up to 8× the limit, so that the client
  reads the answer rather than a reset).

Predicts run in worker threads (JSON parsing, the signature call, encoding), so the event loop only moves
bytes; with a `batching.Batcher`, concurrent predicts of one signature are merged into one call.
"""

import asyncio
import ipaddress
import json
import re
import socket

from absl import logging
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
import uvicorn

from tfdis.export import http_protocol
from tfdis.export import rest_api

REQUEST_TIMEOUT_S = http_protocol.REQUEST_TIMEOUT_S
KEEP_ALIVE_S = 5
GRACEFUL_S = 10
DEFAULT_MAX_CONNECTIONS = http_protocol.DEFAULT_MAX_CONNECTIONS
DEFAULT_MAX_IN_FLIGHT = 128
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_DRAIN_FACTOR = 8


def is_loopback(host):
  try:
    return host == "localhost" or ipaddress.ip_address(host).is_loopback
  except ValueError:
    return False


def host_allowed(header, allowed):
  """Whether a Host header names one of `allowed` (lower-case host names, IPv6 in brackets), any port."""
  match = re.fullmatch(r"(\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::\d{1,5})?", header.strip())
  return bool(match) and match[1].lower() in allowed


class Front:
  """The ASGI app: limits, then `App.get` / `App.prepare` + run (batched or not) + `rest_api.respond`."""

  def __init__(self, app, max_body_bytes, max_in_flight, allowed_hosts, batcher=None,
               request_timeout_s=REQUEST_TIMEOUT_S):
    self.app = app
    self.max_body_bytes = max_body_bytes
    self.max_in_flight = max_in_flight
    self.allowed_hosts = allowed_hosts  # None: no check (bound beyond loopback)
    self.batcher = batcher
    self.request_timeout_s = request_timeout_s
    self.in_flight = 0
    self.asgi = Starlette(routes=[Route("/{path:path}", _AnyMethod(self.endpoint))],
                          exception_handlers={HTTPException: _http_exception})

  async def endpoint(self, request):
    host = request.headers.get("host")
    if self.allowed_hosts is not None and host is not None and not host_allowed(host, self.allowed_hosts):
      return _json(403, {"error": f"Host {rest_api.clip(host, 60)!r} is not served: this server is bound to "
                                  f"loopback and answers {', '.join(sorted(self.allowed_hosts))} (serve's "
                                  "--allowed_hosts adds names)."})
    if self.in_flight >= self.max_in_flight:
      return _json(503, {"error": f"The server is busy: {self.max_in_flight} requests in flight (serve's "
                                  "--max_in_flight). Retry shortly."}, {"Retry-After": "1"})
    self.in_flight += 1
    try:
      return await self._answer(request)
    except ClientDisconnect:
      return Response(status_code=204)  # nobody to answer: uvicorn drops it.
    finally:
      self.in_flight -= 1

  async def _answer(self, request):
    method, path = request.method, request.scope.get("raw_path", b"").decode("latin-1").split("?")[0]
    try:
      if method in ("GET", "HEAD"):
        status, body = await run_in_threadpool(self.app.get, path)
      elif method == "POST":
        body = await self._read_body(request)
        status, body = 200, await self._predict(path, body)
      else:
        raise rest_api.RestError(f"{rest_api.clip(method, 20)} is not supported: use GET or POST.", 405)
    except rest_api.RestError as e:
      headers = {"Connection": "close"} if getattr(e, "close", False) else None
      return _json(e.status, {"error": str(e)}, headers)
    except ClientDisconnect:
      raise
    except Exception as e:  # pylint: disable=broad-except  (one bad request must not stop the server)
      logging.exception("Internal error on %s %s", method, path)
      return _json(500, {"error": f"Internal error: {type(e).__name__}: {rest_api.clip(str(e), 300)}"})
    if isinstance(body, str):
      return Response(body, status, media_type="text/html; charset=utf-8")
    return Response(body if isinstance(body, bytes) else _dumps(body), status, media_type="application/json")

  async def _predict(self, path, body):
    served, prepared = await run_in_threadpool(self.app.prepare, path, body)
    if self.batcher is not None:
      outputs = await self.batcher.run((served.name, served.version, prepared.name), prepared)
    else:
      outputs = await run_in_threadpool(rest_api.run, prepared)
    return await run_in_threadpool(lambda: _dumps(rest_api.respond(prepared, outputs)))

  async def _read_body(self, request):
    """The whole body, by the request's deadline and within `max_body_bytes` (else 408 / 413, closing)."""
    # DeadlineProtocol answers 408 at the deadline; this bound, a second later, is a backstop.
    deadline = request.scope.get("extensions", {}).get(http_protocol.DEADLINE)
    deadline = (deadline or asyncio.get_running_loop().time() + self.request_timeout_s) + 1.0
    declared = request.headers.get("content-length")
    chunks, size, cap = [], 0, _DRAIN_FACTOR * self.max_body_bytes
    over = bool(declared) and int(declared) > self.max_body_bytes
    try:
      async with asyncio.timeout_at(deadline):
        async for chunk in request.stream():  # an over-limit body is read and dropped up to `cap`.
          size += len(chunk)
          over = over or size > self.max_body_bytes
          if over and size > cap:
            break
          if not over:
            chunks.append(chunk)
    except TimeoutError as e:
      if not over:
        raise _closing(f"The request did not arrive within {self.request_timeout_s:g} s: its body stopped "
                       f"after {size} bytes.", 408) from e
    if over:
      raise _closing(f"Request body of {declared or 'more than ' + str(self.max_body_bytes)} bytes exceeds "
                     f"the limit of {self.max_body_bytes} bytes (serve's --max_body_mb).", 413)
    return b"".join(chunks)


class _AnyMethod:
  """An ASGI endpoint for every method (starlette routes a function for GET only): `Front` says 405."""

  def __init__(self, endpoint):
    self.endpoint = endpoint

  async def __call__(self, scope, receive, send):
    response = await self.endpoint(Request(scope, receive))
    await response(scope, receive, send)


def _closing(message, status):
  error = rest_api.RestError(message, status)
  error.close = True
  return error


async def _http_exception(request, exc):
  """starlette's own refusals (a request target that is not a path: `GET *`) in JSON."""
  return _json(exc.status_code, {"error": f"Malformed request: {exc.detail} ({rest_api.clip(request.url.path)})."})


def _dumps(value):
  return json.dumps(value, allow_nan=False).encode()


def _json(status, value, headers=None):
  return Response(_dumps(value), status, headers=headers, media_type="application/json")


class Server:
  """uvicorn serving `Front` on an already bound socket; `serve_forever()`, `shutdown()`, `server_close()`
  as socketserver's, so that tests can run it in a thread."""

  def __init__(self, front, sock, request_timeout_s, max_connections):
    self.front, self.app, self.socket = front, front.app, sock
    self.server_address = sock.getsockname()[:2]
    protocol = type("Protocol", (http_protocol.DeadlineProtocol,), {"request_timeout_s": request_timeout_s,
                                                      "max_connections": max_connections})
    config = uvicorn.Config(front.asgi, http=protocol, loop="asyncio", lifespan="off", log_config=None,
                            access_log=False, proxy_headers=False, server_header=False,
                            timeout_keep_alive=KEEP_ALIVE_S, timeout_graceful_shutdown=GRACEFUL_S,
                            backlog=1024)
    self._uvicorn = uvicorn.Server(config)
    self._done = None

  @property
  def max_body_bytes(self):
    return self.front.max_body_bytes

  @max_body_bytes.setter
  def max_body_bytes(self, value):
    self.front.max_body_bytes = value

  def serve_forever(self):
    import threading  # pylint: disable=g-import-not-at-top
    self._done = threading.Event()
    try:
      self._uvicorn.run(sockets=[self.socket])
    finally:
      self._done.set()

  def shutdown(self):
    """Stops accepting, lets in-flight requests finish (up to `GRACEFUL_S`), returns when stopped."""
    self._uvicorn.should_exit = True
    if self._done is not None:
      self._done.wait()

  def server_close(self):
    self.socket.close()


def bind(host, port):
  """A listening TCP socket on (host, port); ServeError-like OSError text for a port in use."""
  family = socket.AF_INET6 if ":" in host else socket.AF_INET
  sock = socket.socket(family, socket.SOCK_STREAM)
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
  try:
    sock.bind((host, port))
  except OSError:
    sock.close()
    raise
  sock.listen(1024)
  sock.set_inheritable(True)
  return sock
