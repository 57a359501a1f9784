"""Strategy factory: one name per `tf.distribute` strategy, chosen by the `--strategy` flag."""

import json
import os

import tensorflow as tf

STRATEGIES = ("auto", "one_device", "mirrored", "multi_worker", "tpu")


def make_strategy(name="auto", tpu_address=""):
  """Returns the `tf.distribute.Strategy` named `name`.

  Args:
    name: "auto" (MirroredStrategy over all GPUs if there are several, else "one_device"), "one_device"
      (OneDeviceStrategy on the first GPU; without a GPU, TensorFlow's default strategy), "mirrored",
      "multi_worker" (reads `TF_CONFIG`), or "tpu" (untested here).
    tpu_address: TPU name or grpc address for "tpu".

  Returns:
    A `tf.distribute.Strategy`.

  Raises:
    ValueError: for an unknown name, or "multi_worker" without a `TF_CONFIG` naming a cluster.
  """
  if name not in STRATEGIES:
    raise ValueError(f"Unknown strategy {name!r}: use one of {', '.join(STRATEGIES)}.")
  if name == "auto":
    name = "mirrored" if len(tf.config.list_logical_devices("GPU")) > 1 else "one_device"
  if name == "one_device":
    gpus = tf.config.list_logical_devices("GPU")
    if not gpus:
      # TensorFlow's default strategy: the same one CPU as OneDeviceStrategy("/cpu:0"), but `fit` reads the
      # dataset in place instead of through a MultiDeviceIterator, whose autotuned per-device iterators stalled
      # the process for up to 20 s when garbage-collected (`tfdis.data.pipeline.without_autotune`).
      return tf.distribute.get_strategy()
    return tf.distribute.OneDeviceStrategy(gpus[0].name)
  if name == "mirrored":
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
      return tf.distribute.MirroredStrategy([d.name for d in gpus])
    # Logical CPU devices: reduce through one device. The default collective ops can reuse instance keys
    # across strategies in one process and then fail with "Shape mismatch in the collective instance".
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(cpus, cross_device_ops=tf.distribute.ReductionToOneDevice())
  if name == "multi_worker":
    config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    if "cluster" not in config or "task" not in config:
      raise ValueError("--strategy=multi_worker needs TF_CONFIG with 'cluster' and 'task' "
                       "(see README, 'Several machines').")
    return tf.distribute.MultiWorkerMirroredStrategy()
  resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu_address)
  tf.config.experimental_connect_to_cluster(resolver)
  tf.tpu.experimental.initialize_tpu_system(resolver)
  return tf.distribute.TPUStrategy(resolver)


def worker_dir(model_dir, strategy):
  """Where this process writes: `model_dir` on the chief, `model_dir/workers/<task>_<id>` on other workers.

  Under MultiWorkerMirroredStrategy every worker takes part in saving checkpoints; only the chief's land in
  `model_dir`, so that evaluate and export read one run.
  """
  if strategy.extended.should_checkpoint:
    return model_dir
  resolver = strategy.cluster_resolver
  return os.path.join(model_dir, "workers", f"{resolver.task_type}_{resolver.task_id}")


def replica_scale(loss):
  """Divides a per-replica loss by the number of replicas in sync.

  Keras 3 sums the gradients of the replicas in a custom `train_step`, so a loss averaged over the
  replica's share of the global batch must be divided by the replica count to give the global mean.
  """
  return loss / tf.cast(tf.distribute.get_strategy().num_replicas_in_sync, loss.dtype)
