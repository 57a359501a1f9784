"""Procedural datasets rendered from ground-truth factors: deterministic, no download.

| dataset      | sampler     | image     | elements                                   |
|--------------|-------------|-----------|--------------------------------------------|
| `shapes2d`   | `Shapes2D`  | 64x64x1   | image, factors [5] (the dSprites grid)      |
| `circles`    | `Circles`   | 32x32x1   | image, factors [3] (the quick start's: x, y, radius) |
| `three_dots` | `ThreeDots` | 64x64x1   | image, factors [6] (JL1-VAE's three dots)   |
| `glyphs`     | `Glyphs`    | 32x32x1   | image, label, factors [6] (MNIST's role)    |
| `attributes` | `Attributes`| 64x64x3   | image, label, attributes [10], factors [14] (CelebA's role) |
| `moons`      | none        | none      | point [2], label (Lr/Li-VAE's 2-D toy)      |

Each module's docstring lists its factor layout.
"""

from tfdis.data.synthetic.base import GroundTruthSampler
from tfdis.data.synthetic.disc import Circles
from tfdis.data.synthetic.disc import circles
from tfdis.data.synthetic.digits import Glyphs
from tfdis.data.synthetic.digits import glyphs
from tfdis.data.synthetic.dots import ThreeDots
from tfdis.data.synthetic.dots import three_dots
from tfdis.data.synthetic.faces import Attributes
from tfdis.data.synthetic.faces import attributes
from tfdis.data.synthetic.half_circles import moons
from tfdis.data.synthetic.shapes import Shapes2D
from tfdis.data.synthetic.shapes import shapes2d

DATASETS = {"shapes2d": shapes2d, "circles": circles, "three_dots": three_dots, "glyphs": glyphs, "attributes": attributes,
            "moons": moons}
SAMPLERS = {"shapes2d": Shapes2D, "circles": Circles, "three_dots": ThreeDots, "glyphs": Glyphs, "attributes": Attributes}
