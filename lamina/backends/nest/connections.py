"""Projections on NEST: one NEST synapse model per projection, and the mapping from
projection order to NEST's connections.

Every projection gets its own copy of its NEST synapse model
(``nest.CopyModel(base, "lamina_projection_<id>")``), so ``nest.GetConnections(
synapse_model=...)`` returns exactly its connections. Projections from SpikeSourceArray
cells (NEST spike_generator devices, whose outgoing connections must all share one
synapse model) use the labelled variant ``<base>_lbl`` with ``synapse_label = id``
instead. NEST stores connections in its own
order (and sorts them by source when a simulation starts), so the backend keeps the
projection's (pre, post) NEST node ids in projection order and matches them to NEST's
order by sorting both on (source, target); several connections between one pair
(multapses) are matched in order of appearance (their values may be permuted among
themselves by NEST's sorting).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.backends.nest.translations import (SYNAPSES, TAU_PSC_DELTA, stdp_model,
                                               stdp_nest_values)
from lamina.connectors.description import ConnectorDescription
from lamina.errors import NoModelAvailableError

logger = logging.getLogger(__name__)
_I64 = np.int64

#: lamina connector class name -> NEST connection rule
NATIVE_RULES: dict[str, str] = {
    "fixed_probability": "pairwise_bernoulli",
    "fixed_number_pre": "fixed_indegree",
    "fixed_number_post": "fixed_outdegree",
    "fixed_total_number": "fixed_total_number",
    "all_to_all": "all_to_all",
    "one_to_one": "one_to_one",
}


def base_synapse_model(synapse_type: Any) -> str:
    """NEST synapse model for a lamina synapse type (standard or native)."""
    native = getattr(synapse_type, "nest_model", None)
    if native:
        return native
    name = type(synapse_type).__name__
    if name == "STDPMechanism":
        return stdp_model(synapse_type)
    if name not in SYNAPSES:
        raise NoModelAvailableError(f"the nest backend has no synapse model {name!r}")
    return SYNAPSES[name]["model"]


def synapse_entry(synapse_type: Any) -> dict[str, Any]:
    """The translation entry of a synapse type ({} for native NEST synapse types)."""
    if getattr(synapse_type, "nest_model", None):
        return {}
    return SYNAPSES.get(type(synapse_type).__name__, {})


def is_dynamic(synapse_type: Any) -> bool:
    """Whether lamina translates this synapse type's own parameters (all standard synapse
    types but StaticSynapse and ElectricalSynapse)."""
    name = type(synapse_type).__name__
    return not getattr(synapse_type, "nest_model", None) and name not in (
        "StaticSynapse", "ElectricalSynapse")


def dynamic_nest_values(synapse_type: Any, pynn: dict[str, np.ndarray], weight: np.ndarray,
                        wsign: np.ndarray, wscale: np.ndarray, tau_psc: np.ndarray | None,
                        initial: bool) -> dict[str, np.ndarray]:
    """NEST per-connection values of a dynamic synapse type from PyNN values `pynn`
    (everything but weight and delay) -- parameters, and with `initial` the synaptic state
    at t = 0 (u, x, y, a) and tsodyks_synapse's tau_psc."""
    n = len(weight)
    entry = synapse_entry(synapse_type)
    if type(synapse_type).__name__ == "STDPMechanism":
        return {k: np.broadcast_to(np.asarray(v, float), (n,))
                for k, v in stdp_nest_values(synapse_type, pynn, wsign, wscale).items()}
    ints = set(entry.get("int", ()))
    out: dict[str, np.ndarray] = {}
    for k, (nest_name, factor) in entry.get("parameters", {}).items():
        out[nest_name] = np.broadcast_to(np.asarray(pynn[k], float) * factor, (n,))
    for k, v in entry.get("fixed", {}).items():
        out[k] = np.full(n, v)
    if initial:
        for k, v in entry.get("initial", {}).items():
            out[k] = np.broadcast_to(np.asarray(pynn[v] if isinstance(v, str) else v, float),
                                     (n,))
        if entry.get("tau_psc") and tau_psc is not None:
            out["tau_psc"] = np.where(tau_psc > 0, tau_psc, TAU_PSC_DELTA)
    return {k: (np.round(v).astype(np.int64) if k in ints or k in ("n", "a") and
                entry.get("model") == "quantal_stp_synapse" else np.asarray(v, float))
            for k, v in out.items()}


def conn_spec(description: ConnectorDescription) -> dict[str, Any] | None:
    """NEST conn_spec for a connector's description, or None where NEST has no such rule
    (or the connector's options have no NEST equivalent)."""
    rule = NATIVE_RULES.get(description.rule)
    if rule is None:
        return None
    spec: dict[str, Any] = {"rule": rule}
    given = description.parameters
    autapses = given.get("allow_self_connections", True)
    if rule == "pairwise_bernoulli":
        spec["p"] = float(given["p_connect"])
    elif rule in ("fixed_indegree", "fixed_outdegree", "fixed_total_number"):
        n = given.get("n")
        if not isinstance(n, (int, np.integer)):
            return None  # random counts: lamina's connector draws them
        spec["indegree" if rule == "fixed_indegree" else
             "outdegree" if rule == "fixed_outdegree" else "N"] = int(n)
        spec["allow_multapses"] = bool(given.get("with_replacement", False))
    if rule != "one_to_one" and autapses is not True:
        spec["allow_autapses"] = autapses is True
    if autapses not in (True, False):   # e.g. "NoMutual": no NEST equivalent
        return None
    return spec


@dataclass
class ProjectionRecord:
    """What the backend knows of one projection.

    Attributes
    ----------
    model : the projection's NEST synapse model (a copy of ``base``)
    pre, post : NEST node ids of every connection, in projection order
    scale : NEST value / PyNN value of each connection's weight
    receptor : NEST receptor port of each connection
    values : PyNN values as last set (used for replay after reset)
    """

    pid: int
    base: str
    model: str
    receptor_type: str = "excitatory"
    pre_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    post_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    pre: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    post: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    scale: np.ndarray = field(default_factory=lambda: np.zeros(0))
    receptor: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    replay: dict[str, np.ndarray] = field(default_factory=dict)   # NEST values for rebuild
    pending: tuple | None = None           # connections made by NEST, not read back yet
    value_names: set[str] = field(default_factory=lambda: {"weight", "delay"})
    label: int | None = None               # synapse_label (projections from devices)
    synapse_type: Any = None
    dynamic: bool = False                  # parameters translated by lamina (`pynn`)
    gap: bool = False                      # gap junctions: NEST holds both directions
    pynn: dict[str, np.ndarray] = field(default_factory=dict)  # PyNN values but weight/delay
    w0: np.ndarray = field(default_factory=lambda: np.zeros(0))  # NEST weights reset restores
    initial: dict[str, np.ndarray] = field(default_factory=dict)  # NEST state set by initialize
    wsign: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tau_psc: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _conns: Any = None
    _order_nest: np.ndarray | None = None
    _order_proj: np.ndarray | None = None

    def append(self, pre_ids: np.ndarray, post_ids: np.ndarray, pre: np.ndarray,
               post: np.ndarray, scale: np.ndarray, receptor: np.ndarray) -> None:
        self.pre_ids = np.concatenate([self.pre_ids, pre_ids])
        self.post_ids = np.concatenate([self.post_ids, post_ids])
        self.pre = np.concatenate([self.pre, pre])
        self.post = np.concatenate([self.post, post])
        self.scale = np.concatenate([self.scale, scale])
        self.receptor = np.concatenate([self.receptor, receptor])
        self.invalidate()

    def invalidate(self) -> None:
        self._conns = None

    def resolve(self) -> None:
        """Read back the connections NEST made with its own rule (done lazily: reading
        sources and targets of many connections is NEST's slowest call)."""
        if self.pending is None:
            return
        found, pre, post, pre_ids, post_ids, scale, port = self.pending
        self.pending = None
        st = found.get(["source", "target"]) if len(found) else {"source": [], "target": []}
        src = np.atleast_1d(np.asarray(st["source"], _I64))
        tgt = np.atleast_1d(np.asarray(st["target"], _I64))
        pre_idx, post_idx = np.searchsorted(pre, src), np.searchsorted(post, tgt)
        self.append(pre_ids[pre_idx], post_ids[post_idx], src, tgt,
                    np.full(len(src), scale), np.full(len(src), port))
        self.adopt(found, src, tgt)

    def adopt(self, conns: Any, src: np.ndarray, tgt: np.ndarray) -> None:
        """Cache a SynapseCollection just read, whose (src, tgt) are this projection's
        connections (avoids reading them from NEST a second time)."""
        self._conns = conns
        self._order_nest = np.lexsort((tgt, src))
        pre, post = self._pairs()
        self._order_proj = np.lexsort((post, pre))

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(source, target) NEST nodes of the connections NEST holds, in projection order
        (gap junctions: the forward ones, then the reverse ones)."""
        if self.gap:
            return np.concatenate([self.pre, self.post]), np.concatenate([self.post, self.pre])
        return self.pre, self.post

    def mapping(self, nest: Any) -> tuple[Any, np.ndarray, np.ndarray]:
        """(SynapseCollection, NEST order, projection order) with
        ``proj[order_proj] <-> nest[order_nest]``."""
        self.resolve()
        if self._conns is None:
            if self.label is None:
                conns = nest.GetConnections(synapse_model=self.model)
            else:
                conns = nest.GetConnections(synapse_model=self.model, synapse_label=self.label)
            if len(self.pre) == 0:
                self._conns = conns
                self._order_nest = self._order_proj = np.zeros(0, _I64)
                return conns, self._order_nest, self._order_proj
            st = conns.get(["source", "target"])
            src, tgt = np.atleast_1d(st["source"]), np.atleast_1d(st["target"])
            pre, post = self._pairs()
            if len(src) != len(pre):
                raise RuntimeError(f"projection {self.pid}: NEST holds {len(src)} connections, "
                                   f"lamina {len(pre)}")
            self._conns = conns
            self._order_nest = np.lexsort((tgt, src))
            self._order_proj = np.lexsort((post, pre))
        if self._order_nest is None or self._order_proj is None:
            raise RuntimeError(f"projection {self.pid}: connection order not resolved")
        return self._conns, self._order_nest, self._order_proj

    def get(self, nest: Any, name: str) -> np.ndarray:
        """NEST values of `name` in projection order (NEST units)."""
        conns, on, op = self.mapping(nest)
        out = np.empty(len(on))
        if len(out):
            out[op] = np.atleast_1d(np.asarray(conns.get(name), dtype=float))[on]
        return out[:len(self.pre)]

    def set(self, nest: Any, name: str, values: np.ndarray, as_int: bool = False) -> None:
        """Write NEST values of `name` given in projection order (NEST units)."""
        conns, on, op = self.mapping(nest)
        if not len(self.pre):
            return
        values = np.broadcast_to(np.asarray(values, dtype=float), (len(self.pre),))
        if self.gap:
            values = np.concatenate([values, values])
        vals = np.empty(len(on))
        vals[on] = values[op]
        conns.set({name: (np.round(vals).astype(int).tolist() if as_int else vals.tolist())})
