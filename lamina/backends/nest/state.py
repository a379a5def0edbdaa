"""`NestState`: what the NEST backend knows about the network it built in NEST.

One object shared by the backend's parts (`backend.NestBackend` builds cells and
connections; `runtime.NestRuntime` runs, records and drives current sources): the cell
groups and the maps between lamina IDs and NEST nodes, the projection and source records,
the recording channels and the clock. The parts hold a reference to it; none reaches into
another.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from lamina.backends.nest import cells as cg
from lamina.backends.nest.connections import ProjectionRecord
from lamina.backends.nest.recording import Channel
from lamina.backends.nest.sources import SourceRecord
from lamina.backends.spike_store import SpikeStore

_I64 = np.int64


class NestState:
    """The network as built in NEST, and the clock.

    Attributes
    ----------
    dt : float — time step [ms]
    off_grid : bool — spikes at precise times (NEST's ``*_ps`` models)
    step : int — time steps simulated since the last reset
    groups : list of CellGroup — cells of one model, in creation order
    group_of, local_of, node_of : int64 arrays — lamina ID -> group index, position in
        its group, NEST node id (-1: none)
    id_of_node : int64 array — NEST node id -> lamina ID (-1: a device)
    projections : dict — projection id -> ProjectionRecord
    sources : dict — current-source id -> SourceRecord
    channels : list of Channel — multimeters recording analog variables
    spikes : SpikeStore — recorded spikes; `spk_active` marks the IDs recorded now
    recorder : the NEST spike_recorder; `recorder_connected` marks the IDs connected to it
    syn_recs : dict — (projection id, variable) -> synaptic-state sampling
    corrections : dict — step -> {ID: extra current [nA]} (see `runtime._one_step`)
    conns_dirty : bool — connections changed since NEST last sorted them
    delays_fixed : bool — NEST fixed its delay range (after the first Simulate)
    slice_steps : int — steps of one NEST Run slice
    """

    def __init__(self, dt: float, off_grid: bool) -> None:
        self.dt = dt
        self.off_grid = off_grid
        self.step = 0
        self.groups: list[cg.CellGroup] = []
        self.group_of = np.zeros(0, _I64)
        self.local_of = np.zeros(0, _I64)
        self.node_of = np.zeros(0, _I64)
        self.id_of_node = np.zeros(1, _I64)
        self.projections: dict[int, ProjectionRecord] = {}
        self.sources: dict[int, SourceRecord] = {}
        self.channels: list[Channel] = []
        self.spk_active = np.zeros(0, bool)
        self.spikes = SpikeStore()
        self.recorder: Any = None
        self.recorder_connected = np.zeros(0, bool)
        self.syn_recs: dict[tuple[int, str], Any] = {}
        self.corrections: dict[int, dict[int, float]] = {}
        self.conns_dirty = False
        self.delays_fixed = False
        self.slice_steps = 1000

    @property
    def t(self) -> float:
        """Current time [ms]."""
        return self.step * self.dt

    def note_nodes(self, ids: np.ndarray, nodes: np.ndarray) -> None:
        """Record that cells `ids` are NEST nodes `nodes`."""
        top = int(nodes.max()) + 1 if len(nodes) else 0
        if top > len(self.id_of_node):
            grown = np.full(max(top, 2 * len(self.id_of_node)), -1, _I64)
            grown[:len(self.id_of_node)] = self.id_of_node
            self.id_of_node = grown
        self.id_of_node[nodes] = ids
        self.node_of[ids] = nodes

    def nodes(self, ids: np.ndarray) -> np.ndarray:
        """NEST node ids of cells `ids`."""
        return self.node_of[np.asarray(ids, _I64)]

    def split(self, ids: np.ndarray) -> list[tuple[cg.CellGroup, np.ndarray, np.ndarray]]:
        """(group, positions in `ids`, positions in the group) per group, sorted by id."""
        ids = np.asarray(ids, _I64)
        gi = self.group_of[ids]
        out = []
        for k in np.unique(gi):
            where = np.flatnonzero(gi == k)
            where = where[np.argsort(ids[where], kind="stable")]
            out.append((self.groups[int(k)], where, self.local_of[ids[where]]))
        return out
