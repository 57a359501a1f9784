"""Pictures: tile image batches into grids with label strips, write PNGs and TensorBoard images."""

import os

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

LINE_HEIGHT = 13  # pixels of one label line (Pillow's default font is 11 pixels high)
_PAD = 3


def tile(images, border=1):
  """Tiles images into one grid picture.

  Args:
    images: [n, h, w, c] (one row) or [rows, cols, h, w, c], values in [0, 1].
    border: pixels of white border between cells.

  Returns:
    float32 [rows·(h+border)+border, cols·(w+border)+border, c] in [0, 1].
  """
  images = np.asarray(images, np.float32)
  if images.ndim == 4:
    images = images[np.newaxis]
  if images.ndim != 5:
    raise ValueError(f"tile needs [n, h, w, c] or [rows, cols, h, w, c] images, got shape {images.shape}.")
  rows, cols, h, w, c = images.shape
  grid = np.ones((rows * (h + border) + border, cols * (w + border) + border, c), np.float32)
  for r in range(rows):
    for k in range(cols):
      top, left = border + r * (h + border), border + k * (w + border)
      grid[top:top + h, left:left + w] = images[r, k]
  return np.clip(grid, 0.0, 1.0)


def save_png(image, path):
  """Writes a float [h, w, c] image in [0, 1] (c = 1 or 3) to `path` as PNG, atomically."""
  image = np.asarray(image, np.float32)
  if image.ndim != 3 or image.shape[-1] not in (1, 3):
    raise ValueError(f"save_png needs an [h, w, 1|3] image, got shape {image.shape}.")
  pixels = np.round(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)
  picture = Image.fromarray(pixels[..., 0] if image.shape[-1] == 1 else pixels)
  tmp = f"{path}.tmp"
  picture.save(tmp, format="PNG")
  os.replace(tmp, path)
  return path


def _font():
  return ImageFont.load_default()


def label_width(labels):
  """Pixels of the left strip that holds `labels` (0 without labels)."""
  return max((int(_font().getlength(str(label))) for label in labels), default=-2 * _PAD) + 2 * _PAD


def labelled_grid(images, row_labels=(), col_labels=(), title="", border=1):
  """Tiles images into a grid with a title line, a label above each column and one left of each row.

  Args:
    images: [n, h, w, c] (one row) or [rows, cols, h, w, c], values in [0, 1].
    row_labels: one label per row (latent index and value range, a transfer's row source), or none.
    col_labels: one label per column (a traversal's values, a transfer's column source), or none.
    title: what the picture shows, on the first line.
    border: pixels of white border between cells.

  Returns:
    float32 [top + grid height, left + grid width, c] in [0, 1]: `tile(images)` at offset (top, left),
    top = LINE_HEIGHT · (title given + column labels given), left = `label_width(row_labels)`; black text
    on white in the strips.
  """
  grid = tile(images, border)
  rows, cols = (1, len(images)) if np.ndim(images) == 4 else np.shape(images)[:2]
  for name, labels, count in (("row_labels", row_labels, rows), ("col_labels", col_labels, cols)):
    if len(labels) not in (0, count):
      raise ValueError(f"{name} has {len(labels)} labels for {count} {name[:3]}s: give one each, or none.")
  h, w = (grid.shape[0] - border) // rows - border, (grid.shape[1] - border) // cols - border
  top, left = LINE_HEIGHT * (bool(title) + bool(len(col_labels))), label_width(row_labels)
  canvas = Image.new("L", (left + grid.shape[1], top + grid.shape[0]), 255)
  draw, font = ImageDraw.Draw(canvas), _font()
  if title:
    draw.text((_PAD, 1), title, fill=0, font=font)
  for k, label in enumerate(col_labels):
    draw.text((left + border + k * (w + border), top - LINE_HEIGHT + 1), str(label), fill=0, font=font)
  for r, label in enumerate(row_labels):
    y = top + border + r * (h + border) + max(0, (h - LINE_HEIGHT) // 2)
    draw.text((_PAD, y), str(label), fill=0, font=font)
  strips = np.asarray(canvas, np.float32)[..., np.newaxis] / 255
  picture = np.repeat(strips, grid.shape[-1], axis=-1)
  picture[top:, left:] = grid
  return picture
