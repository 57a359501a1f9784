"""Evaluation protocols of the reproduced papers: pure functions over arrays and callables.

- `attribute_svm_error`: mddAE's per-attribute linear SVM error on edited images (Song et al. 2020).
- `leakage`, `lord_leakage`: LORD's class/content classification leakage (Gabbay & Hoshen 2020, Table 2).
- `content_transfer_error`: LORD's content transfer, scored against the exact rendering (synthetic data).
- `factor_level_scores`: MIG/DCI of a generator against the factors a classifier reads off its images (tfdis).
- `variation_predictability`: the VP metric of OroJaR's experiments (Wei et al. 2021).
"""

from tfdis.metrics.protocols.attribute_svm import attribute_svm_error
from tfdis.metrics.protocols.factor_level import factor_level_scores
from tfdis.metrics.protocols.class_content_leakage import leakage
from tfdis.metrics.protocols.class_content_leakage import lord_leakage
from tfdis.metrics.protocols.content_transfer import content_transfer_error
from tfdis.metrics.protocols.vp import make_pairs
from tfdis.metrics.protocols.vp import variation_predictability
