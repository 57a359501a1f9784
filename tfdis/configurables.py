"""Registers the external (Keras) classes that gin files refer to, in one place (STYLE.md rule 2).

`gin.configurable` on a Keras Model subclass breaks its instantiation, so tfdis models are built by
`@gin.register` factories; Keras optimizers and schedules are registered here as external configurables.
"""

import gin
import keras

for _optimizer in (keras.optimizers.Adam, keras.optimizers.AdamW, keras.optimizers.SGD,
                   keras.optimizers.RMSprop):
  gin.external_configurable(_optimizer, module="keras.optimizers")

for _schedule in (keras.optimizers.schedules.CosineDecay, keras.optimizers.schedules.ExponentialDecay):
  gin.external_configurable(_schedule, module="keras.optimizers.schedules")
