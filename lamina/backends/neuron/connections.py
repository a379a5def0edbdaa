"""Connections on NEURON: one NetCon per connection, made from the core's arrays.

A connection from cell ``pre`` onto receptor ``r`` of cell ``post`` is
``ParallelContext.gid_connect(pre, <post's point process for r>)`` with ``weight[0]`` the
PyNN weight (uS, nA or mV: the translations keep PyNN's units) and ``delay`` in ms. NEURON
has no bulk connection call: the loop over connections is the cost (measured by
``benchmarks/neuron_networks.py``). A projection keeps its NetCons in connection order,
which is the order the core's arrays gave them; values are read and written in it.

Short-term plasticity lives in the NetCon's weight vector, as the synapse mechanisms'
``NET_RECEIVE(weight, kind, U, tau_rec, tau_facil, u, x, y, t_last)`` declares it: slot 1 the
kind (`KINDS`), then the parameters (`SLOTS`), the rest the per-connection state that NEURON
re-initialises at every ``finitialize``. STDP connections target ``LaminaSTDPSyn`` (its
``NET_RECEIVE`` has the rule's slots); their weights change during a run and are restored
to the values last connected or set at `reset` (``w0``), as on the engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

_I64 = np.int64

#: synapse type -> kind code of the synapse mechanisms' NET_RECEIVE
KINDS = {"StaticSynapse": 0, "TsodyksMarkramSynapse": 1, "Tsodyks2Synapse": 2,
         "STDPMechanism": 3, "ElectricalSynapse": 4, "SimpleStochasticSynapse": 5,
         "MultiQuantalSynapse": 6, "StochasticTsodyksMarkramSynapse": 6}
STOCHASTIC = 5
QUANTAL = 6
STDP = 3
GAP = 4
#: per kind: state variable (``Projection.initialize``) -> slot of the NetCon weight vector
STATE_SLOTS: dict[int, dict[str, int]] = {1: {"u": 5, "x": 6, "y": 7}, 2: {"u": 5, "x": 6},
                                          6: {"u": 5, "a": 6}}
#: per kind: per-connection attribute -> slot of the NetCon weight vector
SLOTS: dict[int, dict[str, int]] = {
    0: {"weight": 0},
    1: {"weight": 0, "U": 2, "tau_rec": 3, "tau_facil": 4},
    2: {"weight": 0, "U": 2, "tau_rec": 3, "tau_facil": 4},
    STDP: {"weight": 0, "tau_plus": 2, "tau_minus": 3, "A_plus": 4, "A_minus": 5,
           "w_min": 6, "w_max": 7, "mu_plus": 8, "mu_minus": 9, "w_sign": 10,
           "x_next": 15, "vogels": 16},
    GAP: {"weight": 0},
    STOCHASTIC: {"weight": 0, "p": 2},
    QUANTAL: {"weight": 0, "U": 2, "tau_rec": 3, "tau_facil": 4, "n": 7},
}


@dataclass
class ProjectionRecord:
    """The NetCons of one projection held by this process (those onto its cells), in
    connection order; `pre_ids`/`post_ids` are theirs."""

    pid: int
    receptor: str
    synapse_type: Any
    pre_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    post_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, _I64))
    netcons: list[Any] = field(default_factory=list)
    kind: int = 0
    gaps: list[tuple[Any, Any]] = field(default_factory=list)     # GAP: LaminaGap pairs
    w0: np.ndarray = field(default_factory=lambda: np.zeros(0))   # STDP: weights to restore
    initial_state: dict[int, np.ndarray] = field(default_factory=dict)  # slot -> values

    def values_for_all(self, values: Any) -> np.ndarray:
        """`values` (one per connection of this process, or one for all) as an array."""
        return np.broadcast_to(np.asarray(values, float), (len(self.pre_ids),)).copy()

    def apply_initial_state(self) -> None:
        """Write the state set by ``Projection.initialize`` over what NEURON's
        ``finitialize`` gave the NetCons (call after it). TsodyksMarkramSynapse measures the
        first interval from t = 0 at the presynaptic side, as NEST: the event arrives a
        delay later, so the last update is placed at t = delay."""
        if self.kind == 1 and self.initial_state:
            for nc in self.netcons:
                nc.weight[8] = nc.delay
        for slot, values in self.initial_state.items():
            for nc, v in zip(self.netcons, values.tolist()):
                nc.weight[slot] = v

    def append(self, pre: np.ndarray, post: np.ndarray, netcons: list[Any],
               weight: np.ndarray) -> None:
        """Add the connections `pre` -> `post` (onto this process's cells), made as
        `netcons` with `weight`."""
        self.pre_ids = np.concatenate([self.pre_ids, np.asarray(pre, _I64)])
        self.post_ids = np.concatenate([self.post_ids, np.asarray(post, _I64)])
        self.netcons.extend(netcons)
        if self.kind == STDP:
            self.w0 = np.concatenate([self.w0, np.asarray(weight, float)])


def make_netcons(pc: Any, pre: np.ndarray, targets: list[Any], weight: np.ndarray,
                 delay: np.ndarray, kind: int = 0,
                 extra: dict[str, np.ndarray] | None = None) -> list[Any]:
    """One NetCon per connection: from gid ``pre[i]`` to ``targets[i]``; `kind` and the
    `extra` attributes (`SLOTS`) for dynamic synapses."""
    out = []
    connect = pc.gid_connect
    for gid, target, w, d in zip(pre.tolist(), targets, weight.tolist(), delay.tolist()):
        nc = connect(gid, target)
        nc.weight[0] = w
        nc.delay = d
        out.append(nc)
    if kind:
        for nc in out:
            nc.weight[1] = kind
        for name, values in (extra or {}).items():
            write(out, name, values, kind)
    return out


def read(netcons: list[Any], name: str, kind: int = 0) -> np.ndarray:
    """Weight, delay or a `SLOTS` attribute of each NetCon."""
    if name == "delay":
        return np.fromiter((nc.delay for nc in netcons), float, len(netcons))
    k = SLOTS[kind][name]
    return np.fromiter((nc.weight[k] for nc in netcons), float, len(netcons))


def write(netcons: list[Any], name: str, values: np.ndarray, kind: int = 0) -> None:
    """Set weight, delay or a `SLOTS` attribute of each NetCon."""
    vals = np.broadcast_to(np.asarray(values, float), (len(netcons),)).tolist()
    if name == "delay":
        for nc, v in zip(netcons, vals):
            nc.delay = v
        return
    k = SLOTS[kind][name]
    for nc, v in zip(netcons, vals):
        nc.weight[k] = v


def make_gaps(h: Any, pre_sections: list[Any], post_sections: list[Any],
              weight: np.ndarray) -> list[tuple[Any, Any]]:
    """One gap junction per connection: a LaminaGap on each of the two cells, each reading
    the other's v."""
    out = []
    for a, b, w in zip(pre_sections, post_sections, weight.tolist()):
        on_pre, on_post = h.LaminaGap(a(0.5)), h.LaminaGap(b(0.5))
        h.setpointer(b(0.5)._ref_v, "v_other", on_pre)
        h.setpointer(a(0.5)._ref_v, "v_other", on_post)
        on_pre.g = on_post.g = w
        out.append((on_pre, on_post))
    return out
