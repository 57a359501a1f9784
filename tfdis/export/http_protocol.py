"""uvicorn's h11 protocol with a whole-request deadline, a connection cap and JSON protocol errors.

See tfdis/export/http_front.py for what the server does; this is the part below the ASGI app: timing a request's
bytes (head and body) against one deadline, refusing connections past the cap, and writing h11's protocol
errors (which uvicorn answers in plain text) as {"error": ...} with h11's reason.
"""

import http
import json

from absl import logging
import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from tfdis.export import rest_api

REQUEST_TIMEOUT_S = 30.0
DEFAULT_MAX_CONNECTIONS = 512
LINGER_S = 2  # after a refusal, as nginx's lingering_close: the client reads the answer, not a reset.
DEADLINE = "tfdis.deadline"  # scope["extensions"] key: the loop time by which the request must be in.


def json_bytes(status, message, close=True, retry_after=None):
  """A whole HTTP/1.1 answer {"error": message}, written straight to a socket (outside a request cycle)."""
  body = json.dumps({"error": message}).encode()
  phrase = h11_phrase(status)
  head = [f"HTTP/1.1 {status} {phrase}", "Content-Type: application/json", f"Content-Length: {len(body)}"]
  head += ["Connection: close"] if close else []
  head += [f"Retry-After: {retry_after}"] if retry_after else []
  return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def h11_phrase(status):
  try:
    return http.HTTPStatus(status).phrase
  except ValueError:
    return "Error"


class DeadlineProtocol(H11Protocol):
  """uvicorn's h11 protocol with a whole-request deadline, a connection cap and JSON protocol errors."""

  request_timeout_s = REQUEST_TIMEOUT_S
  max_connections = DEFAULT_MAX_CONNECTIONS

  def __init__(self, *args, **kwargs):
    super().__init__(*args, **kwargs)
    self._deadline = None  # loop time by which the current request must have arrived
    self._timer = None
    self._lingering = False
    self._protocol_error = None
    next_event = self.conn.next_event

    def next_event_recorded():  # keeps h11's reason for uvicorn's 400 (it only says "Invalid HTTP request").
      try:
        return next_event()
      except h11.RemoteProtocolError as e:
        self._protocol_error = e
        raise
    self.conn.next_event = next_event_recorded

  def connection_made(self, transport):
    super().connection_made(transport)
    if len(self.connections) > self.max_connections:
      logging.warning("Refusing a connection: %d open (--max_connections).", len(self.connections) - 1)
      self._answer_and_close(json_bytes(503, f"The server is busy: {self.max_connections} connections are "
                                             "open (serve's --max_connections). Retry shortly.", retry_after=1))
      return
    self._arm()

  def data_received(self, data):
    if self._lingering:
      return  # after a refusal: read and drop, so that the client reads the answer rather than a reset.
    if self._timer is None and (self.cycle is None or self.cycle.response_complete):
      self._arm()  # the first byte of a new request starts its deadline.
    super().data_received(data)

  def handle_events(self):
    cycle = self.cycle
    super().handle_events()
    if self.cycle is not cycle:  # a request's head arrived; its body is bound by the same deadline.
      if self._timer is None:
        self._arm()  # a pipelined request, buffered while the one before it was answered.
      self.cycle.scope.setdefault("extensions", {})[DEADLINE] = self._deadline
    if self.cycle is not None and not self.cycle.more_body:
      self._disarm()  # the whole request is in.

  def eof_received(self):
    """The client stopped sending: answer a complete request, refuse an incomplete body with 400."""
    if self._lingering or self.cycle is None or self.cycle.response_complete:
      return None  # nothing pending: close.
    self.cycle.keep_alive = False
    if self.cycle.more_body:
      self.conn.receive_data(b"")
      self.handle_events()  # h11: "peer closed connection without sending complete message body" -> 400.
    return True  # keep the socket open to write the answer.

  def connection_lost(self, exc):
    self._disarm()
    super().connection_lost(exc)

  def send_400_response(self, msg):
    error = self._protocol_error
    status = getattr(error, "error_status_hint", 400) or 400
    text = f"Malformed HTTP request: {error}" if error else msg
    if self.cycle is not None and self.cycle.response_started and not self.cycle.response_complete:
      self.transport.close()  # an answer is being written: cannot add another.
      return
    self._answer_and_close(json_bytes(status, rest_api.clip(text, 300)))
    self._abort_cycle()

  def _arm(self):
    self._disarm()
    self._deadline = self.loop.time() + self.request_timeout_s
    self._timer = self.loop.call_at(self._deadline, self._expired)

  def _disarm(self):
    if self._timer is not None:
      self._timer.cancel()
    self._timer = None

  def _expired(self):
    """The deadline passed with the head or the body incomplete: 408, and the app sees a disconnect."""
    self._timer = None
    cycle = self.cycle
    in_body = cycle is not None and not cycle.response_complete
    if self.transport.is_closing() or (in_body and (not cycle.more_body or cycle.response_started)):
      return
    self._answer_and_close(json_bytes(408, f"The request did not arrive within {self.request_timeout_s:g} "
                                           "s: send the request line, headers and body in time."))
    self._abort_cycle()

  def _abort_cycle(self):
    """After the protocol answered for it: the app, waiting for the body, sees a disconnect."""
    if self.cycle is not None and not self.cycle.response_complete:
      self.cycle.disconnected = True
      self.cycle.message_event.set()

  def _answer_and_close(self, answer):
    """Writes `answer`, half-closes, drops what the client still sends for `LINGER_S`, then closes."""
    if self.transport.is_closing() or self._lingering:
      return
    self._lingering = True
    self.transport.write(answer)
    if self.transport.can_write_eof():
      self.transport.write_eof()
    self.loop.call_later(LINGER_S, self.transport.close)
