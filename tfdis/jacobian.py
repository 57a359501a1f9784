"""Exact forward-mode Jacobian engine (DESIGN.md, "The core idea").

Generators map a few latent dims to huge outputs, so forward mode is the cheap direction: one
`tf.autodiff.ForwardAccumulator` pass gives J·v for one direction v at the cost of about two to three
forward passes, for every output of `fn` at once. Everything here is exact (no finite-difference step),
differentiable under an outer `tf.GradientTape` (gradients w.r.t. the network's weights flow through the
tangents), and runs under `tf.function`, `jit_compile=True` and `tf.distribute` strategies.

`fn` maps z [batch, d] to a tensor or a (nested) list/tuple/dict of tensors, each [batch, ...]: several
layers of a generator are differentiated in the same pass.

Batching over K directions (`batch_jvp`), measured in bench/jacobian.py (bench/BENCHMARKS.md):
  * "vectorized" (default): `tf.vectorized_map` (pfor) over the K tangents. The primal pass does not depend
    on the tangent, so pfor computes it once and vectorizes only the tangent ops: the fastest train step
    on the benchmarked generator and decoder. Exact for any `fn`, batch-coupled layers included.
  * "tile": z repeated K times along the batch, one accumulator pass over [K·batch, d] (the primal is
    computed K times). Requires `fn` to treat samples independently: a layer mixing the batch
    (BatchNormalization in training mode) would mix the K directions.
  * "loop": K separate accumulator passes (K primal passes), exact for any `fn`.
  * "double_vjp": no accumulator. Reverse mode gives g(u) = Jᵀu (one primal pass, recorded by a tape);
    g is linear in the dummy cotangent u, so the VJP of g in direction v is J·v (the transposed VJP).
    One primal pass, K passes through the transposed backward graph; the outer training tape then nests
    reverse mode three deep. Exact for any `fn`. On the benchmarked CPU it is the cheapest tangent pass
    forward-only at width 64 but loses inside full train steps (bench/BENCHMARKS.md, issue 22).

`has_aux=True` (all strategies): fn returns (outputs, aux); tangents are taken of `outputs` only and
`aux` (any structure of tensors, e.g. the generator's image for the loss) comes back as computed in the
same primal pass, so a loss and a penalty share one forward pass (with "tile", from the first batch copy).

Layers that compute a variance with `tf.nn.moments` (Keras BatchNormalization, GroupNormalization) stop
the gradient of the mean inside the variance: their first derivatives are exact, but derivatives of
derivatives are not (forward-over-forward Hessians, and gradients w.r.t. the weights of a Jacobian
penalty). `tfdis.networks.simple_gan.InstanceNormalization` differentiates through the mean.
"""

import tensorflow as tf

STRATEGIES = ("vectorized", "tile", "loop", "double_vjp")
SECOND_ORDER_STRATEGIES = ("tile", "loop", "vectorized")
_ZERO = tf.UnconnectedGradients.ZERO


def check_latents(z, name="z"):
  """Returns z as a tensor of static rank 2 [batch, d], or raises a ValueError saying how to fix it."""
  z = tf.convert_to_tensor(z)
  if not z.dtype.is_floating:
    raise ValueError(f"{name} must be a floating tensor, got {z.dtype.name}: "
                     "cast it with tf.cast(z, tf.float32).")
  if z.shape.rank != 2 or z.shape[-1] is None:
    raise ValueError(f"{name} must have shape [batch, d] with d known, got {z.shape}: flatten the latent "
                     "with tf.reshape(z, [batch, -1]) and reshape it back inside fn.")
  return z


def _check_tangents(z, tangents, batched):
  tangents = tf.cast(tf.convert_to_tensor(tangents), z.dtype)
  rank = 3 if batched else 2
  shape = "[K, batch, d]" if batched else "[batch, d]"
  if tangents.shape.rank != rank or not tangents.shape[-2:].is_compatible_with(z.shape):
    raise ValueError(f"tangents must have shape {shape} matching z {z.shape}, got {tangents.shape}.")
  return tangents


def _check_strategy(strategy, choices=STRATEGIES):
  if strategy not in choices:
    raise ValueError(f"Unknown strategy {strategy!r}: use one of {', '.join(choices)}.")


def _tile(z, num):
  """[batch, d] -> [num·batch, d]: z repeated num times (copy k is rows k·batch ... (k+1)·batch − 1)."""
  return tf.reshape(tf.tile(z[tf.newaxis], [num, 1, 1]), [-1, tf.shape(z)[-1]])


def _unfold(x, num):
  """[num·batch, ...] -> [num, batch, ...]."""
  return tf.reshape(x, tf.concat([[num, -1], tf.shape(x)[1:]], axis=0))


def _split_aux(fn, has_aux):
  """fn -> a callable z -> (outputs, aux); aux is () when has_aux is False."""
  if has_aux:
    return fn
  return lambda z: (fn(z), ())


def _returned(outputs, tangents, aux, has_aux):
  return (outputs, tangents, aux) if has_aux else (outputs, tangents)


def jvp(fn, z, tangents, has_aux=False):
  """Exact Jacobian-vector products J·tangents of every output of fn at z, in one forward pass.

  Args:
    fn: callable z -> tensor or nested list/tuple/dict of tensors [batch, ...]; with has_aux, z ->
      (outputs, aux).
    z: [batch, d] latents.
    tangents: [batch, d] directions, one per sample.
    has_aux: whether fn also returns an auxiliary structure (module docstring).

  Returns:
    (outputs, output_tangents) (and aux with has_aux): fn(z), and for each output a tensor of its shape
    holding d/dt fn(z + t·tangents) at t = 0 (zeros for outputs that do not depend on z).
  """
  z = check_latents(z)
  tangents = _check_tangents(z, tangents, batched=False)
  with tf.autodiff.ForwardAccumulator(z, tangents) as acc:
    outputs, aux = _split_aux(fn, has_aux)(z)
  output_tangents = tf.nest.map_structure(lambda y: acc.jvp(y, unconnected_gradients=_ZERO), outputs)
  return _returned(outputs, output_tangents, aux, has_aux)


def _static_count(tangents, strategy):
  if tangents.shape[0] is None:
    raise ValueError(f'strategy="{strategy}" needs a static number of directions K; '
                     'use strategy="vectorized".')
  return tangents.shape[0]


def _double_vjp(fn, z, tangents):
  """(outputs, [K, ...] tangents per output, aux) by the transposed VJP (module docstring)."""
  num = _static_count(tangents, "double_vjp")
  with tf.GradientTape(persistent=True) as outer:
    with tf.GradientTape() as inner:
      inner.watch(z)
      outputs, aux = fn(z)
    flat = tf.nest.flatten(outputs)
    cotangents = [tf.zeros(tf.shape(y), y.dtype) for y in flat]  # g is linear in them: any value works
    outer.watch(cotangents)
    g = inner.gradient(flat, z, output_gradients=cotangents, unconnected_gradients=_ZERO)
  columns = [outer.gradient(g, cotangents, output_gradients=tangents[k], unconnected_gradients=_ZERO)
             for k in range(num)]
  stacked = [tf.stack([c[i] for c in columns]) for i in range(len(flat))]
  return outputs, tf.nest.pack_sequence_as(outputs, stacked), aux


def batch_jvp(fn, z, tangents, strategy="vectorized", has_aux=False):
  """Exact J·v for K directions per sample at once.

  Args:
    fn: callable z -> tensor or nested structure of tensors [batch, ...]; with has_aux, z ->
      (outputs, aux).
    z: [batch, d] latents.
    tangents: [K, batch, d] directions.
    strategy: "vectorized", "tile", "loop" or "double_vjp" (module docstring; "tile" needs samples
      independent in fn; "loop" and "double_vjp" a static K).
    has_aux: whether fn also returns an auxiliary structure, returned from the same primal pass.

  Returns:
    (outputs, output_tangents) (and aux with has_aux): fn(z) (each [batch, ...]) and, per output,
    [K, batch, ...] tangents.
  """
  z = check_latents(z)
  tangents = _check_tangents(z, tangents, batched=True)
  _check_strategy(strategy)
  fn_aux = _split_aux(fn, has_aux)
  if strategy == "double_vjp":
    return _returned(*_double_vjp(fn_aux, z, tangents), has_aux)
  if strategy == "tile":
    num = tf.shape(tangents)[0]
    outputs, flat, aux = jvp(fn_aux, _tile(z, num), tf.reshape(tangents, [-1, z.shape[-1]]), has_aux=True)
    batch = tf.shape(z)[0]
    outputs, aux = tf.nest.map_structure(lambda y: y[:batch], (outputs, aux))
    return _returned(outputs, tf.nest.map_structure(lambda t: _unfold(t, num), flat), aux, has_aux)
  if strategy == "loop":
    results = [jvp(fn_aux, z, tangents[k], has_aux=True) for k in range(_static_count(tangents, "loop"))]
    stacked = tf.nest.map_structure(lambda *ts: tf.stack(ts), *[r[1] for r in results])
    return _returned(results[0][0], stacked, results[0][2], has_aux)
  outputs, stacked, aux = tf.vectorized_map(lambda t: jvp(fn_aux, z, t, has_aux=True), tangents,
                                            fallback_to_while_loop=True)
  outputs, aux = tf.nest.map_structure(lambda y: y[0], (outputs, aux))
  return _returned(outputs, stacked, aux, has_aux)


def jacobian_columns(fn, z, strategy="vectorized"):
  """The exact Jacobian of every output of fn, one column (latent dim) at a time: d forward directions.

  Args:
    fn: callable z -> tensor or nested structure of tensors [batch, ...].
    z: [batch, d] latents.
    strategy: batching strategy of `batch_jvp`.

  Returns:
    (outputs, columns): fn(z), and per output a tensor [batch, d, *output_shape] whose [b, i] entry is
    ∂fn(z)_b / ∂z_{b,i}.
  """
  z = check_latents(z)
  d = z.shape[-1]
  eye = tf.eye(d, dtype=z.dtype)[:, tf.newaxis, :]  # [d, 1, d]
  tangents = tf.tile(eye, [1, tf.shape(z)[0], 1])  # [d, batch, d]
  outputs, cols = batch_jvp(fn, z, tangents, strategy=strategy)
  return outputs, tf.nest.map_structure(_swap_leading, cols)


def _swap_leading(x):
  """[K, batch, ...] -> [batch, K, ...]."""
  perm = tf.concat([[1, 0], tf.range(2, tf.rank(x))], axis=0)
  return tf.transpose(x, perm)


def second_directional_derivative(fn, z, u, v=None, has_aux=False):
  """Exact uᵀ H v of every output element, by forward-over-forward (nested accumulators).

  With v = u (the default) this is d²/dt² fn(z + t·u) at t = 0.

  Args:
    fn: callable z -> tensor or nested structure of tensors [batch, ...]; with has_aux, z ->
      (outputs, aux).
    z: [batch, d] latents.
    u: [batch, d] outer direction.
    v: [batch, d] inner direction; defaults to u.
    has_aux: whether fn also returns an auxiliary structure, returned from the same primal pass.

  Returns:
    (outputs, second) (and aux with has_aux): fn(z), and per output a tensor of its shape holding
    Σ_ij u_i v_j ∂²fn/∂z_i∂z_j.
  """
  z = check_latents(z)
  u = _check_tangents(z, u, batched=False)
  v = u if v is None else _check_tangents(z, v, batched=False)
  with tf.autodiff.ForwardAccumulator(z, u) as outer:
    with tf.autodiff.ForwardAccumulator(z, v) as inner:
      outputs, aux = _split_aux(fn, has_aux)(z)
    first = tf.nest.map_structure(lambda y: inner.jvp(y, unconnected_gradients=_ZERO), outputs)
  second = tf.nest.map_structure(lambda y: outer.jvp(y, unconnected_gradients=_ZERO), first)
  return _returned(outputs, second, aux, has_aux)


def batch_second_directional_derivative(fn, z, u, v=None, strategy="tile", has_aux=False):
  """`second_directional_derivative` for K direction pairs at once.

  Args:
    fn: callable z -> tensor or nested structure of tensors [batch, ...]; with has_aux, z ->
      (outputs, aux).
    z: [batch, d] latents.
    u: [K, batch, d] outer directions.
    v: [K, batch, d] inner directions; defaults to u.
    strategy: "tile" (default: z repeated K times, one nested pass; samples must be independent in fn),
      "vectorized" (pfor over the K pairs, primal once: ~15% faster steps on the simple GAN, but ~3× the
      tracing time of "tile") or "loop".
    has_aux: whether fn also returns an auxiliary structure, returned from the same primal pass.

  Returns:
    (outputs, second) (and aux with has_aux): fn(z) (each [batch, ...]) and per output [K, batch, ...]
    values uᵀ H v.
  """
  z = check_latents(z)
  u = _check_tangents(z, u, batched=True)
  v = u if v is None else _check_tangents(z, v, batched=True)
  _check_strategy(strategy, SECOND_ORDER_STRATEGIES)
  fn_aux = _split_aux(fn, has_aux)
  if strategy == "tile":
    num, d = tf.shape(u)[0], z.shape[-1]
    outputs, second, aux = second_directional_derivative(
        fn_aux, _tile(z, num), tf.reshape(u, [-1, d]), tf.reshape(v, [-1, d]), has_aux=True)
    batch = tf.shape(z)[0]
    outputs, aux = tf.nest.map_structure(lambda y: y[:batch], (outputs, aux))
    return _returned(outputs, tf.nest.map_structure(lambda t: _unfold(t, num), second), aux, has_aux)
  if strategy == "loop":
    results = [second_directional_derivative(fn_aux, z, u[k], v[k], has_aux=True)
               for k in range(_static_count(u, "loop"))]
    stacked = tf.nest.map_structure(lambda *ts: tf.stack(ts), *[r[1] for r in results])
    return _returned(results[0][0], stacked, results[0][2], has_aux)
  outputs, stacked, aux = tf.vectorized_map(
      lambda uv: second_directional_derivative(fn_aux, z, uv[0], uv[1], has_aux=True), (u, v),
      fallback_to_while_loop=True)
  outputs, aux = tf.nest.map_structure(lambda y: y[0], (outputs, aux))
  return _returned(outputs, stacked, aux, has_aux)
