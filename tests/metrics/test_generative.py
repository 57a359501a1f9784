"""FID, Inception Score, LPIPS and PPL: analytic facts of the formulas and the weight-file errors.

No network runs here (see test_generative_networks.py for the plumbing with random weights).
"""

import gin
import numpy as np
import pytest
from scipy import stats

from tfdis import metrics
from tfdis.metrics import generative
from tfdis.metrics.generative import path_length
from tfdis.metrics.generative import perceptual

METHODS = ("sqrtm", "eigh")


def _random_covariance(rng, dim):
  factor = rng.normal(size=(dim, dim))
  return factor @ factor.T / dim + 0.1 * np.eye(dim)


@pytest.mark.parametrize("method", METHODS)
def test_frechet_distance_of_one_dimensional_gaussians(method):
  # W2²(N(m1, s1²), N(m2, s2²)) = (m1 − m2)² + (s1 − s2)².
  value = metrics.frechet_distance([1.0], [[4.0]], [-2.0], [[9.0]], method=method)
  assert value == pytest.approx(9.0 + 1.0, rel=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_frechet_distance_of_commuting_covariances(method):
  # Σ1 = Q diag(a) Qᵀ, Σ2 = Q diag(b) Qᵀ: distance = ‖Δμ‖² + Σ (√a − √b)².
  rng = np.random.default_rng(0)
  q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
  a, b = rng.uniform(0.5, 3.0, 5), rng.uniform(0.5, 3.0, 5)
  mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
  expected = np.sum((mu1 - mu2)**2) + np.sum((np.sqrt(a) - np.sqrt(b))**2)
  value = metrics.frechet_distance(mu1, q @ np.diag(a) @ q.T, mu2, q @ np.diag(b) @ q.T, method=method)
  assert value == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("method", METHODS)
def test_frechet_distance_from_the_standard_normal(method):
  # Σ1 = I: tr((Σ1 Σ2)^½) = Σ √λ(Σ2), for a Σ2 that is not diagonal.
  rng = np.random.default_rng(1)
  sigma2 = _random_covariance(rng, 6)
  mu2 = rng.normal(size=6)
  expected = mu2 @ mu2 + 6 + np.trace(sigma2) - 2 * np.sum(np.sqrt(np.linalg.eigvalsh(sigma2)))
  assert metrics.frechet_distance(np.zeros(6), np.eye(6), mu2, sigma2, method=method) == pytest.approx(
      expected, rel=1e-8)


@pytest.mark.parametrize("method", METHODS + ("svd",))
def test_identical_feature_sets_are_at_distance_zero(method):
  features = np.random.default_rng(2).normal(size=(40, 8))
  value = generative.frechet_distance_from_features(features, features, method=method)
  assert value == pytest.approx(0.0, abs=1e-8)


@pytest.mark.parametrize("num_a, num_b, dim", [(60, 50, 6), (9, 12, 64)])  # full rank, rank deficient
def test_the_three_trace_methods_agree(num_a, num_b, dim):
  rng = np.random.default_rng(3)
  features_a = rng.normal(size=(num_a, dim)) @ rng.normal(size=(dim, dim))
  features_b = rng.normal(size=(num_b, dim)) + 0.5
  values = [generative.frechet_distance_from_features(features_a, features_b, method=m)
            for m in ("sqrtm", "eigh", "svd")]
  np.testing.assert_allclose(values, values[2], rtol=1e-6)


def test_distance_of_sampled_gaussians_approaches_the_analytic_value():
  rng = np.random.default_rng(4)
  mu1, sigma1 = np.array([0.0, 1.0, 2.0]), np.diag([1.0, 2.0, 0.5])
  mu2, sigma2 = np.array([1.0, 1.0, 0.0]), _random_covariance(rng, 3)
  expected = metrics.frechet_distance(mu1, sigma1, mu2, sigma2)
  samples_a = rng.multivariate_normal(mu1, sigma1, size=50_000)
  samples_b = rng.multivariate_normal(mu2, sigma2, size=50_000)
  assert metrics.frechet_distance(*metrics.feature_statistics(samples_a),
                                  *metrics.feature_statistics(samples_b)) == pytest.approx(expected, rel=0.02)


def test_feature_statistics_and_bad_inputs():
  features = np.random.default_rng(5).normal(size=(30, 4))
  mu, sigma = metrics.feature_statistics(features)
  np.testing.assert_allclose(mu, features.mean(axis=0))
  np.testing.assert_allclose(sigma, np.cov(features.T, ddof=1))
  with pytest.raises(ValueError, match="num_samples >= 2"):
    metrics.feature_statistics(features[:1])
  with pytest.raises(ValueError, match="one D"):
    metrics.frechet_distance(mu, sigma, mu[:3], sigma)
  with pytest.raises(ValueError, match="'svd' needs the features"):
    metrics.frechet_distance(mu, sigma, mu, sigma, method="svd")


def test_sqrtm_rejects_a_large_imaginary_part():
  # A "covariance" with a negative eigenvalue: √(−1) = i on the diagonal, as the standard code rejects.
  with pytest.raises(ValueError, match="imaginary"):
    metrics.frechet_distance([0.0, 0.0], np.diag([1.0, -1.0]), [0.0, 0.0], np.eye(2))


def test_inception_score_of_uniform_predictions_is_one():
  scores = generative.inception_score_from_probabilities(np.full((20, 10), 0.1), splits=4)
  assert scores["inception_score"] == pytest.approx(1.0)
  assert scores["inception_score_std"] == pytest.approx(0.0)


@pytest.mark.parametrize("splits", [1, 3])
def test_inception_score_of_confident_distinct_predictions_is_the_number_of_classes(splits):
  probabilities = np.tile(np.eye(7), (splits, 1))  # every split sees each of the 7 classes once
  scores = generative.inception_score_from_probabilities(probabilities, splits=splits)
  assert scores["inception_score"] == pytest.approx(7.0)
  assert scores["inception_score_std"] == pytest.approx(0.0, abs=1e-12)


def test_inception_score_of_a_mixed_case():
  # p1 = (1, 0), p2 = (½, ½): marginal (¾, ¼); KL1 = log(4/3), KL2 = ½ log(4/3): IS = (4/3)^¾.
  scores = generative.inception_score_from_probabilities([[1.0, 0.0], [0.5, 0.5]], splits=1)
  assert scores["inception_score"] == pytest.approx((4.0 / 3.0)**0.75)


def test_inception_score_rejects_bad_probabilities():
  with pytest.raises(ValueError, match="summing to 1"):
    generative.inception_score_from_probabilities(np.full((4, 3), 0.5), splits=1)
  with pytest.raises(ValueError, match="splits"):
    generative.inception_score_from_probabilities(np.full((4, 2), 0.5), splits=5)


def test_lpips_from_features_by_hand():
  # Layer 1, one position: (3, 4) vs (4, 3) normalise to (.6, .8) vs (.8, .6); weights (1, 2): .04 + .08.
  # Layer 2, 2×2 positions: e1 everywhere vs e1, e1, e1, e2; weights (1, 1): (0 + 0 + 0 + 2) / 4 = .5.
  layer1_a, layer1_b = np.array([[[[3.0, 4.0]]]]), np.array([[[[4.0, 3.0]]]])
  layer2_a = np.tile([1.0, 0.0], (1, 2, 2, 1))
  layer2_b = layer2_a.copy()
  layer2_b[0, 1, 1] = [0.0, 5.0]  # any length: features are unit-normalised
  weights = [np.array([1.0, 2.0]), np.array([1.0, 1.0])]
  value = perceptual.lpips_from_features([layer1_a, layer2_a], [layer1_b, layer2_b], weights)
  np.testing.assert_allclose(np.asarray(value), [0.62], rtol=1e-6)
  swapped = perceptual.lpips_from_features([layer1_b, layer2_b], [layer1_a, layer2_a], weights)
  np.testing.assert_allclose(np.asarray(swapped), np.asarray(value))


def _linear(scale):
  return lambda latents: scale * np.asarray(latents, np.float64)


def _squared_l2(images_a, images_b):
  return np.sum((np.asarray(images_a) - np.asarray(images_b))**2, axis=-1)


def test_ppl_in_z_of_a_scaled_identity_is_the_trimmed_mean_squared_angle():
  # slerp moves at speed θ (the angle between z0 and z1), so d/ε² = c²θ². In 2-D, θ ~ U(0, π): the mean
  # between the 1st and 99th percentiles is π²(0.99³ − 0.01³) / (3·0.98).
  scale = 3.0
  value = metrics.perceptual_path_length(_linear(scale), 2, np.random.default_rng(0), _squared_l2,
                                         num_samples=20_000, batch_size=5_000)["ppl"]
  expected = scale**2 * np.pi**2 * (0.99**3 - 0.01**3) / (3 * 0.98)
  assert value == pytest.approx(expected, rel=0.03)


def test_ppl_in_w_of_a_scaled_identity_is_a_trimmed_chi_square_mean():
  # lerp: d/ε² = c²‖w1 − w0‖², ‖w1 − w0‖²/2 ~ χ²_D; the trimmed mean of χ²_D over its [q1, q99] is
  # D·(F_{D+2}(q99) − F_{D+2}(q1)) / 0.98.
  scale, dim = 0.5, 4
  value = metrics.perceptual_path_length(_linear(scale), dim, 1, _squared_l2, num_samples=20_000,
                                         space="w", sampling="end", batch_size=5_000)["ppl"]
  low, high = stats.chi2.ppf([0.01, 0.99], dim)
  trimmed = dim * (stats.chi2.cdf(high, dim + 2) - stats.chi2.cdf(low, dim + 2)) / 0.98
  assert value == pytest.approx(2 * scale**2 * trimmed, rel=0.03)


def test_slerp_stays_on_the_unit_sphere_between_its_ends():
  rng = np.random.default_rng(6)
  a, b = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
  np.testing.assert_allclose(path_length.slerp(a, b, np.zeros((5, 1))), a / np.linalg.norm(a, axis=1,
                                                                                          keepdims=True))
  np.testing.assert_allclose(path_length.slerp(a, b, np.ones((5, 1))), b / np.linalg.norm(b, axis=1,
                                                                                         keepdims=True))
  middle = path_length.slerp(a, b, np.full((5, 1), 0.3))
  np.testing.assert_allclose(np.linalg.norm(middle, axis=1), 1.0)


def test_ppl_rejects_bad_arguments():
  with pytest.raises(ValueError, match=r"\[num_pairs\]"):
    metrics.perceptual_path_length(_linear(1.0), 2, 0, lambda a, b: np.zeros(3), num_samples=4)
  with pytest.raises(ValueError, match="space"):
    metrics.perceptual_path_length(_linear(1.0), 2, 0, _squared_l2, space="x")


@pytest.mark.parametrize("call, needed", [
    (lambda: metrics.fid(np.zeros((2, 8, 8, 1)), np.zeros((2, 8, 8, 1))),
     "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    (lambda: metrics.inception_score(np.zeros((2, 8, 8, 1))),
     "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"),
    (lambda: metrics.lpips(np.zeros((2, 16, 16, 1)), np.zeros((2, 16, 16, 1))),
     "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    (lambda: metrics.perceptual_path_length(_linear(1.0), 2, 0), "vgg16_weights_tf_dim_ordering_tf_kernels"),
])
def test_a_missing_weights_file_says_which_file_and_how_to_pass_it(call, needed):
  with pytest.raises(ValueError, match="weights_path") as error:
    call()
  assert needed in str(error.value)
  assert "storage.googleapis.com/tensorflow/keras-applications" in str(error.value)


def test_a_wrong_path_or_linear_file_raises(tmp_path):
  with pytest.raises(FileNotFoundError, match="inception_v3_weights_tf_dim_ordering_tf_kernels_notop"):
    metrics.fid(np.zeros((2, 8, 8, 1)), np.zeros((2, 8, 8, 1)), weights_path=tmp_path / "missing.h5")
  vgg = tmp_path / "vgg.h5"
  vgg.write_bytes(b"unused: the linear layers are read first")
  with pytest.raises(ValueError, match="lpips_vgg_v0.1.npz") as error:
    metrics.lpips(np.zeros((1, 16, 16, 3)), np.zeros((1, 16, 16, 3)), vgg)
  assert "lin{i}.model.1.weight" in str(error.value)
  linear = tmp_path / "linear.npz"
  np.savez(linear, **{f"lin{i}": np.ones(8) for i in range(5)})
  with pytest.raises(ValueError, match=r"\(64, 128, 256, 512, 512\)"):
    metrics.lpips(np.zeros((1, 16, 16, 3)), np.zeros((1, 16, 16, 3)), vgg, linear)


@gin.configurable
def _metric_holder(metric=None):
  return metric


def test_weights_paths_bind_with_gin(tmp_path):
  missing = str(tmp_path / "bound_by_gin.h5")
  gin.parse_config([f"fid.weights_path = '{missing}'", "_metric_holder.metric = @fid"])
  with pytest.raises(FileNotFoundError, match="bound_by_gin.h5"):
    _metric_holder()(np.zeros((2, 8, 8, 1)), np.zeros((2, 8, 8, 1)))
