"""Decorrelation penalties between two batches of codes (mddAE, Song et al. 2020, section 3.4)."""

import gin
import tensorflow as tf


def _check_pair(x, y):
  """Returns x, y as floating [batch, features] tensors of one dtype, or raises a ValueError."""
  x = tf.convert_to_tensor(x)
  y = tf.convert_to_tensor(y, dtype_hint=x.dtype)
  for name, t in (("x", x), ("y", y)):
    if t.shape.rank != 2:
      raise ValueError(f"{name} must have shape [batch, features], got {t.shape}: reshape it with "
                       f"tf.reshape({name}, [batch, -1]) (a vector of scalars becomes {name}[:, None]).")
    if not t.dtype.is_floating:
      raise ValueError(f"{name} must be floating, got {t.dtype.name}: "
                       f"cast it with tf.cast({name}, tf.float32).")
  if x.dtype != y.dtype:
    raise ValueError(f"x and y must share a dtype, got {x.dtype.name} and {y.dtype.name}: cast one of them.")
  if x.shape[0] is not None and y.shape[0] is not None and x.shape[0] != y.shape[0]:
    raise ValueError(f"x and y must have the same batch size, got {x.shape[0]} and {y.shape[0]}: "
                     "pass paired samples (row n of x with row n of y).")
  return x, y


def _safe_distances(x):
  """[N, p] -> [N, N] Euclidean distances ‖x_n − x_m‖ whose gradient is finite when rows coincide.

  The norm is not differentiable at 0 (d‖u‖/du = u/‖u‖), which gives NaN gradients on the diagonal and for
  duplicate rows. The double-`where` trick takes the square root only of strictly positive squared
  distances and returns 0 (value and gradient, a valid subgradient) elsewhere: the value stays exact,
  with no epsilon bias. Memory O(N²·p) for the pairwise differences, exact for coincident rows.
  """
  diff = x[:, tf.newaxis, :] - x[tf.newaxis, :, :]  # [N, N, p]
  squared = tf.reduce_sum(tf.square(diff), axis=-1)  # [N, N]
  positive = squared > 0
  safe = tf.where(positive, squared, tf.ones_like(squared))
  return tf.where(positive, tf.sqrt(safe), tf.zeros_like(squared))


def _double_center(a):
  """A_nm = a_nm − ā_n· − ā_·m + ā_·· (eq. 12–13)."""
  row = tf.reduce_mean(a, axis=1, keepdims=True)  # [N, 1]
  col = tf.reduce_mean(a, axis=0, keepdims=True)  # [1, N]
  return a - row - col + tf.reduce_mean(a)


@gin.register
def distance_covariance(x, y):
  """Squared sample distance covariance dCov²(x, y) (Székely et al. 2007; mddAE eq. 10–14).

  a_nm = ‖x_n − x_m‖, b_nm = ‖y_n − y_m‖ (eq. 10–11), doubly centered to A, B (eq. 12–13), and
  dCov² = 1/N² Σ_nm A_nm B_nm (eq. 14): the biased V-statistic, as in the authors' follow-up code
  (zjsong/CDNet `distance_covariance.py`). It is >= 0, zero when either argument is constant, invariant to
  shifts and rotations of either argument, and zero in the population iff x and y are independent.
  Gradients stay finite (zero through the self- and duplicate distances) when rows coincide.

  Args:
    x: [N, p] samples, e.g. the soft targets ŷ.
    y: [N, q] paired samples, e.g. the latent codes z.

  Returns:
    Scalar dCov²(x, y).
  """
  x, y = _check_pair(x, y)
  a = _double_center(_safe_distances(x))  # [N, N]
  b = _double_center(_safe_distances(y))  # [N, N]
  return tf.reduce_mean(a * b)


@gin.register
def cross_covariance(x, y):
  """Cross-covariance penalty XCov(x, y) (Cheung et al. 2015; mddAE eq. 15).

  XCov = ½ Σ_ij [1/N Σ_n (x_ni − x̄_i)(y_nj − ȳ_j)]² = Σ_ij ((x − x̄)ᵀ(y − ȳ))²_ij / (2N²).

  Args:
    x: [N, p] samples.
    y: [N, q] paired samples.

  Returns:
    Scalar XCov(x, y).
  """
  x, y = _check_pair(x, y)
  n = tf.cast(tf.shape(x)[0], x.dtype)
  xc = x - tf.reduce_mean(x, axis=0, keepdims=True)
  yc = y - tf.reduce_mean(y, axis=0, keepdims=True)
  cov = tf.matmul(xc, yc, transpose_a=True) / n  # [p, q]
  return 0.5 * tf.reduce_sum(tf.square(cov))
