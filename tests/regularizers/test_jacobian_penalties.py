"""orthogonal_jacobian, hessian_penalty and jacobian_l1 against brute force and analytic values."""

import functools

import numpy as np
import pytest
import tensorflow as tf

from tests.test_jacobian import assert_close
from tests.test_jacobian import brute_jacobians
from tests.test_jacobian import conv_net
from tests.test_jacobian import dense_net
from tfdis import regularizers

# "tile" traces fastest in eager tests; the default ("vectorized") is checked against it below.
orojar = functools.partial(regularizers.orthogonal_jacobian, strategy="tile")
jl1 = functools.partial(regularizers.jacobian_l1, strategy="tile")
NETS = {"dense": dense_net, "conv": conv_net}
REDUCE = {"mean": np.mean, "max": np.max, "sum": np.sum}


def analytic(z):
  """G(z) = [z0·z1, z0²·z1]; Var_v(vᵀHv) = 2 Σ_{i≠j} H_ij² = [4, 16 z0²] (hessian_penalty_tf.py)."""
  return [z[:, 0] * z[:, 1], z[:, 0]**2 * z[:, 1]]


def numpy_orojar(jacs):
  """Per output [batch] Σ_{i≠j} (J_i·J_j)² from [batch, *out, d] Jacobians."""
  result = []
  for jac in jacs:
    flat = jac.reshape(jac.shape[0], -1, jac.shape[-1])  # [batch, n, d]
    gram = np.einsum("bni,bnj->bij", flat, flat)
    result.append((gram**2).sum((1, 2)) - (np.diagonal(gram, axis1=1, axis2=2)**2).sum(-1))
  return result


def brute_full_hessians(fn, z):
  """Per output a NumPy [batch, n, d, d] Hessian of every element, reverse-over-reverse."""
  with tf.GradientTape(persistent=True) as outer:
    outer.watch(z)
    with tf.GradientTape(persistent=True) as inner:
      inner.watch(z)
      outputs = [tf.reshape(y, [tf.shape(z)[0], -1]) for y in tf.nest.flatten(fn(z))]
    jacs = [inner.batch_jacobian(y, z) for y in outputs]  # [batch, n, d]
  return [outer.batch_jacobian(j, z).numpy() for j in jacs]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("net", ["dense", "conv"])
def test_exact_orojar_and_jl1_match_brute_force(net, dtype):
  fn = NETS[net](3, dtype)
  z = tf.random.stateless_normal([4, 3], [1, 1], dtype=dtype)
  jacs = brute_jacobians(fn, z)
  per_sample = numpy_orojar(jacs)
  for reduction in ("mean", "max", "sum"):
    got = orojar(fn, z, reduction=reduction)
    assert_close(got, sum(REDUCE[reduction](p) for p in per_sample), dtype)
  l1 = sum(np.abs(j).reshape(4, -1).sum(-1).mean() for j in jacs)
  assert_close(jl1(fn, z), l1, dtype)


def test_layer_weights_select_and_weigh_outputs():
  fn = conv_net(3, "float64")
  z = tf.random.stateless_normal([3, 3], [2, 1], dtype="float64")
  feat, image = numpy_orojar(brute_jacobians(fn, z))  # tf.nest order: sorted keys
  assert_close(orojar(fn, z, layer_weights={"image": 2.0}), 2 * image.mean(),
               "float64")
  assert_close(orojar(fn, z, layer_weights=[0.5, 3.0]),
               0.5 * feat.mean() + 3.0 * image.mean(), "float64")
  assert_close(orojar(fn, z, layer_weights=0.1), 0.1 * (feat + image).mean(),
               "float64")
  with pytest.raises(ValueError, match=r"does not return.*\['feat', 'image'\]"):
    orojar(fn, z, layer_weights={"img": 1.0})
  with pytest.raises(ValueError, match="one weight per output"):
    jl1(fn, z, layer_weights=[1.0])
  with pytest.raises(ValueError, match="mapping but fn returns a list"):
    regularizers.hessian_penalty(analytic, z, layer_weights={"a": 1.0})


@pytest.mark.parametrize("k", [2, 3])
def test_stochastic_orojar_is_unbiased(k):
  # 2 latents, each repeated 3000 times: the batch mean averages 3000 independent direction draws.
  fn = dense_net(3, "float64")
  z = tf.repeat(tf.random.stateless_normal([2, 3], [3, 3], dtype="float64"), 3000, axis=0)
  exact = orojar(fn, z)
  estimate = orojar(fn, z, num_directions=k, seed=7)
  np.testing.assert_allclose(estimate, exact, rtol=0.08)


def test_finite_differences_approach_exact_values():
  fn = conv_net(3, "float64")
  z = tf.random.stateless_normal([3, 3], [4, 2], dtype="float64")
  penalties = {
      "orojar_k2": lambda **kw: orojar(fn, z, num_directions=2, seed=3, **kw),
      "orojar_full": lambda **kw: orojar(fn, z, **kw),
      "jl1": lambda **kw: jl1(fn, z, **kw),
      "hessian_k2": lambda **kw: regularizers.hessian_penalty(fn, z, seed=3, **kw),
  }
  for name, penalty in penalties.items():
    exact = penalty(method="exact").numpy()
    errors = [abs(penalty(method="finite_difference", epsilon=eps).numpy() - exact) / exact
              for eps in (1e-1, 1e-2, 1e-3)]
    assert errors[0] > errors[1] > errors[2], (name, errors)
    assert errors[2] < 1e-2, (name, errors)


def test_hessian_penalty_on_analytic_function():
  z = tf.random.stateless_normal([5, 2], [5, 5], dtype="float64")
  expected = [4.0 * np.ones(5), 16.0 * z[:, 0].numpy()**2]
  for reduction in ("mean", "max"):
    for i, weights in enumerate(([1.0, 0.0], [0.0, 1.0])):
      got = regularizers.hessian_penalty(analytic, z, k=None, reduction=reduction, layer_weights=weights)
      np.testing.assert_allclose(got, REDUCE[reduction](expected[i]), rtol=1e-10)
  # The central difference is exact on a cubic polynomial: both methods agree direction by direction.
  exact = regularizers.hessian_penalty(analytic, z, k=4, seed=1, reduction="sum")
  finite = regularizers.hessian_penalty(analytic, z, k=4, seed=1, method="finite_difference", reduction="sum")
  np.testing.assert_allclose(finite, exact, rtol=1e-8)
  # Unbiased over directions: 2000 draws of k=2 average to the expectation.
  tiled = tf.repeat(z[:2], 1000, axis=0)
  for i, weights in enumerate(([1.0, 0.0], [0.0, 1.0])):
    estimate = regularizers.hessian_penalty(analytic, tiled, reduction="mean", layer_weights=weights, seed=2)
    np.testing.assert_allclose(estimate, expected[i][:2].mean(), rtol=0.08)


def test_exact_hessian_penalty_matches_brute_force():
  fn = dense_net(3, "float64")
  z = tf.random.stateless_normal([3, 3], [6, 6], dtype="float64")
  per_element = []
  for hess in brute_full_hessians(fn, z):  # [batch, n, d, d]
    off = hess * (1 - np.eye(3))
    per_element.append(2 * (off**2).sum((-1, -2)))
  for reduction in ("max", "mean"):
    got = regularizers.hessian_penalty(fn, z, k=None, reduction=reduction)
    assert_close(got, sum(REDUCE[reduction](p) for p in per_element), "float64")


def test_penalty_gradients_match_brute_force():
  fn = conv_net(3, "float64")
  z = tf.random.stateless_normal([3, 3], [7, 7], dtype="float64")
  with tf.GradientTape() as tape:
    penalty = orojar(fn, z, reduction="max") + jl1(fn, z)
  grads = tape.gradient(penalty, fn.trainable_variables)
  with tf.GradientTape() as outer:
    with tf.GradientTape(persistent=True) as inner:
      inner.watch(z)
      outputs = tf.nest.flatten(fn(z))
    brute = 0.0
    for y in outputs:
      jac = tf.reshape(inner.batch_jacobian(y, z), [3, -1, 3])  # [batch, n, d]
      gram = tf.einsum("bni,bnj->bij", jac, jac)
      off = tf.reduce_sum(tf.square(gram), [1, 2]) - tf.reduce_sum(tf.square(tf.linalg.diag_part(gram)), -1)
      brute += tf.reduce_max(off) + tf.reduce_mean(tf.reduce_sum(tf.abs(jac), [1, 2]))
  assert_close(penalty, brute, "float64")
  for got, want in zip(grads, outer.gradient(brute, fn.trainable_variables)):
    assert_close(got, want, "float64")


def test_xla_and_mirrored_strategy():
  strategy = tf.distribute.MirroredStrategy(tf.config.list_logical_devices("CPU"))
  with strategy.scope():
    fn = dense_net(3, "float32")
  z = tf.random.stateless_normal([2 * strategy.num_replicas_in_sync, 3], [8, 1])
  orojar_sum = lambda z: regularizers.orthogonal_jacobian(fn, z, reduction="sum")
  both = lambda z: tf.stack([orojar_sum(z), regularizers.orthogonal_jacobian(fn, z, num_directions=2)])
  xla = tf.function(both, jit_compile=True)(z)
  assert_close(xla[0], orojar_sum(z), "float32")
  assert xla[1] >= 0.0

  @tf.function
  def penalties(z):
    hessian = regularizers.hessian_penalty(fn, z, k=None, reduction="sum")
    return tf.stack([orojar(fn, z, reduction="sum"), hessian, jl1(fn, z) * tf.cast(tf.shape(z)[0], z.dtype)])

  batch = next(iter(strategy.experimental_distribute_dataset(
      tf.data.Dataset.from_tensor_slices(z).batch(z.shape[0]))))
  summed = strategy.reduce("SUM", strategy.run(penalties, args=(batch,)), axis=None)
  assert_close(summed, penalties(z), "float32")


def test_default_vectorized_strategy_matches_tile_in_value_and_gradient():
  fn = conv_net(3, "float64")
  z = tf.random.stateless_normal([3, 3], [9, 9], dtype="float64")
  results = []
  for strategy in ("vectorized", "tile"):
    with tf.GradientTape() as tape:
      value = (regularizers.orthogonal_jacobian(fn, z, num_directions=2, seed=1, strategy=strategy)
               + regularizers.jacobian_l1(fn, z, strategy=strategy))
    results.append([value] + tape.gradient(value, fn.trainable_variables))
  for got, want in zip(*results):
    assert_close(got, want, "float64")


def test_return_outputs_gives_fn_at_z_from_the_penalty_pass():
  fn = conv_net(3, "float64")
  z = tf.random.stateless_normal([3, 3], [8, 1], dtype="float64")
  hp = regularizers.hessian_penalty
  cases = {
      "orojar k=2": lambda **kw: orojar(fn, z, num_directions=2, seed=2, **kw),
      "orojar full": lambda **kw: orojar(fn, z, layer_weights={"image": 1.0}, **kw),
      "jl1": lambda **kw: jl1(fn, z, **kw),
      "jl1 k=2": lambda **kw: jl1(fn, z, num_directions=2, seed=3, **kw),
      "hessian k=2": lambda **kw: hp(fn, z, seed=4, layer_weights={"feat": 1.0}, **kw),
      "hessian exact": lambda **kw: hp(fn, z, k=None, **kw),
  }
  want = fn(z)
  for name, penalty in cases.items():
    for method in ("exact", "finite_difference"):
      if name == "hessian exact" and method == "finite_difference":
        continue
      value, outputs = penalty(method=method, return_outputs=True)
      assert_close(value, penalty(method=method), "float64")
      assert sorted(outputs) == ["feat", "image"], name  # the full structure, unpenalized outputs too
      for key in want:
        assert_close(outputs[key], want[key], "float64")


def test_latent_columns_draw_k_distinct_columns_uniformly():
  z = tf.zeros([6000, 5])
  directions, scale = regularizers.jacobian_penalties.latent_columns(z, 2, seed=1)
  assert directions.shape == (2, 6000, 5) and scale == 2.5
  per_sample = tf.reduce_sum(directions, axis=0).numpy()  # [batch, d]: 0/1, two ones per sample
  assert set(np.unique(per_sample)) == {0.0, 1.0} and np.all(per_sample.sum(-1) == 2)
  np.testing.assert_allclose(per_sample.mean(0), 2 / 5, atol=0.03)  # P(column i drawn) = k/d


def test_stochastic_jl1_is_unbiased_within_its_standard_error():
  d, k, draws = 6, 2, 3000
  fn = dense_net(d, "float64")
  z0 = tf.random.stateless_normal([1, d], [5, 1], dtype="float64")
  per_column = sum(np.abs(j[0]).sum(0) for j in brute_jacobians(fn, z0))  # a_i = Σ_n |J_ni|, [d]
  exact = per_column.sum()
  assert_close(jl1(fn, z0, num_directions=d, seed=2), exact, "float64")  # k = d: every column, scale 1
  # One latent repeated: the batch mean averages `draws` independent k-column draws. Sampling k of d
  # without replacement: Var[(d/k) Σ_drawn a_i] = (d/k)² k σ² (d − k)/(d − 1), σ² the variance of a_i.
  estimate = jl1(fn, tf.repeat(z0, draws, axis=0), num_directions=k, seed=3).numpy()
  stderr = np.sqrt((d / k)**2 * k * per_column.var() * (d - k) / (d - 1) / draws)
  assert abs(estimate - exact) < 4 * stderr, (estimate, exact, stderr)
  assert stderr < 0.05 * exact  # the check has power


def test_bad_arguments_raise_clear_errors():
  fn = dense_net(3, "float32")
  z = tf.zeros([2, 3])
  with pytest.raises(ValueError, match="Unknown method 'fd'.*'finite_difference'"):
    orojar(fn, z, method="fd")
  with pytest.raises(ValueError, match="Unknown reduction 'median'"):
    regularizers.hessian_penalty(fn, z, reduction="median")
  with pytest.raises(ValueError, match="num_directions must be an int >= 2"):
    orojar(fn, z, num_directions=1)
  with pytest.raises(ValueError, match=r"\[batch, d\]"):
    jl1(fn, tf.zeros([3]))
  with pytest.raises(ValueError, match="epsilon must be > 0"):
    jl1(fn, z, method="finite_difference", epsilon=0.0)
  with pytest.raises(ValueError, match="k=None.*method='exact'"):
    regularizers.hessian_penalty(fn, z, k=None, method="finite_difference")
  for bad in (0, 4, 2.0):
    with pytest.raises(ValueError, match=r"num_directions must be an int in \[1, d = 3\]"):
      jl1(fn, z, num_directions=bad)
