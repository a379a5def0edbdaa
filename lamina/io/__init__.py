"""Output: Neo conversion and data files."""
from __future__ import annotations

from lamina.io.files import write_block

__all__ = ["write_block"]
