"""The machinery every family shares (tfdis.models.base): optimizer clones, extra optimizers, image shape,
the build helper, summary latents and settings-only `get_config`."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis.models import base
from tfdis.models.beta_vae import model as beta_vae_lib
from tfdis.models.lord import model as lord_lib
from tfdis.models.lrli_vae import model as lrli_vae_lib
from tfdis.models.mddae import model as mddae_lib
from tfdis.models.regularized_gan import model as gan_lib


class _TwoOptimizers(base.DisentanglementModel):
  """A dense model with one extra optimizer for its second layer."""

  NETWORKS = ()
  SETTINGS = ("widths", "seed")
  OPTIMIZERS = ("second_optimizer",)

  def __init__(self, widths=(3, 2), seed=None, **kwargs):
    super().__init__(**kwargs)
    self.widths, self.seed = tuple(widths), seed
    self.first, self.second = (keras.layers.Dense(w) for w in self.widths)

  @property
  def latent_dim(self):
    return 4

  def call(self, x):
    return self.second(self.first(x))

  def optimizer_variables(self):
    return {"optimizer": self.first.trainable_variables, "second_optimizer": self.second.trainable_variables}


def test_clone_optimizer_keeps_class_and_settings_and_applies_overrides():
  adam = keras.optimizers.Adam(3e-4, beta_1=0.5, epsilon=1e-8)
  clone = base.clone_optimizer(adam, "d_adam", learning_rate=1e-3)
  assert type(clone) is keras.optimizers.Adam and clone is not adam and not clone.built
  config = clone.get_config()
  assert (config["name"], config["beta_1"], config["epsilon"]) == ("d_adam", 0.5, 1e-8)
  assert config["learning_rate"] == pytest.approx(1e-3) and adam.get_config()["learning_rate"] == pytest.approx(3e-4)


def test_compile_clones_missing_extra_optimizers_takes_given_ones_and_builds_each_on_its_variables():
  model = base.built(_TwoOptimizers(), (5,))
  model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9))
  assert isinstance(model.second_optimizer, keras.optimizers.SGD) and model.second_optimizer.momentum == 0.9
  assert model.second_optimizer.name == "second_optimizer" and model.second_optimizer.built
  paths = [v.path for v in model.second_optimizer.variables]  # iteration, learning rate, one momentum per variable
  assert len(paths) == 2 + len(model.second.trainable_variables) and all(model.second.name in p for p in paths[2:])
  given = base.built(_TwoOptimizers(), (5,))
  given.compile(optimizer="sgd", second_optimizer=keras.optimizers.Adam(0.5))
  assert isinstance(given.second_optimizer, keras.optimizers.Adam)
  np.testing.assert_allclose(float(given.second_optimizer.learning_rate), 0.5)


def test_extra_optimizers_need_optimizer_variables():
  class Missing(_TwoOptimizers):
    optimizer_variables = base.DisentanglementModel.optimizer_variables

  model = base.built(Missing(), (5,))
  with pytest.raises(NotImplementedError, match="Missing lists OPTIMIZERS but not optimizer_variables"):
    model.compile(optimizer="sgd")


def test_built_calls_the_model_once_and_get_config_stores_settings_as_json_values():
  model = base.built(_TwoOptimizers(widths=(3, 2), seed=4), (5,))
  assert model.built and model.first.kernel.shape == (5, 3)
  config = model.get_config()
  assert config["widths"] == [3, 2] and config["seed"] == 4  # tuples stored as lists (the JSON form)
  clone = _TwoOptimizers.from_config(config)
  assert clone.widths == (3, 2) and clone.seed == 4


def test_summary_latents_are_fixed_by_the_seed():
  model = base.built(_TwoOptimizers(seed=4), (5,))
  first, again = model.summary_latents(3), model.summary_latents(3)
  np.testing.assert_array_equal(first, again)
  assert first.shape == (3, 4) and model.summary_latents(2, dim=6).shape == (2, 6)
  other = base.built(_TwoOptimizers(seed=5), (5,)).summary_latents(3)
  assert not np.allclose(first, other)
  np.testing.assert_array_equal(first, tf.random.stateless_normal([3, 4], seed=[4, 1]))


@pytest.mark.parametrize("build,shape", [
    (lambda s: beta_vae_lib.beta_vae(s, latent_dim=2), (16, 16, 1)),
    (lambda s: mddae_lib.mddae(s, 3, latent_dim=2, filters=(4,), hidden=8), (16, 16, 1)),
    (lambda s: lrli_vae_lib.lrli_vae(s, num_classes=3, relevant_dim=2, irrelevant_dim=2), (32, 32, 1)),
    (lambda s: lord_lib.lord(s, num_classes=2, num_images=4, stage1_steps=1, class_dim=2, content_dim=2,
                             adain_dim=4, encoder_width=2), (32, 32, 1)),
    (lambda s: gan_lib.regularized_gan(s, latent_dim=2, width=2), (64, 64, 1)),
])
def test_every_family_reports_its_image_shape(build, shape):
  model = build(shape)
  assert model.image_shape == shape and base.image_shape_of(model) == shape
