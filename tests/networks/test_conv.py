"""disentanglement_lib conv encoder/decoder: shapes, layer sizes, bad shapes, the batch-normalized decoder."""

import keras
import pytest

from tfdis import networks


@pytest.mark.parametrize("shape", [(64, 64, 1), (32, 32, 3)])
def test_shapes(shape):
  encoder = networks.conv_encoder(shape, 10, logvar_bias_init=-3.0)
  decoder = networks.conv_decoder(10, shape)
  assert [tuple(o.shape) for o in encoder.outputs] == [(None, 10), (None, 10)]
  assert tuple(decoder.outputs[0].shape) == (None,) + shape
  assert float(encoder.get_layer("logvar").bias.numpy().mean()) == -3.0


def test_layer_widths_follow_disentanglement_lib():
  encoder = networks.conv_encoder((64, 64, 1), 10)
  filters = [layer.filters for layer in encoder.layers if hasattr(layer, "filters")]
  assert filters == [32, 32, 64, 64]
  decoder = networks.conv_decoder(10, (64, 64, 1))
  assert [layer.units for layer in decoder.layers if hasattr(layer, "units")] == [256, 4 * 4 * 64]


def test_image_side_not_multiple_of_16_is_rejected():
  with pytest.raises(ValueError, match="multiples of 16"):
    networks.conv_encoder((28, 28, 1), 10)


def test_batch_norm_decoder_normalizes_every_hidden_layer_and_the_default_has_none():
  normalized = networks.conv_decoder(10, (32, 32, 1), batch_norm=True)
  norms = [layer for layer in normalized.layers if isinstance(layer, keras.layers.BatchNormalization)]
  assert len(norms) == 5 and all(norm.synchronized for norm in norms)  # 2 dense + 3 transposed convolutions
  assert [layer.use_bias for layer in normalized.layers if hasattr(layer, "use_bias")] == [False] * 5 + [True]
  plain = networks.conv_decoder(10, (32, 32, 1))
  assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in plain.layers)
  assert tuple(normalized.outputs[0].shape) == tuple(plain.outputs[0].shape) == (None, 32, 32, 1)
