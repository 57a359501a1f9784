"""Mutual Information Gap (Chen et al. 2018, "Isolating Sources of Disentanglement in VAEs", eq. 5).

MIG = 1/F Σ_k (I(v_k; z_(1)) − I(v_k; z_(2))) / H(v_k), where z_(1), z_(2) are the code dimensions with
the largest and second largest mutual information with factor v_k. As in disentanglement_lib's
`mig._compute_mig`, codes are discretized into equal-width histogram bins and information is estimated
from counts.
"""

import numpy as np

from tfdis.metrics import utils


def mig_from_information(mutual_information, factor_entropy):
  """MIG from a mutual-information matrix.

  Args:
    mutual_information: [L, F] I(z_i; v_k) in nats, L >= 2.
    factor_entropy: [F] H(v_k) in nats.

  Returns:
    The mean normalized gap over factors whose entropy is positive (a factor that never varies has no
    gap to normalize; the JL1-VAE local variant drops such factors the same way), NaN if none varies.
  """
  ordered = np.sort(mutual_information, axis=0)[::-1]  # [L, F], largest first
  varying = factor_entropy > 0
  if not np.any(varying):
    return float("nan")
  gaps = (ordered[0, varying] - ordered[1, varying]) / factor_entropy[varying]
  return float(np.mean(gaps))


def mig(codes, factors, num_bins=20):
  """Mutual Information Gap of `codes` with respect to the ground-truth `factors`.

  Same definition and defaults as disentanglement_lib's `mig._compute_mig` (20-bin histogram
  discretization, scikit-learn `mutual_info_score`, normalized by each factor's entropy).

  Args:
    codes: [N, L] representations (L >= 2), e.g. encoder means.
    factors: [N, F] integer factor classes that generated each code.
    num_bins: histogram bins per code dimension.

  Returns:
    {"mig": float in [0, 1]}.

  Raises:
    ValueError: for mismatched shapes, non-integer factors, fewer than 2 code dims, or factors that are
      all constant.
  """
  codes, factors = utils.check_pair(codes, factors)
  num_bins = utils.check_num_bins(num_bins)
  if codes.shape[1] < 2:
    raise ValueError("MIG compares the two most informative code dims: codes need at least 2 columns.")
  information = utils.discrete_mutual_info(utils.histogram_discretize(codes, num_bins), factors)
  entropy = utils.discrete_entropy(factors)
  if not np.any(entropy > 0):
    raise ValueError("every factor is constant in `factors`: MIG needs at least one factor that varies.")
  return {"mig": mig_from_information(information, entropy)}
