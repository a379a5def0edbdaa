"""lamina: spiking neuronal network models with the PyNN API.

``import lamina as sim`` gives the PyNN namespace on lamina's built-in engine; other
simulators live in ``lamina.nest`` and friends. Importing lamina loads no simulator and
compiles nothing: the engine is loaded by ``setup()``.
"""
from __future__ import annotations

from lamina.namespace import build_namespace

__version__ = "0.1.0"

_namespace = build_namespace("engine")
globals().update(_namespace)
__all__ = sorted(_namespace)
