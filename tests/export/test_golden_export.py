"""Every exported family, on fixed weights and inputs, exports what tests/export/golden/ recorded.

The golden files were written by `python -m tests.export.golden.regenerate` before the signatures moved
beside their models (issue 20): this test is the proof that the move changed no signature name, input spec,
doc, latent layout, random-input sampler or output.
"""

import numpy as np
import pytest

from tests.export.golden import regenerate


@pytest.fixture(scope="module", params=sorted(regenerate.CASES))
def case(request):
  """(case, stored (description, inputs, outputs), current family, current inputs) of one golden case."""
  family, inputs = regenerate.fixed_case(request.param)
  return request.param, regenerate.read_golden(request.param), family, inputs


def test_description_is_unchanged(case):
  name, (description, _, _), family, _ = case
  assert regenerate.describe(family) == description, name


def test_random_inputs_are_unchanged(case):
  name, (_, stored, _), _, inputs = case
  assert sorted(inputs) == sorted(stored), name
  for signature, arrays in inputs.items():
    assert sorted(arrays) == sorted(stored[signature]), signature
    for key, array in arrays.items():
      assert array.dtype == stored[signature][key].dtype, f"{signature}/{key}"
      np.testing.assert_array_equal(array, stored[signature][key], err_msg=f"{signature}/{key}")


def test_exported_outputs_are_unchanged(case):
  name, (_, inputs, stored), family, _ = case
  outputs = regenerate.exported_outputs(family, inputs)
  assert sorted(outputs) == sorted(stored), name
  for signature, arrays in outputs.items():
    assert sorted(arrays) == sorted(stored[signature]), signature
    for key, array in arrays.items():
      np.testing.assert_allclose(array, stored[signature][key], rtol=1e-5, atol=1e-6,
                                 err_msg=f"{name}: {signature}/{key}")
