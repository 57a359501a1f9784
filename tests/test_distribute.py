"""Strategy factory and replica scaling: one and two replicas take the same step on the same global batch."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfdis import distribute
from tfdis.models import beta_vae as beta_vae_lib

SHAPE = (16, 16, 1)


def test_strategy_names(monkeypatch):
  assert isinstance(distribute.make_strategy("one_device"), tf.distribute.OneDeviceStrategy)
  mirrored = distribute.make_strategy("mirrored")
  assert mirrored.num_replicas_in_sync == 2  # the two logical CPUs of conftest.py
  with pytest.raises(ValueError, match="one of"):
    distribute.make_strategy("horovod")
  monkeypatch.delenv("TF_CONFIG", raising=False)
  with pytest.raises(ValueError, match="TF_CONFIG"):
    distribute.make_strategy("multi_worker")


def test_replica_scale_divides_by_replica_count():
  assert float(distribute.replica_scale(tf.constant(6.0))) == 6.0
  strategy = distribute.make_strategy("mirrored")
  per_replica = strategy.run(lambda: distribute.replica_scale(tf.constant(6.0)))
  assert [float(v) for v in strategy.experimental_local_results(per_replica)] == [3.0, 3.0]


def _one_step(strategy, weights, images):
  with strategy.scope():
    model = beta_vae_lib.beta_vae(SHAPE, latent_dim=3, beta=2.0)
    model.sample = lambda mean, logvar: mean  # the step must not depend on how noise is split over replicas.
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
  data = tf.data.Dataset.from_tensors({"image": images})
  model.fit(data, epochs=1, verbose=0)
  return model.get_weights()


def test_one_and_two_replicas_take_the_same_step():
  images = tf.constant(np.random.RandomState(0).uniform(size=(8,) + SHAPE), tf.float32)
  weights = beta_vae_lib.beta_vae(SHAPE, latent_dim=3).get_weights()
  one = _one_step(distribute.make_strategy("one_device"), weights, images)
  two = _one_step(distribute.make_strategy("mirrored"), weights, images)
  moved = max(np.abs(a - w).max() for a, w in zip(one, weights))
  assert moved > 1e-4  # the step really changed the weights,
  for a, b in zip(one, two):  # and both strategies changed them identically.
    np.testing.assert_allclose(a, b, atol=1e-6, rtol=1e-5)


def test_multi_worker_config_is_read_from_tf_config(monkeypatch):
  monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {}}))
  with pytest.raises(ValueError, match="'task'"):
    distribute.make_strategy("multi_worker")
