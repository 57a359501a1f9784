"""mddAE's reconstruction scale and image range: the per-pixel mean (default, the authors' CDNet code) is eq. 2's
sum divided by the pixel count; the paper's [−1, 1] CelebA range ("symmetric") trains end to end with a tanh
decoder and the error on [−1, 1] while every public method and export signature stays on [0, 1]."""

import gin
import numpy as np
import pytest
import tensorflow as tf

from tfdis.launch import train_lib
from tfdis import losses
from tfdis.models.mddae import model as mddae_lib
from tfdis.models.mddae import signatures
from tfdis import runs

SHAPE = (16, 16, 3)
SMALL = {"filters": (8, 16), "hidden": 16, "latent_dim": 3}


def _batch(n=4, seed=0):
  rng = np.random.RandomState(seed)
  return {"image": tf.constant(rng.uniform(size=(n,) + SHAPE), tf.float32),
          "attributes": tf.constant(rng.randint(0, 2, size=(n, 5)), tf.float32)}


def _model(**kwargs):
  return mddae_lib.mddae(SHAPE, 5, targets="attributes", variant="mddae_dcov", **{"alpha": 0.0, **SMALL, **kwargs})


def test_per_pixel_mean_is_the_default_and_eq2_sum_is_pixel_count_times_it():
  mean_model = _model()
  assert mean_model.pixel_reduction == "mean"
  sum_model = _model(pixel_reduction="sum")
  sum_model.set_weights(mean_model.get_weights())
  data = _batch()
  mean_terms = mean_model.loss_terms(data, training=False)
  sum_terms = sum_model.loss_terms(data, training=False)
  x, x_hat = data["image"].numpy().astype(np.float64), mean_model(data["image"]).numpy().astype(np.float64)
  np.testing.assert_allclose(mean_terms["squared_error"], np.mean((x - x_hat) ** 2), rtol=1e-5)
  np.testing.assert_allclose(sum_terms["squared_error"], np.mean(np.sum((x - x_hat) ** 2, axis=(1, 2, 3))),
                             rtol=1e-5)
  pixels = np.prod(SHAPE)  # h·w·c = 768
  np.testing.assert_allclose(sum_terms["squared_error"] / mean_terms["squared_error"], pixels, rtol=1e-5)
  # The other terms do not change: the sum only reweights the reconstruction against β·BCE and γ·dCov.
  for name in ("discriminative", "decorrelation"):
    np.testing.assert_allclose(sum_terms[name], mean_terms[name], rtol=1e-6)


def test_symmetric_range_trains_two_steps_on_minus_one_one_and_returns_unit_images():
  model = _model(image_range="symmetric")
  model.compile(optimizer="adam")
  data = _batch(8)
  model.fit(tf.data.Dataset.from_tensors(data).repeat(), steps_per_epoch=2, epochs=1, verbose=0)
  assert int(model.optimizer.iterations) == 2
  images = data["image"]
  logits, z = model.encoder(2.0 * images - 1.0)  # the encoder reads [-1, 1]
  soft = tf.sigmoid(logits)
  np.testing.assert_allclose(model.encode_parts(images)[0], soft, atol=1e-6)
  rendered = np.tanh(model.decoder([soft, z]).numpy())  # tanh output, in [-1, 1]
  assert rendered.min() >= -1.0 and rendered.max() <= 1.0 and rendered.min() < 0.0
  terms = model.loss_terms(data, training=False)
  np.testing.assert_allclose(terms["squared_error"], np.mean((2 * images.numpy() - 1 - rendered) ** 2), rtol=1e-4)
  unit = model.decode_parts(soft, z).numpy()
  np.testing.assert_allclose(unit, (rendered + 1) / 2, atol=1e-6)
  np.testing.assert_allclose(terms["squared_error"], 4 * np.mean((images.numpy() - unit) ** 2), rtol=1e-4)
  with_dssim = _model(image_range="symmetric", alpha=1.0)
  with_dssim.set_weights(model.get_weights())  # DSSIM is taken on [0, 1] (MS-SSIM's range), not [-1, 1]
  np.testing.assert_allclose(with_dssim.loss_terms(data, training=False)["dssim"],
                             losses.dssim(images, tf.constant(unit)), rtol=1e-5)
  edited = model.set_attribute(images, tf.zeros([8], tf.int32), tf.fill([8], 2.5)).numpy()  # intensity > 1
  assert edited.min() >= 0.0 and edited.max() <= 1.0


def test_symmetric_range_export_signatures_keep_the_unit_contract():
  model = _model(image_range="symmetric")
  family = signatures.mddae_family(model)
  images = _batch()["image"]
  by_name = {s.name: s for s in family.signatures}
  out = by_name["reconstruct"].fn(images=images)["images"].numpy()
  np.testing.assert_allclose(out, model(images).numpy(), atol=1e-6)
  np.testing.assert_allclose(out, 0.5 * (np.tanh(model.decoder(list(model.encode_parts(images))).numpy()) + 1),
                             atol=1e-6)
  assert out.min() >= 0.0 and out.max() <= 1.0
  swept = by_name["attribute_sweep"].fn(images=images, attribute_index=tf.zeros([4], tf.int32),
                                        values=tf.constant([[-1.0, 0.0, 3.0]] * 4))["images"].numpy()
  assert swept.shape == (4, 3) + SHAPE and swept.min() >= 0.0 and swept.max() <= 1.0


def test_image_range_is_a_gin_option_symmetric_in_the_celeba_config_and_checked(tmp_path):
  runs.parse_gin(["gin/papers/mddae/celeba.gin"])
  try:
    assert gin.query_parameter("IMAGE_RANGE/macro.value") == "symmetric"
    assert str(gin.query_parameter("mddae.image_range")) == "%IMAGE_RANGE"
  finally:
    gin.clear_config()
  model = train_lib.run(["gin/papers/mddae/attributes.gin"],
                        ["TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4", "train.log_every = 1",
                         'IMAGE_RANGE = "symmetric"', "FILTERS = (8, 16, 16, 16)", "LATENT_DIM = 3"],
                        str(tmp_path))
  assert model.image_range == "symmetric" and int(model.optimizer.iterations) == 2
  with pytest.raises(ValueError, match="image_range"):
    _model(image_range="[-1, 1]")

