"""What ``import pyNN`` gives once `lamina.compat` is installed."""
from __future__ import annotations

__version__ = "0.13.0"
__path__: list[str] = []  # a package: pyNN.<submodule> imports go through lamina.compat
