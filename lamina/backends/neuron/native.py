"""NEURON's own artificial cells by name (``sim.Population(10, "IntFire1")``).

A native type is a `StandardCellType` subclass built from NEURON's ``MechanismStandard``
of the artificial cell: its parameters are NEURON's (names, defaults, NEURON's units), its
other variables (``m`` of IntFire1, ...) are state variables (initial values set after
NEURON's initialisation, recorded as NEURON stores them: artificial cells update them at
events only), it records spikes, and its receptor types (``default``, ``excitatory``,
``inhibitory``) deliver the NetCon weight unchanged (an inhibitory input is a negative
weight, as in NEURON). The class attribute ``neuron_native_name``
names the mechanism.
"""
from __future__ import annotations

import difflib
from typing import Any

from lamina.errors import InvalidModelError
from lamina.models.base import Parameter, StandardCellType, StateVariable

_CACHE: dict[str, type[StandardCellType]] = {}


def artificial_cells(h: Any) -> list[str]:
    """Names of the artificial cells NEURON knows (built in and loaded)."""
    mt = h.MechanismType(1)
    name = h.ref("")
    out = []
    for i in range(int(mt.count())):
        mt.select(i)
        mt.selected(name)
        if mt.is_artificial(i):
            out.append(name[0])
    return out


def cell_type(h: Any, name: str) -> type[StandardCellType]:
    """A cell type class for NEURON artificial cell `name`; `InvalidModelError` for a
    name that is no artificial cell (listing close matches)."""
    if name in _CACHE:
        return _CACHE[name]
    known = artificial_cells(h)
    if name not in known:
        close = difflib.get_close_matches(name, known, n=5)
        hint = f" Close matches: {', '.join(close)}." if close else ""
        raise InvalidModelError(
            f"NEURON has no artificial cell {name!r} (the neuron backend runs NEURON's "
            f"artificial cells by name: {', '.join(sorted(known))}).{hint}")
    std = h.MechanismStandard(name, 1)
    pname = h.ref("")
    params = []
    for i in range(int(std.count())):
        std.name(pname, i)
        params.append(Parameter(pname[0], float(std.get(pname[0])), "",
                                f"NEURON parameter {pname[0]} of {name}"))
    states = []
    for vartype in (2, 3):                 # NEURON's assigned and state variables
        ms = h.MechanismStandard(name, vartype)
        for i in range(int(ms.count())):
            ms.name(pname, i)
            states.append(pname[0])
    attrs = {"__doc__": f"NEURON's artificial cell {name!r} (NEURON's names and units).",
             "parameters": tuple(params),
             "state_variables": tuple(StateVariable(v, 0.0, "", f"NEURON variable {v} of "
                                                    f"{name}") for v in states),
             "recordable": ("spikes", *states),
             "receptor_types": ("default", "excitatory", "inhibitory"),
             "neuron_native_name": name, "__module__": __name__}
    cls = type(name, (StandardCellType,), attrs)
    _CACHE[name] = cls
    return cls
