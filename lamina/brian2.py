"""The PyNN API on Brian 2: ``import lamina.brian2 as sim`` works like ``import pyNN.brian2
as sim``.

Importing this module does not import Brian 2 (whose import takes seconds); ``setup()``
loads the backend (a missing Brian 2 gives `BackendNotAvailableError`: install it with
``pip install lamina[brian2]``). Extra ``setup()`` options: ``brian2_target='numpy'``
(default) or ``'cython'`` (compiled code; needs Cython and a C compiler);
``brian2_device='runtime'`` (default) or ``'cpp_standalone'`` (the whole run as one
compiled C++ program, one ``run()`` per ``setup()``). The equations come from lamina's
model catalogue (`lamina.models.dynamics`).
"""
from __future__ import annotations

from lamina.namespace import build_namespace

_namespace = build_namespace("brian2")
globals().update(_namespace)

# the submodules pyNN.brian2 offers as attributes (``sim.space.Grid2D``, ``sim.random.NumpyRNG``):
# lamina's classes under PyNN's module contents; attributes only, not in ``__all__``, so that
# ``from lamina.brian2 import *`` does not hide the standard library's ``random``
from lamina.compat import random, space  # noqa: E402, F401

__all__ = sorted(_namespace)
