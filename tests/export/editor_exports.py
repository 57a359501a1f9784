"""Tiny exports of every exported family under one root, for the editor's browser tests (test_editor_browser.py).

Each run takes 1–2 training steps with the smallest networks the family's own export test uses; the models
are untrained, which is all the editor needs: its checks compare the page with the SavedModel's answers.
"""

import json
import os
import shutil

from tfdis.export import export_lib, layout
from tfdis.launch import train_lib

TINY_IMAGES = ["DATASET = @tiny_images", "BATCH_SIZE = 4", "TRAIN_STEPS = 2", "CHECKPOINT_EVERY = 2"]
RUNS = {  # served model name: (gin files, bindings)
    "beta_vae": (["gin/runs/train.gin", "gin/models/beta_vae.gin"], TINY_IMAGES + ["LATENT_DIM = 3"]),
    "jl1_vae": (["gin/runs/train.gin", "gin/models/jl1_vae.gin"], TINY_IMAGES + ["LATENT_DIM = 3"]),
    "gan": (["gin/papers/gan/shapes2d.gin"],
            ["TRAIN_STEPS = 1", "CHECKPOINT_EVERY = 1", "BATCH_SIZE = 2", "regularized_gan.width = 2",
             "LATENT_DIM = 3"]),
    "mddae": (["gin/papers/mddae/glyphs.gin"],
              ["TRAIN_STEPS = 1", "CHECKPOINT_EVERY = 1", "BATCH_SIZE = 4", "LATENT_DIM = 2",
               "FILTERS = (4, 8)", "mddae.hidden = 8"]),
    "lord": (["gin/papers/lord/glyphs.gin"],
             ["TRAIN_STEPS = 2", "STAGE1_STEPS = 1", "CHECKPOINT_EVERY = 2", "BATCH_SIZE = 4", "NUM_IMAGES = 8",
              "lord.adain_dim = 8", "lord.encoder_width = 2", "lord.class_dim = 4", "lord.content_dim = 3"]),
    "lrli_vae": (["gin/papers/lrli_vae/glyphs.gin"],
                 ["TRAIN_STEPS = 1", "CHECKPOINT_EVERY = 1", "BATCH_SIZE = 4", "RELEVANT_DIM = 2",
                  "IRRELEVANT_DIM = 3", "GM_STEPS = 1"]),
}


def export_all(root, names=tuple(RUNS)):
  """Trains and exports each run of `names` to ROOT/exports/NAME/1; returns the export root."""
  exports = os.path.join(root, "exports")
  for name in names:
    files, bindings = RUNS[name]
    model_dir = os.path.join(root, "runs", name)
    train_lib.run(files, bindings, model_dir, strategy="one_device")
    export_lib.export_model(model_dir, os.path.join(exports, name, "1"), tflite=False)  # the editor reads none
  return exports


def with_recorded_activity(exports, activity, source="beta_vae", name="beta_vae_activity"):
  """Copies EXPORTS/SOURCE to EXPORTS/NAME with `activity` as the metadata's per-latent `latent_activity`
  (what the editor orders its sliders by when an export records one); once: an existing NAME is kept."""
  target = os.path.join(exports, name)
  if not os.path.exists(target):
    shutil.copytree(os.path.join(exports, source), target)
    path = os.path.join(target, "1", layout.METADATA_PATH)
    with open(path) as f:
      metadata = json.load(f)
    with open(path, "w") as f:
      json.dump({**metadata, "latent_activity": list(activity)}, f)
  return name


if __name__ == "__main__":  # python -m tests.export.editor_exports ROOT: exports to inspect the page by hand.
  import sys  # pylint: disable=g-import-not-at-top
  from tests import conftest  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import (tiny_images)
  print(export_all(sys.argv[1]))
