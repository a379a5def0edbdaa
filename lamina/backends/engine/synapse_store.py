"""Bookkeeping of the engine's non-static connections and of synaptic-state recording.

`SynapseStore` owns, for one `EngineBackend`:

* dynamic projections (short-term plasticity, stochastic, STDP): their PyNN values, the
  CSR arrays the kernel reads (see `lamina.backends.engine.synapses`), and the
  postsynaptic spike histories of STDP targets;
* gap-junction projections (`ElectricalSynapse`): pairs (a, b, g); each step the current
  g (v_b - v_a) is injected into a and its negative into b, with the voltages at the start
  of the step (explicit coupling, error O(dt); documented and validated against the exact
  solution of two coupled passive membranes);
* synaptic-state recordings: samples of 'weight' (any projection) or a state variable
  ('u', 'x', 'y', 'a') of every connection of a projection, taken at chunk boundaries that
  `run_until` aligns with the sampling times.

Structure changes (new connections, parameter changes) mark the store dirty; the next run
rebuilds the arrays, carrying the current synaptic state across.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lamina.backends.base import SignalData
from lamina.backends.engine import inputs
from lamina.backends.engine import synapses as sy
from lamina.errors import NoModelAvailableError, NonExistentParameterError, RecordingError

if TYPE_CHECKING:
    from lamina.backends.engine.backend import EngineBackend

logger = logging.getLogger(__name__)
_I64 = np.int64


@dataclass
class DynProjection:
    """A projection of dynamic synapses (or of gap junctions when ``kind == -1``)."""

    kind: int
    synapse_type: Any
    pre: np.ndarray
    post: np.ndarray
    receptor: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    sign: np.ndarray = field(default_factory=lambda: np.zeros(0))
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    w: np.ndarray | None = None          # current weights (when the arrays are not built)
    st: np.ndarray | None = None         # current state (when the arrays are not built)
    pos: np.ndarray | None = None        # positions in the CSR arrays
    initial: dict[str, np.ndarray] = field(default_factory=dict)  # state set by initialize


@dataclass
class _Recording:
    interval: int
    next: int
    t0: int
    pending: bool = True
    chunks: list[np.ndarray] = field(default_factory=list)


GAP = -1


class SynapseStore:
    """Dynamic synapses, gap junctions and synaptic-state recordings of one engine."""

    def __init__(self, backend: "EngineBackend") -> None:
        self.b = backend
        self.projections: dict[int, DynProjection] = {}
        self.dirty = True
        self.built = False
        self.hist = sy.PostHistory.empty(0)
        self._empty(0)
        self.recordings: dict[tuple[int, str], _Recording] = {}
        self._stream_ids: dict[int, int] = {}

    # -- arrays ------------------------------------------------------------------------
    def _empty(self, N: int) -> None:
        self.indptr = np.zeros(N + 1, _I64)
        self.tgt = np.zeros(0, np.int32)
        self.post = np.zeros(0, np.int32)
        self.d = np.zeros(0, np.int32)
        self.kind = np.zeros(0, np.int8)
        self.w = np.zeros(0)
        self.w0 = np.zeros(0)
        self.par = np.zeros((sy.NPAR, 0))
        self.st = np.zeros((sy.NST, 0))
        self.key = np.zeros(0, np.uint64)
        self.g_a = np.zeros(0, _I64)
        self.g_b = np.zeros(0, _I64)
        self.g_w = np.zeros(0)
        self.g_rows = np.zeros(0, _I64)

    def kernel_arrays(self) -> tuple[Any, ...]:
        """Arguments of `step_loop.run_steps` that describe dynamic synapses."""
        h = self.hist
        return (self.indptr, self.tgt, self.post, self.d, self.kind, self.w, self.par, self.st,
                self.key, np.uint64(sy.stream_seed(self.b.config.rng_seed, self.b._segment)),
                h.idx, h.t, h.head, h.cnt, h.full,
                self.g_a, self.g_b, self.g_w, self.g_rows)

    # -- connections -------------------------------------------------------------------
    def connect(self, projection_id: int, pre: np.ndarray, post: np.ndarray,
                receptor_type: str, rec: np.ndarray, synapse_type: Any,
                values: dict[str, np.ndarray]) -> None:
        """Add connections (rows `pre` -> `post`, receptor indices `rec` in the ring)."""
        name = type(synapse_type).__name__
        kind = GAP if name == "ElectricalSynapse" else sy.kind_of(synapse_type)
        if kind == 0:
            raise NoModelAvailableError(
                f"the engine backend has no synapse model {name!r}; available: StaticSynapse, "
                "ElectricalSynapse, TsodyksMarkramSynapse, Tsodyks2Synapse, "
                "SimpleStochasticSynapse, StochasticTsodyksMarkramSynapse, MultiQuantalSynapse,"
                " STDPMechanism (SpikePairRule or Vogels2011Rule)")
        if kind in sy.TRACE_KINDS and synapse_type.dendritic_delay_fraction != 1.0:
            raise NoModelAvailableError(
                "the engine backend implements STDP with the whole delay dendritic "
                f"(dendritic_delay_fraction=1.0, as NEST); got "
                f"{synapse_type.dendritic_delay_fraction}")
        if kind == GAP:
            for g in self.b._groups_of(np.concatenate([pre, post])):
                if g.table.is_source:
                    from lamina.errors import ConnectionError
                    raise ConnectionError(
                        f"ElectricalSynapse: gap junctions need cells with a membrane "
                        f"potential; {g.table.name} is a spike source")
        n = len(pre)
        vals = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
                for k, v in values.items()}
        vals.setdefault("weight", np.zeros(n))
        if kind != GAP:
            vals.setdefault("delay", np.full(n, self.b.dt))
            self.b._check_delays(vals["delay"])
        rec = np.asarray(rec, np.int8)
        sign = self._signs(post, receptor_type == "inhibitory", vals["weight"])
        proj = self.projections.get(projection_id)
        if proj is not None:
            self._sync_back()
            old_n = len(proj.pre)
            merged = {k: np.concatenate([proj.values.get(k, np.full(old_n, np.nan)),
                                         vals.get(k, np.full(n, np.nan))])
                      for k in set(proj.values) | set(vals)}
            new = DynProjection(kind, synapse_type, np.concatenate([proj.pre, pre]),
                                np.concatenate([proj.post, post]),
                                np.concatenate([proj.receptor, rec]), merged,
                                np.concatenate([proj.sign, sign]))
            if kind != GAP:
                par = sy.parameter_block(kind, synapse_type, vals, np.zeros(n), sign)
                new.w = np.concatenate([proj.w, vals["weight"]])
                new.st = np.concatenate([proj.st, sy.initial_state(kind, par)], axis=1)
        else:
            new = DynProjection(kind, synapse_type, pre, post, rec, vals, sign)
            if kind != GAP:
                par = sy.parameter_block(kind, synapse_type, vals, np.zeros(n), sign)
                new.w = vals["weight"].copy()
                new.st = sy.initial_state(kind, par)
        # streams keyed by the projection's creation order in this simulation (ids are
        # global counters) and the connection index
        order = self._stream_ids.setdefault(projection_id, len(self._stream_ids))
        new.keys = sy.connection_keys(order, len(new.pre))
        self.projections[projection_id] = new
        self.dirty = True

    def _signs(self, post: np.ndarray, inhibitory: bool, weight: np.ndarray) -> np.ndarray:
        """-1 for weights onto inhibitory current-based receptors (or negative ones)."""
        cond = np.zeros(len(post), bool)
        for g in self.b._groups_of(post) if len(post) else []:
            sel = (post >= g.start) & (post < g.stop)
            cond[sel] = bool(getattr(g.celltype, "conductance_based", False))
        neg = (weight < 0) | (inhibitory & ~cond)
        return np.where(neg, -1.0, 1.0)

    def has(self, projection_id: int) -> bool:
        return projection_id in self.projections

    def _sync_back(self) -> None:
        """Copy the current weights and state out of the CSR arrays into the projections."""
        if not self.built:
            return
        for p in self.projections.values():
            if p.kind != GAP and p.pos is not None:
                p.w = self.w[p.pos].copy()
                p.st = self.st[:, p.pos].copy()
        self.built = False  # the state lives in the projections until the next build
        self.dirty = True

    def set_values(self, projection_id: int, name: str, values: np.ndarray) -> None:
        p = self.projections[projection_id]
        if name not in p.values:
            raise NonExistentParameterError(name, type(p.synapse_type).__name__, p.values)
        vals = np.broadcast_to(np.asarray(values, dtype=float), (len(p.pre),)).copy()
        if name == "delay":
            self.b._check_delays(vals)
        p.values[name] = vals
        if name == "weight":
            if self.built and p.pos is not None and p.kind != GAP:
                self.w[p.pos] = vals
                self.w0[p.pos] = vals
            elif p.kind != GAP:
                p.w = vals.copy()
            if p.kind == GAP:
                self.dirty = True
            return
        self._sync_back()
        self.dirty = True

    def set_state(self, projection_id: int, name: str, values: np.ndarray) -> None:
        """Set state variable `name` of every connection now and for every reset."""
        p = self.projections.get(projection_id)
        rows = sy.STATE_ROWS.get(p.kind, {}) if p is not None else {}
        if p is None or name not in rows:
            raise NonExistentParameterError(
                name, f"{type(p.synapse_type).__name__ if p else 'StaticSynapse'} (state "
                "variables)", list(rows))
        vals = np.broadcast_to(np.asarray(values, dtype=float), (len(p.pre),)).copy()
        p.initial[name] = vals
        self._sync_back()
        if p.st is None:
            par = sy.parameter_block(p.kind, p.synapse_type, p.values,
                                     np.zeros(len(p.pre)), p.sign)
            p.st = sy.initial_state(p.kind, par)
        p.st[rows[name]] = vals
        self.dirty = True

    def get_values(self, projection_id: int, name: str) -> np.ndarray:
        p = self.projections[projection_id]
        if name not in p.values:
            raise NonExistentParameterError(name, type(p.synapse_type).__name__, p.values)
        if name == "weight" and p.kind != GAP:
            if self.built and p.pos is not None and not self.dirty:
                return self.w[p.pos].copy()
            if p.w is not None:
                return p.w.copy()
        return p.values[name].copy()

    # -- build ---------------------------------------------------------------------------
    def prepare(self) -> None:
        """Build the arrays if needed; refresh tau_psc from the target cells."""
        if self.dirty or len(self.indptr) != self.b._N + 1:
            self._build()
        if np.any(self.kind == sy.SK_TSODYKS):
            q = np.flatnonzero(self.kind == sy.SK_TSODYKS)
            self.par[3, q] = self._tau_psc(self.post[q].astype(_I64),
                                           (self.tgt[q] // max(self.b._N, 1)).astype(np.int8))

    def _tau_psc(self, post: np.ndarray, receptor: np.ndarray) -> np.ndarray:
        out = np.zeros(len(post))
        for g in self.b._groups_of(post) if len(post) else []:
            for r, name in ((0, "tau_syn_E"), (1, "tau_syn_I")):
                row = g.table.params.get(name)
                sel = (post >= g.start) & (post < g.stop) & (receptor == r)
                if row is not None and sel.any():
                    out[sel] = self.b.param[row, post[sel]]
        return out

    def _build(self) -> None:
        self._sync_back()
        N = self.b._N
        old_hist = self.hist
        self._empty(N)
        dyn = [(pid, p) for pid, p in self.projections.items() if p.kind != GAP]
        gaps = [p for p in self.projections.values() if p.kind == GAP]
        if dyn:
            pre = np.concatenate([p.pre for _, p in dyn])
            post = np.concatenate([p.post for _, p in dyn])
            rec = np.concatenate([p.receptor.astype(_I64) for _, p in dyn])
            d = np.concatenate([self.b._check_delays(p.values["delay"]) for _, p in dyn])
            kind = np.concatenate([np.full(len(p.pre), p.kind, np.int8) for _, p in dyn])
            w = np.concatenate([p.w for _, p in dyn])
            w0 = np.concatenate([p.values["weight"] for _, p in dyn])
            par = np.concatenate([sy.parameter_block(p.kind, p.synapse_type, p.values,
                                                     np.zeros(len(p.pre)), p.sign)
                                  for _, p in dyn], axis=1)
            st = np.concatenate([p.st for _, p in dyn], axis=1)
            key = np.concatenate([p.keys for _, p in dyn])
            order = np.argsort(pre, kind="stable")
            inv = np.empty(len(order), _I64)
            inv[order] = np.arange(len(order))
            off = 0
            for _, p in dyn:
                p.pos = inv[off:off + len(p.pre)]
                off += len(p.pre)
            np.cumsum(np.bincount(pre, minlength=N), out=self.indptr[1:])
            self.tgt = (rec * N + post)[order].astype(np.int32)
            self.post = post[order].astype(np.int32)
            self.d = d[order].astype(np.int32)
            self.kind = kind[order]
            self.w = np.ascontiguousarray(w[order])
            self.w0 = np.ascontiguousarray(w0[order])
            self.par = np.ascontiguousarray(par[:, order])
            self.st = np.ascontiguousarray(st[:, order])
            self.key = key[order]
            if len(d) and d.max() + 1 > self.b._L:
                self.b._grow_ring(int(d.max()) + 1)
            trace = np.isin(self.kind, sy.TRACE_KINDS)
            if trace.any():
                rows = np.unique(self.post[trace]).astype(_I64)
                self.hist = sy.PostHistory(N, rows, H=max(16, old_hist.t.shape[1]))
                self._carry_history(old_hist)
            else:
                self.hist = sy.PostHistory.empty(N)
        else:
            self.hist = sy.PostHistory.empty(N)
        if gaps:
            self.g_a = np.concatenate([p.pre for p in gaps]).astype(_I64)
            self.g_b = np.concatenate([p.post for p in gaps]).astype(_I64)
            self.g_w = np.concatenate([p.values["weight"] for p in gaps])
            self.g_rows = np.unique(np.concatenate([self.g_a, self.g_b]))
        for p in self.projections.values():
            if p.kind != GAP:
                p.w = p.st = None
        self.built = True
        self.dirty = False

    def _carry_history(self, old: sy.PostHistory) -> None:
        """Keep the spike histories of cells that had one before a rebuild."""
        new = self.hist
        both = np.intersect1d(old.rows, new.rows)
        if len(both) == 0:
            return
        H_old = old.t.shape[1]
        if new.t.shape[1] < H_old:
            new.t = np.zeros((len(new.rows), H_old), _I64)
        oi, ni = old.idx[both], new.idx[both]
        new.t[ni, :H_old] = old.ordered()[oi]
        new.head[ni] = 0
        new.cnt[ni] = old.cnt[oi]
        new.full[0] = int(np.count_nonzero(new.cnt >= new.t.shape[1]))

    def make_history_room(self) -> None:
        """Called when the kernel stopped because a spike history is full."""
        h = self.hist
        thr = np.full(len(h.rows), np.iinfo(_I64).max, _I64)
        q = np.flatnonzero(np.isin(self.kind, sy.TRACE_KINDS))
        np.minimum.at(thr, h.idx[self.post[q]], (self.st[sy.S_LAST, q] - self.d[q]).astype(_I64))
        h.make_room(thr)

    # -- time ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Weights back to their initial values (set at connect or by `set`), synaptic state
        and postsynaptic histories to t = 0."""
        self._sync_back()
        for p in self.projections.values():
            if p.kind != GAP:
                p.w = p.values["weight"].copy()
                par = sy.parameter_block(p.kind, p.synapse_type, p.values,
                                         np.zeros(len(p.pre)), p.sign)
                p.st = sy.initial_state(p.kind, par)
                for name, vals in p.initial.items():
                    p.st[sy.STATE_ROWS[p.kind][name]] = vals
        self.dirty = True
        self.hist.clear()
        for rec in self.recordings.values():
            rec.chunks, rec.t0, rec.next, rec.pending = [], 0, 0, True

    # -- synaptic-state recording ----------------------------------------------------------
    def _check_variable(self, projection_id: int, variable: str) -> None:
        p = self.projections.get(projection_id)
        if variable == "weight":
            if p is None and projection_id not in self.b._static.n:
                raise RecordingError(variable, "projection", ("weight",))
            return
        allowed = {"weight", *sy.STATE_ROWS.get(p.kind, {})} if p is not None else {"weight"}
        if variable not in allowed:
            model = type(p.synapse_type) if p is not None else "StaticSynapse"
            raise RecordingError(variable, model, allowed)

    def set_recording(self, projection_id: int, variable: str, sampling_interval: float) -> None:
        self._check_variable(projection_id, variable)
        interval = max(1, int(inputs.to_step(sampling_interval, self.b.dt)))
        step = self.b._step
        old = self.recordings.get((projection_id, variable))
        if old is not None and old.interval == interval:
            return
        self.recordings[(projection_id, variable)] = _Recording(interval, step, step)

    def stop_recording(self, projection_id: int, variable: str) -> None:
        rec = self.recordings.get((projection_id, variable))
        if rec is not None:
            rec.next = -1  # keep the data, take no more samples

    def next_sample(self, n0: int) -> int:
        """First sampling step after n0 (a chunk must end there)."""
        nxt = [r.next for r in self.recordings.values() if r.next > n0]
        return min(nxt) if nxt else np.iinfo(_I64).max

    def _sample(self, projection_id: int, variable: str) -> np.ndarray:
        p = self.projections.get(projection_id)
        if p is None:
            return self.b.get_connection_values(projection_id, "weight")
        if p.kind == GAP:
            return p.values["weight"].copy()
        if variable == "weight":
            return self.w[p.pos].copy()
        return self.st[sy.STATE_ROWS[p.kind][variable], p.pos].copy()

    def take_samples(self, step: int) -> None:
        """Samples due at `step` (and pending first samples)."""
        for (pid, var), rec in self.recordings.items():
            if rec.pending and rec.next >= 0:
                rec.t0 = step
                rec.next = step
                rec.pending = False
            if rec.next == step:
                rec.chunks.append(self._sample(pid, var)[None, :])
                rec.next = step + rec.interval

    def get_signal(self, projection_id: int, variable: str) -> SignalData:
        rec = self.recordings.get((projection_id, variable))
        if rec is None:
            raise RecordingError(variable, "projection", ())
        n = self._size(projection_id)
        values = np.concatenate(rec.chunks, axis=0) if rec.chunks else np.zeros((0, n))
        return SignalData(rec.t0 * self.b.dt, rec.interval * self.b.dt, values)

    def _size(self, projection_id: int) -> int:
        p = self.projections.get(projection_id)
        return len(p.pre) if p is not None else self.b._static.n[projection_id]

    def clear_recorded(self, projection_id: int, variable: str) -> None:
        rec = self.recordings.get((projection_id, variable))
        if rec is not None:
            rec.chunks = []
            rec.t0 = rec.next if rec.next >= 0 else self.b._step
