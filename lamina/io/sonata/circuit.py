"""Reading a SONATA circuit's node and edge files into plain tables (no lamina objects).

A node (edge) *group* becomes a `GroupTable`: the ids of its members in file order and one
per-member column for every attribute, merged from, in rising priority, the types table
(CSV), the JSON ``dynamics_params`` file named there, the group's HDF5 datasets and its
HDF5 ``dynamics_params`` subgroup.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.errors import FileFormatError
from lamina.io.sonata.files import decode, open_h5, read_array, read_types_table, require


@dataclass
class GroupTable:
    """One node or edge group: `ids` (node ids, or edge row numbers) and `columns`."""

    population: str
    group_id: int
    file: str
    ids: np.ndarray
    type_ids: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    sources: np.ndarray | None = None          # edges: source node ids
    targets: np.ndarray | None = None          # edges: target node ids

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def value(self, name: str) -> np.ndarray | None:
        """Column `name` (object array, None where not given), or None if absent."""
        return self.columns.get(name)


@dataclass
class EdgePopulation:
    """One edge population: its groups and the node populations it joins."""

    name: str
    source_population: str
    target_population: str
    groups: list[GroupTable]


def read_node_populations(nodes_file: str, types_file: str,
                          models_dir: str | None) -> dict[str, list[GroupTable]]:
    """{node population name: its groups} from one nodes file and its types table."""
    types = read_types_table(types_file, "node_type_id")
    out: dict[str, list[GroupTable]] = {}
    with open_h5(nodes_file) as fh:
        root = require(fh, "nodes", nodes_file, "a group 'nodes' holding the node populations")
        for name, pop in root.items():
            out[name] = _read_groups(pop, name, nodes_file, types_file, types, models_dir, "node")
    return out


def read_edge_populations(edges_file: str, types_file: str,
                          models_dir: str | None) -> list[EdgePopulation]:
    """The edge populations of one edges file and its types table."""
    types = read_types_table(types_file, "edge_type_id")
    out = []
    with open_h5(edges_file) as fh:
        root = require(fh, "edges", edges_file, "a group 'edges' holding the edge populations")
        for name, pop in root.items():
            src = require(pop, "source_node_id", edges_file, "the source node id of each edge")
            tgt = require(pop, "target_node_id", edges_file, "the target node id of each edge")
            ends = []
            for ds in (src, tgt):
                if "node_population" not in ds.attrs:
                    raise FileFormatError(f"{edges_file}: {ds.name} has no attribute "
                                          "'node_population'; expected the node population name")
                ends.append(str(decode(ds.attrs["node_population"])))
            groups = _read_groups(pop, name, edges_file, types_file, types, models_dir, "edge")
            out.append(EdgePopulation(name, ends[0], ends[1], groups))
    return out


def _read_groups(pop: Any, name: str, path: str, types_path: str, types: dict[int, dict],
                 models_dir: str | None, kind: str) -> list[GroupTable]:
    type_ids = read_array(pop, f"{kind}_type_id", path, f"one integer {kind} type per {kind}",
                          kind="iu").astype(np.int64)
    n = type_ids.size
    ids = np.arange(n, dtype=np.int64)
    if kind == "node" and "node_id" in pop:
        ids = read_array(pop, "node_id", path, "one integer id per node", n, "iu").astype(np.int64)
    if kind == "edge":
        sources = read_array(pop, "source_node_id", path, "one id per edge", n, "iu")
        targets = read_array(pop, "target_node_id", path, "one id per edge", n, "iu")
        sources, targets = sources.astype(np.int64), targets.astype(np.int64)
    unknown = sorted(set(np.unique(type_ids).tolist()) - set(types))
    if unknown:
        raise FileFormatError(f"{path}: {pop.name}/{kind}_type_id uses type {unknown[0]}, which "
                              f"{types_path} does not define (it has {sorted(types)})")
    if f"{kind}_group_id" in pop:
        group_ids = read_array(pop, f"{kind}_group_id", path, f"one group id per {kind}", n, "iu")
        index = read_array(pop, f"{kind}_group_index", path,
                           f"the row of each {kind} in its group", n, "iu").astype(np.int64)
    else:                                    # a single group "0", rows in file order
        group_ids, index = np.zeros(n, dtype=np.int64), np.arange(n, dtype=np.int64)
    groups = []
    for gid in _in_order_of_appearance(group_ids):
        mask = group_ids == gid
        h5group = require(pop, str(gid), path, f"the attributes of {kind} group {gid}")
        table = GroupTable(name, int(gid), path, ids[mask], type_ids[mask])
        if kind == "edge":
            table.sources, table.targets = sources[mask], targets[mask]
        _type_columns(table, types, models_dir, types_path)
        _h5_columns(table, h5group, index[mask], path)
        groups.append(table)
    return groups


def _in_order_of_appearance(values: np.ndarray) -> list[int]:
    uniq, first = np.unique(values, return_index=True)
    return [int(v) for v in uniq[np.argsort(first)]]


def _type_columns(table: GroupTable, types: dict[int, dict], models_dir: str | None,
                  types_path: str) -> None:
    present = np.unique(table.type_ids)
    rows = {int(t): dict(types[int(t)]) for t in present}
    for type_id, row in rows.items():
        params_file = row.get("dynamics_params")
        if isinstance(params_file, str) and params_file.endswith(".json"):
            row.update(_json_params(params_file, models_dir, types_path, type_id))
    names = sorted({k for row in rows.values() for k in row})
    for col in names:
        values = np.empty(table.size, dtype=object)
        for type_id, row in rows.items():
            members = table.type_ids == type_id
            values[members] = [row.get(col)] * int(np.sum(members))
        table.columns[col] = values


def _json_params(name: str, models_dir: str | None, types_path: str, type_id: int) -> dict:
    path = name if os.path.isabs(name) or models_dir is None else os.path.join(models_dir, name)
    if not os.path.isfile(path):
        raise FileFormatError(f"{types_path}: type {type_id} names dynamics_params {name!r}, but "
                              f"{path} does not exist (set the components directory in the "
                              "circuit config)")
    with open(path) as fh:
        try:
            params = json.load(fh)
        except json.JSONDecodeError as err:
            raise FileFormatError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(params, dict):
        raise FileFormatError(f"{path}: expected a JSON object of parameter values")
    return params


def _h5_columns(table: GroupTable, group: Any, index: np.ndarray, path: str) -> None:
    for holder in (group, group.get("dynamics_params")):
        if holder is None:
            continue
        for name, ds in holder.items():
            if not hasattr(ds, "shape") or ds.ndim != 1:
                continue
            arr = decode(np.asarray(ds[()]))
            if index.size and index.max() >= arr.size:
                raise FileFormatError(
                    f"{path}: {ds.name} has {arr.size} rows but the group index refers to row "
                    f"{int(index.max())}")
            table.columns[name] = np.asarray(arr[index], dtype=object)
