"""Every family's tiny run writes a labelled traversal.png and its other pictures (model_dir, TensorBoard)."""

import glob

import numpy as np
from PIL import Image
import pytest

from tfdis import runs
from tfdis import visualize
from tfdis.launch import callbacks
from tfdis.launch import train_lib

ONE_STEP = ["TRAIN_STEPS = 1", "CHECKPOINT_EVERY = 1", "BATCH_SIZE = 4"]
SLOW = pytest.mark.slow  # 20-105 s each on 2 shared cores (measured); jl1_vae and mddae take about 10 s
# (family, gin files, bindings, expected traversal rows): one offline paper config per family.
FAMILIES = [
    pytest.param("beta_vae", ["gin/papers/beta_vae/shapes2d.gin"], [], 10, marks=SLOW),
    pytest.param("jl1_vae", ["gin/papers/jl1_vae/shapes2d.gin"], [], 10),
    pytest.param("regularized_gan", ["gin/papers/orojar/shapes2d.gin"], [], 6, marks=SLOW),
    pytest.param("mddae", ["gin/papers/mddae/glyphs.gin"], [], callbacks.MAX_TRAVERSAL_ROWS),
    pytest.param("lord", ["gin/papers/lord/glyphs.gin"], ["NUM_IMAGES = 8", "STAGE1_STEPS = 1"],
                 callbacks.MAX_TRAVERSAL_ROWS, marks=SLOW),
    pytest.param("lrli_vae", ["gin/papers/lrli_vae/glyphs.gin"], [], callbacks.MAX_TRAVERSAL_ROWS, marks=SLOW),
    pytest.param("cvae_gan", ["gin/papers/lrli_vae/glyphs.gin", "gin/models/cvae_gan.gin"], [],
                 callbacks.MAX_TRAVERSAL_ROWS, marks=SLOW),
]


@pytest.mark.parametrize("family,gin_files,bindings,rows", FAMILIES, ids=lambda v: v if isinstance(v, str) else "")
def test_a_one_step_run_writes_a_labelled_traversal(family, gin_files, bindings, rows, tmp_path):
  runs.parse_gin(gin_files, ONE_STEP + bindings)
  model = train_lib.train(model_dir=str(tmp_path))
  assert model.name.startswith(family.split("_")[0]) or family == "regularized_gan"
  h, w, _ = runs.run_image_shape(str(tmp_path))
  picture = np.asarray(Image.open(tmp_path / "traversal.png"), np.float32) / 255
  top = 2 * visualize.LINE_HEIGHT  # the title line and the column labels
  body = picture[top:]
  assert body.shape[0] == rows * (h + 1) + 1  # one row per latent shown, 1-pixel borders
  left = picture.shape[1] - (7 * (w + 1) + 1)  # seven values per latent
  assert left > 0 and picture[:top].min() < 0.5 and picture[top:, :left].min() < 0.5  # text in the strips
  np.testing.assert_array_equal(body[:, left], 1.0)  # the grid's white left border follows the strip
  assert (tmp_path / "pictures" / "traversal.png").exists()
  assert len(glob.glob(str(tmp_path / "pictures" / "*.png"))) > 1
  assert glob.glob(str(tmp_path / "train" / "events.out.tfevents.*"))


def test_range_traversal_sweeps_each_shown_latent_between_its_batch_extremes():
  class Linear:  # decode(codes) = the codes as 1×L "images": the traversal's codes become visible
    def encode(self, images):
      return images.reshape(len(images), -1)

    def decode(self, codes):
      return np.asarray(codes).reshape(len(codes), 1, -1, 1)

  images = np.array([[0.0, 5.0, 1.0], [1.0, 5.0, 3.0]], np.float32)
  grid, rows, cols = callbacks.range_traversal(Linear(), images, steps=3)
  assert rows == ["z[0] 0..1", "z[2] 1..3"] and cols == ["0.00", "0.50", "1.00"]  # z[1] is constant: left out
  np.testing.assert_allclose(grid[..., 0, :, 0], [[[0, 5, 1], [0.5, 5, 1], [1, 5, 1]],
                                                  [[0, 5, 1], [0, 5, 2], [0, 5, 3]]])
