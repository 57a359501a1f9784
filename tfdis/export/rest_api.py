"""TF Serving's REST predict API over a loaded SavedModel, independent of HTTP.

Request (https://www.tensorflow.org/tfx/serving/api_rest): {"signature_name": S, "instances": [...]} (row
format: one entry per example, an object keyed by input name, or the bare value when the signature has one
input) or {"signature_name": S, "inputs": ...} (columnar: an object keyed by input name, or the bare value).
Response: {"predictions": [...]} for rows (an object per row when there are several outputs),
{"outputs": ...} for columns (an object keyed by output name when there are several).

Hostile input is refused before it costs much: bodies that are not UTF-8, integers of thousands of digits,
nesting deeper than an input's rank, booleans for number inputs, latent/class indices outside the range the
model's metadata gives (`index_bounds`), and requests whose work (rows, rows × values of `traverse_code`,
the grid of inputs of different batch sizes; see `check_work`) exceeds `max_batch` (413). Inputs whose first
sizes do not broadcast answer 400 naming the sizes, and outputs that are not finite (inputs near the float32
limit overflow) answer 422: a response never holds a NaN literal. Every refusal is a `RestError` whose
message names the problem and the fix; request values it quotes are clipped.

`predict` is `prepare` (parse and check), `run` (one call of the signature) and `respond` (check and format);
server-side batching (`tfdis/export/batching.py`) runs several prepared requests in one call.
"""

import dataclasses
import json
import math

import numpy as np
import tensorflow as tf

DEFAULT_SIGNATURE = "serving_default"
DEFAULT_MAX_BATCH = 1024
# Integer inputs that index something the metadata sizes (assets/tfdis_metadata.json; see tfdis/signatures.py):
# input name -> (metadata key, what it indexes).
INDEXED_BY = {"dims": ("latent_dim", "latent dimension"), "directions_index": ("latent_dim", "SeFa direction"),
              "labels": ("class_names", "class"), "target_class": ("class_names", "class"),
              "attribute_index": ("attribute_names", "attribute")}


class RestError(Exception):
  """A request the API refuses; `status` is the HTTP status (4xx) and the message goes to {"error": ...}."""

  def __init__(self, message, status=400):
    super().__init__(message)
    self.status = status


def clip(value, limit=120):
  """`value` as JSON (a str as it is), cut to `limit` characters: request data quoted in error messages."""
  if isinstance(value, str):
    text = value
  else:
    try:
      text = json.dumps(value)
    except (TypeError, ValueError, RecursionError):
      text = repr(value)
  return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def parse_json(body):
  """Decodes a request body into a JSON object, refusing NaN/Infinity, endless integers and non-objects."""
  def reject(token):
    raise RestError(f"Malformed JSON: {token} is not a JSON number.")
  try:
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
  except UnicodeDecodeError as e:  # json.loads would guess UTF-16/32 from the first bytes.
    raise RestError(f"Malformed request: the body must be UTF-8 JSON ({clip(str(e), 160)}).") from e
  try:
    request = json.loads(text, parse_constant=reject)
  except (json.JSONDecodeError, RecursionError) as e:
    raise RestError(f"Malformed JSON: {clip(str(e), 200)}") from e
  except ValueError as e:  # an integer of more than sys.get_int_max_str_digits() digits.
    raise RestError(f"Malformed JSON: {clip(str(e), 200)}; numbers must fit float32 or the input's "
                    "integer dtype.") from e
  if not isinstance(request, dict):
    raise RestError("Malformed request: the body must be a JSON object.")
  return request


@dataclasses.dataclass
class Prepared:
  """A checked predict request: the signature to call and its inputs as NumPy arrays."""
  name: str  # signature name
  function: object  # the concrete function of `loaded.signatures`
  arrays: dict  # {input name: np.ndarray of the spec's dtype}
  rows: bool  # "instances" (answered as "predictions") rather than "inputs" ("outputs")


def predict(signatures, request, max_batch=DEFAULT_MAX_BATCH, index_bounds=None):
  """Runs a predict request on a SavedModel's signatures.

  Args:
    signatures: `loaded.signatures` of a `tf.saved_model.load`ed model.
    request: the decoded JSON body.
    max_batch: the most work one request may ask for (`check_work`): the rows of `decode`, rows × values
      of `traverse_code`, class × content images of LORD's `transfer`.
    index_bounds: {integer input name: (size, what it indexes)}; indices must lie in [0, size).

  Returns:
    The JSON-able response, {"predictions": ...} or {"outputs": ...}.

  Raises:
    RestError: unknown signature, missing/extra inputs, wrong shapes or dtypes, bad values, too much work,
      inputs that do not broadcast (400/413), outputs that are not finite (422).
  """
  prepared = prepare(signatures, request, max_batch, index_bounds)
  return respond(prepared, run(prepared))


def prepare(signatures, request, max_batch=DEFAULT_MAX_BATCH, index_bounds=None, may_hold_bools=True):
  """Checks a decoded predict request against its signature; returns a `Prepared` (see `predict`).

  `may_hold_bools=False` (the body has no `true`/`false` text) skips the walk that looks for booleans.
  """
  name = request.get("signature_name", DEFAULT_SIGNATURE)
  if not isinstance(name, str) or name not in signatures:
    raise RestError(f"Serving signature name: {clip(json.dumps(name))} not found in signature def; known: "
                    f"{', '.join(sorted(signatures.keys()))}.")
  if ("instances" in request) == ("inputs" in request):
    raise RestError('Malformed request: give exactly one of "instances" (row format) or "inputs" (columnar).')
  function = signatures[name]
  specs = function.structured_input_signature[1]  # {input name: tf.TensorSpec}
  rows = "instances" in request
  columns = _rows_to_columns(request["instances"], specs) if rows else _columns(request["inputs"], specs)
  arrays = {key: to_array(key, value, specs[key], may_hold_bools) for key, value in columns.items()}
  check_indices(arrays, index_bounds or {})
  check_work(arrays, specs, max_batch)
  return Prepared(name, function, arrays, rows)


def run(prepared):
  """Calls the signature on the prepared arrays; returns {output name: np.ndarray}."""
  try:
    outputs = prepared.function(**{key: tf.constant(array) for key, array in prepared.arrays.items()})
  except tf.errors.InvalidArgumentError as e:
    if "Incompatible shapes" in e.message or "broadcast" in e.message:
      sizes = {key: int(array.shape[0]) for key, array in prepared.arrays.items() if array.ndim}
      raise RestError(f"The inputs of signature {prepared.name!r} do not broadcast: first sizes {sizes}. "
                      "Give every input the same number of rows, or 1 row to share it with all.") from e
    raise RestError(f"Invalid input for signature {prepared.name!r}: {clip(e.message, 300)}") from e
  return {key: value.numpy() for key, value in outputs.items()}


def respond(prepared, outputs):
  """The JSON-able answer to `prepared` from its outputs; 422 if an output is not finite."""
  for key, value in outputs.items():
    if value.dtype.kind in "fc" and not np.isfinite(value).all():
      count = int(value.size - np.isfinite(value).sum())
      raise RestError(f"Output {key!r} of signature {prepared.name!r} holds {count} non-finite values "
                      "(NaN or Inf) for these inputs, which JSON cannot carry: inputs this large overflow "
                      "float32 inside the model; use values in the range the model was trained on.", 422)
  return _format_rows(outputs) if prepared.rows else _format_columns(outputs)


def index_bounds(metadata):
  """{integer input name: (size, what it indexes)} from a model's tfdis metadata (see `INDEXED_BY`)."""
  bounds = {}
  for name, (key, what) in INDEXED_BY.items():
    value = metadata.get(key)
    size = len(value) if isinstance(value, list) else value
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
      bounds[name] = (size, what)
  return bounds


def check_indices(arrays, bounds):
  """Refuses indices outside [0, size) (`index_bounds`): TF's one_hot would silently select nothing."""
  for key, array in arrays.items():
    if key in bounds and array.size:
      size, what = bounds[key]
      if array.min() < 0 or array.max() >= size:
        bad = int(array.min()) if array.min() < 0 else int(array.max())
        raise RestError(f"Input {key!r} holds {bad}, which is not a {what} of this model: give indices in "
                        f"[0, {size - 1}] ({size} {what}s).")


def _rows_to_columns(instances, specs):
  names = list(specs)
  if not isinstance(instances, list) or not instances:
    raise RestError('"instances" must be a non-empty list, one entry per example.')
  if len(names) == 1 and not any(isinstance(row, dict) for row in instances):
    return {names[0]: instances}
  columns = {name: [] for name in names}
  for index, row in enumerate(instances):
    if not isinstance(row, dict):
      raise RestError(f"instances[{index}] must be an object with keys {names} (the signature's inputs).")
    _check_keys(row, names, f"instances[{index}]")
    for name in names:
      columns[name].append(row[name])
  return columns


def _columns(inputs, specs):
  names = list(specs)
  if isinstance(inputs, dict):  # never a tensor value: keyed by input name, as TF Serving reads it.
    _check_keys(inputs, names, '"inputs"')
    return inputs
  if len(names) == 1:
    return {names[0]: inputs}
  raise RestError(f'"inputs" must be an object with keys {names} (the signature\'s inputs).')


def _check_keys(given, names, where):
  extra = sorted(set(given) - set(names), key=str)
  if extra:
    raise RestError(f"{where}: unknown input {clip(extra[0])!r}; this signature takes: "
                    f"{', '.join(sorted(names))}.")
  missing = sorted(name for name in names if name not in given)
  if missing:
    raise RestError(f"{where}: missing inputs {missing}; this signature takes: {', '.join(sorted(names))}.")


def check_work(arrays, specs, max_batch):
  """Refuses requests asking for more than `max_batch` examples (see `predict`) before they run.

  The estimate bounds a batch of rows and also the grids that inputs of different first sizes make (LORD's
  `transfer`: every class image × every content image; codes and values of a traversal that broadcast): the
  product of the distinct sizes of the inputs' first free dimension, times the largest product of an
  input's other free dimensions (the values per row of `traverse_code`).
  """
  leading, inner = set(), [1]
  for key, array in arrays.items():
    free = [size for size, dim in zip(array.shape, specs[key].shape.as_list()) if dim is None]
    if free:
      leading.add(free[0])
      inner.append(math.prod(free[1:]))
  work = math.prod(leading) * max(inner)
  if work > max_batch:
    raise RestError(f"The request asks for {work} examples (first sizes {sorted(leading)} × {max(inner)} "
                    f"per row); this server answers at most {max_batch} per request: split the request, or "
                    "start the server with a larger --max_batch.", 413)


def to_array(name, value, spec, may_hold_bools=True):
  """Converts a JSON value to a NumPy array of `spec`'s dtype, checking kind, shape and range."""
  expected = [-1 if d is None else d for d in spec.shape.as_list()]
  depth, inner = 0, value
  while isinstance(inner, list) and inner and depth <= len(expected):
    depth, inner = depth + 1, inner[0]
  if depth > len(expected):
    raise RestError(f"Input {name!r} is nested deeper than the signature's shape {expected} (-1: any size).")
  if may_hold_bools and spec.dtype != tf.bool and _holds_bool(value):
    raise RestError(f"Input {name!r} must hold numbers ({spec.dtype.name}), not booleans (true/false).")
  try:
    array = np.array(value)
  except ValueError as e:
    raise RestError(f"Input {name!r} is ragged: every row must have the same shape ({e}).") from e
  if array.dtype.kind not in "iuf":
    raise RestError(f"Input {name!r} must hold numbers ({spec.dtype.name}), got {array.dtype.kind!r} values "
                    "(strings, booleans, null, objects, or integers beyond 64 bits).")
  if spec.dtype.is_integer and array.dtype.kind == "f":
    raise RestError(f"Input {name!r} must hold integers ({spec.dtype.name}).")
  if not spec.shape.is_compatible_with(array.shape):
    raise RestError(f"Input {name!r} has shape {list(array.shape)}; the signature expects {expected} "
                    "(-1: any size).")
  dtype = spec.dtype.as_numpy_dtype
  if spec.dtype.is_integer:
    info = np.iinfo(dtype)
    if array.size and (array.min() < info.min or array.max() > info.max):
      raise RestError(f"Input {name!r} is out of the range of {spec.dtype.name}.")
    return array.astype(dtype)
  with np.errstate(over="ignore"):
    array = array.astype(dtype)
  if not np.isfinite(array).all():
    raise RestError(f"Input {name!r} must be finite {spec.dtype.name} values.")
  return array


def _holds_bool(value):
  """Whether a JSON value holds true/false anywhere (NumPy would read them as 1/0 among numbers)."""
  if isinstance(value, bool):
    return True
  if not isinstance(value, list):
    return False
  types = set(map(type, value))
  return bool in types or (list in types and any(_holds_bool(item) for item in value if isinstance(item, list)))


def _format_rows(outputs):
  if len(outputs) == 1:
    return {"predictions": next(iter(outputs.values())).tolist()}
  sizes = {value.shape[0] if value.ndim else None for value in outputs.values()}
  if len(sizes) != 1 or None in sizes:
    raise RestError('The outputs do not share a batch size: ask with "inputs" (columnar) instead.')
  count = sizes.pop()
  return {"predictions": [{key: value[i].tolist() for key, value in outputs.items()} for i in range(count)]}


def _format_columns(outputs):
  if len(outputs) == 1:
    return {"outputs": next(iter(outputs.values())).tolist()}
  return {"outputs": {key: value.tolist() for key, value in outputs.items()}}
