r"""Exports a training run for serving: SavedModel signatures, TFLite files and metadata.

  python -m tfdis.export.export --model_dir=/tmp/beta_vae --export_dir=/tmp/export/beta_vae/1 [--overwrite]

The version folder is written atomically; an existing one is kept unless --overwrite. A damaged checkpoint
is never exported. A failure prints one line on stderr and exits with status 1. Serve the result with
`python -m tfdis.export.serve --export_dir=/tmp/export` or TF Serving, inspect it with `saved_model_cli show --all`.
"""

import sys

from tfdis import logs

if __name__ == "__main__":  # before TensorFlow is imported
  logs.init(sys.argv)

import json

from absl import app
from absl import flags

from tfdis.export import cli_flags
from tfdis.export import export_lib
from tfdis.export import tflite_lib
from tfdis.runs import cli

_MODEL_DIR = flags.DEFINE_string("model_dir", None,
                                 "Training run folder (config.gin, checkpoints/).", required=True)
_EXPORT_DIR = cli_flags.EXPORT_DIR  # EXPORT/NAME/VERSION, the version folder to write.
_OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace an existing version folder.")
_IMAGE_SHAPE = flags.DEFINE_list("image_shape", None, "h,w,c; default: the run's run.json (give it for older runs).")
_TOLERANCE = flags.DEFINE_float("tolerance", tflite_lib.DEFAULT_TOLERANCE,
                                "Largest accepted max |TFLite − SavedModel|.")
_TFLITE = flags.DEFINE_bool("tflite", True, "Convert every signature to TFLite and check it against the "
                            "SavedModel; --notflite writes the SavedModel only (serving and the editor need no more).")
_RESTORE_STRICT = flags.DEFINE_bool("restore_strict", False, "Refuse when the newest checkpoint is damaged "
                                    "instead of exporting the newest intact one.")


def main(argv):
  del argv
  image_shape = [int(s) for s in _IMAGE_SHAPE.value] if _IMAGE_SHAPE.value else None
  try:
    result = export_lib.export_model(_MODEL_DIR.value, _EXPORT_DIR.value, overwrite=_OVERWRITE.value,
                                     image_shape=image_shape, tolerance=_TOLERANCE.value,
                                     restore_strict=_RESTORE_STRICT.value, tflite=_TFLITE.value)
  except (export_lib.ExportError, tflite_lib.ParityError) as e:
    cli.fail(e)
  files = "SavedModel, TFLite files" if _TFLITE.value else "SavedModel (no TFLite: --notflite)"
  logs.phase("export", f"{_EXPORT_DIR.value} ({files}, assets/tfdis_metadata.json)")
  print(json.dumps(result, indent=2))


if __name__ == "__main__":
  flags.mark_flag_as_required("export_dir")
  app.run(main)
