"""`import_from_sonata`: a SONATA circuit as a lamina `Network` (PyNN 0.13's mapping).

* node population -> `Assembly` (labelled with the population name);
* node group -> `Population` (labelled with the group id), cell type from the node types'
  ``model_type``/``model_template``: ``pyNN:<standard model>``, ``nest:<NEST model>`` (on
  every backend: the engine knows NEST's model names and units), ``virtual`` nodes ->
  `SpikeSourceArray` (or the ``pyNN:`` spike source named by their template). Attributes that
  are parameters of the model become parameters; ``x``, ``y``, ``z`` become positions;
  ``initial_<variable>`` columns become initial values; the rest become annotations.
* edge group -> `Projection` (labelled ``<edge population>-<group id>``) with a
  `FromListConnector`: ``syn_weight`` (times ``nsyns`` and ``sign`` where given) -> weight,
  ``delay`` and the synapse model's parameters per edge. The receptor is the
  ``receptor_type`` attribute; where it is absent the weight's sign decides as in NEST
  (negative -> 'inhibitory', with its magnitude for conductance-based cells). Edges of one
  group with several receptors (or onto an assembly of mixed cell types) give one Projection
  per receptor (label suffix ``-<receptor>``) and per target population.
"""
from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

import numpy as np

from lamina.errors import FileFormatError, InvalidModelError
from lamina.io.sonata.circuit import (GroupTable, read_edge_populations,
                                      read_node_populations)
from lamina.io.sonata.config import load_config, section
from lamina.models import CELL_TYPES, SYNAPSE_TYPES, StandardCellType, StaticSynapse
from lamina.network import Network

logger = logging.getLogger(__name__)

#: NEST synapse models the standard ones stand for on every backend
NEST_SYNAPSES = {"static_synapse": StaticSynapse}
#: node attributes that are never parameters (SONATA reserved names); x, y, z are positions
RESERVED = {"model_type", "model_template", "dynamics_params", "x", "y", "z",
            "morphology", "rotation_angle_xaxis", "rotation_angle_yaxis", "rotation_angle_zaxis"}
POSITIONS = ("x", "y", "z")


def import_from_sonata(config_file: str, sim: ModuleType) -> Network:
    """Build the circuit described by SONATA circuit config `config_file` with `sim`
    (``lamina``, ``lamina.nest``, ... after ``sim.setup()``).

    Returns
    -------
    Network — one Assembly per node population, one Population per node group, one
    Projection per edge group (see the module docstring for the exceptions).

    Raises
    ------
    FileFormatError for a malformed file (naming the file, the element and what was
    expected); InvalidModelError for a model template lamina cannot build.
    """
    config = load_config(config_file)
    networks = section(config, "networks", dict)
    components = config.get("components", {})
    net = Network()
    net.annotations["sonata_node_ids"] = {}
    target = str(config.get("target_simulator", "PyNN"))
    cache: dict[str, type] = {}
    for entry in section(networks, "nodes", list, []):
        _check_entry(entry, ("nodes_file", "node_types_file"), config)
        pops = read_node_populations(entry["nodes_file"], entry["node_types_file"],
                                     components.get("point_neuron_models_dir"))
        for name, groups in pops.items():
            assembly = sim.Assembly(label=name)
            for table in groups:
                assembly += _population(table, sim, target, cache)
            net.add(assembly)
            net.annotations["sonata_node_ids"][name] = np.concatenate([g.ids for g in groups])
    for entry in section(networks, "edges", list, []):
        _check_entry(entry, ("edges_file", "edge_types_file"), config)
        for edge_pop in read_edge_populations(entry["edges_file"], entry["edge_types_file"],
                                              components.get("synaptic_models_dir")):
            for table in edge_pop.groups:
                net.add(*_projections(table, edge_pop.source_population,
                                      edge_pop.target_population, net, sim))
    return net


def _check_entry(entry: Any, keys: tuple[str, str], config: dict) -> None:
    if not isinstance(entry, dict) or any(k not in entry for k in keys):
        raise FileFormatError(f"{config['_config_file']}: networks entry {entry!r} needs "
                              f"{' and '.join(keys)}")


# -- nodes -------------------------------------------------------------------------------
def condense(values: np.ndarray) -> Any:
    """One value where all agree, else a float array (a str array for text)."""
    if values.size and all(v == values[0] for v in values):
        return values[0]
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return np.asarray([str(v) for v in values])


def _single(table: GroupTable, name: str) -> Any:
    col = table.value(name)
    if col is None:
        return None
    values = {v for v in col.tolist()}
    if len(values) > 1:
        raise InvalidModelError(f"{table.file}: node group {table.population}/{table.group_id} "
                                f"mixes {name} values {sorted(map(str, values))}; lamina builds "
                                "one "
                                "Population per group, of one model")
    return values.pop()


def cell_class(table: GroupTable, target: str, cache: dict[str, type],
               backend: Any = None) -> type[StandardCellType]:
    """The cell type class of a node group."""
    model_type = _single(table, "model_type")
    template = _single(table, "model_template")
    where = f"{table.file}: node group {table.population}/{table.group_id}"
    if model_type is None:
        raise FileFormatError(f"{where} has no model_type; expected point_neuron, "
                              "point_process or virtual in the node types table")
    if model_type == "virtual":
        if isinstance(template, str) and template.lower().startswith("pynn:"):
            cls = _pynn_cell(template, where)
            if cls.injectable:
                raise InvalidModelError(f"{where}: virtual nodes must be spike sources, "
                                        f"not {template}")
            return cls
        return CELL_TYPES["SpikeSourceArray"]
    if model_type not in ("point_neuron", "point_process"):
        raise InvalidModelError(f"{where}: model_type {model_type!r} is not supported; lamina "
                                "builds point_neuron, point_process and virtual nodes")
    if not isinstance(template, str):
        raise FileFormatError(f"{where} has no model_template; expected 'pyNN:<model>' or "
                              "'nest:<model>'")
    if template not in cache:
        prefix, _, name = template.rpartition(":")
        if prefix.lower() == "pynn":
            cache[template] = _pynn_cell(template, where)
        elif prefix.lower() == "nest" or (prefix == "" and target.upper() == "NEST"):
            try:
                cache[template] = CELL_TYPES[name] if name in CELL_TYPES \
                    else _native_cell(backend, name)
            except InvalidModelError as err:
                raise InvalidModelError(f"{where}: model_template {template!r}: {err}") from err
        else:
            raise InvalidModelError(f"{where}: model_template {template!r}; expected "
                                    "'pyNN:<standard model>' or 'nest:<NEST model>'")
    return cache[template]


def _native_cell(backend: Any, name: str) -> type[StandardCellType]:
    """The backend's cell type for a simulator-native (NEST) model name."""
    if backend is None:
        raise InvalidModelError(f"{name!r} is not a standard cell type (and no simulation is "
                                "set up to ask for a native one)")
    return backend.native_cell_type(name)


def _pynn_cell(template: str, where: str) -> type[StandardCellType]:
    name = template.split(":", 1)[1]
    if name not in CELL_TYPES:
        from lamina.errors import valid_names_hint
        raise InvalidModelError(f"{where}: model_template {template!r} names no standard cell "
                                f"type.{valid_names_hint(name, CELL_TYPES)}")
    return CELL_TYPES[name]


def _population(table: GroupTable, sim: ModuleType, target: str, cache: dict) -> Any:
    cls = cell_class(table, target, cache, sim.state.backend)
    defaults = cls.default_parameters
    params: dict[str, Any] = {}
    initial: dict[str, Any] = {}
    annotations: dict[str, Any] = {}
    for name, col in table.columns.items():
        if name in POSITIONS:
            continue
        given = np.array([v is not None for v in col])
        if name in defaults and name not in RESERVED:
            filled = np.where(given, col, defaults[name]) if not given.all() else col
            params[name] = condense(filled)
        elif name.startswith("initial_") and given.all():
            initial[name[len("initial_"):]] = condense(col)
        elif given.any():
            annotations[name] = condense(col)
    pop = sim.Population(table.size, cls(**params), initial_values=initial or None,
                         label=str(table.group_id))
    if all(table.value(c) is not None for c in "xyz"):
        pop.positions = np.vstack([np.asarray(table.value(c), dtype=float) for c in "xyz"])
    pop.annotate(**annotations)
    logger.info("SONATA node group %s/%s -> %r", table.population, table.group_id, pop)
    return pop


# -- edges -------------------------------------------------------------------------------
def synapse_class(table: GroupTable, backend: Any = None) -> Any:
    """The synapse type class of an edge group (StaticSynapse when no template is given)."""
    template = None
    col = table.value("model_template")
    if col is not None:
        templates = {v for v in col.tolist() if v is not None}
        if len(templates) > 1:
            raise InvalidModelError(f"{table.file}: edge group {table.population}/"
                                    f"{table.group_id} mixes synapse models {sorted(templates)}")
        template = templates.pop() if templates else None
    if template is None:
        return StaticSynapse
    prefix, _, name = template.rpartition(":")
    if prefix.lower() == "pynn" and name in SYNAPSE_TYPES:
        return SYNAPSE_TYPES[name]
    if prefix.lower() in ("nest", "") and name in NEST_SYNAPSES:
        return NEST_SYNAPSES[name]
    if prefix.lower() == "nest" and backend is not None:
        try:
            return backend.native_synapse_type(name)
        except InvalidModelError:
            pass    # this backend has no native NEST synapse models
    raise InvalidModelError(f"{table.file}: edge group {table.population}/{table.group_id}: "
                            f"model_template {template!r} is not available here; expected "
                            "'pyNN:<standard synapse type>' or 'nest:static_synapse' (other NEST "
                            "synapse models on the NEST backend)")


def _edge_values(table: GroupTable, syn_cls: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, col in table.columns.items():
        if name in syn_cls.default_parameters and all(v is not None for v in col):
            values[name] = np.asarray(col, dtype=float)
    weight = table.value("syn_weight")
    if weight is not None:
        if any(v is None for v in weight):
            raise FileFormatError(f"{table.file}: edge group {table.population}/{table.group_id}"
                                  ": syn_weight is missing for some edges")
        values["weight"] = np.asarray(weight, dtype=float)
    for factor in ("nsyns", "sign"):
        scale = table.value(factor)
        if scale is not None and "weight" in values and all(v is not None for v in scale):
            values["weight"] = values["weight"] * np.asarray(scale, dtype=float)
    return values


def _receptors(table: GroupTable, weights: np.ndarray | None) -> np.ndarray:
    """The receptor of each edge: its receptor_type where given, else by the weight's sign."""
    signs = np.zeros(table.size) if weights is None else weights
    by_sign = np.where(signs < 0, "inhibitory", "excitatory").astype(object)
    col = table.value("receptor_type")
    if col is None:
        return by_sign
    return np.array([by_sign[k] if v is None else str(v) for k, v in enumerate(col)],
                    dtype=object)


def _indices(net: Network, population: str, node_ids: np.ndarray, table: GroupTable,
             end: str) -> np.ndarray:
    ids = net.annotations["sonata_node_ids"].get(population)
    if ids is None:
        raise FileFormatError(f"{table.file}: edge population {table.population} refers to node "
                              f"population {population!r}, which no nodes file defines")
    order = np.argsort(ids, kind="stable")
    pos = np.searchsorted(ids, node_ids, sorter=order).clip(0, max(ids.size - 1, 0))
    found = order[pos]
    bad = ids[found] != node_ids
    if np.any(bad):
        raise FileFormatError(f"{table.file}: edge population {table.population} has {end} "
                              f"node id {int(node_ids[bad][0])}, which node population "
                              f"{population!r} does not have")
    return found


def _projections(table: GroupTable, source: str, target: str, net: Network,
                 sim: ModuleType) -> list[Any]:
    pre, post = net.get_component(source), net.get_component(target)
    assert table.sources is not None and table.targets is not None   # edge tables have them
    pre_idx = _indices(net, source, table.sources, table, "source")
    post_idx = _indices(net, target, table.targets, table, "target")
    syn_cls = synapse_class(table, sim.state.backend)
    values = _edge_values(table, syn_cls)
    receptors = _receptors(table, values.get("weight"))
    targets = _target_parts(post)
    out = []
    for receptor in sorted(set(receptors.tolist())):
        for part, offset, size in targets:
            sel = (receptors == receptor) & (post_idx >= offset) & (post_idx < offset + size)
            if not sel.any():
                continue
            label = f"{table.population}-{table.group_id}"
            if len(set(receptors.tolist())) > 1:
                label += f"-{receptor}"
            if len(targets) > 1:
                label += f"-{part.label}"
            out.append(_projection(pre, part, pre_idx[sel], post_idx[sel] - offset,
                                   {k: v[sel] for k, v in values.items()}, syn_cls,
                                   receptor, label, sim))
    return out


def _target_parts(post: Any) -> list[tuple[Any, int, int]]:
    """The assembly itself, or its members where their cell types differ."""
    members = post.populations
    if len({type(p.celltype) for p in members}) <= 1:
        return [(post, 0, post.size)]
    bounds = np.cumsum([0] + [p.size for p in members])
    return [(p, int(bounds[k]), p.size) for k, p in enumerate(members)]


def _projection(pre: Any, post: Any, pre_idx: np.ndarray, post_idx: np.ndarray,
                values: dict[str, np.ndarray], syn_cls: type, receptor: str, label: str,
                sim: ModuleType) -> Any:
    if "weight" in values and post.celltype.conductance_based:
        values["weight"] = np.abs(values["weight"])   # NEST: negative = inhibitory conductance
    names = list(values)
    conn_list = np.column_stack([pre_idx, post_idx, *[values[n] for n in names]])
    connector = sim.FromListConnector(conn_list, column_names=names)
    prj = sim.Projection(pre, post, connector, syn_cls(), receptor_type=receptor, label=label)
    logger.info("SONATA edge group -> %r", prj)
    return prj
