"""Server-side batching, as TF Serving's --enable_batching: concurrent predicts merged into one call.

Requests for the same model, version and signature that arrive within `batch_timeout_s` of the first one
(or until `max_batch_size` rows are waiting) are concatenated along the batch axis, run as one signature
call in a worker thread, and the outputs are split back by rows. Only row-wise signatures are merged: every
input and output has one free dimension, the first (`decode`, `encode`, `reconstruct`, ...), and a
request's inputs share their number of rows. Grids and sweeps (`traverse_code`'s values [n, v], LORD's
`transfer_grid`) run alone, as does a request larger than `max_batch_size`. If a merged call fails (one
request's bad values), each request is rerun alone, so that only the bad one gets the error.
"""

import asyncio
import dataclasses

import numpy as np
from starlette.concurrency import run_in_threadpool

from tfdis.export import rest_api

DEFAULT_MAX_BATCH_SIZE = 32
DEFAULT_BATCH_TIMEOUT_S = 0.002


def rows_of(prepared):
  """The request's row count if its signature is row-wise (see the module doc), else None."""
  specs = prepared.function.structured_input_signature[1]
  outputs = prepared.function.structured_outputs
  for spec in list(specs.values()) + list(outputs.values()):
    dims = spec.shape.as_list()
    if not dims or dims[0] is not None or None in dims[1:]:
      return None
  sizes = {array.shape[0] for array in prepared.arrays.values()}
  return sizes.pop() if len(sizes) == 1 else None


@dataclasses.dataclass
class _Waiting:
  prepared: rest_api.Prepared
  rows: int
  future: asyncio.Future


@dataclasses.dataclass
class _Batch:
  waiting: list = dataclasses.field(default_factory=list)  # [_Waiting]
  started: bool = False

  @property
  def rows(self):
    return sum(w.rows for w in self.waiting)


class Batcher:
  """Merges concurrent `rest_api.Prepared` requests of one key; `run` is awaited per request."""

  def __init__(self, max_batch_size=DEFAULT_MAX_BATCH_SIZE, batch_timeout_s=DEFAULT_BATCH_TIMEOUT_S):
    if max_batch_size < 1 or batch_timeout_s < 0:
      raise ValueError(f"max_batch_size must be >= 1 and batch_timeout >= 0, got {max_batch_size}, "
                       f"{batch_timeout_s}.")
    self.max_batch_size = max_batch_size
    self.batch_timeout_s = batch_timeout_s
    self.calls = 0  # signature calls made for batches (a batch of one counts too)
    self.requests = 0  # requests answered through those calls
    self._open = {}  # key -> the _Batch still taking requests

  async def run(self, key, prepared):
    """{output: array} of `prepared`, computed in a batch with concurrent requests of the same `key`."""
    rows = rows_of(prepared)
    if rows is None or rows > self.max_batch_size:
      return await run_in_threadpool(rest_api.run, prepared)
    loop = asyncio.get_running_loop()
    batch = self._open.get(key)
    if batch is not None and batch.rows + rows > self.max_batch_size:
      self._start(key, batch)
      batch = None
    if batch is None:
      batch = self._open[key] = _Batch()
      loop.call_later(self.batch_timeout_s, self._start, key, batch)
    future = loop.create_future()
    batch.waiting.append(_Waiting(prepared, rows, future))
    if batch.rows >= self.max_batch_size:
      self._start(key, batch)
    return await future

  def _start(self, key, batch):
    if self._open.get(key) is batch:
      del self._open[key]
    if not batch.started:
      batch.started = True
      asyncio.ensure_future(self._execute(batch.waiting))

  async def _execute(self, waiting):
    self.calls += 1
    self.requests += len(waiting)
    try:
      results = await run_in_threadpool(run_merged, [w.prepared for w in waiting], [w.rows for w in waiting])
    except Exception:  # pylint: disable=broad-except  (rerun alone: only the bad request gets its error)
      await asyncio.gather(*(self._alone(w) for w in waiting))
      return
    for one, outputs in zip(waiting, results):
      if not one.future.done():
        one.future.set_result(outputs)

  async def _alone(self, waiting):
    try:
      outputs = await run_in_threadpool(rest_api.run, waiting.prepared)
    except Exception as e:  # pylint: disable=broad-except  (handed to the request that caused it)
      if not waiting.future.done():
        waiting.future.set_exception(e)
      return
    if not waiting.future.done():
      waiting.future.set_result(outputs)


def run_merged(prepared, rows):
  """Runs requests of one row-wise signature as one call; returns each one's {output: array}."""
  first = prepared[0]
  merged = {key: np.concatenate([p.arrays[key] for p in prepared]) for key in first.arrays}
  outputs = rest_api.run(rest_api.Prepared(first.name, first.function, merged, first.rows))
  total = sum(rows)
  if any(value.shape[:1] != (total,) for value in outputs.values()):
    raise ValueError(f"Signature {first.name!r} did not answer one row per input row.")
  bounds = np.cumsum(rows)[:-1]
  split = {key: np.split(value, bounds) for key, value in outputs.items()}
  return [{key: parts[i] for key, parts in split.items()} for i in range(len(prepared))]
