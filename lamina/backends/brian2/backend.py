"""Brian2Backend: lamina's backend interface on Brian 2 (runtime mode).

Building: until the first run lamina only keeps records (parameters, initial values,
connections, sources, recording requests; `get` reads them back). The first run builds
one ``brian2.Network`` from them: the populations of one cell type (PointNeuron: of one
composition) as one NeuronGroup (`lamina.backends.brian2.cells`, parameters equal in all its cells as shared constants),
one Synapses per (connect call, source group, target group), all on one clock. Objects
have stable names (``lamina_b3``, ``lamina_p2_1``), so code generated for one network is
reused from Brian 2's cache when the network is rebuilt. Groups created or connected
after the first run are added to the running network. A parameter that was shared and is
set to values differing between cells after the first run makes the next run rebuild the
network with that parameter per cell, carrying over the whole state (membrane and
synaptic state, refractoriness, spikes in transit). Modes (``setup()`` options):

* ``brian2_target='numpy'`` (default) or ``'cython'`` (compiled; needs Cython and a C
  compiler; the first run compiles for a minute, later runs use Brian 2's cache);
* ``brian2_device='runtime'`` (default) or ``'cpp_standalone'``: the whole simulation as
  one compiled C++ program, built in a per-user cache folder keyed by the network
  (`lamina.backends.brian2.standalone`); one run() per setup(): run splitting, reset()
  and changes after the run raise `NoModelAvailableError`.

Reset: lamina keeps every group's parameters and initial values and every projection's
connections and values; `reset()` reads the current weights and delays back, builds a
fresh Network from these records (groups, Synapses, current-source operations, monitors)
and starts again at t = 0; Brian 2's random stream is reseeded with (seed + number of
resets), so a Poisson source draws a new realisation in each segment, as on the engine;
SpikeSourceInhGamma trains (`inh_gamma`, drawn in numpy and handed over before each run)
restart from generators seeded with (seed, number of resets, cell ID).
"""
from __future__ import annotations

import logging
import shutil
from typing import Any

import brian2 as b2
import numpy as np

from lamina.backends.base import Backend, BackendConfig, Capabilities, SignalData
from lamina.backends.brian2 import cells as cg
from lamina.backends.brian2 import connections as cn
from lamina.backends.brian2 import gif, inh_gamma, net_state, sources, standalone
from lamina.backends.brian2 import stimuli
from lamina.backends.brian2.equations import brian_unit, si_factor
from lamina.backends.brian2.plasticity import SynapseCode, synapse_code
from lamina.backends.brian2.errors import translated
from lamina.backends.brian2.recording import Channel, SpikeTap
from lamina.backends.sample_grid import Piece, on_grid
from lamina.backends.spike_store import SpikeStore
from lamina.errors import (BackendNotAvailableError, ConnectionError, InvalidModelError,
                           InvalidParameterValueError,
                           NonExistentParameterError, RecordingError)

logger = logging.getLogger(__name__)
_I64 = np.int64
TARGETS = ("numpy", "cython")
DEVICES = ("runtime", "cpp_standalone")


def _choose_target(extra: dict[str, Any]) -> tuple[str, str]:
    target = extra.get("brian2_target", "numpy")
    if target not in TARGETS:
        raise InvalidParameterValueError(
            f"setup(brian2_target={target!r}): expected one of {', '.join(TARGETS)}")
    device = extra.get("brian2_device", "runtime")
    if device not in DEVICES:
        raise InvalidParameterValueError(
            f"setup(brian2_device={device!r}): expected one of {', '.join(DEVICES)}")
    if device == "cpp_standalone":
        if shutil.which("c++") is None and shutil.which("g++") is None:
            raise BackendNotAvailableError(
                "setup(brian2_device='cpp_standalone') needs a C++ compiler (c++ or g++ on "
                "the PATH)")
        return target, device
    if target == "cython":
        try:
            import Cython  # noqa: F401
        except ImportError as err:
            raise BackendNotAvailableError(
                "setup(brian2_target='cython') needs Cython: pip install cython") from err
        if shutil.which("cc") is None and shutil.which("gcc") is None:
            raise BackendNotAvailableError(
                "setup(brian2_target='cython') needs a C compiler (cc or gcc on the PATH)")
    return target, device


class Brian2Backend(Backend):
    """lamina on Brian 2 (see the module docstring for modes and reset)."""

    name = "brian2"
    setup_options = frozenset({"spike_precision", "brian2_target", "brian2_device"})
    features = Capabilities(native_cell_types=True)

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        # spike_precision: checked by the core against `features` (on_grid only)
        self.dt = float(config.dt)
        self.target, self.device = _choose_target(config.extra)
        if self.device == "cpp_standalone":
            standalone.activate()
        else:
            standalone.deactivate()
        self._standalone_ran: dict[str, Any] = {}
        b2.prefs.codegen.target = self.target
        b2.prefs.codegen.loop_invariant_optimisations = True
        # objects of a refused call are dropped on purpose; Brian 2 would warn about them
        b2.BrianLogger.suppress_name("unused_brian_object")
        b2.BrianLogger.suppress_name("method_choice")
        self._segment = 0
        self._step = 0
        self._clock = b2.Clock(self.dt * b2.ms, name="lamina_clock*")
        self._built = False
        self._rebuild_pending = False
        self._blocks: list[cg.Block] = []
        self._bundles: list[cn.Bundle] = []
        self._groups: list[cg.CellGroup] = []
        self._group_of = np.zeros(0, _I64)
        self._local_of = np.zeros(0, _I64)
        self._spk_rec = np.zeros(0, bool)
        self._taps: dict[int, SpikeTap] = {}
        self._spikes = SpikeStore()
        self._channels: list[Channel] = []
        self._projections: dict[int, cn.ProjectionRecord] = {}
        self._sources: dict[int, stimuli.SourceRecord] = {}
        self._stim_groups: set[int] = set()
        self._stim_blocks: set[int] = set()
        self._names = 0
        self._net: Any = None

    def _name(self, prefix: str) -> str:
        self._names += 1
        return f"lamina_{prefix}{self._names}"

    # -- cells -----------------------------------------------------------------------
    def _changeable(self, what: str) -> None:
        """Refuse `what` once a C++ standalone program has run."""
        if self._standalone_ran:
            raise standalone.refuse(what)

    def create_cells(self, celltype: Any, ids: np.ndarray, parameters: dict[str, Any],
                     initial_values: dict[str, np.ndarray]) -> None:
        self._changeable("creating cells after the run")
        ids = np.asarray(ids, _I64)
        if len(ids) == 0:
            return
        group = cg.make_group(celltype, ids, parameters, initial_values,
                              f"lamina_g{len(self._groups)}", self.dt)
        top = int(ids.max()) + 1
        if top > len(self._group_of):
            grow = top - len(self._group_of)
            self._group_of = np.concatenate([self._group_of, np.full(grow, -1, _I64)])
            self._local_of = np.concatenate([self._local_of, np.full(grow, -1, _I64)])
            self._spk_rec = np.concatenate([self._spk_rec, np.zeros(grow, bool)])
        self._group_of[ids] = len(self._groups)
        self._local_of[ids] = np.arange(len(ids))
        self._groups.append(group)
        if self._built:                     # after the first run: a block of its own
            block = cg.layout(self._groups, [len(self._groups) - 1], len(self._blocks))[0]
            self._blocks.append(block)
            cg.build_block(block, self._groups, self._clock, len(self._blocks) - 1)
            self._net.add(*block.objects())

    def _split(self, ids: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(group index, positions in `ids`, rows in the group) per group."""
        ids = np.asarray(ids, _I64)
        gi = self._group_of[ids]
        out = []
        for k in np.unique(gi):
            where = np.flatnonzero(gi == k)
            out.append((int(k), where, self._local_of[ids[where]]))
        return out

    def set_cell_parameters(self, ids: np.ndarray, parameters: dict[str, Any]) -> None:
        self._changeable("setting parameters after the run")
        for k, where, local in self._split(ids):
            g = self._groups[k]
            if g.kind != "neuron":
                sources.check(g.kind, {**g.params, **parameters})
            elif g.brian.columns:
                gif.check_lengths(parameters, len(ids), gif.fixed_counts(g.brian.columns))
            cg.set_values(g, g.params, where, local, parameters, len(ids))
            if g.model is not None and g.model.columns:
                gif.expand(g.params, gif.fixed_counts(g.model.columns))
            if g.trains is not None:
                g.trains.update(g.params, self.t)
            if g.obj is None:
                continue
            if g.kind != "neuron":
                cg.push_source_parameters(g, local, list(parameters))
                continue
            for name in (col for pynn in parameters for col in g.brian.brian_parameters(pynn)):
                if not cg.push_parameter(self._blocks[g.block], self._groups, name):
                    self._rebuild_pending = True      # shared -> per cell: next run

    def set_initial_values(self, ids: np.ndarray, values: dict[str, np.ndarray]) -> None:
        self._changeable("setting initial values after the run")
        for k, where, local in self._split(ids):
            g = self._groups[k]
            cg.set_values(g, g.init, where, local, values, len(ids))
            with translated(f"initialising {', '.join(values)}"):
                cg.push_state(g, local, list(values))

    # -- connections -------------------------------------------------------------------
    def connect(self, projection_id: int, pre_ids: np.ndarray, post_ids: np.ndarray,
                receptor_type: str, synapse_type: Any, values: dict[str, np.ndarray]) -> None:
        self._changeable("connecting after the run")
        pre_ids, post_ids = np.asarray(pre_ids, _I64), np.asarray(post_ids, _I64)
        rec = self._projections.get(projection_id)
        if rec is None:
            rec = cn.ProjectionRecord(projection_id, receptor_type, synapse_type)
            self._projections[projection_id] = rec
        n, offset = len(pre_ids), rec.size()
        rec.pre_ids = np.concatenate([rec.pre_ids, pre_ids])
        rec.post_ids = np.concatenate([rec.post_ids, post_ids])
        gpre, gpost = self._group_of[pre_ids], self._group_of[post_ids]
        pairs = sorted(set(zip(gpre.tolist(), gpost.tolist())))
        made = [(a, b, self._receptor(self._groups[b], receptor_type, synapse_type))
                for a, b in pairs]                       # refuse before changing anything
        for name in {"weight", "delay", *values}:
            new = np.broadcast_to(np.asarray(values.get(name, 0.0), float), (n,))
            rec.values[name] = np.concatenate([rec.values.get(name, np.zeros(offset)), new])
        for a, b, receptor in made:
            where = np.flatnonzero((gpre == a) & (gpost == b))
            part = cn.Part(a, b, offset + where, self._local_of[pre_ids[where]],
                           self._local_of[post_ids[where]], *receptor, pid=projection_id)
            rec.parts.append(part)
            self._build_part(rec, part)

    def _receptor(self, group: cg.CellGroup, receptor: str,
                  synapse_type: Any) -> tuple[str, SynapseCode, float, bool, float]:
        """(weight unit, synapse code, dt, early, sign of a zero weight) of `synapse_type`
        onto `receptor` of the cells of `group`."""
        ct = group.celltype
        if group.model is None or receptor not in group.model.jumps:
            allowed = ", ".join(group.model.jumps) if group.model else "none (spike source)"
            raise ConnectionError(f"receptor type {receptor!r} is not available on "
                                  f"{type(ct).__name__}; allowed: {allowed}")
        tau = {"excitatory": "tau_syn_E", "inhibitory": "tau_syn_I"}.get(receptor)
        has_tau = tau is not None and tau in group.model.variables and ct.weight_unit != "mV"
        tau_psc = f"{group.model.brian_name(tau)}_post" if has_tau and tau else "0*ms"
        code = synapse_code(synapse_type, group.model.jumps[receptor], tau_psc,
                            brian_unit(ct.weight_unit))
        sign = -1.0 if receptor == "inhibitory" and not ct.conductance_based else 1.0
        return ct.weight_unit, code, self.dt, receptor in group.model.early, sign

    def _build_part(self, rec: cn.ProjectionRecord, part: cn.Part) -> None:
        """After the first run: a bundle of its own (before: built with the network)."""
        if not self._built:
            return
        bundle = cn.Bundle(f"lamina_s{len(self._bundles)}", [part])
        self._bundles.append(bundle)
        self._build_bundle(bundle)

    def _build_bundle(self, bundle: cn.Bundle) -> None:
        first = bundle.parts[0]
        pre = self._blocks[self._groups[first.pre_group].block]
        post = self._blocks[self._groups[first.post_group].block]
        cn.build_bundle(bundle, self._projections, pre.obj, post.obj,
                        [g.offset for g in self._groups], self._clock)
        self._net.add(bundle.obj)

    def connection_ids(self, projection_id: int) -> tuple[np.ndarray, np.ndarray]:
        rec = self._projections[projection_id]
        return rec.pre_ids, rec.post_ids

    def set_connection_values(self, projection_id: int, name: str, values: np.ndarray) -> None:
        self._changeable(f"setting {name} of connections after the run")
        rec = self._projections[projection_id]
        current = cn.pull_values(rec, name)
        rec.values[name] = np.broadcast_to(np.asarray(values, float), current.shape).copy()
        with translated(f"setting {name} of projection {projection_id}"):
            for part in rec.parts:
                if not cn.push_values(rec, part, [name]):      # shared value: rebuild
                    for bundle in self._bundles:
                        if any(p is part for p in bundle.parts):
                            bundle.per_synapse.add(name)
                    self._rebuild_pending = True

    def set_synapse_state(self, projection_id: int, name: str, values: np.ndarray) -> None:
        rec = self._projections[projection_id]
        names = [v for v in rec.parts[0].code.initial if v in ("u", "x", "y")] \
            if rec.parts else []
        if name not in names:
            raise NonExistentParameterError(
                name, f"{type(rec.synapse_type).__name__} (state variables)", names)
        rec.state[name] = np.broadcast_to(np.asarray(values, float), (rec.size(),)).copy()
        with translated(f"setting {name} of projection {projection_id}"):
            for part in rec.parts:
                cn.push_state(rec, part)

    def get_connection_values(self, projection_id: int, name: str) -> np.ndarray:
        vals = cn.pull_values(self._projections[projection_id], name)
        return np.round(vals / self.dt) * self.dt if name == "delay" else vals

    # -- current sources -----------------------------------------------------------------
    def inject(self, source_id: int, source: Any, parameters: dict[str, Any],
               target_ids: np.ndarray) -> None:
        self._changeable("injecting current after the run")
        targets = np.asarray(target_ids, _I64)
        for k, _, _ in self._split(targets):
            g = self._groups[k]
            if g.model is None or not type(g.celltype).injectable:
                raise InvalidModelError(
                    f"cannot inject current into {type(g.celltype).__name__} cells")
        src = self._sources.get(source_id)
        if src is None:
            seed = self._source_seed(source_id)
            src = stimuli.SourceRecord(source_id, type(source).__name__, dict(parameters),
                                       targets, seed)
            self._sources[source_id] = src
        else:
            src.params.update(parameters)
            src.targets = np.concatenate([src.targets, targets])
        for k, _, _ in self._split(targets):
            self._attach_stimulus(k)

    def _source_seed(self, source_id: int) -> int:
        return int(self.config.rng_seed) * 1_000_003 + 7 * source_id + 104729 * self._segment

    def _attach_stimulus(self, k: int) -> None:
        """Give the block of group `k` the operation that sets i_inj from the current
        table each step (once the network is built)."""
        self._stim_groups.add(k)
        if not self._built or self._groups[k].block in self._stim_blocks:
            return
        b = self._groups[k].block
        block = self._blocks[b]
        with translated("attaching a current source"):
            op = block.obj.run_regularly("i_inj = lamina_stim(t - lamina_t0, stim_col)",
                                         when="start", name=f"{block.name}_stim")
        block.extra.append(op)
        self._net.add(op)
        self._stim_blocks.add(b)

    def set_current_source_parameters(self, source_id: int, parameters: dict[str, Any]) -> None:
        self._sources[source_id].params.update(parameters)

    def record_current_source(self, source_id: int) -> None:
        src = self._sources[source_id]
        if not src.recording:
            src.recording, src.rec_start, src.data = True, self._step, []

    def get_current_source_data(self, source_id: int, clear: bool) -> SignalData:
        first, vals = self._sources[source_id].recorded(self._step, clear, self.dt)
        return SignalData(first * self.dt, self.dt, vals.reshape(-1, 1))

    def _prepare_stimuli(self, n0: int, n1: int) -> None:
        currents = {sid: s.current(n0, n1, self.dt) for sid, s in self._sources.items()}
        for b in self._stim_blocks:
            block = self._blocks[b]
            ids = block.ids(self._groups)
            made = stimuli.table(ids, list(self._sources.values()), currents, n1 - n0)
            cols, values = made if made is not None else (np.zeros(len(ids), _I64),
                                                          np.zeros((n1 - n0, 1)))
            block.obj.stim_col[:] = cols
            block.namespace["lamina_stim"] = b2.TimedArray(values * 1e-9 * b2.amp,
                                                           dt=self.dt * b2.ms)
            block.namespace["lamina_t0"] = n0 * self.dt * b2.ms

    # -- recording -----------------------------------------------------------------------
    def set_recording(self, ids: np.ndarray, variable: str, sampling_interval: float) -> None:
        ids = np.asarray(ids, _I64)
        if variable == "spikes":
            self._spk_rec[ids] = True
            if self._built:
                for k, _, _ in self._split(ids):
                    self._add_tap(self._groups[k].block)
            return
        interval = max(int(round(sampling_interval / self.dt)), 1)
        for k, where, local in self._split(ids):
            g = self._groups[k]
            if g.model is None or variable not in g.model.variables:
                raise RecordingError(variable, g.celltype, g.celltype.recordable)
            if any(ch.active and ch.variable == variable and ch.interval == interval
                   and np.all(np.isin(ids[where], ch.ids)) for ch in self._channels):
                continue                                  # already recorded as asked
            ch = Channel(k, variable, g.model.brian_name(variable),
                         si_factor(g.model.variables[variable]), ids[where], local, interval,
                         self._step, start=self._step)
            if self._built:
                self._attach_channel(ch)
            self._channels.append(ch)

    def _attach_channel(self, ch: Channel) -> None:
        g = self._groups[ch.group]
        with translated(f"recording {ch.variable}"):
            ch.attach(self._blocks[g.block].obj, g.offset, self._clock,
                      self._name(f"rec{ch.group}_"))
        ch.monitor.active = ch.active
        self._net.add(ch.monitor)

    def _add_tap(self, b: int) -> None:
        """A SpikeMonitor on block `b` (if it has none)."""
        if b in self._taps:
            return
        block = self._blocks[b]
        tap = SpikeTap(b2.SpikeMonitor(block.obj, name=f"{block.name}_spikes"))
        self._taps[b] = tap
        self._net.add(tap.monitor)

    def stop_recording(self, ids: np.ndarray, variable: str) -> None:
        ids = np.asarray(ids, _I64)
        if variable == "spikes":
            self._spk_rec[ids] = False
            return
        for ch in self._channels:
            if ch.variable == variable and ch.active and np.all(np.isin(ch.ids, ids)):
                ch.active = False
                if ch.monitor is not None:
                    ch.monitor.active = False

    def get_spikes(self, ids: np.ndarray) -> list[np.ndarray]:
        return self._spikes.get(ids)

    def get_signal(self, ids: np.ndarray, variable: str) -> SignalData:
        ids = np.asarray(ids, _I64)
        chans = [ch for ch in self._channels if ch.variable == variable]
        recorded = np.concatenate([ch.ids for ch in chans]) if chans else np.zeros(0, _I64)
        missing = ids[~np.isin(ids, recorded)]
        if len(missing):
            raise RecordingError(variable, f"cell {int(missing[0])}", ())
        pieces = []
        for ch in chans:
            values = ch.values()
            want = np.flatnonzero(np.isin(ids, ch.ids))
            if len(values) and len(want):
                col_of = {int(i): c for c, i in enumerate(ch.ids.tolist())}
                steps = ch.start + ch.interval * np.arange(len(values), dtype=_I64)
                pieces.append(Piece(steps, want,
                                    values[:, [col_of[int(i)] for i in ids[want]]]))
        interval = chans[-1].interval if chans else 1
        t0, step, out = on_grid(pieces, len(ids), interval, self.dt, self._step, variable)
        return SignalData(t0, step, out)

    def clear_recorded(self, ids: np.ndarray, variable: str) -> None:
        ids = np.asarray(ids, _I64)
        if variable == "spikes":
            self._spikes.clear(ids)
            return
        for ch in self._channels:
            if ch.variable == variable and np.any(np.isin(ch.ids, ids)):
                ch.clear(self._step)

    # -- time ------------------------------------------------------------------------------
    @property
    def t(self) -> float:
        return self._step * self.dt

    def run_until(self, t_stop: float) -> None:
        n1 = int(round(t_stop / self.dt))
        n0 = self._step
        if n1 <= n0:
            return
        self._changeable(f"a second run() (from {self.t} to {t_stop} ms)")
        if not self._built or self._rebuild_pending:
            self._build_network(keep_state=self._built)
        for ch in self._channels:
            if ch.first_pending and ch.active:
                g = self._groups[ch.group]
                ch.take_first(cg.read_state(g, ch.variable, ch.local,
                                            records=self.device == "cpp_standalone"))
        self._prepare_stimuli(n0, n1)
        self._send_source_windows(n0, n1)
        with translated(f"running from {n0 * self.dt} to {n1 * self.dt} ms"):
            self._net.run((n1 - n0) * self.dt * b2.ms, namespace={})
            if self.device == "cpp_standalone":
                self._standalone_ran = standalone.build_and_run(self._net)
        self._step = n1
        for b, tap in self._taps.items():
            ids = self._blocks[b].ids(self._groups)
            self._spikes.append(*tap.collect(ids, self._spk_rec, self.dt))
        for ch in self._channels:
            ch.collect(n0)

    def _send_source_windows(self, n0: int, n1: int) -> None:
        """Hand the spikes of steps n0 < n <= n1 to the SpikeSourceInhGamma groups."""
        for g in self._groups:
            if g.kind != "SpikeSourceInhGamma":
                continue
            if g.trains is None:
                seed = [int(self.config.rng_seed) % (2**63), self._segment]
                g.trains = inh_gamma.InhGammaTrains(g.ids, g.params, self.dt, seed)
            sources.send_window(g.obj, g.trains.window(n0, n1))

    def reset(self) -> None:
        self._changeable("reset()")
        for rec in self._projections.values():
            for name in ("weight", "delay"):
                rec.values[name] = cn.pull_values(rec, name)
        self._segment += 1
        self._step = 0
        self._drop_network()
        for src in self._sources.values():
            src.restart(self._source_seed(src.source_id))
        self._spikes.clear()
        for ch in self._channels:
            ch.phase, ch.start, ch.chunks, ch.first_pending = 0, 0, [], True

    def _drop_network(self) -> None:
        """Forget the Brian 2 objects (rebuilt from the records at the next run)."""
        self._net, self._built, self._rebuild_pending = None, False, False
        self._blocks, self._taps, self._stim_blocks, self._bundles = [], {}, set(), []
        for g in self._groups:
            g.obj, g.block, g.trains = None, -1, None
        for rec in self._projections.values():
            for part in rec.parts:
                part.obj = None
        for ch in self._channels:
            ch.monitor = None

    def _build_network(self, keep_state: bool) -> None:
        """Build the Brian 2 network from lamina's records: at the first run after setup()
        or reset() (new blocks, initial values), or with the same blocks carrying over the
        current state (`keep_state`: a shared parameter became per cell)."""
        state: dict[str, Any] = {}
        if keep_state:
            state = net_state.snapshot(self._net)
        else:
            self._blocks = cg.layout(self._groups, list(range(len(self._groups))), 0)
            b2.seed(int(self.config.rng_seed) % (2**31) + self._segment)
        self._net, self._taps, self._stim_blocks = b2.Network(), {}, set()
        self._built, self._rebuild_pending = True, False
        for b, block in enumerate(self._blocks):
            cg.build_block(block, self._groups, self._clock, b, initial=not keep_state)
            self._net.add(*block.objects())
        for k in sorted(self._stim_groups):
            self._attach_stimulus(k)
        if not keep_state:
            block_of = [g.block for g in self._groups]
            self._bundles = cn.bundle_parts(
                [part for rec in self._projections.values() for part in rec.parts], block_of, 0)
        for bundle in self._bundles:
            self._build_bundle(bundle)
        for b, block in enumerate(self._blocks):
            if self._spk_rec[block.ids(self._groups)].any():
                self._add_tap(b)
        for ch in self._channels:
            self._attach_channel(ch)
        if keep_state:
            net_state.restore(self._net, state)
            for block in self._blocks:               # the restored values were the old ones
                if block.kind == "neuron":
                    for name in self._groups[block.members[0]].brian.parameters:
                        cg.push_parameter(block, self._groups, name)
            for rec in self._projections.values():        # delays, static weights: records
                for part in rec.parts:
                    cn.push_values(rec, part, ["delay"] if part.code.model
                                   else ["delay", "weight"])
        self._net.t_ = self._step * self.dt * 1e-3

    def native_cell_type(self, name: str) -> type:
        """NEST's name of a standard model (``"iaf_psc_alpha"``, ``"iaf_neuron"``, ...), in
        NEST's parameter names and units (`lamina.models.nest_named`); Brian 2 has no named
        models of its own."""
        from lamina.models import nest_named
        return nest_named.resolve(name, self.name)

    def end(self) -> None:
        self._drop_network()
        if self.device == "cpp_standalone":
            standalone.deactivate()
            standalone.cleanup(self._standalone_ran)
        self._groups, self._channels, self._projections = [], [], {}

    def describe(self) -> dict[str, Any]:
        methods = sorted({f"{type(g.celltype).__name__}: {'/'.join(g.model.method)}"
                          for g in self._groups if g.model is not None})
        blocks = [f"{b.name}: {sum(len(self._groups[k].ids) for k in b.members)} "
                  f"{type(self._groups[b.members[0]].celltype).__name__} cells, "
                  f"{len(b.members)} group(s), shared: {', '.join(sorted(b.shared)) or '-'}"
                  for b in self._blocks]
        return {"backend": self.name, "simulator": f"Brian 2 {b2.__version__}",
                "dt": self.dt, "target": self.target, "device": self.device,
                "standalone": dict(self._standalone_ran),
                "integration": methods, "blocks": blocks,
                "conventions": "equations generated from lamina.models.dynamics; spike times "
                               "stamped at the end of the step (Brian 2's + dt)"}
