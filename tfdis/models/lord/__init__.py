"""LORD (Gabbay & Hoshen 2020): the model (`model.py`), its schedules (`optimizers.py`) and test-time latent optimization (`inference.py`)."""

from tfdis.models.lord.model import LORD, lord
