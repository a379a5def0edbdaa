"""Cell groups on NEURON: one group per `create_cells` call (one model).

A standard cell is a section (`translations.SECTION_SIZE_UM`) carrying the membrane point
process and one synapse point process per receptor; a spike source is a ``LaminaRelay``
artificial cell. Every cell is registered with NEURON's ``ParallelContext`` under its lamina
ID as gid, with a NetCon from its spike-emitting object, so that connections are made with
``gid_connect`` and all spikes are recorded by one ``spike_record``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.backends.neuron import translations as tr
from lamina.errors import NoModelAvailableError
from lamina.models.base import StandardCellType


@dataclass
class CellGroup:
    """Cells of one model created together.

    Attributes
    ----------
    celltype : the lamina cell type; ``entry`` its translation (`translations.CELLS`)
    ids : lamina IDs (gids); ``params`` the PyNN parameters, one array per name
    initial : initial values (PyNN names), restored by `reset`
    sections, membranes, relays, stims : NEURON objects, one per cell (the lists that apply)
    receptors : receptor name -> point processes, one per cell (None: the membrane)
    """

    celltype: StandardCellType
    entry: dict[str, Any]
    ids: np.ndarray
    params: dict[str, Any]
    initial: dict[str, np.ndarray]
    sections: list[Any] = field(default_factory=list)
    membranes: list[Any] = field(default_factory=list)
    receptors: dict[str, list[Any] | None] = field(default_factory=dict)
    relays: list[Any] = field(default_factory=list)
    stims: list[Any] = field(default_factory=list)
    spike_sources: list[Any] = field(default_factory=list)
    native: bool = False
    # receptor -> per cell: delay [ms] -> STDP point process
    stdp: dict[str, list[dict[float, Any]]] = field(default_factory=dict)
    stdp_routes: list[Any] = field(default_factory=list)          # postsynaptic NetCons
    created_at: int | None = None       # step, for sources created after the start
    trains_sequences: frozenset[str] = frozenset()   # parameters with a sequence per cell

    @property
    def is_source(self) -> bool:
        return self.entry["kind"] == tr.SOURCE

    def spike_object(self, k: int) -> Any:
        """The object whose net_event is cell k's spike."""
        return self.spike_sources[k]

    def target(self, receptor: str, k: int) -> Any:
        """The point process that receives cell k's input on `receptor`."""
        objs = self.receptors.get(receptor)
        return self.membranes[k] if objs is None else objs[k]


def entry_for(celltype: StandardCellType) -> dict[str, Any]:
    """The translation of `celltype`, or `NoModelAvailableError` naming model and backend."""
    name = type(celltype).__name__
    native = getattr(celltype, "neuron_native_name", None)
    if native is not None:
        states = [sv.name for sv in celltype.state_variables]
        return {"kind": "native", "mechanism": native, "states": tuple(states),
                "record": {v: ("membrane", v) for v in states}}
    if name == "PointNeuron":
        composed: Any = celltype
        entry = tr.point_neuron_entry(composed)
        if entry is None:
            parts = ", ".join(f"{r}={type(composed.post_synaptic_receptors[r]).__name__}"
                              for r in composed.receptor_types)
            raise NoModelAvailableError(
                f"PointNeuron({type(composed.neuron).__name__}, {parts}) is not available on "
                "the neuron backend: it offers LIF or AdExp membranes with CurrExpPSR, "
                "CondExpPSR and CondAlphaPSR receptors")
        return entry
    entry = tr.CELLS.get(name)
    if entry is None:
        raise NoModelAvailableError(
            f"{name} is not available on the neuron backend (available: "
            f"{', '.join(sorted(tr.CELLS))}, and NEURON's artificial cells by name)")
    return entry


def build(h: Any, pc: Any, group: CellGroup) -> None:
    """Create the NEURON objects of `group` and register its gids."""
    n = len(group.ids)
    kind = group.entry["kind"]
    if kind == tr.SOURCE:
        group.relays = [h.LaminaRelay() for _ in range(n)]
        group.stims = [h.NetCon(None, r) for r in group.relays]
        group.spike_sources = group.relays
    elif kind == "native":
        make = getattr(h, group.entry["mechanism"])
        group.relays = [make() for _ in range(n)]
        group.stims = [h.NetCon(None, r) for r in group.relays]
        group.spike_sources = group.membranes = group.relays
        group.native = True
    else:
        _build_sections(h, group, n)
    for gid, obj in zip(group.ids.tolist(), group.spike_sources):
        pc.set_gid2node(gid, pc.id())
        pc.cell(gid, h.NetCon(obj, None))
    apply_parameters(group, group.params)


def _build_sections(h: Any, group: CellGroup, n: int) -> None:
    size = tr.SECTION_SIZE_UM
    membrane = getattr(h, group.entry["membrane"])
    for gid in group.ids.tolist():
        sec = h.Section(name=f"cell{gid}")
        sec.L = size
        sec.diam = size
        group.sections.append(sec)
        group.membranes.append(membrane(sec(0.5)))
    for receptor, syn in group.entry["receptors"].items():
        if syn is None:
            group.receptors[receptor] = None
            continue
        make = getattr(h, syn["mechanism"])
        objs = [make(sec(0.5)) for sec in group.sections]
        for name, value in syn["fixed"].items():
            for obj in objs:
                setattr(obj, name, value)
        group.receptors[receptor] = objs
    group.spike_sources = group.membranes


#: synapse mechanisms with a Random123 stream ``rng`` (stochastic transmission)
RANDOM_SYNAPSES = ("LaminaExpSyn", "LaminaAlphaSyn")


def synapse_streams(group: CellGroup) -> list[tuple[int, int, Any]]:
    """(cell ID, receptor number, point process) of each synapse with a random stream, and
    of membranes with one (number 0: GIF's spike draws)."""
    out: list[tuple[int, int, Any]] = []
    if group.entry.get("random_membrane"):
        out.extend((gid, 0, pp) for gid, pp in zip(group.ids.tolist(), group.membranes))
    for r, (receptor, syn) in enumerate(group.entry.get("receptors", {}).items()):
        if syn is None or syn["mechanism"] not in RANDOM_SYNAPSES:
            continue
        for gid, pp in zip(group.ids.tolist(), group.receptors[receptor] or []):
            out.append((gid, r + 1, pp))
    return out


def seed_synapses(group: CellGroup, seed: int) -> None:
    """Give each synapse its own random stream: Random123 ids (seed, cell ID, receptor) —
    the same whatever the number of MPI processes."""
    for gid, r, pp in synapse_streams(group):
        pp.rng.set_ids(seed & 0xFFFFFFFF, gid, r)


def restart_streams(group: CellGroup) -> None:
    """Back to the start of every synapse's random stream (a run after reset repeats)."""
    for _, _, pp in synapse_streams(group):
        pp.rng.set_seq(0)


def apply_parameters(group: CellGroup, changed: dict[str, Any]) -> None:
    """Merge `changed` PyNN parameters into the group's and set the NEURON values."""
    n = len(group.ids)
    group.params.update(changed)
    if group.entry["kind"] == "native":
        for name, values in changed.items():
            vals = np.broadcast_to(np.asarray(values, float), (n,))
            for obj, v in zip(group.relays, vals.tolist()):
                setattr(obj, name, v)
        return
    if group.entry["kind"] != tr.CELL:
        return
    cm_value = group.entry.get("section_cm", group.params.get("cm"))
    if cm_value is not None:
        cm = np.broadcast_to(np.asarray(cm_value, float), (n,))
        for sec, c in zip(group.sections, cm.tolist()):
            sec.cm = c
    _set_all(group.membranes, tr.evaluate(group.entry["rules"], group.params, n))
    for receptor, syn in group.entry["receptors"].items():
        if syn is not None:
            values = tr.evaluate(syn["rules"], group.params, n)
            _set_all(group.receptors[receptor] or [], values)
            made = [(k, pp) for k, pps in enumerate(group.stdp.get(receptor, ()))
                    for pp in pps.values()]
            _set_all([pp for _, pp in made],
                     {name: v[[k for k, _ in made]] for name, v in values.items()})


def _set_all(objs: list[Any], values: dict[str, np.ndarray]) -> None:
    for name, vals in values.items():
        for obj, v in zip(objs, vals.tolist()):
            setattr(obj, name, v)


def state_reference(group: CellGroup, variable: str, k: int) -> Any:
    """NEURON pointer to `variable` (a recordable or state variable) of cell k."""
    where, native = group.entry["record"][variable]
    if where == "section":
        return getattr(group.sections[k](0.5), f"_ref_{native}")
    receptor = group.receptors.get(where) or group.membranes
    obj = group.membranes[k] if where == "membrane" else receptor[k]
    return getattr(obj, f"_ref_{native}")


def apply_initial_values(group: CellGroup) -> None:
    """Set state variables to the group's initial values (after ``finitialize``)."""
    if group.entry["kind"] == "native":
        for name in group.entry["states"]:
            if name in group.initial:
                for obj, v in zip(group.relays, group.initial[name].tolist()):
                    setattr(obj, name, v)
        return
    if group.entry["kind"] != tr.CELL:
        return
    n = len(group.ids)
    for name, values in group.initial.items():
        if name != "v" and name not in group.entry.get("states", ()):
            continue
        vals = np.broadcast_to(np.asarray(values, float), (n,)).tolist()
        if name == "v":
            for sec, v in zip(group.sections, vals):
                for seg in sec.allseg():    # the zero-area end nodes too
                    seg.v = v
        else:
            for obj, v in zip(group.membranes, vals):
                setattr(obj, name, v)

