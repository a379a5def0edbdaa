"""``pyNN.common``: the backend-independent classes and procedural functions."""
from __future__ import annotations

from typing import Any

from lamina.core.assembly import Assembly
from lamina.core.ids import ID
from lamina.core.populations import BasePopulation, Population, PopulationView
from lamina.core.projections import Connection, Projection
from lamina.procedural import end, initialize, set  # noqa: A004, F401

IDMixin = ID


def setup(timestep: float = 0.1, min_delay: Any = "auto", **extra: Any) -> int:
    """``setup()`` of the backend ``lamina run --backend`` chose (default: the engine)."""
    from lamina import compat, procedural
    return procedural.make_setup(compat.forced_backend() or "engine")(timestep, min_delay,
                                                                      **extra)


def is_conductance(target_cell: Any) -> bool:
    """Whether the synapses of cell `target_cell` (an ID) are conductance-based."""
    return bool(target_cell.celltype.conductance_based)


__all__ = ["Assembly", "BasePopulation", "Connection", "ID", "IDMixin", "Population",
           "PopulationView", "Projection", "end", "initialize", "is_conductance", "set",
           "setup"]
