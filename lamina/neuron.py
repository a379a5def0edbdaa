"""The PyNN API on NEURON: ``import lamina.neuron as sim`` works like
``import pyNN.neuron as sim``.

Importing this module does not import NEURON; ``setup()`` loads the backend (a missing
NEURON gives `BackendNotAvailableError`: install it with ``pip install lamina[neuron]``).
Extra ``setup()`` options: ``use_cvode=False`` (default: fixed step, Crank-Nicolson, spikes
on the grid) or ``True`` (CVODE variable step; ``rtol``, ``atol``; spikes at the threshold crossings,
off the grid). CVODE is the accurate choice for Hodgkin-Huxley. The first ``setup()`` on a
machine compiles lamina's NMODL mechanisms into the user's cache (a few seconds, once per
NEURON version).
"""
from __future__ import annotations

from lamina.namespace import build_namespace

_namespace = build_namespace("neuron")
globals().update(_namespace)

# the submodules pyNN.neuron offers as attributes (``sim.space.Grid2D``, ``sim.random.NumpyRNG``):
# lamina's classes under PyNN's module contents; attributes only, not in ``__all__``, so that
# ``from lamina.neuron import *`` does not hide the standard library's ``random``
from lamina.compat import random, space, morphology  # noqa: E402, F401


def native_cell_type(name: str) -> type:
    """A cell type class for NEURON artificial cell `name` (e.g. ``"IntFire1"``), with
    NEURON's parameter names, defaults and units."""
    from lamina.backends import load_backend
    load_backend("neuron")                   # BackendNotAvailableError if NEURON is missing
    import neuron
    from neuron import h

    from lamina.backends.neuron import mechanisms, native
    mechanisms.load(h, neuron.__version__)
    return native.cell_type(h, name)


#: NEURON's built-in artificial cells offered as attributes, as ``pyNN.neuron`` offers them
#: (``sim.IntFire1(tau=20.0)``); any other by name: ``sim.Population(10, "NetStim")``
ARTIFICIAL_CELLS = ("IntFire1", "IntFire2", "IntFire4")


def __getattr__(name: str) -> type:
    """``sim.IntFire1`` etc.: NEURON's artificial cell classes (loads NEURON on first use)."""
    if name in ARTIFICIAL_CELLS:
        return native_cell_type(name)
    raise AttributeError(f"module 'lamina.neuron' has no attribute {name!r}")


__all__ = sorted([*_namespace, "native_cell_type"])
