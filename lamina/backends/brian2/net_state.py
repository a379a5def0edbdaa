"""The dynamic state of a Brian 2 network carried over into a rebuilt one.

When lamina rebuilds the network in the middle of a simulation (a parameter declared
shared becomes per cell, see `lamina.backends.brian2.cells`), the new objects have the
names of the old ones; Brian 2's own store/restore state of each object (state variables,
refractoriness, synaptic variables, the spike queues with the spikes in transit) is copied
over by name. Monitors are left out: lamina has already collected what they recorded.
"""
from __future__ import annotations

from typing import Any

from brian2.core.network import _get_all_objects
from brian2.monitors import SpikeMonitor, StateMonitor


def _stateful(net: Any) -> list[Any]:
    return [obj for obj in _get_all_objects(net.objects)
            if hasattr(obj, "_full_state") and not isinstance(obj, (SpikeMonitor, StateMonitor))]


def snapshot(net: Any) -> dict[str, Any]:
    """Brian 2's full state of every object of `net` but the monitors, by name."""
    for clock in {obj.clock for obj in _get_all_objects(net.objects)}:
        clock._set_t_update_dt(target_t=net.t)
    return {obj.name: obj._full_state() for obj in _stateful(net)}


def restore(net: Any, state: dict[str, Any]) -> None:
    """Copy `state` (from `snapshot`) into the objects of `net` with the same names. A
    variable that was shared and is now per element (or the reverse) is left out: lamina
    sets it from its records."""
    for obj in _stateful(net):
        if obj.name not in state:
            continue
        kept = dict(state[obj.name])
        for name, entry in state[obj.name].items():
            var = obj.variables.get(name) if hasattr(obj, "variables") else None
            if var is not None and isinstance(entry, tuple) and len(entry) == 2 and \
                    entry[1] != (1 if var.scalar else var.size):
                del kept[name]
        obj._restore_from_full_state(kept)
