"""The file layout of an export version folder, shared by the exporter and the server (no TF import).

  EXPORT/NAME/VERSION/
    saved_model.pb, variables/     the SavedModel
    assets/tfdis_metadata.json     METADATA_PATH: family, image shape, latent layout, signatures, parity
    tflite/SIGNATURE.tflite        TFLITE_DIR: one file per signature that converts
"""

import os

METADATA_PATH = os.path.join("assets", "tfdis_metadata.json")
TFLITE_DIR = "tflite"
FORMAT_VERSION = 1
