"""A SavedModel small enough to write in a test: signature `scale`, x [n, 3] -> y = s·x [n, 3], total [n]."""

import os

import tensorflow as tf


def write_toy(root, name="toy", version=1, scale=10.0):
  """Writes ROOT/NAME/VERSION with the `scale` (and serving_default) signature; returns the folder."""

  class Toy(tf.Module):

    def __init__(self):
      super().__init__()
      self.factor = tf.Variable(scale, dtype=tf.float32)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
    def scale(self, x):
      return {"y": x * self.factor, "total": tf.reduce_sum(x, 1) * self.factor}

  toy = Toy()
  path = os.path.join(str(root), name, str(version))
  tf.saved_model.save(toy, path, signatures={"scale": toy.scale, "serving_default": toy.scale})
  return path
