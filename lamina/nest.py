"""The PyNN API on NEST: ``import lamina.nest as sim`` works like ``import pyNN.nest as sim``.

Importing this module does not import NEST; ``setup()`` loads the backend (a missing NEST
gives `BackendNotAvailableError`: install it with ``pip install lamina[nest]``).
Extra ``setup()`` options: ``spike_precision='on_grid'`` (default) or ``'off_grid'``
(NEST's precise ``*_ps`` models); ``reserve_max_delay=False`` (default: NEST's max_delay
is the longest delay present at the first run, so longer delays cannot be added until
``reset()``) or ``True`` (NEST's buffers sized for setup()'s max_delay: slower).
"""
from __future__ import annotations

from typing import Any

from lamina.namespace import build_namespace

_namespace = build_namespace("nest")
globals().update(_namespace)

# the submodules pyNN.nest offers as attributes (``sim.space.Grid2D``, ``sim.random.NumpyRNG``):
# lamina's classes under PyNN's module contents; attributes only, not in ``__all__``, so that
# ``from lamina.nest import *`` does not hide the standard library's ``random``
from lamina.compat import random, space  # noqa: E402, F401


def _nest() -> Any:
    """The `nest` module (imported on first use) and the backend's native-type builders."""
    from lamina.backends import load_backend
    load_backend("nest")                     # BackendNotAvailableError if NEST is missing
    import nest
    return nest


def native_cell_type(name: str) -> type:
    """A cell type class for NEST model `name`, with NEST's parameter names, defaults and
    units (e.g. ``native_cell_type("aeif_cond_exp")``)."""
    from lamina.backends.nest import native
    return native.cell_type(_nest(), name)


def native_synapse_type(name: str) -> type:
    """A synapse type class for NEST synapse model `name` (e.g. ``"stdp_synapse"``):
    weight [NEST units], delay [ms] and NEST's per-connection parameters."""
    from lamina.backends.nest import native
    return native.synapse_type(_nest(), name)


def native_electrode_type(name: str) -> type:
    """A current-source type class for NEST generator `name` (NEST's parameters)."""
    from lamina.backends.nest import native
    return native.electrode_type(_nest(), name)


__all__ = sorted([*_namespace, "native_cell_type", "native_synapse_type",
                  "native_electrode_type"])
