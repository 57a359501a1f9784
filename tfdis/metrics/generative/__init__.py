"""Metrics of generative models that need pretrained networks: FID, Inception Score, LPIPS and PPL.

The networks' weights are files the user provides (`weights_path`, `linear_weights_path`); nothing is
downloaded, and a missing file raises an error that says which file is needed, where to get it and how to
pass it (`weights.py`). Keras' InceptionV3 and VGG16 are built with `weights=None` and loaded from the
file. Numbers depend on the weights file and are not comparable with published ones (module docstrings);
numbers from randomly initialised weights, as in the tests, mean nothing. TensorFlow and Keras are
imported when a network is first needed.
"""

from tfdis.metrics.generative.frechet import feature_statistics
from tfdis.metrics.generative.frechet import fid
from tfdis.metrics.generative.frechet import frechet_distance
from tfdis.metrics.generative.frechet import frechet_distance_from_features
from tfdis.metrics.generative.inception import inception_features
from tfdis.metrics.generative.inception import inception_score
from tfdis.metrics.generative.inception import inception_score_from_probabilities
from tfdis.metrics.generative.path_length import perceptual_path_length
from tfdis.metrics.generative.perceptual import lpips
from tfdis.metrics.generative.perceptual import lpips_distance_fn
