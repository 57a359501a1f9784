"""Regularizers: pure functions `(fn, z, **hparams) -> scalar` or `(x, y) -> scalar` (STYLE.md rule 1)."""

from tfdis.regularizers.decorrelation import cross_covariance
from tfdis.regularizers.decorrelation import distance_covariance
from tfdis.regularizers.divergence import gaussian_kl
from tfdis.regularizers.hessian import hessian_penalty
from tfdis.regularizers.jacobian_penalties import jacobian_l1
from tfdis.regularizers.jacobian_penalties import orthogonal_jacobian
from tfdis.regularizers.lazy import lazy_penalty
