"""Test-time latent optimization: LORD's codes of new images without the stage-2 encoders.

Gabbay & Hoshen 2020, Sec. 5 (Table 3, "w/o second stage"): the performance after the first stage only is
assessed "by optimizing over the latent codes of a new test image while keeping the rest of the model
frozen". `optimize_codes` does so per image: a class code and a content code minimizing the stage-1 objective
without noise, reconstruction(x, G(y, c)) + λ‖c‖², by Adam, through the frozen generator. The paper gives no
schedule, initialization or step count: codes start at the mean class embedding and a zero content code, and
`steps` and `learning_rate` are arguments (gin: `lord_leakage.latent_steps`, `.latent_learning_rate`).
The images are optimized in chunks, each image's loss scaled so that its codes do not depend on the chunk.
"""

import numpy as np
import tensorflow as tf

_BETA_1, _BETA_2, _EPSILON = 0.9, 0.999, 1e-8  # Adam's defaults


def _adam(t, value, grad, m, v, learning_rate):
  """One Adam step of `value` (t: 1-based step): (value, m, v)."""
  m = _BETA_1 * m + (1 - _BETA_1) * grad
  v = _BETA_2 * v + (1 - _BETA_2) * tf.square(grad)
  m_hat, v_hat = m / (1 - _BETA_1 ** t), v / (1 - _BETA_2 ** t)
  return value - learning_rate * m_hat / (tf.sqrt(v_hat) + _EPSILON), m, v


def _chunk_optimizer(model, steps, learning_rate):
  """A traced function images [b, h, w, c] -> (class codes, content codes) of `steps` Adam steps."""

  def loss_fn(images, class_codes, content_codes):
    batch = tf.cast(tf.shape(images)[0], tf.float32)
    reconstruction = model.reconstruction_fn(images, model.generator([class_codes, content_codes], training=False))
    decay = tf.reduce_mean(tf.reduce_sum(tf.square(content_codes), axis=-1))
    return batch * (reconstruction + model.content_decay * decay)  # a sum of per-image losses

  @tf.function
  def optimize(images):
    batch = tf.shape(images)[0]
    mean_class = tf.reduce_mean(model.class_embedding.embeddings, axis=0, keepdims=True)
    codes = [tf.tile(mean_class, [batch, 1]), tf.zeros([batch, model.content_dim])]
    moments = [tf.zeros_like(c) for c in codes] * 2  # m_y, m_c, v_y, v_c

    def body(t, y, c, m_y, m_c, v_y, v_c):
      with tf.GradientTape() as tape:
        tape.watch([y, c])
        loss = loss_fn(images, y, c)
      g_y, g_c = tape.gradient(loss, [y, c])
      step = tf.cast(t + 1, tf.float32)
      y, m_y, v_y = _adam(step, y, g_y, m_y, v_y, learning_rate)
      c, m_c, v_c = _adam(step, c, g_c, m_c, v_c, learning_rate)
      return t + 1, y, c, m_y, m_c, v_y, v_c

    loop = tf.while_loop(lambda t, *_: t < steps, body, [tf.constant(0), *codes, *moments])
    return loop[1], loop[2]

  return optimize


def optimize_codes(model, images, steps=200, learning_rate=0.01, batch_size=256):
  """Per-image (class, content) codes of `images` by latent optimization against `model`'s frozen generator.

  Args:
    model: a `LORD` model (its generator, class embedding, reconstruction loss and λ).
    images: [n, h, w, c] in [0, 1].
    steps: Adam steps per image.
    learning_rate: Adam's rate.
    batch_size: images optimized together (the result does not depend on it beyond round-off).

  Returns:
    (class codes float32 [n, class_dim], content codes float32 [n, content_dim]), NumPy.
  """
  if steps < 0 or learning_rate <= 0:
    raise ValueError(f"optimize_codes needs steps >= 0 and learning_rate > 0 (got {steps}, {learning_rate}).")
  images = np.asarray(images, np.float32)
  optimize = _chunk_optimizer(model, int(steps), float(learning_rate))
  parts = [optimize(tf.constant(images[i:i + batch_size])) for i in range(0, len(images), batch_size)]
  return (np.concatenate([np.asarray(y) for y, _ in parts]), np.concatenate([np.asarray(c) for _, c in parts]))
