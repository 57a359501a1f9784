"""Factor -> image facts of each synthetic renderer: each factor moves the image the way its name says."""

import numpy as np
import pytest

from tfdis.data.synthetic import base
from tfdis.data.synthetic import digits
from tfdis.data.synthetic import disc
from tfdis.data.synthetic import dots
from tfdis.data.synthetic import faces
from tfdis.data.synthetic import shapes


def _render(sampler_class, factors):
  return base.shared(sampler_class).sample_observations_from_factors(np.array(factors), None)


def _centre_of_mass(images):
  """(column, row) centre of mass of each image [n, H, W, C]: [n, 2]."""
  mass = images.sum(axis=-1)
  rows, cols = np.indices(mass.shape[1:]) + 0.5
  total = mass.sum(axis=(1, 2))
  return np.stack([(mass * cols).sum(axis=(1, 2)) / total, (mass * rows).sum(axis=(1, 2)) / total], axis=1)


def test_circles_factors_set_the_disc_centre_and_radius():
  factors = [[x, y, r] for x in (0, 15) for y in (0, 15) for r in range(4)]
  images = _render(disc.Circles, factors)
  expected_centres = [[8.0 + 16.0 * x / 15, 12.0 + 8.0 * y / 15] for x, y, _ in factors]
  np.testing.assert_allclose(_centre_of_mass(images), expected_centres, atol=1e-3)  # Antialiased: exact.
  areas = images.sum(axis=(1, 2, 3))
  np.testing.assert_allclose(areas, [np.pi * disc.RADII[r] ** 2 for _, _, r in factors], rtol=0.02)
  assert images.min() == 0.0 and images.max() == 1.0
  assert images[:, 0].max() == images[:, -1].max() == images[:, :, 0].max() == images[:, :, -1].max() == 0.0


def test_shapes2d_position_factors_translate_the_shape():
  factors = [[s, 5, 0, x, 10] for s in range(3) for x in (4, 24)] + [[1, 5, 0, 4, 26]]
  centres = _centre_of_mass(_render(shapes.Shapes2D, factors))
  step = 38.0 / 31.0  # Pixels per position step.
  np.testing.assert_allclose(centres[1::2][:3, 0] - centres[0::2][:3, 0], 20 * step, atol=0.6)  # Binary pixels.
  np.testing.assert_allclose(centres[1::2][:3, 1], centres[0::2][:3, 1], atol=0.6)
  np.testing.assert_allclose(centres[6] - centres[2], [0.0, 16 * step], atol=0.6)


def test_shapes2d_shapes_differ_and_stay_visible_at_the_smallest_scale():
  images = _render(shapes.Shapes2D, [[s, scale, 7, 16, 16] for s in range(3) for scale in (0, 5)])
  area = images.sum(axis=(1, 2, 3)).reshape(3, 2)
  assert np.all(area[:, 0] >= 25)  # At scale 0.5 every shape still covers 25+ pixels.
  np.testing.assert_allclose(area[:, 1] / area[:, 0], 4.0, rtol=0.15)  # Area grows as scale squared.
  small = images[0::2].reshape(3, -1)
  assert all(np.abs(small[i] - small[j]).sum() >= 10 for i in range(3) for j in range(i))
  assert set(np.unique(images)) == {0.0, 1.0}  # Binary, as dSprites.


def test_shapes2d_orientation_rotates_without_changing_area():
  images = _render(shapes.Shapes2D, [[2, 5, o, 16, 16] for o in (0, 10, 20, 39)])  # Hearts, 0 to 2 pi.
  area = images.sum(axis=(1, 2, 3))
  np.testing.assert_allclose(area, area[0], rtol=0.05)
  assert np.abs(images[0] - images[2]).sum() > 0.2 * area[0]  # Half a turn turns the heart upside down.
  assert np.abs(images[0] - images[3]).sum() <= 4  # Orientation 39 is 2 pi: the start again.


def test_three_dots_each_pair_of_factors_moves_one_dot():
  centre = [32, 32] * 3
  moved = [[48, 32] + centre[2:], centre[:2] + [32, 10] + centre[4:]]
  images = _render(dots.ThreeDots, [centre] + moved)
  ink = 1.0 - images
  area = ink.sum(axis=(1, 2, 3))
  np.testing.assert_allclose(area[0], np.pi * (0.08 * 64) ** 2, rtol=0.05)  # Three dots on one spot.
  np.testing.assert_allclose(area[1:], 2 * area[0], rtol=0.05)  # One dot moved away from the other two.
  com = _centre_of_mass(ink)
  step = 64 / 63
  np.testing.assert_allclose(com[1] - com[0], [16 * step / 2, 0.0], atol=0.3)
  np.testing.assert_allclose(com[2] - com[0], [0.0, -22 * step / 2], atol=0.3)


def test_glyph_classes_differ_and_style_factors_act_as_named():
  classes = _render(digits.Glyphs, [[c, 2, 4, 3, 3, 3] for c in range(10)]).reshape(10, -1)
  distances = np.abs(classes[:, None] - classes[None]).sum(axis=-1)
  assert np.all(distances[~np.eye(10, dtype=bool)] > 15)
  thin, thick, left, right = _render(digits.Glyphs, [[8, 0, 4, 3, 3, 3], [8, 5, 4, 3, 3, 3],
                                                     [8, 2, 4, 3, 0, 3], [8, 2, 4, 3, 6, 3]])
  assert thick.sum() > 1.8 * thin.sum()
  com = _centre_of_mass(np.stack([left, right]))
  np.testing.assert_allclose(com[1] - com[0], [6.0, 0.0], atol=0.3)
  upright, slanted = _render(digits.Glyphs, [[1, 2, 0, 3, 3, 3], [1, 2, 7, 3, 3, 3]])
  top, bottom = _centre_of_mass(slanted[None, :12])[0, 0], _centre_of_mass(slanted[None, 20:])[0, 0]
  top_up, bottom_up = _centre_of_mass(upright[None, :12])[0, 0], _centre_of_mass(upright[None, 20:])[0, 0]
  assert top - bottom > 3.0 and top_up - bottom_up < -3.0  # Slant 0.3 leans right, -0.3 leans left.


# Rows of the 64x64 image where each attribute paints (head centre at row 27..33).
_ATTRIBUTE_ROWS = {"eyeglasses": (18, 38), "wearing_hat": (0, 22), "beard": (38, 54), "smiling": (33, 46),
                   "mustache": (31, 42), "wearing_earrings": (30, 43), "bangs": (8, 25),
                   "rosy_cheeks": (27, 40), "wearing_necklace": (45, 64), "light_background": (0, 64)}


@pytest.mark.parametrize("index,name", list(enumerate(faces.ATTRIBUTE_NAMES)))
def test_each_attribute_is_visible_in_its_region_for_every_identity(index, name):
  rng = np.random.RandomState(index)
  factors = faces.Attributes().sample_factors(faces.NUM_IDENTITIES, rng)
  factors[:, 0] = np.arange(faces.NUM_IDENTITIES)
  off, on = factors.copy(), factors.copy()
  off[:, 1 + index], on[:, 1 + index] = 0, 1
  difference = np.abs(_render(faces.Attributes, on) - _render(faces.Attributes, off)).max(axis=-1)
  changed = difference > 0.1
  assert np.all(changed.sum(axis=(1, 2)) >= 12), name  # At least 12 pixels change, for every identity.
  rows = np.nonzero(changed.any(axis=(0, 2)))[0]
  assert _ATTRIBUTE_ROWS[name][0] <= rows.min() and rows.max() < _ATTRIBUTE_ROWS[name][1], (name, rows)


def test_attributes_identity_sets_skin_colour_and_yaw_moves_the_features():
  base_factors = [3] + [0] * 10 + [2, 2, 2]
  images = _render(faces.Attributes, [base_factors, [4] + base_factors[1:], base_factors[:13] + [4]])
  cheek = images[:, 36, 22]  # A pixel of bare cheek.
  np.testing.assert_allclose(cheek[0], faces.IDENTITY_SKIN[3], atol=1e-5)
  np.testing.assert_allclose(cheek[1], faces.IDENTITY_SKIN[4], atol=1e-5)
  eyes = (images[:, 26:31, 20:44].mean(axis=-1) < 0.3)  # Dark pupils, between the hair at the sides.
  shift = np.nonzero(eyes[2].any(axis=0))[0].mean() - np.nonzero(eyes[0].any(axis=0))[0].mean()
  assert abs(shift - 3.0) < 0.5
