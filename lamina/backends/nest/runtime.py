"""`NestRuntime`: the time-dependent part of the NEST backend — current sources,
recording (cells and synaptic state) and running.

`NestBackend` builds cells and connections and owns one `NestRuntime`, handing it the
shared `NestState`; the runtime reads and changes that state only, never the backend.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import nest
import numpy as np

from lamina import interrupts
from lamina.backends.base import SignalData
from lamina.backends.nest import sources
from lamina.backends.nest import translations as tr
from lamina.backends.nest.connections import synapse_entry
from lamina.backends.nest.errors import translated
from lamina.backends.nest.recording import Channel, assemble
from lamina.backends.nest.state import NestState
from lamina.errors import InvalidModelError, InvalidTimeError, RecordingError

logger = logging.getLogger(__name__)
_I64 = np.int64

#: wall time one NEST Run slice aims at [s]: Ctrl-C waits at most about this long
SLICE_SECONDS = 0.25
MIN_SLICE_STEPS = 10
MAX_SLICE_STEPS = 1_000_000


def _nc(nodes: np.ndarray) -> Any:
    return nest.NodeCollection(np.unique(np.asarray(nodes, _I64)).tolist())


class SynapseSampling:
    """Samples of one variable of every connection of a projection (see
    `NestRuntime.set_synapse_recording`). Steps are grid steps; ``prov`` is the step of a
    provisional last sample, read at the end of a run and re-read one step later."""

    def __init__(self, interval: int, step: int) -> None:
        self.interval, self.t0, self.next = interval, step, step
        self.pending, self.prov = True, None
        self.chunks: list[np.ndarray] = []

    def due(self) -> int | None:
        if self.prov is not None:
            return self.prov
        return self.next if self.next >= 0 else None

    def restart(self) -> None:
        self.chunks, self.t0, self.pending, self.prov = [], 0, True, None
        if self.next >= 0:
            self.next = 0


class NestRuntime:
    """Current sources, recording and the clock of a NEST network.

    Parameters
    ----------
    state : NestState — the network as built by `NestBackend` (shared with it)
    """

    def __init__(self, state: NestState) -> None:
        self.state = state

    @property
    def dt(self) -> float:
        """Time step [ms]."""
        return self.state.dt

    @property
    def off_grid(self) -> bool:
        """Whether spikes have precise (off-grid) times."""
        return self.state.off_grid

    # -- synaptic-state recording --------------------------------------------------------
    # NEST updates a synapse's state (weight, u, x, ...) when a presynaptic spike is
    # delivered, which (with min_delay = dt) happens at the start of the step after the
    # spike's emission. lamina's sample at step n shows the state after every presynaptic
    # spike stamped <= n, so it is read from NEST's connections (GetStatus) when NEST is at
    # step n + 1: `run_until` splits its Simulate calls at those steps. A sample due at the
    # very end of a run is read then (it may miss spikes emitted in the last step) and
    # replaced one step into the next run.
    def _synapse_variable(self, projection_id: int, variable: str) -> tuple[str, float | None]:
        rec = self.state.projections.get(projection_id)
        if rec is None:
            raise RecordingError(variable, "projection", ("weight",))
        if variable == "weight":
            return "weight", None
        table = synapse_entry(rec.synapse_type).get("state", {})
        if variable not in table:
            raise RecordingError(variable, type(rec.synapse_type), ("weight", *table))
        return table[variable], 1.0

    def set_synapse_recording(self, projection_id: int, variable: str,
                              sampling_interval: float) -> None:
        self._synapse_variable(projection_id, variable)
        interval = max(1, int(round(sampling_interval / self.dt)))
        old = self.state.syn_recs.get((projection_id, variable))
        if old is not None and old.interval == interval and old.next >= 0:
            return
        self.state.syn_recs[(projection_id, variable)] = SynapseSampling(interval, self.state.step)

    def stop_synapse_recording(self, projection_id: int, variable: str) -> None:
        srec = self.state.syn_recs.get((projection_id, variable))
        if srec is not None:
            srec.next = -1

    def get_synapse_signal(self, projection_id: int, variable: str) -> SignalData:
        srec = self.state.syn_recs.get((projection_id, variable))
        if srec is None:
            raise RecordingError(variable, "projection", ())
        n = len(self.state.projections[projection_id].pre)
        values = np.concatenate(srec.chunks, axis=0) if srec.chunks else np.zeros((0, n))
        return SignalData(srec.t0 * self.dt, srec.interval * self.dt, values)

    def clear_synapse_recorded(self, projection_id: int, variable: str) -> None:
        srec = self.state.syn_recs.get((projection_id, variable))
        if srec is not None:
            srec.chunks, srec.prov = [], None
            srec.t0 = srec.next if srec.next >= 0 else self.state.step

    def _synapse_sample(self, projection_id: int, variable: str) -> np.ndarray:
        rec = self.state.projections[projection_id]
        name, _ = self._synapse_variable(projection_id, variable)
        with translated(f"reading {variable} of projection {projection_id}"):
            vals = rec.get(nest, name)
        return vals / rec.scale if variable == "weight" else vals

    def _sample_synapses(self, step: int, final: bool) -> None:
        """Take the samples due at `step` (NEST is at step + 1, or at `step` if `final`)."""
        for (pid, var), srec in self.state.syn_recs.items():
            if srec.due() != step:
                continue
            row = self._synapse_sample(pid, var)[None, :]
            if srec.prov is not None:
                srec.chunks[-1] = row
                srec.prov = None
                continue
            srec.chunks.append(row)
            srec.next = step + srec.interval
            if final:
                srec.prov = step

    # -- current sources -------------------------------------------------------------
    def inject(self, source_id: int, source: Any, parameters: dict[str, Any],
               target_ids: np.ndarray) -> None:
        targets = np.asarray(target_ids, _I64)
        for g, _, _ in self.state.split(targets):
            if g.kind in (tr.SPIKE_ARRAY, tr.POISSON) or not type(g.celltype).injectable:
                raise InvalidModelError(f"cannot inject current into {g.model} cells")
        src = self.state.sources.get(source_id)
        if src is None:
            model = getattr(source, "nest_model", None) or type(source).__name__
            src = sources.SourceRecord(source_id, model, dict(parameters), targets)
            self.state.sources[source_id] = src
            self._build_source(src, targets)
        else:
            src.params.update(parameters)
            src.targets = np.concatenate([src.targets, targets])
            self._push_source(src)
            with translated("injecting current"):
                nest.Connect(src.node, _nc(self.state.nodes(targets)), "all_to_all",
                             {"delay": self.dt})

    def _source_status(self, src: sources.SourceRecord) -> dict[str, Any]:
        if src.model in tr.CURRENT_SOURCES:
            return sources.nest_parameters(src.model, src.params, self.dt)
        status = {k: v for k, v in src.params.items() if k not in ("start", "stop")}
        start = int(sources.to_step(src.params.get("start") or 0.0, self.dt))
        status["start"] = max(start - 1, 0) * self.dt
        if src.params.get("stop") is not None:
            status["stop"] = max(int(sources.to_step(src.params["stop"], self.dt)) - 1,
                                 0) * self.dt
        return status

    def _build_source(self, src: sources.SourceRecord, targets: np.ndarray) -> None:
        model = tr.CURRENT_SOURCES.get(src.model, {"model": src.model})["model"]
        with translated(f"creating current source {src.model}"):
            src.node = nest.Create(model, params=self._source_status(src))
            nest.Connect(src.node, _nc(self.state.nodes(targets)), "all_to_all", {"delay": self.dt})
            if src.recording and model == "noise_generator":
                src.meter = nest.Create("multimeter", params={"record_from": ["I"],
                                                              "interval": self.dt})
                nest.Connect(src.meter, src.node)

    def _push_source(self, src: sources.SourceRecord) -> None:
        with translated(f"setting parameters of {src.model}"):
            src.node.set(self._source_status(src))

    def set_current_source_parameters(self, source_id: int, parameters: dict[str, Any]) -> None:
        src = self.state.sources[source_id]
        if src.recording and src.meter is None and src.model in tr.CURRENT_SOURCES:
            # keep what was recorded with the old parameters (the waveform is evaluated)
            src.history.append(sources.waveform(src.model, src.params, src.history_end,
                                                self.state.step, self.dt))
            src.history_end = self.state.step
        if self.state.step >= 2 and src.model in tr.CURRENT_SOURCES \
                and src.model != "NoisyCurrentSource":
            # a changed generator reaches the cells two steps later: the difference in
            # the next two steps flows through their I_e (see `_one_step`)
            old = sources.waveform(src.model, src.params, self.state.step, self.state.step + 2, self.dt)
            new = sources.waveform(src.model, {**src.params, **parameters}, self.state.step,
                                   self.state.step + 2, self.dt)
            corrections = self.state.corrections
            for k in range(2):
                if new[k] != old[k]:
                    step = corrections.setdefault(self.state.step + k, {})
                    for i in src.targets.tolist():
                        step[i] = step.get(i, 0.0) + float(new[k] - old[k])
        src.params.update(parameters)
        self._push_source(src)

    def record_current_source(self, source_id: int) -> None:
        src = self.state.sources[source_id]
        if src.recording:
            return
        src.recording, src.rec_start, src.data = True, self.state.step, []
        src.history, src.history_end = [], self.state.step
        if src.model == "NoisyCurrentSource":
            with translated("recording a current source"):
                src.meter = nest.Create("multimeter", params={"record_from": ["I"],
                                                              "interval": self.dt})
                nest.Connect(src.meter, src.node)

    def get_current_source_data(self, source_id: int, clear: bool) -> SignalData:
        src = self.state.sources[source_id]
        n0, n1 = src.rec_start, self.state.step + 1    # as PyNN, up to the current time included
        if src.meter is not None:
            # the multimeter's sample at t = k dt is the value acting in step k + 1
            vals = np.zeros(max(n1 - n0, 0))
            if src.data:
                steps, amps = np.concatenate([d[0] for d in src.data]), \
                    np.concatenate([d[1] for d in src.data])
                k = steps + 1 - n0
                ok = (k >= 0) & (k < len(vals))
                vals[k[ok]] = amps[ok] / 1000.0
        elif src.model in tr.CURRENT_SOURCES:
            vals = np.concatenate([*src.history, sources.waveform(
                src.model, src.params, src.history_end, n1, self.dt)])
        else:
            vals = np.full(max(n1 - n0, 0), np.nan)
        out = SignalData(n0 * self.dt, self.dt, vals.reshape(-1, 1))
        if clear:
            src.rec_start, src.data = self.state.step, []
            src.history, src.history_end = [], self.state.step
        return out

    # -- recording -----------------------------------------------------------------------
    def _nest_variable(self, g: Any, variable: str) -> tuple[str, float]:
        table = g.entry["state"] if g.entry is not None else {}
        nest_var, factor = table.get(variable, (variable, 1.0))[:2]
        recordables = nest.GetDefaults(g.model).get("recordables", ())
        if len(g.nodes) and g.entry is not None and g.entry.get("rarrays"):
            # multisynapse models: one recordable per receptor port of the cells
            recordables = nest.NodeCollection([int(g.nodes[0])]).get("recordables")
        recordable = g.celltype.recordable
        if variable not in recordable or nest_var not in recordables:
            raise RecordingError(variable, type(g.celltype),
                                 [v for v in recordable if v == "spikes"
                                  or table.get(v, (v,))[0] in recordables])
        return nest_var, factor

    def _spike_arrays(self, ids: np.ndarray) -> np.ndarray:
        """Mask of the SpikeSourceArray cells among `ids`: their spike times are known, so
        lamina records them itself (a spike_generator cannot also feed a spike_recorder
        when a projection sends its spikes with another synapse model)."""
        return np.isin(self.state.group_of[ids], [k for k, g in enumerate(self.state.groups)
                                                  if g.kind == tr.SPIKE_ARRAY])

    def set_recording(self, ids: np.ndarray, variable: str, sampling_interval: float) -> None:
        ids = np.asarray(ids, _I64)
        if variable == "spikes":
            devices = self._spike_arrays(ids)
            self.state.spk_active[ids[devices]] = True   # spike times known: recorded by lamina
            ids = ids[~devices]
            new = ids[~self.state.recorder_connected[ids]]
            if len(new):
                with translated("recording spikes"):
                    nest.Connect(_nc(self.state.nodes(new)), self.state.recorder)
                self.state.recorder_connected[new] = True
            self.state.spk_active[ids] = True
            return
        parts = self.state.split(ids)
        nest_var, factor = self._nest_variable(parts[0][0], variable)
        for g, _, _ in parts[1:]:
            self._nest_variable(g, variable)
        interval = max(1, int(round((sampling_interval or self.dt) / self.dt)))
        for ch in self.state.channels:  # already recorded with this interval: nothing to do
            if ch.var == variable and ch.interval == interval:
                ids = ids[~np.isin(ids, ch.ids[ch.active])]
        if len(ids) == 0:
            return
        ids = np.unique(ids)
        ch = Channel(variable, nest_var, factor, ids, self.state.nodes(ids), interval, self.state.step)
        ch.offset = self._offsets(ids, variable)
        self._build_channel(ch)
        self.state.channels.append(ch)

    def _offsets(self, ids: np.ndarray, variable: str) -> np.ndarray | None:
        """Per cell (sorted by node) PyNN value added to the NEST one (GIF's v_t), or None."""
        out, any_ = np.zeros(len(ids)), False
        for g, where, local in self.state.split(ids):
            spec = (g.entry or {}).get("state", {}).get(variable, ())
            if len(spec) > 2 and spec[2] is not None:
                out[where] = g.params[spec[2]][local]
                any_ = True
        return out if any_ else None

    def _build_channel(self, ch: Channel) -> None:
        with translated(f"recording {ch.var}"):
            ch.meter = nest.Create("multimeter", params={
                "record_from": [ch.nest_var], "interval": ch.interval * self.dt,
                "origin": ch.origin * self.dt})
            nest.Connect(ch.meter, _nc(ch.nodes[ch.active]))

    def stop_recording(self, ids: np.ndarray, variable: str) -> None:
        ids = np.asarray(ids, _I64)
        if variable == "spikes":
            self.state.spk_active[ids] = False
            return
        for ch in self.state.channels:
            if ch.var == variable:
                ch.active &= ~np.isin(ch.ids, ids)

    def get_spikes(self, ids: np.ndarray) -> list[np.ndarray]:
        return self.state.spikes.get(np.asarray(ids, _I64))

    def get_signal(self, ids: np.ndarray, variable: str) -> SignalData:
        chans = [ch for ch in self.state.channels if ch.var == variable]
        t0, interval, values = assemble(chans, np.asarray(ids, _I64), self.dt, self.state.step)
        return SignalData(t0, interval, values)

    def clear_recorded(self, ids: np.ndarray, variable: str) -> None:
        ids = np.asarray(ids, _I64)
        if variable == "spikes":
            self.state.spikes.clear(ids)
            return
        for ch in self.state.channels:
            if ch.var == variable:
                ch.clear(np.flatnonzero(np.isin(ch.ids, ids)), self.state.step)

    def _read_state(self, ch: Channel, initial: bool = False) -> bool:
        """Sample the cells' state now, from their status. Some recordables are not status
        entries (hh_cond_exp_traub's g_ex/g_in, I_syn_k of the multisynapse models): then the
        sample is the initial value at step 0, else NaN until the multimeter's copy arrives
        (next run). Returns whether the value was read."""
        cols = np.flatnonzero(ch.active)
        if len(cols) == 0:
            return True
        nodes = _nc(ch.nodes[cols])
        var = ch.nest_var
        steps = np.full(len(cols), self.state.step, _I64)
        try:
            vals = None if self.state.step == 0 else np.atleast_1d(np.asarray(nodes.get(var), float))
        except KeyError:
            vals = None
            if var.startswith("g_") and var[2:].isdigit():   # aeif_*_multisynapse: 'g' array
                k = int(var[2:]) - 1
                g = nodes.get("g")
                g = [g] if len(cols) == 1 else g
                try:
                    vals = np.array([float(np.atleast_1d(x)[k]) for x in g])
                except IndexError:   # state vector sized at the first simulation
                    vals = None
        if vals is not None:
            ch.add(steps, cols, vals)
            return True
        if self.state.step == 0:    # the initial values (some NEST states are set at step 1)
            ids = ch.ids[cols]
            init = np.full(len(cols), np.nan)
            for g, where, local in self.state.split(ids):
                if ch.var in g.init:
                    init[where] = g.init[ch.var][local]
            if not np.isnan(init).any():
                ch.add(steps, cols, init * ch.factor)
                return True
            vals = np.atleast_1d(np.asarray(nodes.get(var), float))
            ch.add(steps, cols, vals)
            return True
        ch.add(steps, cols, np.full(len(cols), np.nan))
        ch.placeholder = self.state.step
        return False

    def _array_spikes(self, n0: int, n1: int) -> None:
        """Spikes of recorded SpikeSourceArray cells emitted in (n0 dt, n1 dt]."""
        for g in self.state.groups:
            if g.kind != tr.SPIKE_ARRAY:
                continue
            on = np.flatnonzero(self.state.spk_active[g.ids])
            for i in on:
                t = np.asarray(g.params["spike_times"][i], float)
                if not self.off_grid:
                    t = np.unique(np.floor(t / self.dt + 0.5)) * self.dt
                sel = t[(t > (n0 + 0.5) * self.dt) & (t <= (n1 + 0.5) * self.dt)] \
                    if n0 > 0 else t[t <= (n1 + 0.5) * self.dt]
                self.state.spikes.append(np.full(len(sel), g.ids[i], _I64), np.round(sel, 10))

    def _collect(self) -> None:
        """Move what NEST recorded in the last run into lamina's stores."""
        ev = self.state.recorder.get("events")
        senders = np.asarray(ev["senders"], _I64)
        if len(senders):
            ids = self.state.id_of_node[senders]
            keep = self.state.spk_active[ids]
            self.state.spikes.append(ids[keep], np.asarray(ev["times"], float)[keep])
            self.state.recorder.n_events = 0
        for ch in self.state.channels:
            ev = ch.meter.get("events")
            steps = np.round(np.asarray(ev["times"], float) / self.dt).astype(_I64)
            if len(steps):
                cols = np.searchsorted(ch.nodes, np.asarray(ev["senders"], _I64))
                fresh = steps > ch.last_end
                ch.add(steps[fresh], cols[fresh], np.asarray(ev[ch.nest_var], float)[fresh])
                ch.meter.n_events = 0
            if ch.is_sample_step(self.state.step) and self.state.step > ch.last_end:
                # NEST delivers this sample during the next run
                if self._read_state(ch):
                    ch.last_end = self.state.step
        for src in self.state.sources.values():
            if src.meter is not None:
                ev = src.meter.get("events")
                if len(ev["times"]):
                    src.data.append((np.round(np.asarray(ev["times"]) / self.dt).astype(_I64),
                                     np.asarray(ev["I"], float)))
                    src.meter.n_events = 0

    # -- time ------------------------------------------------------------------------------
    @property
    def t(self) -> float:
        return self.state.step * self.dt

    def run_until(self, t_stop: float) -> None:
        n_stop = int(np.floor(t_stop / self.dt + 0.5))
        if n_stop < self.state.step:
            raise InvalidTimeError(f"cannot run back in time to {t_stop} ms (now {self.t} ms)")
        for ch in self.state.channels:
            if ch.pending_initial:
                if self._read_state(ch, initial=True):
                    ch.last_end = self.state.step
                ch.pending_initial = False
        if self.state.conns_dirty:
            for rec in self.state.projections.values():
                rec.invalidate()
            self.state.conns_dirty = False
        n_start = self.state.step
        for srec in self.state.syn_recs.values():
            if srec.pending and srec.next >= 0:
                srec.t0 = srec.next = n_start
                srec.pending = False
        first = True
        while not interrupts.requested():
            due = [d for d in (r.due() for r in self.state.syn_recs.values()) if d is not None]
            s = min(due) if due else None
            if s is None or s + 1 > n_stop:
                break
            self._advance(max(s + 1, self.state.step), t_stop)
            if first:
                for rec in self.state.projections.values():
                    rec.invalidate()   # NEST sorts connections when a simulation starts
                first = False
            if self.state.step < s + 1:   # interrupted (Ctrl-C) before the sample's step
                break
            self._sample_synapses(s, final=False)
        self._advance(n_stop, t_stop)
        n_stop = self.state.step   # earlier than asked after Ctrl-C: a slice boundary
        if self.state.syn_recs:
            if first:
                for rec in self.state.projections.values():
                    rec.invalidate()
            self._sample_synapses(n_stop, final=True)
        if n_stop > n_start:
            self._array_spikes(n_start, n_stop)
        self._collect()
        for rec in self.state.projections.values():
            rec.invalidate()   # NEST may re-sort connections when a simulation starts

    def _advance(self, n: int, t_stop: float) -> None:
        """Simulate up to step `n`, in slices of about `SLICE_SECONDS` of wall time, so that
        Ctrl-C (`lamina.interrupts`) stops the run at a slice boundary (NEST itself cannot
        be interrupted inside a Simulate/Run call)."""
        if n > self.state.step:
            self.state.delays_fixed = True    # NEST's delay range is fixed from the first Simulate
        with translated(f"running until {t_stop} ms"):
            corrections = self.state.corrections
            while (self.state.step < n and (self.state.step < 2 or self.state.step in corrections)
                   and not interrupts.requested()):
                self._one_step()
            if n <= self.state.step or interrupts.requested():
                return
            if n - self.state.step <= self.state.slice_steps:
                nest.Simulate(round((n - self.state.step) * self.dt, 10))
                self.state.step = n
                return
            nest.Prepare()
            try:
                while self.state.step < n and not interrupts.requested():
                    k = min(n, self.state.step + self.state.slice_steps)
                    began = time.perf_counter()
                    nest.Run(round((k - self.state.step) * self.dt, 10))
                    self._adapt_slice(k - self.state.step, time.perf_counter() - began)
                    self.state.step = k
            finally:
                nest.Cleanup()

    def _adapt_slice(self, steps: int, seconds: float) -> None:
        """Aim the next slice at `SLICE_SECONDS` of wall time (results do not depend on
        the slicing: NEST's Run calls continue each other exactly)."""
        if seconds <= 0:
            self.state.slice_steps = min(self.state.slice_steps * 4, MAX_SLICE_STEPS)
            return
        target = int(steps * SLICE_SECONDS / seconds)
        self.state.slice_steps = int(min(max(target, MIN_SLICE_STEPS), 4 * self.state.slice_steps,
                                    MAX_SLICE_STEPS))

    def _one_step(self) -> None:
        """Simulate one step with extra current [nA] through the targets' I_e: in steps 0
        and 1, which no NEST generator can reach, the sources' current (see `sources`);
        in the two steps after a source's parameters changed, the difference the
        generator cannot deliver yet."""
        extra = sources.first_step_currents(list(self.state.sources.values()), self.state.step, \
            self.dt) if self.state.step < 2 else {}
        for i, amp in self.state.corrections.pop(self.state.step, {}).items():
            extra[i] = extra.get(i, 0.0) + amp
        if extra:
            ids = np.array(sorted(extra), _I64)
            nodes = _nc(self.state.nodes(ids))
            base = np.atleast_1d(np.asarray(nodes.get("I_e"), float))
            nodes.set({"I_e": (base + 1000.0 * np.array([extra[i] for i in ids])).tolist()})
            nest.Simulate(self.dt)
            nodes.set({"I_e": base.tolist()})
        else:
            nest.Simulate(self.dt)
        self.state.step += 1

    # -- after a reset ---------------------------------------------------------------------
    def rebuild(self) -> None:
        """Recreate current sources and recording devices in a fresh NEST kernel (the
        backend has rebuilt cells and connections; see `NestBackend.reset`)."""
        state = self.state
        state.step = 0
        state.corrections = {}
        state.spikes.clear()
        for src in state.sources.values():
            src.data, src.rec_start, src.meter = [], 0, None
            src.history, src.history_end = [], 0
            self._build_source(src, src.targets)
        rec_ids = np.flatnonzero(state.spk_active)
        rec_ids = rec_ids[~self._spike_arrays(rec_ids)]   # recorded by lamina, as before
        if len(rec_ids):
            nest.Connect(_nc(state.nodes(rec_ids)), state.recorder)
            state.recorder_connected[rec_ids] = True
        kept = []
        for ch in state.channels:
            if not ch.active.any():
                continue
            fresh = Channel(ch.var, ch.nest_var, ch.factor, ch.ids[ch.active],
                            state.nodes(ch.ids[ch.active]), ch.interval, 0)
            fresh.offset = self._offsets(fresh.ids, fresh.var)
            self._build_channel(fresh)
            kept.append(fresh)
        state.channels = kept
        for srec in state.syn_recs.values():
            srec.restart()
