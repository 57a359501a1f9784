"""Metrics: NumPy / scikit-learn functions returning `dict[str, float]` (STYLE.md rule 7).

Codes are [N, L] and factors [N, F] integer classes, as NumPy arrays; definitions and defaults follow
google-research/disentanglement_lib's array helpers. Only the β-VAE / FactorVAE scores and the local
scores sample (through a ground-truth sampler of `tfdis.data`), because sampling is their definition.
Importing this package imports neither TensorFlow nor Keras; SSIM / MS-SSIM and the VP ConvNet import
them when called.
"""

from tfdis.metrics.dci_score import dci
from tfdis.metrics.generative import feature_statistics
from tfdis.metrics.generative import fid
from tfdis.metrics.generative import frechet_distance
from tfdis.metrics.generative import inception_score
from tfdis.metrics.generative import lpips
from tfdis.metrics.generative import perceptual_path_length
from tfdis.metrics.image_quality import intra_class_diversity
from tfdis.metrics.image_quality import ms_ssim
from tfdis.metrics.image_quality import psnr
from tfdis.metrics.image_quality import reconstruction_quality
from tfdis.metrics.image_quality import rmse
from tfdis.metrics.image_quality import ssim
from tfdis.metrics.local import local_mig
from tfdis.metrics.local import local_modularity
from tfdis.metrics.mig_score import mig
from tfdis.metrics.modularity import modularity_explicitness
from tfdis.metrics.protocols import attribute_svm_error
from tfdis.metrics.protocols import factor_level_scores
from tfdis.metrics.protocols import leakage
from tfdis.metrics.protocols import lord_leakage
from tfdis.metrics.protocols import content_transfer_error
from tfdis.metrics.protocols import variation_predictability
from tfdis.metrics.sampled_scores import beta_vae_score
from tfdis.metrics.sampled_scores import factor_vae_score
from tfdis.metrics.sap_score import sap
from tfdis.metrics.style_preservation import style_preservation
