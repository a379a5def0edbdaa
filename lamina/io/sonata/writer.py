"""`export_to_sonata`: a lamina `Network` as SONATA files.

Layout under `output_path`: ``circuit_config.json``, ``simulation_config.json`` (time step,
duration, the spike inputs), ``network/<population>_nodes.h5`` with its
``_node_types.csv``, ``network/<projection>_edges.h5`` with its ``_edge_types.csv``, and
``inputs/<population>_spikes.h5`` for the spike times of `SpikeSourceArray` populations.

Each Assembly of the network becomes a node population and each of its member Populations a
node group (an imported network is written back as it was read); a Population in no
Assembly is a node population of its own. Node types are ``pyNN:<class>`` (``nest:<name>``
for NEST-named and NEST-native models); spike sources are ``virtual`` nodes. Parameters
shared by a whole group go into the types table, others into the group's
``dynamics_params``; positions into ``x``, ``y``, ``z``; initial values into
``dynamics_params/initial_<variable>`` (a lamina convention, read back by
`import_from_sonata`). Each Projection is an edge population (one per pair of node
populations it joins): ``syn_weight``, ``delay`` and the synapse parameters go into the types
table where one value serves every edge, per edge into the group otherwise (a per-edge delay
also into ``dynamics_params``, where PyNN 0.13 reads it); the receptor type into the types
table. Not written: current sources and recording settings.
"""
from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from lamina import procedural
from lamina.errors import InvalidParameterValueError, NothingToWriteError
from lamina.io.sonata.files import atomic_path, create_h5, write_types_table
from lamina.io.sonata.spikes import write_spikes


def asciify(label: str) -> str:
    """A label as a plain-ASCII name usable in file and HDF5 group names."""
    text = label.replace("→", "-").replace("/", "_").replace(" ", "_")
    return text.encode("ascii", "replace").decode("ascii").replace("?", "_")


def _template(obj: Any) -> str:
    module = type(obj).__module__
    if module.startswith(("lamina.models.nest_named", "lamina.backends.nest")):
        return f"nest:{type(obj).__name__}"
    return f"pyNN:{type(obj).__name__}"


class _NodeMap:
    """Global cell ID -> (node population, node id)."""

    def __init__(self) -> None:
        self.ids: list[np.ndarray] = []
        self.names: list[np.ndarray] = []
        self.node_ids: list[np.ndarray] = []

    def add(self, population: Any, name: str, node_ids: np.ndarray) -> None:
        self.ids.append(population.all_ids)
        self.names.append(np.full(population.size, name, dtype=object))
        self.node_ids.append(node_ids)

    def lookup(self, global_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = np.concatenate(self.ids)
        order = np.argsort(ids)
        pos = order[np.searchsorted(ids, global_ids, sorter=order)]
        return np.concatenate(self.names)[pos], np.concatenate(self.node_ids)[pos]


def export_to_sonata(network: Any, output_path: str, target: str = "PyNN",
                     overwrite: bool = False, tstop: float | None = None) -> str:
    """Write `network` in SONATA format into directory `output_path`.

    Parameters
    ----------
    network : lamina.network.Network
    output_path : str — directory (created)
    target : str — ``target_simulator`` written into the configs ('PyNN' or 'NEST')
    overwrite : bool — replace files in an existing non-empty directory
    tstop : float — run duration [ms] for the simulation config (default: the current
        simulation time)

    Returns
    -------
    str — the path of ``circuit_config.json``
    """
    if target not in ("PyNN", "NEST"):
        raise InvalidParameterValueError(f"target={target!r}: expected 'PyNN' or 'NEST'")
    if not network.ordered_populations():
        raise NothingToWriteError("export_to_sonata: the network has no populations")
    if os.path.isdir(output_path) and os.listdir(output_path) and not overwrite:
        raise InvalidParameterValueError(f"output_path={output_path!r} exists and is not empty; "
                                         "pass overwrite=True to replace its files")
    net_dir = os.path.join(output_path, "network")
    os.makedirs(net_dir, exist_ok=True)
    nodes: list[dict[str, str]] = []
    edges: list[dict[str, str]] = []
    circuit = {"manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network"},
               "target_simulator": target, "components": {},
               "networks": {"nodes": nodes, "edges": edges}}
    node_map, inputs = _NodeMap(), {}
    node_types = itertools.count(100)         # type ids unique in the circuit (bmtk needs it)
    for name, members, node_ids in _node_populations(network):
        spikes = _write_nodes(net_dir, name, members, node_ids, node_map, node_types)
        nodes.append(
            {"nodes_file": f"$NETWORK_DIR/{name}_nodes.h5",
             "node_types_file": f"$NETWORK_DIR/{name}_node_types.csv"})
        if spikes is not None:
            path = os.path.join(output_path, "inputs", f"{name}_spikes.h5")
            write_spikes(path, {name: spikes}, "id")
            inputs[f"{name}_spikes"] = {"input_type": "spikes", "module": "h5",
                                        "input_file": f"$BASE_DIR/inputs/{name}_spikes.h5",
                                        "node_set": name}
    used: set[str] = set()
    edge_types = itertools.count(100)
    for prj in network.ordered_projections():
        for name in _write_edges(net_dir, prj, edge_types, node_map, used):
            edges.append(
                {"edges_file": f"$NETWORK_DIR/{name}_edges.h5",
                 "edge_types_file": f"$NETWORK_DIR/{name}_edge_types.csv"})
    _write_json(os.path.join(output_path, "circuit_config.json"), circuit)
    _write_json(os.path.join(output_path, "simulation_config.json"),
                _simulation_config(network, target, inputs, tstop))
    return os.path.join(output_path, "circuit_config.json")


def _write_json(path: str, obj: Any) -> None:
    with atomic_path(path) as tmp, open(tmp, "w") as fh:
        json.dump(obj, fh, indent=2)


def _simulation_config(network: Any, target: str, inputs: dict, tstop: float | None) -> dict:
    sim = procedural.state    # the current simulation's clock, as ``sim.state`` gives it
    return {"manifest": {"$BASE_DIR": ".", "$OUTPUT_DIR": "$BASE_DIR/output"},
            "target_simulator": target,
            "run": {"dt": sim.dt, "tstop": float(sim.t if tstop is None else tstop)},
            "inputs": inputs,
            "output": {"output_dir": "$OUTPUT_DIR", "spikes_file": "spikes.h5",
                       "spikes_sort_order": "time"}}


def _node_populations(network: Any) -> list[tuple[str, list[Any], np.ndarray]]:
    known = network.annotations.get("sonata_node_ids", {})
    taken: set[int] = set()
    out = []
    for assembly in network.ordered_assemblies():
        members = [p.grandparent for p in assembly.populations if id(p.grandparent) not in taken]
        if not members:
            continue
        taken.update(id(p) for p in members)
        size = sum(p.size for p in members)
        ids = np.asarray(known.get(assembly.label, np.arange(size)), dtype=np.int64)
        if ids.size != size:
            ids = np.arange(size, dtype=np.int64)
        out.append((asciify(assembly.label), members, ids))
    for pop in network.ordered_populations():
        if id(pop) not in taken:
            taken.add(id(pop))
            out.append((asciify(pop.label), [pop], np.arange(pop.size, dtype=np.int64)))
    names = [n for n, _, _ in out]
    if len(set(names)) != len(names):
        out = [(f"{n}_{k}" if names.count(n) > 1 else n, m, i) for k, (n, m, i) in enumerate(out)]
    return out


def _write_nodes(net_dir: str, name: str, members: list[Any], node_ids: np.ndarray,
                 node_map: _NodeMap, type_counter: Iterator[int]
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    n = int(node_ids.size)
    rows, spikes = [], None
    type_ids = np.zeros(n, dtype=np.uint32)
    group_ids = np.zeros(n, dtype=np.uint32)
    group_index = np.zeros(n, dtype=np.uint64)
    with create_h5(os.path.join(net_dir, f"{name}_nodes.h5")) as fh:
        pop_group = fh.create_group(f"nodes/{name}")
        offset = 0
        for k, pop in enumerate(members):
            sl = slice(offset, offset + pop.size)
            type_id = next(type_counter)
            type_ids[sl], group_ids[sl] = type_id, k
            group_index[sl] = np.arange(pop.size)
            node_map.add(pop, name, node_ids[sl])
            row, times = _write_group(pop_group.create_group(str(k)), pop, type_id, node_ids[sl])
            rows.append(row)
            if times is not None:
                spikes = times if spikes is None else (np.concatenate([spikes[0], times[0]]),
                                                       np.concatenate([spikes[1], times[1]]))
            offset += pop.size
        pop_group.create_dataset("node_id", data=node_ids.astype(np.uint64))
        pop_group.create_dataset("node_type_id", data=type_ids)
        pop_group.create_dataset("node_group_id", data=group_ids)
        pop_group.create_dataset("node_group_index", data=group_index)
    write_types_table(os.path.join(net_dir, f"{name}_node_types.csv"), "node_type_id", rows)
    return spikes


def _write_group(group: Any, pop: Any, type_id: int, node_ids: np.ndarray
                 ) -> tuple[dict[str, Any], tuple[np.ndarray, np.ndarray] | None]:
    ct = pop.celltype
    row: dict[str, Any] = {"node_type_id": type_id, "model_template": _template(ct),
                           "model_type": "point_neuron" if ct.injectable else "virtual"}
    params = group.create_group("dynamics_params")
    spikes = None
    for pname in ct.default_parameters:
        value = pop.get(pname, simplify=True)
        if pname == "spike_times":
            seqs = list(value) if isinstance(value, (list, np.ndarray)) else [value] * pop.size
            times = [np.asarray(s.value, dtype=float) for s in seqs]
            spikes = (np.repeat(node_ids, [t.size for t in times]),
                      np.concatenate(times) if times else np.zeros(0))
        elif isinstance(value, np.ndarray):
            params.create_dataset(pname, data=value)
        elif isinstance(value, (int, float)):
            row[pname] = float(value)
        else:
            raise InvalidParameterValueError(f"export_to_sonata: parameter {pname!r} of "
                                             f"{pop.label!r} has a value SONATA cannot hold")
    for var, values in pop._initial.items():     # per-cell initial values of the population
        params.create_dataset(f"initial_{var}", data=np.asarray(values, dtype=float))
    for axis, coords in zip("xyz", pop.positions):
        group.create_dataset(axis, data=np.asarray(coords, dtype=float))
    for key, value in pop.annotations.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, (str, int, float)) and key not in row:
            row[key] = value
        elif isinstance(value, np.ndarray) and value.shape == (pop.size,) and key not in group:
            data = value.astype("S") if value.dtype.kind in "OU" else value
            group.create_dataset(key, data=data)
    return row, spikes


def _connection_rows(prj: Any, names: list[str]) -> np.ndarray:
    """(pre index, post index, values of `names`...) per connection, in the projection's
    order. Read as arrays (``get(format="list")`` builds a tuple per connection: 20 times
    slower for large projections); values in PyNN units, as ``get`` gives them."""
    pre, post = prj.connection_indices()
    columns = [prj._values(name) for name in names]     # the core's array accessor
    return np.column_stack([pre, post, *columns]).astype(float).reshape(-1, 2 + len(names))


def _write_edges(net_dir: str, prj: Any, type_counter: Iterator[int], node_map: _NodeMap,
                 used: set[str]) -> list[str]:
    names = list(prj.synapse_type.get_parameter_names())
    rows = _connection_rows(prj, names)
    pre_pop, pre_node = node_map.lookup(prj.pre.all_ids[rows[:, 0].astype(np.int64)])
    post_pop, post_node = node_map.lookup(prj.post.all_ids[rows[:, 1].astype(np.int64)])
    pairs = sorted({(a, b) for a, b in zip(pre_pop.tolist(), post_pop.tolist())}) or [
        (node_map.lookup(prj.pre.all_ids[:1])[0][0], node_map.lookup(prj.post.all_ids[:1])[0][0])]
    written = []
    for src, tgt in pairs:
        sel = (pre_pop == src) & (post_pop == tgt)
        name = asciify(prj.label) + (f"_{src}_{tgt}" if len(pairs) > 1 else "")
        while name in used:
            name += "_"
        used.add(name)
        type_id = next(type_counter)
        with create_h5(os.path.join(net_dir, f"{name}_edges.h5")) as fh:
            group = fh.create_group(f"edges/{name}")
            ends = (("source_node_id", pre_node, src), ("target_node_id", post_node, tgt))
            for key, ids, pop in ends:
                ds = group.create_dataset(key, data=ids[sel].astype(np.uint64))
                ds.attrs["node_population"] = pop
            m = int(sel.sum())
            group.create_dataset("edge_type_id", data=np.full(m, type_id, dtype=np.uint32))
            group.create_dataset("edge_group_id", data=np.zeros(m, dtype=np.uint32))
            group.create_dataset("edge_group_index", data=np.arange(m, dtype=np.uint64))
            attrs = group.create_group("0")
            dyn = attrs.create_group("dynamics_params")
            row = {"edge_type_id": type_id, "model_template": _template(prj.synapse_type),
                   "receptor_type": prj.receptor_type}
            for k, pname in enumerate(names):
                values = rows[sel, 2 + k]
                column = "syn_weight" if pname == "weight" else pname
                if values.size and np.all(values == values[0]):
                    row[column] = float(values[0])          # one value: the types table
                elif pname in ("weight", "delay"):
                    attrs.create_dataset(column, data=values)
                    if pname == "delay":                    # PyNN 0.13 reads it only here
                        dyn.create_dataset("delay", data=values)
                else:
                    dyn.create_dataset(pname, data=values)
        write_types_table(os.path.join(net_dir, f"{name}_edge_types.csv"), "edge_type_id", [row])
        written.append(name)
    return written
