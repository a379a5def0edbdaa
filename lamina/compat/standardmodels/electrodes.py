"""``pyNN.standardmodels.electrodes``: current sources."""
from lamina.models import CURRENT_SOURCES, StandardCurrentSourceType
from lamina.parameters import Sequence  # noqa: F401

StandardCurrentSource = StandardCurrentSourceType
globals().update(CURRENT_SOURCES)

__all__ = ["Sequence", "StandardCurrentSource", *CURRENT_SOURCES]
