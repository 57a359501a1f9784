"""Every family takes the same optimizer step on one replica and on two (MirroredStrategy, 2 logical CPUs).

The families' noise (reparameterization, GAN latents, gradient-penalty mixing) is drawn per replica, so the
test replaces `keras.random.normal`/`uniform` by draws that depend only on the global example index: replica r
of R with a per-replica batch b gets rows r·b … (r+1)·b − 1 of one fixed table. What is left to differ is the
replica split itself, i.e. the loss scaling of `DisentanglementModel.minimize`.
"""

import gin
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import distribute
from tfdis import runs

GLOBAL_BATCH = 4

# Family -> (gin family, bindings on top of its tiny settings gin/tests/<family>.gin, image shape). Stochastic
# penalties (random directions) and per-replica reductions (OroJaR's official "max" over the batch; mddAE's
# dCov/XCov, statistics of the replica's batch, tested for its disAE variant in tests/models/test_mddae.py) are
# replica-dependent by definition and left out.
FAMILIES = {
    "beta_vae": ("beta_vae", ["BETA = 2.0"], (16, 16, 1)),
    "jl1_vae": ("jl1_vae", ["GAMMA = 0.5", "RAMP_STEPS = 0"], (16, 16, 1)),  # no ramp: the penalty is on
    "orojar_gan": ("gan", ["PENALTY = 'orthogonal_jacobian'", "PENALTY_WEIGHT = 1e-4",
                           "regularized_gan.penalty_kwargs = {'reduction': 'mean'}"], (64, 64, 1)),
    "vanilla_gan": ("gan", [], (64, 64, 1)),
    "lord_stage1": ("lord", ["NUM_CLASSES = 3", "NUM_IMAGES = 8", "STAGE1_STEPS = 5"], (32, 32, 1)),
    "lord_stage2": ("lord", ["NUM_CLASSES = 3", "NUM_IMAGES = 8", "STAGE1_STEPS = 0",
                             "lord.stage2_learning_rate = 0.01"], (32, 32, 1)),
    "lrli_vae": ("lrli_vae", ["NUM_CLASSES = 3"], (32, 32, 1)),
}


def tiny_factory(family, bindings):
  """The configured model factory of `family` with its tiny test settings and `bindings`."""
  files = [f"gin/runs/{family}.gin", f"gin/models/{family}.gin", f"gin/tests/{family}.gin"]
  runs.parse_gin(files, ["DATASET = @tiny_images", *bindings])
  return runs.configured("train.model_fn")


def _replica_rows(draw):
  """A keras.random replacement: this replica's rows of a table drawn for the global batch."""
  def fake(shape, *args, dtype=None, seed=None, **kwargs):
    del args, seed, kwargs
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context else 1
    replica = context.replica_id_in_sync_group if context else 0
    shape = tf.cast(tf.convert_to_tensor(shape), tf.int32)
    table = draw(tf.concat([[GLOBAL_BATCH], shape[1:]], axis=0), dtype or "float32")
    rows = GLOBAL_BATCH // replicas
    return table[replica * rows:(replica + 1) * rows]
  return fake


@pytest.fixture
def replica_independent_noise(monkeypatch):
  monkeypatch.setattr(keras.random, "normal", _replica_rows(
      lambda shape, dtype: tf.random.stateless_normal(shape, seed=[1, 2], dtype=dtype)))
  monkeypatch.setattr(keras.random, "uniform", _replica_rows(
      lambda shape, dtype: tf.random.stateless_uniform(shape, seed=[3, 4], dtype=dtype)))
  monkeypatch.setattr(keras.random, "randint", lambda shape, minval, maxval, *args, dtype="int32", **kwargs:
                      _replica_rows(lambda s, d: tf.random.stateless_uniform(
                          s, seed=[5, 6], minval=minval, maxval=maxval, dtype=tf.int32))(shape, dtype=dtype))


def _one_step(strategy, factory, shape, weights, images):
  with strategy.scope():
    model = factory(shape)
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    model.optimizer.build(model.trainable_variables)
  batch = {"image": images, "label": tf.range(GLOBAL_BATCH) % 3, "index": tf.range(GLOBAL_BATCH, dtype=tf.int64)}
  model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
  return model.get_weights()


@pytest.fixture
def clean_gin():
  yield
  gin.clear_config()


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_one_and_two_replicas_take_the_same_step(family, replica_independent_noise, clean_gin):
  del clean_gin
  name, bindings, shape = FAMILIES[family]
  factory = tiny_factory(name, bindings)
  images = tf.constant(np.random.RandomState(0).uniform(size=(GLOBAL_BATCH,) + shape), tf.float32)
  weights = factory(shape).get_weights()
  one = _one_step(distribute.make_strategy("one_device"), factory, shape, weights, images)
  two = _one_step(distribute.make_strategy("mirrored"), factory, shape, weights, images)
  steps_one = [a - w for a, w in zip(one, weights)]
  steps_two = [b - w for b, w in zip(two, weights)]
  largest = max(np.abs(s).max() for s in steps_one)
  assert largest > 1e-4  # the step moved the weights,
  for s1, s2 in zip(steps_one, steps_two):  # and both strategies moved them alike (float32 sums reordered).
    assert np.abs(s1 - s2).max() <= 1e-4 * largest + 1e-7


def test_the_noise_replacement_splits_one_global_table():
  fake = _replica_rows(lambda shape, dtype: tf.reshape(tf.range(GLOBAL_BATCH * 2, dtype=dtype), shape))
  strategy = distribute.make_strategy("mirrored")
  rows = strategy.experimental_local_results(strategy.run(lambda: fake([GLOBAL_BATCH // 2, 2])))
  np.testing.assert_array_equal(np.concatenate([r.numpy() for r in rows]), fake([GLOBAL_BATCH, 2]).numpy())
