"""Content-transfer error on synthetic data (LORD, Gabbay & Hoshen 2020, Table 1, with exact ground truth).

For a pair (a, b) of rendered images, the transferred image x_{a←b} should show a's class with b's content.
On procedural data it can be rendered exactly: the class factors of a and the other factors of b. The paper
measures LPIPS to a real image of that class and content; here (no pretrained network) the distances are the
mean L1 and 1 − SSIM to the exact rendering. Lower is better.
"""

import numpy as np

from tfdis.metrics import image_quality
from tfdis.metrics import utils


def transferred_factors(class_source, content_source, class_factors):
  """Factors [n, F]: `content_source`'s, with the `class_factors` columns taken from `class_source`."""
  target = np.array(content_source, copy=True)
  target[:, list(class_factors)] = np.asarray(class_source)[:, list(class_factors)]
  return target


def content_transfer_error(sampler, transfer_fn, class_factors, rng, num_pairs=500):
  """Mean L1 and 1 − SSIM between transfer_fn(a, b) and the exact rendering of (class of a, content of b).

  Args:
    sampler: ground-truth sampler (`sample_factors`, `sample_observations_from_factors`).
    transfer_fn: NumPy function (class images [n, h, w, c], content images [n, h, w, c]) -> images.
    class_factors: indices of the factors that make the class (e.g. [0] for glyphs and attributes).
    rng: np.random.Generator / RandomState / int seed.
    num_pairs: number of (a, b) pairs.

  Returns:
    {"l1", "dssim"} and, as a reference, {"l1_content_source"}: the L1 distance of the content source
    itself to the target (what a model that ignores the class code would score).
  """
  rng = utils.make_rng(rng)
  a, b = sampler.sample_factors(num_pairs, rng), sampler.sample_factors(num_pairs, rng)
  images_a = sampler.sample_observations_from_factors(a, rng)
  images_b = sampler.sample_observations_from_factors(b, rng)
  target = sampler.sample_observations_from_factors(transferred_factors(a, b, class_factors), rng)
  transferred = np.clip(np.asarray(transfer_fn(images_a, images_b), np.float32), 0.0, 1.0)
  return {"l1": float(np.mean(np.abs(transferred - target))),
          "dssim": 1.0 - image_quality.ssim(transferred, target)["ssim"],
          "l1_content_source": float(np.mean(np.abs(images_b - target)))}
