"""mddAE (Song et al. 2020) and its baselines AE, disAE, disAE-XCov, mddAE-XCov: `model.py`."""

from tfdis.models.mddae.model import MddAE, mddae
