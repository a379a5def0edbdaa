"""SONATA node sets: which cells of a `Network` an input or a report refers to.

Every node population (Assembly) is an implicit node set. Explicit ones, from the
``node_sets_file``: an object of filters — ``population`` (name or list), ``node_id`` (list
of ids; bmtk's ``node_ids`` too) and any node attribute (a value or a list of accepted
values; read from the populations' annotations) — or a list of node set names (their union).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lamina.errors import FileFormatError


@dataclass
class Selection:
    """Cells of one member Population of a node population."""

    node_population: str
    population: Any
    indices: np.ndarray        # indices in `population`
    node_ids: np.ndarray       # their SONATA node ids


def node_population_ids(net: Any, assembly: Any) -> np.ndarray:
    """SONATA node ids of the cells of `assembly`, in assembly order."""
    known = net.annotations.get("sonata_node_ids", {})
    if assembly.label in known:
        return np.asarray(known[assembly.label])
    return np.arange(assembly.size, dtype=np.int64)


def resolve(name: str, definitions: dict[str, Any], net: Any, where: str,
            _seen: tuple[str, ...] = ()) -> list[Selection]:
    """The cells of node set `name` (`where` names the config, for errors)."""
    assemblies = {a.label: a for a in net.ordered_assemblies()}
    if name in _seen:
        raise FileFormatError(f"{where}: node set {name!r} refers to itself")
    if name not in definitions:
        if name in assemblies:
            return _select(net, assemblies[name], {})
        raise FileFormatError(f"{where}: node set {name!r} is not defined; known node sets: "
                              f"{', '.join(sorted([*definitions, *assemblies]))}")
    definition = definitions[name]
    if isinstance(definition, list):
        out: list[Selection] = []
        for member in definition:
            out.extend(resolve(member, definitions, net, where, (*_seen, name)))
        return _merge(out)
    if not isinstance(definition, dict):
        raise FileFormatError(f"{where}: node set {name!r} must be an object of filters or a "
                              "list of node set names")
    wanted = definition.get("population", list(assemblies))
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    missing = [w for w in wanted if w not in assemblies]
    if missing:
        raise FileFormatError(f"{where}: node set {name!r} names population {missing[0]!r}; "
                              f"the network has {', '.join(assemblies)}")
    filters = {k: v for k, v in definition.items() if k != "population"}
    return [s for w in wanted for s in _select(net, assemblies[w], filters)]


def _select(net: Any, assembly: Any, filters: dict[str, Any]) -> list[Selection]:
    ids = node_population_ids(net, assembly)
    out, offset = [], 0
    for pop in assembly.populations:
        mask = np.ones(pop.size, dtype=bool)
        pop_ids = ids[offset:offset + pop.size]
        for key, accepted in filters.items():
            accepted = accepted if isinstance(accepted, list) else [accepted]
            if key in ("node_id", "node_ids"):      # bmtk writes the plural
                values: Any = pop_ids
            else:
                values = pop.grandparent.annotations.get(key)
                if values is None:
                    mask[:] = False
                    continue
                values = np.broadcast_to(np.asarray(values, dtype=object), (pop.size,))
            mask &= np.fromiter((v in accepted for v in values), dtype=bool, count=pop.size)
        idx = np.flatnonzero(mask)
        if idx.size:
            out.append(Selection(assembly.label, pop, idx, pop_ids[idx]))
        offset += pop.size
    return out


def _merge(selections: list[Selection]) -> list[Selection]:
    merged: dict[int, Selection] = {}
    for s in selections:
        key = id(s.population)
        if key in merged:
            m = merged[key]
            idx, first = np.unique(np.concatenate([m.indices, s.indices]), return_index=True)
            m.node_ids = np.concatenate([m.node_ids, s.node_ids])[first]
            m.indices = idx
        else:
            merged[key] = Selection(s.node_population, s.population, s.indices.copy(),
                                    s.node_ids.copy())
    return list(merged.values())
