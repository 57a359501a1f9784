"""Strategy factory and replica scaling (the per-family 1-vs-2-replica step parity: test_replica_parity.py)."""

import json

import pytest
import tensorflow as tf

from tfdis import distribute



def test_strategy_names(monkeypatch):
  # No GPU here: one device is TensorFlow's default strategy (fit reads the dataset in place).
  assert distribute.make_strategy("one_device") is tf.distribute.get_strategy()
  assert distribute.make_strategy("auto").num_replicas_in_sync == 1
  mirrored = distribute.make_strategy("mirrored")
  assert mirrored.num_replicas_in_sync == 2  # the two logical CPUs of conftest.py
  with pytest.raises(ValueError, match="one of"):
    distribute.make_strategy("horovod")
  monkeypatch.delenv("TF_CONFIG", raising=False)
  with pytest.raises(ValueError, match="TF_CONFIG"):
    distribute.make_strategy("multi_worker")


def test_one_device_with_a_gpu_is_one_device_strategy_on_it(monkeypatch):
  gpu = tf.config.LogicalDevice(name="/device:GPU:0", device_type="GPU")
  monkeypatch.setattr(tf.config, "list_logical_devices", lambda kind=None: [gpu] if kind == "GPU" else [])
  strategy = distribute.make_strategy("auto")
  assert isinstance(strategy, tf.distribute.OneDeviceStrategy)
  assert strategy.extended.worker_devices == ("/job:localhost/replica:0/task:0/device:GPU:0",)


def test_replica_scale_divides_by_replica_count():
  assert float(distribute.replica_scale(tf.constant(6.0))) == 6.0
  strategy = distribute.make_strategy("mirrored")
  per_replica = strategy.run(lambda: distribute.replica_scale(tf.constant(6.0)))
  assert [float(v) for v in strategy.experimental_local_results(per_replica)] == [3.0, 3.0]


def test_multi_worker_config_is_read_from_tf_config(monkeypatch):
  monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {}}))
  with pytest.raises(ValueError, match="'task'"):
    distribute.make_strategy("multi_worker")
