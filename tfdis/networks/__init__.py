"""Network builders: functions returning Keras functional models."""

from tfdis.networks.conv import conv_decoder
from tfdis.networks.conv import conv_encoder
from tfdis.networks.lrli import projection_discriminator
from tfdis.networks.mddae import mddae_decoder
from tfdis.networks.mddae import mddae_encoder
from tfdis.networks.adain import adain_generator
from tfdis.networks.adain import lord_encoder
