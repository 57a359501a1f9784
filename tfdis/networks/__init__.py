"""Network builders: functions returning Keras functional models."""

from tfdis.networks.conv import conv_decoder
from tfdis.networks.conv import conv_encoder
