"""Cell groups on NEST: one group per `create_cells` call, its PyNN values and NEST nodes.

A group keeps its current parameter and initial values (PyNN units for standard models,
NEST units for native ones), so the backend can rebuild it after ``nest.ResetKernel``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.backends.nest import translations as tr
from lamina.errors import InvalidParameterValueError, NoModelAvailableError

logger = logging.getLogger(__name__)
_I64 = np.int64
NATIVE = "native"


@dataclass
class CellGroup:
    """Cells of one `create_cells` call.

    Attributes
    ----------
    celltype : the lamina cell type instance; ``kind`` NEURON, SPIKE_ARRAY, POISSON or
        NATIVE; ``model`` the NEST model; ``entry`` the translation entry (None if native)
    ids : lamina ids; ``nodes`` their NEST node ids; ``gens`` Poisson generators' node ids
    params : current parameter values, one array (or list of arrays) per name
    init : initial values of state variables, one array per name
    """

    celltype: Any
    kind: str
    model: str
    entry: dict[str, Any] | None
    ids: np.ndarray
    params: dict[str, Any]
    init: dict[str, np.ndarray]
    nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    gens: np.ndarray | None = None
    int_params: frozenset[str] = frozenset()


def make_group(celltype: Any, ids: np.ndarray, parameters: dict[str, Any],
               initial_values: dict[str, np.ndarray], off_grid: bool,
               defaults: Any) -> CellGroup:
    """Describe a new group; `defaults(model)` is ``nest.GetDefaults``."""
    n = len(ids)
    name = type(celltype).__name__
    native = getattr(celltype, "nest_model", None)
    params: dict[str, Any] = {}
    for decl in celltype.parameters:
        value = parameters.get(decl.name, celltype.parameter_space.get(decl.name, decl.default))
        if decl.kind == "sequence":
            if isinstance(value, np.ndarray) and value.dtype != object and value.ndim <= 1:
                value = [value] * n
            params[decl.name] = [np.asarray(v, float).ravel() for v in value]
        else:
            params[decl.name] = np.broadcast_to(np.asarray(value, float), (n,)).copy()
    init = {k: np.broadcast_to(np.asarray(v, float), (n,)).copy()
            for k, v in {**celltype.default_initial_values, **(initial_values or {})}.items()}
    if native:
        d = defaults(native)
        ints = frozenset(k for k, v in d.items() if isinstance(v, int) and not isinstance(v, bool))
        return CellGroup(celltype, NATIVE, native, None, np.asarray(ids, _I64), params, init,
                         int_params=ints)
    entry = tr.cell_translation(name)
    if entry is None:
        raise NoModelAvailableError(f"the nest backend has no translation for {name!r}")
    model = entry["off_grid"] if off_grid else entry["model"]
    if model is None:
        raise NoModelAvailableError(
            f"spike_precision='off_grid': NEST has no precise-spike-time (*_ps) version of "
            f"{entry['model']} (lamina's {name}); use spike_precision='on_grid' or one of "
            f"{', '.join(k for k, e in tr.CELLS.items() if e['off_grid'] and e['kind'] == tr.NEURON)}")
    return CellGroup(celltype, entry["kind"], model, entry, np.asarray(ids, _I64), params, init)


def neuron_status(group: CellGroup, local: np.ndarray | None = None,
                  names: set[str] | None = None) -> dict[str, Any]:
    """NEST status (parameters) of the group's cells at `local` positions (all if None);
    only what depends on `names` if given. Uniform values are sent as scalars."""
    sel = slice(None) if local is None else local
    out: dict[str, Any] = {}
    if group.kind == NATIVE:
        for k, v in group.params.items():
            if names is None or k in names:
                out[k] = v[sel]
    elif group.kind == tr.NEURON:
        e = group.entry
        for k, (nest_name, factor) in e["parameters"].items():
            if names is None or k in names:
                out[nest_name] = group.params[k][sel] * factor
        for nest_name, (num, den, factor) in e["derived"].items():
            if names is None or num in names or den in names:
                out[nest_name] = factor * group.params[num][sel] / group.params[den][sel]
    return {k: _compact(v, k in group.int_params) for k, v in out.items()}


def state_status(group: CellGroup, local: np.ndarray | None = None) -> dict[str, Any]:
    """NEST status of the initial values (state variables) of the group's cells."""
    sel = slice(None) if local is None else local
    table = group.entry["state"] if group.entry else None
    out: dict[str, Any] = {}
    for k, v in group.init.items():
        vals = v[sel]
        if table is None:
            out[k] = _compact(vals, False)
        elif k in table:
            nest_name, factor = table[k]
            if nest_name != "V_m" and not np.any(vals):
                continue  # synaptic state at rest: NEST's default, and not always settable
            out[nest_name] = _compact(vals * factor, False)
    return out


def generator_status(group: CellGroup, dt: float, local: np.ndarray | None = None,
                     off_grid: bool = False) -> list[dict[str, Any]] | dict[str, Any]:
    """Status of spike generators (SpikeSourceArray) or Poisson generators.

    SpikeSourceArray times are rounded to the grid (as the engine does; off-grid: kept)
    and must be >= dt: NEST cannot emit a spike at t <= 0. Poisson generators feed a parrot
    with a one-step delay; measured on NEST 3.10 the parrot's spikes fall in (start + 2 dt,
    stop + 2 dt], so the window is shifted by -2 dt (spikes in (start, start+duration];
    a train starting before 2 dt starts at 2 dt)."""
    sel = np.arange(len(group.ids)) if local is None else local
    if group.kind == tr.SPIKE_ARRAY:
        out = []
        for i in sel:
            t = np.asarray(group.params["spike_times"][i], float)
            if not off_grid:
                t = np.unique(np.floor(t / dt + 0.5)) * dt
            if len(t) and t.min() < dt * 0.5:
                raise InvalidParameterValueError(
                    f"SpikeSourceArray on NEST: spike time {float(t.min())} ms is not allowed: "
                    f"NEST's spike_generator cannot emit spikes at t <= 0; use times >= dt "
                    f"({dt} ms)")
            out.append({"spike_times": np.round(t, 10).tolist()})
        return out
    rate = group.params["rate"][sel]
    start = np.floor(group.params["start"][sel] / dt + 0.5)
    stop = np.floor((group.params["start"][sel] + group.params["duration"][sel]) / dt + 0.5)
    return {"rate": _compact(rate, False), "start": _compact(np.maximum(start - 2, 0) * dt, False),
            "stop": _compact(np.maximum(stop - 2, 0) * dt, False)}


def _compact(values: np.ndarray, as_int: bool) -> Any:
    arr = np.asarray(values)
    if as_int:
        arr = np.round(arr).astype(int)
    if arr.size and np.all(arr == arr.flat[0]):
        return arr.flat[0].item()
    return arr.tolist()
