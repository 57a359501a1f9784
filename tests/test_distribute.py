"""Strategy factory and replica scaling (the per-family 1-vs-2-replica step parity: test_replica_parity.py)."""

import json

import pytest
import tensorflow as tf

from tfdis import distribute



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


def test_multi_worker_config_is_read_from_tf_config(monkeypatch):
  monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {}}))
  with pytest.raises(ValueError, match="'task'"):
    distribute.make_strategy("multi_worker")
