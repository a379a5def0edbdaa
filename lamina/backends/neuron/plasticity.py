"""STDP on NEURON: ``LaminaSTDPSyn`` point processes and the postsynaptic spike routes.

Connections of an `STDPMechanism` (SpikePairRule with a power-law weight dependence:
additive, multiplicative, additive-potentiation/multiplicative-depression, Gutig; or
Vogels2011Rule, whose tau, eta and rho take the slots of tau_plus and tau_minus, A_plus and
A_minus, flagged by the slot ``vogels``) target a
``LaminaSTDPSyn`` beside the cell's ordinary synapse of that receptor (same time constant,
reversal potential and kind: only exponential synapses). Each such point process receives
the cell's own spikes through a NetCon of kind -1 and delay twice the connections' delay
(less 1e-6 ms, so that it precedes a presynaptic event of the same instant; see the
mechanism's comment). A point process serves the connections of one delay: a cell has
one per receptor and distinct delay of its STDP connections, each with its own
postsynaptic-spike NetCon, so the whole delay is dendritic for every connection
(``dendritic_delay_fraction`` must be 1, as on NEST).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.backends.neuron import translations as tr
from lamina.backends.neuron.cells import CellGroup
from lamina.errors import NoModelAvailableError


#: Vogels2011Rule parameter -> the LaminaSTDPSyn slots that hold it
VOGELS_SLOTS = {"tau": ("tau_plus", "tau_minus"), "eta": ("A_plus",), "rho": ("A_minus",)}


def check_rule(synapse_type: Any) -> tuple[float, float] | None:
    """(mu_plus, mu_minus) fixed by the weight dependence (None: per connection, Gutig, or
    unused, Vogels2011Rule); `NoModelAvailableError` for what the backend cannot run."""
    if synapse_type.timing_dependence.rule not in ("pair", "vogels"):
        raise NoModelAvailableError(
            f"STDPMechanism with {type(synapse_type.timing_dependence).__name__} is not "
            "available on the neuron backend (SpikePairRule and Vogels2011Rule are)")
    if synapse_type.dendritic_delay_fraction != 1.0:
        raise NoModelAvailableError(
            "STDPMechanism on the neuron backend: dendritic_delay_fraction must be 1 (the "
            "whole delay dendritic, as NEST's stdp_synapse)")
    if synapse_type.timing_dependence.rule == "vogels":
        return None
    return type(synapse_type.weight_dependence).fixed_mu


def is_vogels(synapse_type: Any) -> bool:
    """Whether the connections follow Vogels2011Rule (slot ``vogels`` = 1)."""
    return bool(synapse_type.timing_dependence.rule == "vogels")


def connection_values(synapse_type: Any, values: dict[str, Any], weight: np.ndarray,
                      negative_receptor: bool) -> dict[str, np.ndarray]:
    """The rule's slots for each connection (PyNN values; mu and the weight's sign)."""
    n = len(weight)
    out = {k: np.broadcast_to(np.asarray(v, float), (n,))
           for k, v in values.items() if k not in ("weight", "delay")}
    mu = check_rule(synapse_type)
    if is_vogels(synapse_type):
        for name, slots in VOGELS_SLOTS.items():
            values_of = out.pop(name)
            for slot in slots:
                out[slot] = values_of
        out["vogels"] = np.ones(n)
    elif mu is not None:
        out["mu_plus"], out["mu_minus"] = np.full(n, mu[0]), np.full(n, mu[1])
    sign = np.where(weight > 0, 1.0, np.where(weight < 0, -1.0,
                                               -1.0 if negative_receptor else 1.0))
    out["w_sign"] = sign
    return out


def targets(h: Any, group: CellGroup, receptor: str, local: np.ndarray,
            delay: np.ndarray) -> list[Any]:
    """The STDP point process of each connection: its target cell's for that delay [ms]
    (created on first use, with its postsynaptic-spike NetCon)."""
    syn = group.entry["receptors"].get(receptor) if group.entry["kind"] == tr.CELL else None
    if syn is None or syn["mechanism"] != "LaminaExpSyn":
        raise NoModelAvailableError(
            f"STDPMechanism onto {type(group.celltype).__name__} ({receptor}) is not "
            "available on the neuron backend: it needs an exponentially decaying synapse")
    n = len(group.ids)
    by_delay = group.stdp.setdefault(receptor, [{} for _ in range(n)])
    out = []
    for k, d in zip(local.tolist(), np.asarray(delay, float).tolist()):
        pp = by_delay[k].get(d)
        if pp is None:
            pp = by_delay[k][d] = _make(h, group, syn, k, 2.0 * d - 1e-6)
        out.append(pp)
    return out


def _make(h: Any, group: CellGroup, syn: dict[str, Any], k: int, post_delay: float) -> Any:
    pp = h.LaminaSTDPSyn(group.sections[k](0.5))
    for name, value in syn["fixed"].items():
        setattr(pp, name, value)
    for name, values in tr.evaluate(syn["rules"], group.params, len(group.ids)).items():
        setattr(pp, name, float(values[k]))
    post = h.NetCon(group.membranes[k], pp)
    post.weight[1] = -1
    post.delay = post_delay
    group.stdp_routes.append(post)
    return pp
