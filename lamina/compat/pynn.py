"""What ``import pyNN`` gives once `lamina.compat` is installed."""
from __future__ import annotations

import importlib
import types

__version__ = "0.13.0"
__path__: list[str] = []  # a package: pyNN.<submodule> imports go through lamina.compat


def __getattr__(name: str) -> types.ModuleType:
    """``from pyNN import space`` (and ``pyNN.space`` after ``import pyNN``): the module
    ``pyNN.<name>`` resolves to, imported on first use."""
    from lamina import compat
    if name.startswith("__") or compat._target(f"pyNN.{name}") is None:
        raise AttributeError(f"module 'pyNN' has no attribute {name!r}")
    return importlib.import_module(f"pyNN.{name}")
