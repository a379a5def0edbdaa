"""Export of networks to NIR, the Neuromorphic Intermediate Representation
(https://neuroir.org), for neuromorphic hardware and the simulators that read it.

``lamina.io.nir.export(network, "net.nir")`` (needs ``pip install lamina[nir]``) maps

* `IF_curr_exp` populations -> `nir.CubaLIF` nodes: ``tau_mem = tau_m`` [ms],
  ``r = tau_m / cm`` [MOhm], ``v_leak = v_rest``, ``v_threshold = v_thresh``,
  ``v_reset = v_reset`` [mV], ``tau_syn = tau_syn_E`` [ms], ``w_in = 1``; the synaptic
  current then obeys ``tau_syn dI/dt = -I + sum_j W_ij S_j`` and the membrane
  ``tau_mem dv/dt = (v_leak - v) + r I``, lamina's equations for this model;
* `IF_curr_delta` populations -> `nir.LIF` nodes (``tau = tau_m``, ``r = tau_m / cm``,
  ``v_leak``, ``v_threshold``, ``v_reset`` as above): NIR's input current is a sum of delta
  pulses, so a pulse of charge q makes v jump by ``r q / tau = q / cm``; lamina's weight w
  [mV] (the jump) is written as the charge ``q = cm w`` [nA ms = pC];
* spike sources -> `nir.Input` nodes; every cell population also feeds an `nir.Output`;
* each Projection -> a `nir.Linear` node of weights [nA] (charges [pC] onto `IF_curr_delta`
  cells), shape (n_post, n_pre), summed over multiple connections of one pair, inhibitory
  weights negative (lamina's sign).

What NIR cannot express is refused with `InvalidModelError` naming the population or
projection: other cell types (conductance-based, alpha-shaped, adaptive, ...), different
excitatory and inhibitory synaptic time constants, a non-zero ``i_offset``, plastic synapses.
Two things are not carried, and written into the node metadata instead: the refractory
period (``tau_refrac``; NIR's LIF has none) and the synaptic delays (``delay`` [ms], one
matrix per projection; NIR graphs run on the target's own clock).
Times stay in ms as lamina uses them; the metadata records ``{"time_unit": "ms"}``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.errors import BackendNotAvailableError, InvalidModelError, NothingToWriteError


def _nir() -> Any:
    try:
        import nir
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise BackendNotAvailableError("NIR export needs the nir package: "
                                       "pip install lamina[nir]") from err
    return nir


def _uniform(pop: Any, name: str) -> np.ndarray:
    return np.broadcast_to(np.asarray(pop.get(name, simplify=False), dtype=float),
                           (pop.size,)).copy()


def neuron_node(pop: Any) -> Any:
    """The NIR node for Population `pop` (`InvalidModelError` if NIR has no such model)."""
    nir = _nir()
    model = type(pop.celltype).__name__
    if not pop.celltype.injectable:
        return nir.Input(input_type={"input": np.array([pop.size])})
    if model not in ("IF_curr_exp", "IF_curr_delta"):
        raise InvalidModelError(
            f"NIR export: population {pop.label!r} uses {model}, which NIR cannot express; NIR's "
            "LIF and CubaLIF correspond to IF_curr_delta and IF_curr_exp only")
    if np.any(_uniform(pop, "i_offset") != 0.0):
        raise InvalidModelError(
            f"NIR export: population {pop.label!r} has a non-zero i_offset; NIR's LIF and CubaLIF "
            "have no constant input current")
    tau_m, cm = _uniform(pop, "tau_m"), _uniform(pop, "cm")
    membrane = {"r": tau_m / cm, "v_leak": _uniform(pop, "v_rest"),
                "v_threshold": _uniform(pop, "v_thresh"), "v_reset": _uniform(pop, "v_reset")}
    metadata = {"lamina_model": model, "label": pop.label, "time_unit": "ms",
                "tau_refrac": _uniform(pop, "tau_refrac")}
    if model == "IF_curr_delta":
        return nir.LIF(tau=tau_m, metadata=metadata, **membrane)
    tau_e, tau_i = _uniform(pop, "tau_syn_E"), _uniform(pop, "tau_syn_I")
    if not np.array_equal(tau_e, tau_i):
        raise InvalidModelError(
            f"NIR export: population {pop.label!r} has tau_syn_E != tau_syn_I; NIR's CubaLIF has "
            "one synaptic time constant per cell")
    return nir.CubaLIF(tau_syn=tau_e, tau_mem=tau_m, w_in=np.ones(pop.size), metadata=metadata,
                       **membrane)


def weight_node(prj: Any) -> Any:
    """The `nir.Linear` node of Projection `prj` (weights [nA], shape (n_post, n_pre))."""
    nir = _nir()
    if type(prj.synapse_type).__name__ != "StaticSynapse":
        raise InvalidModelError(f"NIR export: projection {prj.label!r} uses "
                                f"{type(prj.synapse_type).__name__}; NIR has static weights only")
    weights, delays = prj.get(["weight", "delay"], format="array", multiple_synapses="sum")
    weights = np.nan_to_num(weights, nan=0.0).T.copy()
    if type(prj.post.celltype).__name__ == "IF_curr_delta":     # jump [mV] -> charge [pC]
        weights *= _uniform(prj.post, "cm")[:, None]
    return nir.Linear(weight=weights,
                      metadata={"label": prj.label, "receptor_type": prj.receptor_type,
                                "delay": np.nan_to_num(delays, nan=0.0).T.copy(),
                                "time_unit": "ms"})


def _member(obj: Any, role: str, prj: Any) -> Any:
    if getattr(obj, "grandparent", None) is not obj:    # a whole Population is its own root
        raise InvalidModelError(f"NIR export: projection {prj.label!r}: its {role} is "
                                f"{obj!r}; NIR export takes projections between whole Populations")
    return obj


def to_graph(network: Any) -> Any:
    """The `nir.NIRGraph` of a `lamina.network.Network` (or any object with
    ``ordered_populations()`` and ``ordered_projections()``)."""
    nir = _nir()
    pops = network.ordered_populations()
    if not pops:
        raise NothingToWriteError("NIR export: the network has no populations")
    names = {id(p): _name(p.label, k) for k, p in enumerate(pops)}
    nodes: dict[str, Any] = {}
    edges: list[tuple[str, str]] = []
    for pop in pops:
        nodes[names[id(pop)]] = neuron_node(pop)
        if pop.celltype.injectable:
            out = f"{names[id(pop)]}_output"
            nodes[out] = nir.Output(output_type={"output": np.array([pop.size])})
            edges.append((names[id(pop)], out))
    for k, prj in enumerate(network.ordered_projections()):
        pre = _member(prj.pre, "presynaptic side", prj)
        post = _member(prj.post, "postsynaptic side", prj)
        if id(pre) not in names or id(post) not in names:
            raise InvalidModelError(f"NIR export: projection {prj.label!r} joins a population "
                                    "that is not in the network")
        node = f"w{k}_{_name(prj.label, k)}"
        nodes[node] = weight_node(prj)
        edges += [(names[id(pre)], node), (node, names[id(post)])]
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"source": "lamina",
                                                            "time_unit": "ms"})


def _name(label: str, k: int) -> str:
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in label)
    return text or f"node{k}"


def export(network: Any, filename: str | None = None) -> Any:
    """Export `network` as a NIR graph; with `filename`, also write it (HDF5).

    Returns
    -------
    nir.NIRGraph
    """
    graph = to_graph(network)
    if filename is not None:
        _nir().write(filename, graph)
    return graph
