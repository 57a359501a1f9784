"""Pictures: tile image batches into grids, write PNGs and TensorBoard images."""

import os

import numpy as np
from PIL import Image


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
