"""Metrics test setup: registers the `slow` marker unless a conftest above already did."""


def pytest_configure(config):
  if not any(line.split(":")[0].strip() == "slow" for line in config.getini("markers")):
    config.addinivalue_line("markers", "slow: longer tests; deselect with -m 'not slow'.")
