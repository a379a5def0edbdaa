"""Cell groups on Brian 2: lamina's record of each `create_cells` call (parameters and
initial values in PyNN units) and the Brian 2 groups built from the records.

Blocks: the groups of one cell type are simulated as one NeuronGroup (a `Block`), each
group a contiguous ``Subgroup`` of it, so that Brian 2 runs one state update, threshold
and reset per cell type instead of one per population. A parameter with the same value
in every cell of a block is declared ``(shared, constant)`` (see
`lamina.backends.brian2.equations`); one that differs between cells is per cell. Spike
sources are one block each. The blocks are laid out at the first run (`layout`); groups
created later get blocks of their own.

Time convention: Brian 2 integrates the step from t to t + dt in the step it labels t and
stamps a spike crossing threshold in that step with t; lamina (like NEST) stamps it t + dt.
Spike times read from Brian 2 are shifted by +dt (`recording`), spike times sent to a
SpikeGeneratorGroup by -dt (`sources`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import brian2 as b2
from brian2.devices.device import RuntimeDevice
import numpy as np

from lamina.backends.brian2 import gif, sources
from lamina.backends.brian2.equations import BrianModel, brian_model, si_factor
from lamina.backends.brian2.errors import translated
from lamina.errors import NonExistentParameterError
from lamina.models import dynamics

_I64 = np.int64
_CHECKED: set[tuple[type, str]] = set()      # (cell type, equations) Brian 2 accepted


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
    block, offset : the block simulating the group and the group's first row in it (-1
        before the first run)
    obj : the group's Brian 2 view (the block's group or a Subgroup of it; None before
        the first run)
    """

    celltype: Any
    ids: np.ndarray
    params: dict[str, Any]
    init: dict[str, np.ndarray]
    model: BrianModel | None
    kind: str
    name: str
    block: int = -1
    offset: int = 0
    trains: Any = None          # SpikeSourceInhGamma: `inh_gamma.InhGammaTrains` of the run
    obj: Any = None

    @property
    def brian(self) -> BrianModel:
        """The generated model (cells with equations only)."""
        if self.model is None:
            raise TypeError(f"{type(self.celltype).__name__} cells have no equations")
        return self.model


@dataclass
class Block:
    """One Brian 2 group simulating the groups `members` (indices into the backend's list).

    Attributes
    ----------
    per_cell : parameters kept per cell even if homogeneous (set heterogeneously after
        the block was built)
    shared : parameters declared ``(shared, constant)`` in the current Brian 2 group
    extra : further Brian 2 objects of the block (run_regularly operations)
    """

    kind: str
    members: list[int]
    name: str
    per_cell: set[str] = field(default_factory=set)
    shared: frozenset[str] = frozenset()
    obj: Any = None
    namespace: dict[str, Any] = field(default_factory=dict)
    extra: list[Any] = field(default_factory=list)

    def objects(self) -> list[Any]:
        """Brian 2 objects to add to the network."""
        return [self.obj, *self.extra]

    def ids(self, groups: list[CellGroup]) -> np.ndarray:
        """lamina ids of the block's cells, in row order."""
        return np.concatenate([groups[k].ids for k in self.members])


def make_group(celltype: Any, ids: np.ndarray, parameters: dict[str, Any],
               initial_values: dict[str, np.ndarray], name: str, dt: float) -> CellGroup:
    """lamina's record of a new group (the Brian 2 objects are made by `build_block`);
    the model's equations are checked by Brian 2 now."""
    n = len(ids)
    kind = sources.kind_of(celltype)          # NoModelAvailableError before anything else
    params: dict[str, Any] = {}
    for p in celltype.parameter_table().values():
        value = parameters.get(p.name, p.default)
        if p.kind in ("sequence", "array"):
            params[p.name] = per_cell_arrays(value, n)
        else:
            params[p.name] = np.broadcast_to(np.asarray(value, float), (n,)).copy()
    init = {s.name: np.broadcast_to(np.asarray(initial_values.get(s.name, s.initial), float),
                                    (n,)).copy() for s in celltype.state_variables}
    elements = gif.counts(params) if gif.is_gif(celltype) else None
    if elements is not None:
        gif.expand(params, elements)
    model = brian_model(celltype, dt, elements) if kind == "neuron" else None
    if model is not None:
        check_model(celltype, model, dt)
    else:
        sources.check(kind, params)
    return CellGroup(celltype, np.asarray(ids, _I64), params, init, model, kind, name)


def per_cell_arrays(value: Any, n: int) -> list[np.ndarray]:
    """One 1-D float array per cell from a sequence or array parameter value (one array
    for all cells, or a list of `n`)."""
    if isinstance(value, list) and len(value) == n:
        return [np.asarray(v, float).ravel() for v in value]
    if isinstance(value, np.ndarray) and value.dtype == object:
        return [np.asarray(v, float).ravel() for v in value]
    return [np.asarray(value, float).ravel() for _ in range(n)]


def _neuron_group(m: BrianModel, n: int, shared: frozenset[str], clock: Any,
                  namespace: dict[str, Any], name: str) -> Any:
    return b2.NeuronGroup(n, m.text(shared), threshold=m.threshold, reset=m.reset or None,
                          refractory=m.refractory, method=m.updater(),
                          namespace=namespace, clock=clock, name=name)


def check_model(celltype: Any, m: BrianModel, dt: float) -> None:
    """Let Brian 2 parse the equations and check their units (once per cell type and
    equations), so that an equation it rejects is refused at the call."""
    key = (type(celltype), m.text())
    if key in _CHECKED:
        return
    with translated(f"creating {type(celltype).__name__} cells"):
        if not isinstance(b2.get_device(), RuntimeDevice):
            # C++ standalone: a probe group would join the program (and, once collected,
            # break its build), so only the syntax is checked here, units at the build
            b2.Equations(m.text())
            return
        probe = _neuron_group(m, 1, frozenset(), b2.Clock(dt * b2.ms), {},
                              "lamina_check*")
        probe.equations.check_units(probe, run_namespace={})
    _CHECKED.add(key)


def layout(groups: list[CellGroup], members: list[int], first_block: int) -> list[Block]:
    """Blocks for the groups `members`: one per cell type for cells with equations (in the
    order of their first group), one per spike source group."""
    blocks: list[Block] = []
    by_type: dict[tuple[type, str], Block] = {}   # composed cells: by their equations
    for k in members:
        g = groups[k]
        key = (type(g.celltype), g.brian.text()) if g.kind == "neuron" else None
        if key is not None and key in by_type:
            by_type[key].members.append(k)
            continue
        block = Block(g.kind, [k], f"lamina_b{first_block + len(blocks)}")
        blocks.append(block)
        if key is not None:
            by_type[key] = block
    return blocks


def _homogeneous(values: np.ndarray) -> bool:
    return len(values) == 0 or bool(np.all(values == values[0]))


def build_block(block: Block, groups: list[CellGroup], clock: Any, index: int,
                initial: bool = True) -> None:
    """Create the Brian 2 group of `block` and the views of its member groups, with the
    members' parameters (and, if `initial`, their initial values)."""
    members = [groups[k] for k in block.members]
    first = members[0]
    label = f"creating {sum(len(g.ids) for g in members)} {type(first.celltype).__name__} cells"
    block.extra, block.namespace = [], {}
    with translated(label):
        if block.kind != "neuron":
            first.obj = block.obj = sources.build(block.kind, len(first.ids), first.params,
                                                  clock, block.name)
            first.block, first.offset = index, 0
            return
        m = first.brian
        block.shared = frozenset(
            p for p in m.parameters if p not in block.per_cell
            and _homogeneous(np.concatenate([g.params[p] for g in members])))
        n = sum(len(g.ids) for g in members)
        block.obj = _neuron_group(m, n, block.shared, clock, block.namespace, block.name)
        for var in m.previous:
            block.extra.append(block.obj.run_regularly(
                f"{var}_last = {var}", when="start", name=f"{block.name}_last_{var}"))
        offset = 0
        for g in members:
            g.block, g.offset = index, offset
            g.obj = block.obj if len(members) == 1 else \
                block.obj[offset:offset + len(g.ids)]
            offset += len(g.ids)
        for name in m.parameters:
            push_parameter(block, groups, name)
        if not initial:
            return
        for g in members:
            push_state(g, np.arange(len(g.ids)), list(g.init))
        for var in m.previous:
            setattr(block.obj, f"{var}_last", var)    # code: also before a standalone run
        # hidden state (alpha kernels) starts at its declared value
        dyn = dynamics.of(first.celltype)
        for h in dyn.hidden if dyn is not None else ():
            setattr(block.obj, m.brian_name(h.name) + "_", h.initial * si_factor(h.unit))


def push_parameter(block: Block, groups: list[CellGroup], name: str) -> bool:
    """Send the recorded values of parameter `name` of all cells of a neuron block to
    Brian 2. False if the parameter is shared in the Brian 2 group but the values now
    differ between cells (the block must be rebuilt with it per cell)."""
    members = [groups[k] for k in block.members]
    m = members[0].brian
    factor = si_factor(m.variables[name])
    values = np.concatenate([g.params[name] for g in members])
    with translated(f"setting {name} of {type(members[0].celltype).__name__}"):
        if name in block.shared:
            if not _homogeneous(values):
                block.per_cell.add(name)
                return False
            setattr(block.obj, m.brian_name(name) + "_", float(values[0]) * factor)
        else:
            getattr(block.obj, m.brian_name(name) + "_")[:] = values * factor
    return True


def push_source_parameters(group: CellGroup, local: np.ndarray, names: list[str]) -> None:
    """Send changed parameters of a spike source group to Brian 2."""
    sources.push(group.kind, group.obj, group.params, local, names)


def push_state(group: CellGroup, local: np.ndarray, names: list[str]) -> None:
    """Set state variables `names` of cells `local` to their recorded initial values."""
    if group.kind != "neuron" or group.obj is None:
        return
    m = group.brian
    for name in names:
        if name in m.derived:                 # a sub-expression of the state (GIF's v_t)
            continue
        var = getattr(group.obj, m.brian_name(name) + "_")
        var[sources.index(local)] = group.init[name][local] * si_factor(m.variables[name])


def read_state(group: CellGroup, name: str, local: np.ndarray,
               records: bool = False) -> np.ndarray:
    """Current values [PyNN units] of state variable `name` of cells `local` (from lamina's
    records before the group is built, or if `records`: C++ standalone before its run)."""
    m = group.model
    if m is None or name not in m.variables:
        raise NonExistentParameterError(name, type(group.celltype).__name__, group.init)
    if group.obj is None or records:                      # not built yet: the records
        record = group.init.get(name, group.params.get(name))
        return np.asarray(record if record is not None else np.zeros(len(group.ids)))[local]
    values = np.asarray(getattr(group.obj, m.brian_name(name) + "_")[:])
    values = np.broadcast_to(values, (len(group.ids),))      # shared parameters
    return values[local] / si_factor(m.variables[name])


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
