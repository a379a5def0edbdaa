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
    relay_gens: np.ndarray | None = None    # SpikeSourceArray: generators feeding `relays`
    relays: np.ndarray | None = None        # parrots re-emitting the spikes (dynamic synapses)
    tau_minus: np.ndarray | None = None     # NEST tau_minus set by STDP projections (NaN: not)


def entry(group: CellGroup) -> dict[str, Any]:
    """The translation entry of a group of standard cells (native groups have none)."""
    if group.entry is None:
        raise NoModelAvailableError(f"{group.model} cells have no lamina translation entry")
    return group.entry


def make_group(celltype: Any, ids: np.ndarray, parameters: dict[str, Any],
               initial_values: dict[str, np.ndarray], off_grid: bool,
               defaults: Any) -> CellGroup:
    """Describe a new group; `defaults(model)` is ``nest.GetDefaults``."""
    n = len(ids)
    name = type(celltype).__name__
    native = getattr(celltype, "nest_model", None)
    params: dict[str, Any] = {}
    for decl in celltype.parameter_table().values():
        value = parameters.get(decl.name, celltype.parameter_space.get(decl.name, decl.default))
        if decl.kind in ("sequence", "array"):
            params[decl.name] = per_cell_arrays(value, n)
        else:
            params[decl.name] = np.broadcast_to(np.asarray(value, float), (n,)).copy()
    init = {k: np.broadcast_to(np.asarray(v, float), (n,)).copy()
            for k, v in {**celltype.default_initial_values, **(initial_values or {})}.items()}
    if native:
        d = defaults(native)
        ints = frozenset(k for k, v in d.items() if isinstance(v, int) and not isinstance(v, bool))
        return CellGroup(celltype, NATIVE, native, None, np.asarray(ids, _I64), params, init,
                         int_params=ints)
    entry = tr.cell_translation(name, celltype)
    if entry is None:
        raise NoModelAvailableError(f"the nest backend has no translation for {name!r}")
    model = entry["off_grid"] if off_grid else entry["model"]
    if model is None and entry["kind"] == tr.POISSON:
        raise NoModelAvailableError(
            f"spike_precision='off_grid': the nest backend has no precise-spike-time version "
            f"of {entry['generator'][0]} (lamina's {name}); use spike_precision='on_grid'")
    if model is None:
        raise NoModelAvailableError(
            f"spike_precision='off_grid': NEST has no precise-spike-time (*_ps) version of "
            f"{entry['model']} (lamina's {name}); use spike_precision='on_grid' or one of "
            f"{', '.join(k for k, e in tr.CELLS.items() if e['off_grid'] and e['kind'] == tr.NEURON)}")
    if name == "SpikeSourceGamma":
        alpha = params["alpha"]
        if np.any(alpha != np.round(alpha)) or np.any(alpha < 1):
            raise NoModelAvailableError(
                "SpikeSourceGamma on the nest backend: NEST's gamma_sup_generator needs a whole "
                f"shape alpha >= 1; got alpha = {alpha[(alpha != np.round(alpha)) | (alpha < 1)][0]}")
    if name == "SpikeSourceInhGamma":
        for a in params["a"]:
            if np.any(np.asarray(a) != 1.0):
                raise NoModelAvailableError(
                    "SpikeSourceInhGamma on the nest backend: NEST has no inhomogeneous gamma "
                    "generator; only a = 1 in every bin (an inhomogeneous Poisson process, "
                    "inhomogeneous_poisson_generator) is available")
    ints = frozenset(entry.get("gen_int", ()))
    return CellGroup(celltype, entry["kind"], model, entry, np.asarray(ids, _I64), params, init,
                     int_params=ints)


def per_cell_arrays(value: Any, n: int) -> list[np.ndarray]:
    """One 1-D float array per cell from a sequence/array parameter value (one array for
    all cells, or a list of n)."""
    if isinstance(value, np.ndarray) and value.dtype != object and value.ndim <= 1:
        return [value.astype(float).ravel()] * n
    if isinstance(value, (list, tuple)) and (len(value) == 0 or all(np.ndim(v) == 0
                                                                     for v in value)):
        return [np.asarray(value, float).ravel()] * n
    return [np.asarray(v, float).ravel() for v in value]


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
        e = entry(group)
        for k, (nest_name, factor) in e["parameters"].items():
            if names is None or k in names:
                out[nest_name] = group.params[k][sel] * factor
        for nest_name, (num, den, factor) in e["derived"].items():
            if names is None or num in names or den in names:
                out[nest_name] = factor * group.params[num][sel] / group.params[den][sel]
        for nest_name, (k, factor) in e.get("copies", {}).items():
            if names is None or k in names:
                out[nest_name] = group.params[k][sel] * factor
        if names is None:
            out.update(e.get("fixed", {}))
        idx = np.arange(len(group.ids))[sel]
        lists: dict[str, list] = {}
        for k, (nest_name, factor) in e.get("arrays", {}).items():
            if names is None or k in names:
                lists[nest_name] = [(group.params[k][i] * factor).tolist() for i in idx]
        rarrays = e.get("rarrays", {})
        if names is None or any(k in names for ks, _ in rarrays.values() for k in ks):
            for nest_name, (ks, factor) in rarrays.items():
                cols = np.stack([group.params[k][sel] for k in ks], axis=1) * factor
                lists[nest_name] = cols.tolist()
        result = {k: _compact(v, k in group.int_params) for k, v in out.items()}
        for nest_name, per_cell in lists.items():
            same = all(x == per_cell[0] for x in per_cell)
            result[nest_name] = per_cell[0] if same and per_cell else per_cell
        return result
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
            nest_name, factor = table[k][:2]
            if len(table[k]) > 2:      # reported by NEST, not settable (GIF's v_t)
                continue
            if nest_name != "V_m" and not np.any(vals):
                continue  # synaptic state at rest: NEST's default, and not always settable
            out[nest_name] = _compact(vals * factor, False)
    return out


def generator_status(group: CellGroup, dt: float, local: np.ndarray | None = None,
                     off_grid: bool = False, names: set[str] | None = None,
                     now: int = 0) -> list[dict[str, Any]] | dict[str, Any]:
    """Status of spike generators (SpikeSourceArray) or Poisson generators.

    SpikeSourceArray times are rounded to the grid (as the engine does; off-grid: kept)
    and must be >= dt: NEST cannot emit a spike at t <= 0. Poisson generators feed a parrot
    with a one-step delay; measured on NEST 3.10 the parrot's spikes fall in (start + 2 dt,
    stop + 2 dt], so the window is shifted by -2 dt (spikes in (start, start+duration];
    a train starting before 2 dt starts at 2 dt)."""
    sel = np.arange(len(group.ids)) if local is None else local
    if group.kind == tr.SPIKE_ARRAY:
        return spike_train_status(group, dt, sel, off_grid)
    e = entry(group)
    start = np.floor(group.params["start"][sel] / dt + 0.5)
    stop = np.floor((group.params["start"][sel] + group.params["duration"][sel]) / dt + 0.5)
    out: dict[str, Any] = {"start": _compact(np.maximum(start - 2, 0) * dt, False),
                           "stop": _compact(np.maximum(stop - 2, 0) * dt, False)}
    for k, (nest_name, factor) in e["gen_parameters"].items():
        out[nest_name] = _compact(group.params[k][sel] * factor, nest_name in group.int_params)
    for nest_name, (num, den, factor) in e["gen_derived"].items():
        out[nest_name] = _compact(factor * group.params[num][sel] / group.params[den][sel],
                                  False)
    if e["generator"][0] == "inhomogeneous_poisson_generator":
        rates = names is None or bool(names & {"a", "b", "tbins"})
        return [{**{k: (v[j] if isinstance(v, list) else v) for k, v in out.items()},
                 **(inh_poisson_rates(group, int(i), dt, now) if rates else {})}
                for j, i in enumerate(sel)]
    return out


def spike_train_status(group: CellGroup, dt: float, sel: np.ndarray,
                       off_grid: bool = False) -> list[dict[str, Any]]:
    """spike_generator status of the SpikeSourceArray cells at positions `sel`."""
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


def inh_poisson_rates(group: CellGroup, i: int, dt: float, now: int = 0) -> dict[str, Any]:
    """rate_times/rate_values of inhomogeneous_poisson_generator for SpikeSourceInhGamma
    cell `i` (a = 1: rate 1/b Hz from tbins[k]); times shifted by -2 dt like the other
    generators (a change at or before 2 dt applies from the start; changed between runs:
    the rate in force now applies from the next step)."""
    t = np.floor(np.asarray(group.params["tbins"][i], float) / dt + 0.5) - 2
    rates = 1.0 / np.asarray(group.params["b"][i], float)
    t = np.maximum(t, now + 1)
    keep = np.r_[t[1:] != t[:-1], True] if len(t) else t.astype(bool)
    return {"rate_times": np.round(t[keep] * dt, 10).tolist(),
            "rate_values": rates[keep].tolist()}


def relay_status(group: CellGroup, dt: float,
                 local: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Spike times of the generators feeding a SpikeSourceArray's relay parrots (delay dt):
    one step early, so that the parrots spike at the given times (>= 2 dt)."""
    out = []
    sel = np.arange(len(group.ids)) if local is None else local
    for st in spike_train_status(group, dt, sel):
        t = np.asarray(st["spike_times"], float) - dt
        if len(t) and t.min() < dt * 0.5:
            raise InvalidParameterValueError(
                f"SpikeSourceArray on NEST with dynamic synapses: spike time "
                f"{float(t.min()) + dt} ms is not allowed: the spikes are relayed by parrot "
                f"neurons (NEST's dynamic synapses take no input from devices), so times must "
                f"be >= 2 dt ({2 * dt} ms)")
        out.append({"spike_times": np.round(t, 10).tolist()})
    return out


def _compact(values: np.ndarray, as_int: bool) -> Any:
    arr = np.asarray(values)
    if as_int:
        arr = np.round(arr).astype(int)
    if arr.size and np.all(arr == arr.flat[0]):
        return arr.flat[0].item()
    return arr.tolist()
