"""The forward-mode engine against reverse-mode brute force (tape.batch_jacobian) on small networks."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import jacobian
from tfdis.networks.simple_gan import InstanceNormalization
from tfdis.networks.simple_gan import simple_generator


TOLERANCE = {"float64": 1e-5, "float32": 1e-4}


def dense_net(d, dtype, seed=0):
  """z [b, d] -> [h1 [b, 5], h2 [b, 4]]: two tanh/softplus layers, both returned."""
  keras.utils.set_random_seed(seed)
  z = keras.Input((d,), dtype=dtype)
  h1 = keras.layers.Dense(5, activation="tanh", dtype=dtype)(z)
  h2 = keras.layers.Dense(4, activation="softplus", dtype=dtype)(h1)
  return keras.Model(z, [h1, h2])


def conv_net(d, dtype, seed=0):
  """z [b, d] -> {"feat" [b, 2, 2, 3], "image" [b, 4, 4, 2]}: dense, reshape, transposed conv, conv."""
  keras.utils.set_random_seed(seed)
  z = keras.Input((d,), dtype=dtype)
  x = keras.layers.Dense(12, activation="tanh", dtype=dtype)(z)
  feat = keras.layers.Reshape((2, 2, 3), dtype=dtype)(x)
  x = keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="tanh", dtype=dtype)(feat)
  image = keras.layers.Conv2D(2, 3, padding="same", activation="sigmoid", dtype=dtype)(x)
  return keras.Model(z, {"feat": feat, "image": image})


NETS = {"dense": dense_net, "conv": conv_net}


def brute_jacobians(fn, z):
  """Per output (tf.nest order) a NumPy [batch, *out_shape, d] Jacobian by reverse mode."""
  with tf.GradientTape(persistent=True) as tape:
    tape.watch(z)
    outputs = tf.nest.flatten(fn(z))
  return [tape.batch_jacobian(y, z).numpy() for y in outputs]


def projected_hessians(fn, z, weights):
  """Per output a NumPy [batch, d, d] Hessian of Σ_n w_n y_n (reverse-over-reverse), w random per output."""
  with tf.GradientTape(persistent=True) as outer:
    outer.watch(z)
    with tf.GradientTape(persistent=True) as inner:
      inner.watch(z)
      scalars = [tf.reduce_sum(w * y) for w, y in zip(weights, tf.nest.flatten(fn(z)))]
    grads = [inner.gradient(s, z) for s in scalars]  # [batch, d]: samples are independent
  return [outer.batch_jacobian(g, z).numpy() for g in grads]


def project(w, x, leading):
  """Σ_n w_n x_n over the non-leading axes of x ([batch, ...] or [K, batch, ...])."""
  return tf.reduce_sum(w * x, axis=list(range(leading, x.shape.rank)))


def random_like(structure, seed):
  return [tf.random.stateless_normal(tf.shape(y), [seed, i], dtype=y.dtype)
          for i, y in enumerate(tf.nest.flatten(structure))]


def assert_close(actual, expected, dtype):
  actual, expected = np.asarray(actual), np.asarray(expected)
  scale = max(np.abs(expected).max(), 1e-12)
  np.testing.assert_array_less(np.abs(actual - expected).max() / scale, TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("net", ["dense", "conv"])
def test_jvp_matches_reverse_mode(net, dtype):
  fn = NETS[net](3, dtype)
  z = tf.random.stateless_normal([4, 3], [1, 2], dtype=dtype)
  t = tf.random.stateless_normal([4, 3], [3, 4], dtype=dtype)
  outputs, tangents = jacobian.jvp(fn, z, t)
  assert tf.nest.map_structure(lambda y: y.shape, outputs) == tf.nest.map_structure(lambda y: y.shape, fn(z))
  for jac, tan in zip(brute_jacobians(fn, z), tf.nest.flatten(tangents)):
    assert_close(tan, np.einsum("b...i,bi->b...", jac, t.numpy()), dtype)


@pytest.mark.parametrize("strategy", jacobian.STRATEGIES)
@pytest.mark.parametrize("net", ["dense", "conv"])
def test_batch_jvp_strategies_and_columns_match_reverse_mode(net, strategy):
  fn = NETS[net](3, "float64")
  z = tf.random.stateless_normal([4, 3], [5, 6], dtype="float64")
  t = tf.random.stateless_normal([2, 4, 3], [7, 8], dtype="float64")
  outputs, tangents = jacobian.batch_jvp(fn, z, t, strategy=strategy)
  _, columns = jacobian.jacobian_columns(fn, z, strategy=strategy)
  brute = brute_jacobians(fn, z)
  for y, y_ref in zip(tf.nest.flatten(outputs), tf.nest.flatten(fn(z))):
    assert_close(y, y_ref, "float64")
  for jac, tan, col in zip(brute, tf.nest.flatten(tangents), tf.nest.flatten(columns)):
    assert tan.shape == (2,) + jac.shape[:-1]
    assert_close(tan, np.einsum("b...i,kbi->kb...", jac, t.numpy()), "float64")
    assert_close(col, np.moveaxis(jac, -1, 1), "float64")  # [batch, d, *out]


@pytest.mark.parametrize("net", ["dense", "conv"])
def test_second_directional_derivative_matches_reverse_over_reverse(net):
  fn = NETS[net](3, "float64")
  z = tf.random.stateless_normal([3, 3], [9, 1], dtype="float64")
  u = tf.random.stateless_normal([2, 3, 3], [9, 2], dtype="float64")
  v = tf.random.stateless_normal([2, 3, 3], [9, 3], dtype="float64")
  weights = random_like(fn(z), seed=5)
  hessians = projected_hessians(fn, z, weights)
  strategies = ["tile"]
  if net == "dense":  # the unbatched form, and the other batching strategies
    _, same = jacobian.second_directional_derivative(fn, z, u[0])
    for w, hess, s in zip(weights, hessians, tf.nest.flatten(same)):
      assert_close(project(w, s, 1), np.einsum("bij,bi,bj->b", hess, u[0].numpy(), u[0].numpy()), "float64")
    strategies += ["loop", "vectorized"]
  for strategy in strategies:
    _, mixed = jacobian.batch_second_directional_derivative(fn, z, u, v, strategy=strategy)
    for w, hess, m in zip(weights, hessians, tf.nest.flatten(mixed)):
      assert_close(project(w, m, 2), np.einsum("bij,kbi,kbj->kb", hess, u.numpy(), v.numpy()), "float64")


def test_analytic_second_directional_derivative():
  # G(z) = [z0·z1, z0²·z1]: vᵀHv = [2 v0 v1, 2 z1 v0² + 4 z0 v0 v1].
  fn = lambda z: [z[:, 0] * z[:, 1], z[:, 0]**2 * z[:, 1]]
  z = tf.constant([[1.5, -2.0], [0.3, 0.7]], tf.float64)
  v = tf.constant([[1.0, -1.0], [-1.0, -1.0]], tf.float64)
  _, (s1, s2) = jacobian.second_directional_derivative(fn, z, v)
  np.testing.assert_allclose(s1, 2 * v[:, 0] * v[:, 1])
  np.testing.assert_allclose(s2, 2 * z[:, 1] * v[:, 0]**2 + 4 * z[:, 0] * v[:, 0] * v[:, 1])


@pytest.mark.slow  # ~60 s of tape.jacobian brute force on this CPU
def test_weight_gradients_through_tangents_match_brute_force():
  fn = conv_net(3, "float64")
  z = tf.random.stateless_normal([3, 3], [4, 4], dtype="float64")
  with tf.GradientTape() as tape:
    _, columns = jacobian.jacobian_columns(fn, z)
    loss = sum(tf.reduce_sum(tf.square(c)) for c in tf.nest.flatten(columns))
  grads = tape.gradient(loss, fn.trainable_variables)
  with tf.GradientTape() as outer:
    with tf.GradientTape(persistent=True) as inner:
      inner.watch(z)
      outputs = tf.nest.flatten(fn(z))
    brute = sum(tf.reduce_sum(tf.square(inner.batch_jacobian(y, z))) for y in outputs)
  brute_grads = outer.gradient(brute, fn.trainable_variables)
  assert_close(loss, brute, "float64")
  for g, b in zip(grads, brute_grads):
    assert_close(g, b, "float64")


@pytest.mark.parametrize("strategy", jacobian.STRATEGIES)
def test_weight_gradients_of_every_strategy_match_brute_force(strategy):
  fn = dense_net(3, "float64")
  z = tf.random.stateless_normal([4, 3], [4, 5], dtype="float64")
  t = tf.random.stateless_normal([2, 4, 3], [4, 6], dtype="float64")

  def loss_of(tangents):
    return sum(tf.reduce_sum(tf.square(x)) for x in tf.nest.flatten(tangents))

  with tf.GradientTape() as tape:
    loss = loss_of(jacobian.batch_jvp(fn, z, t, strategy=strategy)[1])
  grads = tape.gradient(loss, fn.trainable_variables)
  with tf.GradientTape() as outer:
    with tf.GradientTape(persistent=True) as inner:
      inner.watch(z)
      outputs = tf.nest.flatten(fn(z))
    brute = loss_of([tf.einsum("bni,kbi->kbn", inner.batch_jacobian(y, z), t) for y in outputs])
  assert_close(loss, brute, "float64")
  for g, b in zip(grads, outer.gradient(brute, fn.trainable_variables)):
    assert_close(g, b, "float64")


@pytest.mark.parametrize("strategy", jacobian.STRATEGIES)
def test_has_aux_returns_the_primal_pass_and_tangents_of_outputs_only(strategy):
  fn = conv_net(3, "float64")
  z = tf.random.stateless_normal([4, 3], [6, 7], dtype="float64")
  t = tf.random.stateless_normal([2, 4, 3], [6, 8], dtype="float64")
  outputs, tangents, aux = jacobian.batch_jvp(
      lambda x: (fn(x)["feat"], {"image": fn(x)["image"], "twice": 2.0 * x}), z, t, strategy=strategy,
      has_aux=True)
  assert_close(outputs, fn(z)["feat"], "float64")
  assert sorted(aux) == ["image", "twice"]
  assert_close(aux["image"], fn(z)["image"], "float64")
  assert_close(aux["twice"], 2.0 * z, "float64")
  _, want = jacobian.batch_jvp(lambda x: fn(x)["feat"], z, t, strategy=strategy)
  assert_close(tangents, want, "float64")
  if strategy in jacobian.SECOND_ORDER_STRATEGIES:
    _, second, aux2 = jacobian.batch_second_directional_derivative(
        lambda x: (fn(x)["feat"], fn(x)["image"]), z, t, strategy=strategy, has_aux=True)
    assert_close(aux2, fn(z)["image"], "float64")
    assert_close(second, jacobian.batch_second_directional_derivative(
        lambda x: fn(x)["feat"], z, t, strategy=strategy)[1], "float64")


@pytest.mark.parametrize("jit_compile", [False, True])
def test_tf_function_and_xla_give_eager_values(jit_compile):
  fn = dense_net(3, "float32")
  z = tf.random.stateless_normal([4, 3], [2, 2])
  t = tf.random.stateless_normal([2, 4, 3], [2, 3])
  step = tf.function(lambda z, t: jacobian.batch_jvp(fn, z, t)[1], jit_compile=jit_compile)
  for got, want in zip(step(z, t), jacobian.batch_jvp(fn, z, t)[1]):
    assert_close(got, want, "float32")


def test_mirrored_strategy_replicas_agree_with_one_device():
  strategy = tf.distribute.MirroredStrategy(tf.config.list_logical_devices("CPU"))
  replicas = strategy.num_replicas_in_sync
  with strategy.scope():
    fn = dense_net(3, "float32")
  z = tf.random.stateless_normal([2 * replicas, 3], [8, 8])

  @tf.function
  def replica_step(z_local):
    _, columns = jacobian.jacobian_columns(fn, z_local)
    return sum(tf.reduce_sum(tf.square(c)) for c in columns)

  dataset = tf.data.Dataset.from_tensor_slices(z).batch(2 * replicas)
  batch = next(iter(strategy.experimental_distribute_dataset(dataset)))
  total = strategy.reduce("SUM", strategy.run(replica_step, args=(batch,)), axis=None)
  assert_close(total, replica_step(z), "float32")


def test_simple_generator_shapes_and_exact_columns():
  gen = simple_generator(latent_dim=2, image_shape=(64, 64, 1), width=2)
  z = tf.random.stateless_normal([2, 2], [1, 1])
  _, columns = jacobian.jacobian_columns(gen, z, strategy="tile")
  shapes = {"layer0": (4, 4, 16), "layer1": (8, 8, 8), "layer2": (16, 16, 4), "layer3": (32, 32, 2),
            "image": (64, 64, 1)}
  assert {k: tuple(v.shape[2:]) for k, v in columns.items()} == shapes
  assert all(v.shape[:2] == (2, 2) for v in columns.values())
  weights = random_like(gen(z), seed=3)
  with tf.GradientTape(persistent=True) as tape:
    tape.watch(z)
    scalars = [tf.reduce_sum(w * y) for w, y in zip(weights, tf.nest.flatten(gen(z)))]
  for w, s, col in zip(weights, scalars, tf.nest.flatten(columns)):
    vjp = tape.gradient(s, z)  # [batch, d] = Σ_n w_n ∂y_n/∂z by reverse mode
    assert_close(project(w[:, tf.newaxis], col, 2), vjp, "float32")
  with pytest.raises(ValueError, match="64×64"):
    simple_generator(image_shape=(32, 32, 1))


def test_instance_normalization_has_exact_second_derivatives():
  x = tf.random.stateless_normal([2, 3, 3, 2], [6, 1], dtype="float64")
  layer = InstanceNormalization(dtype="float64")
  reference = keras.layers.GroupNormalization(groups=2, epsilon=1e-6, dtype="float64")
  assert_close(layer(x), reference(x), "float64")
  fn = lambda z: layer(tf.reshape(z, [2, 3, 3, 2]) ** 2)
  z, u = tf.reshape(x, [2, 18]), tf.random.stateless_normal([2, 18], [6, 2], dtype="float64")
  _, second = jacobian.second_directional_derivative(fn, z, u)
  eps = 1e-4  # central second difference of the true function, O(eps²) accurate
  central = (fn(z + eps * u) - 2 * fn(z) + fn(z - eps * u)) / eps**2
  np.testing.assert_allclose(second, central, atol=1e-5 * np.abs(central).max())
  config = layer.get_config()
  assert InstanceNormalization.from_config(config).epsilon == 1e-6


def test_bad_inputs_raise_clear_errors():
  fn = dense_net(3, "float32")
  with pytest.raises(ValueError, match=r"\[batch, d\].*tf.reshape"):
    jacobian.jvp(fn, tf.zeros([2, 3, 1]), tf.zeros([2, 3, 1]))
  with pytest.raises(ValueError, match="tangents must have shape"):
    jacobian.jvp(fn, tf.zeros([2, 3]), tf.zeros([2, 4]))
  with pytest.raises(ValueError, match=r"\[K, batch, d\]"):
    jacobian.batch_jvp(fn, tf.zeros([2, 3]), tf.zeros([2, 3]))
  with pytest.raises(ValueError, match="Unknown strategy 'pfor'"):
    jacobian.batch_jvp(fn, tf.zeros([2, 3]), tf.zeros([1, 2, 3]), strategy="pfor")
  with pytest.raises(ValueError, match="floating"):
    jacobian.jacobian_columns(fn, tf.zeros([2, 3], tf.int32))
  with pytest.raises(ValueError, match="Unknown strategy 'double_vjp'"):
    jacobian.batch_second_directional_derivative(fn, tf.zeros([2, 3]), tf.zeros([1, 2, 3]),
                                                 strategy="double_vjp")
  dynamic = tf.TensorSpec([None, 2, 3])
  for strategy in ("loop", "double_vjp"):
    step = tf.function(lambda t, s=strategy: jacobian.batch_jvp(fn, tf.zeros([2, 3]), t, strategy=s)[1])
    with pytest.raises(ValueError, match=f'strategy="{strategy}" needs a static number'):
      step.get_concrete_function(dynamic)
