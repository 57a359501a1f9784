"""Shared fixtures of the data tests: one sampler per class, so each renderer is compiled once."""

import pytest

from tfdis.data import synthetic
from tfdis.data.synthetic import base


@pytest.fixture(scope="session", params=sorted(synthetic.SAMPLERS))
def named_sampler(request):
  """(dataset name, the shared sampler its dataset function renders with)."""
  return request.param, base.shared(synthetic.SAMPLERS[request.param])
