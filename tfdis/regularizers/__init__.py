"""Regularizers: pure functions `(fn, z, **hparams) -> scalar` or `(x, y) -> scalar` (STYLE.md rule 1)."""

from tfdis.regularizers.divergence import gaussian_kl
