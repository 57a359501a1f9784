"""attributes: 64x64x3 face-like scenes with binary attributes and identities; CelebA's role.

A head (face, hair, neck, shoulders) whose identity fixes its skin colour, hair colour and face width, drawn
with ten independent binary attributes, each painting a region of its own, and three nuisance factors.
Factors (int32 [14]):

  index  name               size  values
  0      identity           20    skin colour (5) x hair colour (4), face half-width 13..16 pixels ("label")
  1      eyeglasses         2     dark rings around the eyes and a bridge
  2      wearing_hat        2     red hat above the forehead
  3      beard              2     dark chin below the mouth
  4      smiling            2     open red half-ellipse mouth instead of a straight line
  5      mustache           2     dark bar between nose and mouth
  6      wearing_earrings   2     gold dots under the ears
  7      bangs              2     hair over the forehead
  8      rosy_cheeks        2     pink discs on the cheeks
  9      wearing_necklace   2     turquoise arc across the neck
  10     light_background   2     light instead of dark blue background
  11     x                  5     head centre column 32 + linspace(-4, 4, 5)
  12     y                  5     head centre row 30 + linspace(-3, 3, 5)
  13     yaw                5     eyes, nose and mouth shifted by linspace(-3, 3, 5) pixels (pose)

"attributes" is factors[1:11] as float32 0/1 (names in ATTRIBUTE_NAMES), "label" is the identity.
"""

import gin
import numpy as np
import tensorflow as tf

from tfdis.data.synthetic import base
from tfdis.data.synthetic import draw

ATTRIBUTE_NAMES = ("eyeglasses", "wearing_hat", "beard", "smiling", "mustache", "wearing_earrings",
                   "bangs", "rosy_cheeks", "wearing_necklace", "light_background")
gin.constant("ATTRIBUTES_ATTRIBUTE_NAMES", ATTRIBUTE_NAMES)  # gin: mddae.target_names = %ATTRIBUTES_ATTRIBUTE_NAMES
NUM_IDENTITIES = 20
POSITION_X = np.linspace(-4.0, 4.0, 5)
POSITION_Y = np.linspace(-3.0, 3.0, 5)
YAW = np.linspace(-3.0, 3.0, 5)
SKIN = np.array([[0.98, 0.85, 0.74], [0.93, 0.76, 0.62], [0.85, 0.65, 0.48], [0.72, 0.52, 0.36],
                 [0.60, 0.42, 0.30]], np.float32)
HAIR = np.array([[0.08, 0.06, 0.05], [0.40, 0.24, 0.12], [0.95, 0.85, 0.35], [0.62, 0.62, 0.65]],
                np.float32)
IDENTITY_SKIN = SKIN[np.arange(NUM_IDENTITIES) % len(SKIN)]  # [20, 3]
IDENTITY_HAIR = HAIR[np.arange(NUM_IDENTITIES) // len(SKIN)]  # [20, 3]
IDENTITY_FACE_WIDTH = (13.0 + (3 * np.arange(NUM_IDENTITIES)) % 4).astype(np.float32)  # [20]
_COLOURS = {
    "dark_background": [0.12, 0.16, 0.28], "light_background": [0.88, 0.88, 0.80],
    "clothes": [0.45, 0.30, 0.55], "beard": [0.15, 0.10, 0.07], "rosy": [0.95, 0.35, 0.40],
    "eye": [0.10, 0.10, 0.12], "white": [1.0, 1.0, 1.0], "mouth": [0.55, 0.05, 0.10],
    "glasses": [0.05, 0.05, 0.05], "hat": [0.75, 0.12, 0.15], "gold": [1.0, 0.82, 0.10],
    "necklace": [0.20, 0.85, 0.90],
}
_SIZE = 64
_FACE_HALF_HEIGHT = 18.0
TEST_SIZE = 10_000


def _colour(name):
  return tf.constant(_COLOURS[name], tf.float32)


def _scene(factors):
  """Per-example geometry and attribute switches as [n, 1, 1] tensors, plus the pixel grid."""
  scene = {name: draw.column(factors[:, 1 + i]) for i, name in enumerate(ATTRIBUTE_NAMES)}
  identity = factors[:, 0]
  scene["skin"] = tf.gather(tf.constant(IDENTITY_SKIN), identity)[:, tf.newaxis, tf.newaxis]
  scene["hair"] = tf.gather(tf.constant(IDENTITY_HAIR), identity)[:, tf.newaxis, tf.newaxis]
  scene["rx"] = draw.column(tf.gather(tf.constant(IDENTITY_FACE_WIDTH), identity))
  scene["cx"] = 32.0 + draw.column(tf.gather(tf.constant(POSITION_X, tf.float32), factors[:, 11]))
  scene["cy"] = 30.0 + draw.column(tf.gather(tf.constant(POSITION_Y, tf.float32), factors[:, 12]))
  scene["yaw"] = draw.column(tf.gather(tf.constant(YAW, tf.float32), factors[:, 13]))
  scene["xs"], scene["ys"] = draw.pixel_grid(_SIZE, _SIZE)
  return scene


def _head(s):
  """Background, shoulders, neck, hair and face; returns (image [n, H, W, 3], face mask [n, H, W])."""
  xs, ys, cx, cy, rx = s["xs"], s["ys"], s["cx"], s["cy"], s["rx"]
  light = s["light_background"][..., tf.newaxis]
  background = (1.0 - light) * _colour("dark_background") + light * _colour("light_background")
  image = tf.ones_like(xs)[..., tf.newaxis] * background  # [n, H, W, 3]
  image = draw.paint(image, draw.ellipse(xs, ys, cx, cy + 40.0, 28.0, 18.0), _colour("clothes"))
  image = draw.paint(image, draw.rectangle(xs, ys, cx - 6.0, cy + 10.0, cx + 6.0, cy + 27.0), s["skin"])
  image = draw.paint(image, draw.ellipse(xs, ys, cx, cy - 3.0, rx + 2.0, 20.0), s["hair"])
  face = draw.ellipse(xs, ys, cx, cy, rx, _FACE_HALF_HEIGHT)
  return draw.paint(image, face, s["skin"]), face


def _lower_face(image, face, s):
  """Earrings, beard, cheeks, nose, mustache and mouth (smiling or not)."""
  xs, ys, cx, cy, rx = s["xs"], s["ys"], s["cx"], s["cy"], s["rx"]
  mx, my = cx + s["yaw"], cy + 9.0
  earrings = tf.maximum(draw.ellipse(xs, ys, cx - rx - 1.0, cy + 7.0, 2.2, 2.2),
                        draw.ellipse(xs, ys, cx + rx + 1.0, cy + 7.0, 2.2, 2.2))
  image = draw.paint(image, earrings * s["wearing_earrings"], _colour("gold"))
  chin = face * draw.rectangle(xs, ys, cx - 30.0, my + 3.5, cx + 30.0, cy + 30.0)
  image = draw.paint(image, chin * s["beard"], _colour("beard"))
  cheeks = tf.maximum(draw.ellipse(xs, ys, mx - 9.0, cy + 4.0, 3.2, 3.2),
                      draw.ellipse(xs, ys, mx + 9.0, cy + 4.0, 3.2, 3.2))
  image = draw.paint(image, 0.8 * cheeks * s["rosy_cheeks"], _colour("rosy"))
  nose_x = cx + 1.3 * s["yaw"]
  nose = draw.stroke(draw.segment_distance(xs, ys, nose_x, cy - 1.0, nose_x + 1.0, cy + 5.0), 0.8)
  image = draw.paint(image, nose, 0.7 * s["skin"])
  mustache = draw.ellipse(xs, ys, mx, my - 3.2, 6.0, 1.6)
  image = draw.paint(image, mustache * s["mustache"], _colour("beard"))
  straight = draw.stroke(draw.segment_distance(xs, ys, mx - 5.0, my, mx + 5.0, my), 0.8)
  smile = (draw.ellipse(xs, ys, mx, my - 1.0, 6.0, 4.0) *
           draw.rectangle(xs, ys, mx - 8.0, my - 1.0, mx + 8.0, my + 5.0))
  mouth = smile * s["smiling"] + straight * (1.0 - s["smiling"])
  return draw.paint(image, mouth, _colour("mouth"))


def _upper_face(image, face, s):
  """Eyes, glasses, bangs, hat and necklace."""
  xs, ys, cx, cy, rx = s["xs"], s["ys"], s["cx"], s["cy"], s["rx"]
  eye_y, eyes_x = cy - 2.0, (cx + s["yaw"] - 6.0, cx + s["yaw"] + 6.0)
  for eye_x in eyes_x:
    image = draw.paint(image, draw.ellipse(xs, ys, eye_x, eye_y, 3.0, 2.0), _colour("white"))
    image = draw.paint(image, draw.ellipse(xs, ys, eye_x, eye_y, 1.4, 1.4), _colour("eye"))
  rings = [draw.stroke(tf.abs(tf.sqrt(tf.square(xs - x) + tf.square(ys - eye_y)) - 4.5), 0.6) for x in eyes_x]
  bridge = draw.stroke(draw.segment_distance(xs, ys, eyes_x[0] + 4.5, eye_y, eyes_x[1] - 4.5, eye_y), 0.6)
  glasses = tf.maximum(tf.maximum(rings[0], rings[1]), bridge)
  image = draw.paint(image, glasses * s["eyeglasses"], _colour("glasses"))
  bangs = face * draw.rectangle(xs, ys, cx - rx - 1.0, cy - 30.0, cx + rx + 1.0, cy - 9.0)
  image = draw.paint(image, bangs * s["bangs"], s["hair"])
  hat = tf.maximum(draw.rectangle(xs, ys, cx - 12.0, cy - 30.0, cx + 12.0, cy - 13.0),
                   draw.rectangle(xs, ys, cx - 18.0, cy - 15.0, cx + 18.0, cy - 12.0))
  image = draw.paint(image, hat * s["wearing_hat"], _colour("hat"))
  ring = tf.sqrt(tf.square((xs - cx) / 9.0) + tf.square((ys - cy - 19.0) / 5.0))
  necklace = draw.stroke(tf.abs(ring - 1.0) * 5.0, 1.2) * tf.cast(ys > cy + 19.0, tf.float32)
  return draw.paint(image, necklace * s["wearing_necklace"], _colour("necklace"))


@gin.register
class Attributes(base.GroundTruthSampler):
  """Face-like scenes: identity, ten binary attributes, position and yaw (see the module docstring)."""

  factor_sizes = (NUM_IDENTITIES,) + (2,) * len(ATTRIBUTE_NAMES) + (len(POSITION_X), len(POSITION_Y),
                                                                    len(YAW))
  factor_names = ("identity",) + ATTRIBUTE_NAMES + ("x", "y", "yaw")
  attribute_names = ATTRIBUTE_NAMES
  image_shape = (_SIZE, _SIZE, 3)

  def render(self, factors):
    """Renders factors int32 [n, 14] to float32 [n, 64, 64, 3]."""
    scene = _scene(factors)
    image, face = _head(scene)
    image = _lower_face(image, face, scene)
    return tf.clip_by_value(_upper_face(image, face, scene), 0.0, 1.0)

  def extras(self, factors):
    attributes = tf.cast(factors[:, 1:1 + len(ATTRIBUTE_NAMES)], tf.float32)
    return {"label": factors[:, 0], "attributes": attributes}


@gin.register
def attributes(split="train", seed=0, start_index=0):
  """Face-like scenes: {"image": [64, 64, 3], "label", "attributes": [10], "factors": [14]}; test: 10,000.

  Args:
    split: "train" (infinite, deterministic for `seed`) or "test" (fixed).
    seed: integer seed of the train stream.
    start_index: index of the first element (resume).

  Returns:
    A `tf.data.Dataset` of unbatched elements.
  """
  return base.factor_stream(base.shared(Attributes), split, seed, start_index, test_size=TEST_SIZE)
