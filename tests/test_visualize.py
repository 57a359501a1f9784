"""Grid tiling and PNG writing."""

import numpy as np
from PIL import Image
import pytest

from tfdis import visualize


def test_tile_places_cells_row_major_with_borders():
  images = np.zeros((2, 3, 2, 2, 1), np.float32)
  images[1, 2] = 0.5
  grid = visualize.tile(images, border=1)
  assert grid.shape == (2 * 3 + 1, 3 * 3 + 1, 1)
  assert grid[0].min() == 1.0  # the top border
  np.testing.assert_array_equal(grid[4:6, 7:9], 0.5)
  np.testing.assert_array_equal(grid[1:3, 1:3], 0.0)


def test_tile_rejects_bad_rank():
  with pytest.raises(ValueError, match="rows, cols"):
    visualize.tile(np.zeros((2, 2)))


def test_save_png_round_trips(tmp_path):
  image = np.linspace(0, 1, 12, dtype=np.float32).reshape(2, 2, 3)
  path = visualize.save_png(image, str(tmp_path / "x.png"))
  back = np.asarray(Image.open(path), np.float32) / 255
  np.testing.assert_allclose(back, image, atol=1 / 255)
  assert not (tmp_path / "x.png.tmp").exists()


def test_labelled_grid_puts_the_tiled_grid_below_and_right_of_text_strips():
  images = np.full((2, 3, 4, 5, 3), 0.5, np.float32)
  picture = visualize.labelled_grid(images, ["z[0] -1..2", "z[1] 0..3"], ["-2", "0", "+2"], title="traversal")
  top, left = 2 * visualize.LINE_HEIGHT, visualize.label_width(["z[0] -1..2", "z[1] 0..3"])
  assert picture.shape == (top + 2 * 5 + 1, left + 3 * 6 + 1, 3)
  np.testing.assert_array_equal(picture[top:, left:], visualize.tile(images))
  assert picture[:top].min() < 0.5 and picture[top:, :left].min() < 0.5  # text in both strips
  assert left > visualize.label_width(["z"]) > 0 == visualize.label_width([])


def test_labelled_grid_without_labels_is_the_tile_and_rejects_a_wrong_label_count():
  images = np.zeros((3, 2, 2, 1), np.float32)
  np.testing.assert_array_equal(visualize.labelled_grid(images), visualize.tile(images))
  with pytest.raises(ValueError, match="col_labels has 2 labels for 3 cols"):
    visualize.labelled_grid(images, col_labels=["a", "b"])
