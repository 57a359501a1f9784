"""LORD's TensorBoard pictures: inputs, reconstructions and a class × content transfer grid."""

import tensorflow as tf

from tfdis import editing


def summary_images(model, images):
  """`model`'s inputs, reconstructions and transfer grid (rows: class source, columns: content source).

  In stage 1 of latent optimization the encoders are untrained: the grid then decodes the class embeddings
  of classes 0..3 with the content embeddings of training images 0..3.
  """
  n = min(int(images.shape[0]), 4)  # A 4×4 grid: 16 decodes, affordable at every checkpoint on a CPU.
  optimizer = getattr(model, "optimizer", None)
  step = int(optimizer.iterations.numpy()) if optimizer is not None else 0
  if step >= model.stage1_steps or model.amortized:  # stage 2, or encoders trained from the start
    grid = editing.transfer_grid(model.encode_parts, model.decode, images[:n], images[:n])
    return {"inputs": images, "reconstructions": model.decode(model.encode(images)), "transfer": grid}
  class_codes, content_codes = model.training_codes(tf.range(min(n, model.num_classes)),
                                                   tf.range(min(n, model.num_images)))
  grid = editing.transfer_grid(lambda codes: (codes, codes), model.decode, class_codes, content_codes)
  return {"inputs": images, "transfer_training_codes": grid}
