"""What every tfdis model shares: loss trackers, replica scaling, and the hooks the launcher calls."""

import keras
import tensorflow as tf

from tfdis import distribute
from tfdis import editing


class DisentanglementModel(keras.Model):
  """Base of the model families: a `keras.Model` with named loss terms and image summaries.

  Subclasses set `LOSS_NAMES` (the first is the total loss), implement `train_step`/`test_step` with
  `self.record(terms)`, and `summary_images(images)` for TensorBoard. They also implement `encode` and
  `decode`, which the launcher's traversal pictures and the exporter use.

  Several optimizers: name the extra ones in `OPTIMIZERS` and implement `optimizer_variables()`; `compile`
  then makes each (a clone of the main optimizer unless given by its name) and builds every one on its
  variables, so that `tf.train.Checkpoint(model=model)` saves them all.
  """

  LOSS_NAMES = ("loss",)
  # Constructor arguments saved by `get_config`: NETWORKS are Keras models (serialized, rebuilt by
  # `from_config`), SETTINGS plain values read back from the attributes of the same names.
  NETWORKS = ()
  SETTINGS = ()
  # Attributes holding the optimizers beside `self.optimizer` (see the class docstring).
  OPTIMIZERS = ()
  # The network whose first input is the image [batch, h, w, c] (`image_shape`).
  IMAGE_NETWORK = "encoder"

  def __init__(self, **kwargs):
    super().__init__(**kwargs)
    self.trackers = {name: keras.metrics.Mean(name=name) for name in self.LOSS_NAMES}
    for name in self.OPTIMIZERS:
      setattr(self, name, None)

  def get_config(self):
    config = super().get_config()
    config.update({key: keras.saving.serialize_keras_object(getattr(self, key)) for key in self.NETWORKS})
    config.update({key: _plain(getattr(self, key)) for key in self.SETTINGS})
    return config

  @classmethod
  def from_config(cls, config):
    config = dict(config)
    for key in cls.NETWORKS:
      config[key] = keras.saving.deserialize_keras_object(config[key])
    return cls(**config)

  @property
  def metrics(self):
    return list(self.trackers.values())

  @property
  def image_shape(self):
    """The (h, w, c) shape of the images the model encodes (the first input of `IMAGE_NETWORK`)."""
    return tuple(int(s) for s in getattr(self, self.IMAGE_NETWORK).inputs[0].shape[1:])

  def compile(self, optimizer="adam", **kwargs):
    """Compiles with `optimizer` and the `OPTIMIZERS`: each given by name, or a clone of `optimizer`."""
    given = {name: kwargs.pop(name, None) for name in self.OPTIMIZERS}
    super().compile(optimizer=optimizer, **kwargs)
    for name, value in given.items():
      setattr(self, name, self.clone_optimizer(name) if value is None else keras.optimizers.get(value))
    if self.OPTIMIZERS:
      self.build_optimizers()

  def clone_optimizer(self, name, **overrides):
    """A clone of `self.optimizer` for the extra optimizer `name` (subclasses override settings here)."""
    return clone_optimizer(self.optimizer, name, **overrides)

  def optimizer_variables(self):
    """{optimizer attribute: the variables it trains}; needed with `OPTIMIZERS`."""
    raise NotImplementedError(f"{type(self).__name__} lists OPTIMIZERS but not optimizer_variables().")

  def build_optimizers(self):
    """Builds every optimizer on the variables it trains (`optimizer_variables`)."""
    for name, variables in self.optimizer_variables().items():
      getattr(self, name).build(variables)

  def summary_latents(self, count, dim=None):
    """Fixed N(0, I) latents [count, dim or latent_dim] from `seed`: pictures at different steps compare."""
    seed = getattr(self, "seed", None) or 0
    return tf.random.stateless_normal([count, self.latent_dim if dim is None else dim], seed=[seed, 1])

  def record(self, terms):
    """Updates the trackers with the per-replica loss terms and returns the logs.

    Under MultiWorkerMirroredStrategy the logs have shape [1]: Keras 3 `fit` fails reducing scalar logs
    across workers (tensorflow/tensorflow#72388).
    """
    for name, value in terms.items():
      self.trackers[name].update_state(value)
    logs = {name: tracker.result() for name, tracker in self.trackers.items()}
    if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
      logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs

  def _maybe_symbolic_build(self, iterator=None, data_batch=None):
    """Skips Keras's symbolic build in `fit` when there is nothing left to build.

    The factories build the networks and the launcher builds the optimizers. Keras would otherwise reduce
    the first batch across replicas to trace a build, which fails for dict batches under
    MultiWorkerMirroredStrategy (a collective reduce of a nest: "Attempt to convert a value ({'image': ...").
    """
    if all(layer.built for layer in self._flatten_layers()) and (self.optimizer is None or self.optimizer.built):
      return None
    return super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

  def rng_states(self):
    """The state variables of every `keras.random.SeedGenerator` in the model and its layers.

    Keras does not put them in `tf.train.Checkpoint(model=...)`; the launcher checkpoints them beside the
    model so that a resumed run draws the same noise as an uninterrupted one.
    """
    generators = list(self._seed_generators)
    for layer in self._flatten_layers(include_self=False):
      generators.extend(getattr(layer, "_seed_generators", ()))
    return [generator.state for generator in generators]

  def minimize(self, tape, loss, variables, optimizer=None):
    """Applies one optimizer step on the per-replica `loss` recorded by `tape`.

    The gradient is taken of `loss / num_replicas_in_sync` (STYLE.md rule 4: Keras 3 sums the replicas'
    gradients), by seeding the backward pass with that factor, which also scales sparse gradients.
    """
    scale = distribute.replica_scale(tf.ones_like(loss))
    grads = tape.gradient(loss, variables, output_gradients=scale)
    (optimizer or self.optimizer).apply(grads, variables)

  def summary_images(self, images):
    """Returns {name: float32 [n, h, w, c] in [0, 1]} pictures of the model on `images`, for TensorBoard."""
    raise NotImplementedError

  def latent_traversal(self, images, values):
    """Decodes the code of `images[0]` with each latent dimension set to each of `values`.

    Returns:
      float32 [d, len(values), h, w, c] images: row i varies latent dimension i.
    """
    code = self.encode(images[:1])[0]
    return editing.traversal_grid(self.decode, code, values)


def image_shape_of(model):
  """The (h, w, c) image shape of a built model: `model.image_shape` (kept for the exporter's callers)."""
  return model.image_shape


def clone_optimizer(optimizer, name, **overrides):
  """A new, unbuilt optimizer of `optimizer`'s class and settings, named `name`, with `overrides` applied.

  Read from the config, not the attributes: under MirroredStrategy `optimizer.learning_rate` is a
  MirroredVariable.
  """
  return optimizer.__class__.from_config({**optimizer.get_config(), "name": name, **overrides})


def built(model, input_shape):
  """Calls a fresh model once on zeros [1, *input_shape], which builds it and its networks; returns it.

  Keras needs a subclassed model called once before save, export or `summary`.
  """
  model(tf.zeros((1,) + tuple(input_shape)))
  return model


def _plain(value):
  """A setting as `get_config` stores it: tuples as lists (the JSON form), the rest as is."""
  return list(value) if isinstance(value, tuple) else value


def gaussian_sample(mean, logvar, seed_generator):
  """Reparameterized sample mean + exp(logvar / 2) · ε, ε ~ N(0, I) drawn from `seed_generator`."""
  noise = keras.random.normal(tf.shape(mean), seed=seed_generator, dtype=mean.dtype)
  return mean + tf.exp(0.5 * logvar) * noise
