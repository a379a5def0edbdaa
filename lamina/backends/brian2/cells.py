"""Cell groups on Brian 2: one NeuronGroup (or SpikeGeneratorGroup) per `create_cells`
call, with lamina's record of its parameters and initial values (PyNN units), from which
`reset()` rebuilds it.

Time convention: Brian 2 integrates the step from t to t + dt in the step it labels t and
stamps a spike crossing threshold in that step with t; lamina (like NEST) stamps it t + dt.
Spike times read from Brian 2 are shifted by +dt (`recording`), spike times sent to a
SpikeGeneratorGroup by -dt (`sources`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import brian2 as b2
import numpy as np

from lamina.backends.brian2 import sources, updaters
from lamina.backends.brian2.equations import BrianModel, brian_model, si_factor
from lamina.backends.brian2.errors import translated
from lamina.errors import NonExistentParameterError

_I64 = np.int64


@dataclass
class CellGroup:
    """One created group of cells of one model.

    Attributes
    ----------
    celltype : the standard cell type (instance)
    ids : lamina IDs of the cells, in group order
    params, init : PyNN parameter and initial values per cell (arrays; lists of arrays for
        sequence parameters)
    model : the generated Brian 2 model (None for spike sources)
    kind : 'neuron' or one of `sources.KINDS`
    obj : the Brian 2 group (rebuilt by `build`)
    """

    celltype: Any
    ids: np.ndarray
    params: dict[str, Any]
    init: dict[str, np.ndarray]
    model: BrianModel | None
    kind: str
    name: str
    obj: Any = None
    namespace: dict[str, Any] = field(default_factory=dict)
    extra: list[Any] = field(default_factory=list)   # run_regularly operations etc.

    @property
    def brian(self) -> BrianModel:
        """The generated model (cells with equations only)."""
        if self.model is None:
            raise TypeError(f"{type(self.celltype).__name__} cells have no equations")
        return self.model

    def objects(self) -> list[Any]:
        """Brian 2 objects to add to the network."""
        return [self.obj, *self.extra]


def make_group(celltype: Any, ids: np.ndarray, parameters: dict[str, Any],
               initial_values: dict[str, np.ndarray], name: str, dt: float) -> CellGroup:
    """lamina's record of a new group (the Brian 2 objects are made by `build`)."""
    n = len(ids)
    kind = sources.kind_of(celltype)          # NoModelAvailableError before anything else
    params: dict[str, Any] = {}
    for p in celltype.parameters:
        value = parameters.get(p.name, p.default)
        if p.kind == "sequence":
            params[p.name] = [np.asarray(v, float).ravel() for v in value] \
                if isinstance(value, list) and len(value) == n else \
                [np.asarray(value, float).ravel() for _ in range(n)]
        else:
            params[p.name] = np.broadcast_to(np.asarray(value, float), (n,)).copy()
    init = {s.name: np.broadcast_to(np.asarray(initial_values.get(s.name, s.initial), float),
                                    (n,)).copy() for s in celltype.state_variables}
    model = brian_model(celltype, dt) if kind == "neuron" else None
    return CellGroup(celltype, np.asarray(ids, _I64), params, init, model, kind, name)


def build(group: CellGroup, dt: float) -> None:
    """Create the Brian 2 objects of `group` and give them its parameters and initial
    values (called at creation and by reset)."""
    label = f"creating {len(group.ids)} {type(group.celltype).__name__} cells"
    group.extra = []
    group.namespace = {}
    with translated(label):
        if group.kind != "neuron":
            group.obj = sources.build(group.kind, len(group.ids), group.params, dt, group.name)
            return
        m = group.brian
        group.obj = b2.NeuronGroup(len(group.ids), m.equations, threshold=m.threshold,
                                   reset=m.reset or None, refractory=m.refractory,
                                   method=updaters.method(m.method[0]) if len(m.method) == 1
                                   else list(m.method),
                                   namespace=group.namespace,
                                   dt=dt * b2.ms, name=group.name)
        # refuse a unit mismatch now, at the call, rather than at the next run
        group.obj.equations.check_units(group.obj, run_namespace={})
        for var in m.previous:
            group.extra.append(group.obj.run_regularly(f"{var}_last = {var}", when="start",
                                                       name=f"{group.name}_last_{var}"))
        push_parameters(group, np.arange(len(group.ids)), list(group.params))
        push_state(group, np.arange(len(group.ids)), list(group.init))
        for var in m.previous:
            setattr(group.obj, f"{var}_last_", getattr(group.obj, f"{var}_")[:])
        # hidden state (alpha kernels) starts at its declared value
        for h in type(group.celltype).dynamics.hidden:
            setattr(group.obj, m.brian_name(h.name) + "_", h.initial * si_factor(h.unit))


def push_parameters(group: CellGroup, local: np.ndarray, names: list[str]) -> None:
    """Send the recorded values of parameters `names` of cells `local` to Brian 2."""
    if group.kind != "neuron":
        sources.push(group.kind, group.obj, group.params, local, names)
        return
    m = group.brian
    with translated(f"setting {', '.join(names)} of {type(group.celltype).__name__}"):
        for name in names:
            var = getattr(group.obj, m.brian_name(name) + "_")
            var[local] = group.params[name][local] * si_factor(m.variables[name])


def push_state(group: CellGroup, local: np.ndarray, names: list[str]) -> None:
    """Set state variables `names` of cells `local` to their recorded initial values."""
    if group.kind != "neuron":
        return
    m = group.brian
    for name in names:
        var = getattr(group.obj, m.brian_name(name) + "_")
        var[local] = group.init[name][local] * si_factor(m.variables[name])


def read_state(group: CellGroup, name: str, local: np.ndarray) -> np.ndarray:
    """Current values [PyNN units] of state variable `name` of cells `local`."""
    m = group.model
    if m is None or name not in m.variables:
        raise NonExistentParameterError(name, type(group.celltype).__name__, group.init)
    return np.asarray(getattr(group.obj, m.brian_name(name) + "_")[:])[local] / \
        si_factor(m.variables[name])


def set_values(group: CellGroup, store: dict[str, Any], ids_pos: np.ndarray,
               local: np.ndarray, values: dict[str, Any], n_ids: int) -> None:
    """Write `values` (one entry per id of the call, or one for all) into `store` (the
    group's params or init) at rows `local`."""
    for name, value in values.items():
        if name not in store:
            raise NonExistentParameterError(name, type(group.celltype).__name__, store)
        if isinstance(store[name], list):
            seqs = value if isinstance(value, list) and len(value) == n_ids else [value] * n_ids
            for w, loc in zip(ids_pos, local):
                store[name][loc] = np.asarray(seqs[w], float).ravel()
        else:
            arr = np.asarray(value, float)
            store[name][local] = arr[ids_pos] if arr.ndim == 1 and len(arr) == n_ids \
                else np.broadcast_to(arr, (len(local),))
