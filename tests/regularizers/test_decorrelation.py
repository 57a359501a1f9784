"""distance_covariance and cross_covariance against direct NumPy computations and known properties."""

import numpy as np
import pytest
import tensorflow as tf

from tfdis import regularizers


def numpy_dcov(x, y):
  """dCov² by the textbook O(N²) double loop (mddAE eq. 10–14)."""
  n = len(x)
  a = np.array([[np.linalg.norm(x[i] - x[j]) for j in range(n)] for i in range(n)])
  b = np.array([[np.linalg.norm(y[i] - y[j]) for j in range(n)] for i in range(n)])
  big_a = a - a.mean(1, keepdims=True) - a.mean(0, keepdims=True) + a.mean()
  big_b = b - b.mean(1, keepdims=True) - b.mean(0, keepdims=True) + b.mean()
  return sum(big_a[i, j] * big_b[i, j] for i in range(n) for j in range(n)) / n**2


def numpy_xcov(x, y):
  """XCov = ½ Σ_ij [1/N Σ_n (x_ni − x̄_i)(y_nj − ȳ_j)]² (mddAE eq. 15)."""
  n, p, q = len(x), x.shape[1], y.shape[1]
  total = 0.0
  for i in range(p):
    for j in range(q):
      total += (np.sum((x[:, i] - x[:, i].mean()) * (y[:, j] - y[:, j].mean())) / n)**2
  return 0.5 * total


def dcor2(x, y):
  return regularizers.distance_covariance(x, y) / tf.sqrt(
      regularizers.distance_covariance(x, x) * regularizers.distance_covariance(y, y))


def test_values_match_numpy():
  rng = np.random.default_rng(0)
  x, y = rng.normal(size=(9, 3)), rng.normal(size=(9, 2))
  y[:, 0] += x[:, 0]**2
  np.testing.assert_allclose(regularizers.distance_covariance(x, y), numpy_dcov(x, y), rtol=1e-10)
  np.testing.assert_allclose(regularizers.cross_covariance(x, y), numpy_xcov(x, y), rtol=1e-10)
  x32, y32 = x.astype(np.float32), y.astype(np.float32)
  np.testing.assert_allclose(regularizers.distance_covariance(x32, y32), numpy_dcov(x, y), rtol=1e-5)
  np.testing.assert_allclose(regularizers.cross_covariance(x32, y32), numpy_xcov(x, y), rtol=1e-5)


def test_dcov_properties():
  rng = np.random.default_rng(1)
  x, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
  base = regularizers.distance_covariance(x, y).numpy()
  rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
  assert regularizers.distance_covariance(np.ones((40, 3)) * 2.5, y).numpy() == pytest.approx(0, abs=1e-12)
  np.testing.assert_allclose(regularizers.distance_covariance(x @ rotation + 7.0, y - 3.0), base, rtol=1e-10)
  np.testing.assert_allclose(regularizers.distance_covariance(y, x), base, rtol=1e-10)
  assert base >= 0


def test_dcov_detects_dependence_that_xcov_misses():
  rng = np.random.default_rng(2)
  x = rng.normal(size=(400, 1))
  independent = rng.normal(size=(400, 1))
  squared = x**2  # dependent, yet uncorrelated with x
  assert dcor2(x, independent) < 0.02
  assert dcor2(x, squared) > 0.2
  assert regularizers.cross_covariance(x, squared) < 0.05 * regularizers.cross_covariance(x, x + independent)


@pytest.mark.parametrize("penalty", [regularizers.distance_covariance, regularizers.cross_covariance])
def test_gradients_are_finite_with_duplicate_rows(penalty):
  x = tf.constant([[1.0, 2.0], [1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
  y = tf.constant([[0.5], [0.5], [1.0], [-2.0]])
  with tf.GradientTape() as tape:
    tape.watch([x, y])
    value = penalty(x, y)
  grads = tape.gradient(value, [x, y])
  assert all(np.all(np.isfinite(g)) for g in grads)
  assert any(np.any(g != 0) for g in grads)
  # Descending the gradient decreases the penalty.
  smaller = penalty(x - 0.01 * grads[0], y - 0.01 * grads[1])
  assert smaller < value


def test_under_tf_function_and_xla():
  rng = np.random.default_rng(3)
  x, y = rng.normal(size=(16, 3)).astype(np.float32), rng.normal(size=(16, 4)).astype(np.float32)
  both = lambda x, y: tf.stack([regularizers.distance_covariance(x, y), regularizers.cross_covariance(x, y)])
  np.testing.assert_allclose(tf.function(both, jit_compile=True)(x, y), both(x, y), rtol=1e-4)


def test_bad_inputs_raise_clear_errors():
  with pytest.raises(ValueError, match=r"\[batch, features\].*x\[:, None\]"):
    regularizers.distance_covariance(np.zeros(5), np.zeros((5, 2)))
  with pytest.raises(ValueError, match="same batch size"):
    regularizers.cross_covariance(np.zeros((5, 1)), np.zeros((4, 1)))
  with pytest.raises(ValueError, match="share a dtype"):
    regularizers.cross_covariance(tf.zeros((5, 1), tf.float32), tf.zeros((5, 1), tf.float64))
  with pytest.raises(ValueError, match="floating"):
    regularizers.distance_covariance(np.zeros((5, 1), np.int32), np.zeros((5, 1), np.int32))
