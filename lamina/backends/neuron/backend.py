"""NeuronBackend: lamina's backend interface on NEURON (9.x, Python ``neuron`` module).

Set-up: lamina's NMODL mechanisms are loaded (compiled on first use, `mechanisms`); the
time step is ``h.dt``. Integration: by default NEURON's fixed step with
``h.secondorder = 2`` (Crank-Nicolson; currents evaluated at mid-step), spikes on the time
grid; ``setup(use_cvode=True)`` uses CVODE (variable step and order, ``rtol``/``atol``
options; threshold crossings located by root finding, spikes and resets at those times, off
the grid; ``setup(spike_precision='off_grid')`` selects it too).

Time: nothing is initialised until the first `run_until` (``h.finitialize``, then the cells'
initial values, then ``frecord_init``); each run queues the spikes of the spike sources for
its window, queues the current sources' amplitude changes and calls
``ParallelContext.psolve``; recorded data are moved into lamina's stores after each run.
A recording asked for after the start makes NEURON re-prepare its solver before the next
run (fixed step; `NeuronBackend._adopt_new_recordings`). Where a cell type's mechanism
does not allow that (GIF_cond_exp), only recordings stopped earlier restart (in place,
their Vectors kept filling); others are refused.
`reset` re-initialises at t = 0 (NEURON rewinds: structure, parameters, NetCon weights and
delays are kept; STDP weights return to those last set).

Synapses: StaticSynapse, TsodyksMarkramSynapse, Tsodyks2Synapse (state in the NetCon
weight vector, `connections`), SimpleStochasticSynapse, MultiQuantalSynapse and
StochasticTsodyksMarkramSynapse (each synapse point process draws from its own Random123
stream, seeded by rng_seed, cell and receptor), STDPMechanism with SpikePairRule or Vogels2011Rule (`plasticity`),
ElectricalSynapse (a pair of ``LaminaGap`` point processes per connection, made before the
first run). Limits: cells cannot be created after the start (current sources and spike
sources can); PointNeuron with CondBetaPSR receptors and GIF_cond_exp
under CVODE raise `NoModelAvailableError`.

Processes: under ``mpiexec -n N`` cells are spread over the processes (`parallel`: cell
``gid`` on process ``gid % N``, the ownership the shared `lamina.distribution.Distribution`
reports to the core); each process builds its own cells and the NetCons onto them, NEURON
exchanges spikes. As every backend, it returns the spikes, signals and connections of this
process's cells only; the core gathers them over the processes. Spikes do not depend on N.
Gap junctions need one process.
"""
from __future__ import annotations

import logging
from typing import Any

import neuron
import numpy as np
from neuron import h

from lamina.backends.base import Backend, BackendConfig, Capabilities, SignalData
from lamina.backends.neuron import cells as cg
from lamina.backends.neuron import mechanisms, native, parallel, plasticity
from lamina.backends.neuron import translations as tr
from lamina.backends.neuron.connections import (
    GAP,
    KINDS,
    QUANTAL,
    SLOTS,
    STATE_SLOTS,
    STDP,
    ProjectionRecord,
    make_gaps,
    make_netcons,
    read,
    write,
)
from lamina.backends.neuron.errors import translated
from lamina.backends.neuron.recording import AnalogStore, Channel
from lamina.backends.spike_store import SpikeStore
from lamina.backends.neuron.sources import CurrentSource, SpikeTrains
from lamina.errors import (
    ConnectionError,
    InvalidParameterValueError,
    LaminaError,
    NoModelAvailableError,
    NonExistentParameterError,
    RecordingError,
)
from lamina.models.base import StandardCellType, StandardSynapseType

logger = logging.getLogger(__name__)
_I64 = np.int64


class NeuronBackend(Backend):
    """lamina on NEURON (see the module docstring for integration and time)."""

    name = "neuron"
    can_distribute = True
    distribution_hint = ("cells are spread over the processes by NEURON's ParallelContext; "
                         "MPI support: `pip install lamina[mpi]`")
    setup_options = frozenset({"use_cvode", "rtol", "atol", "spike_precision"})
    features = Capabilities(spike_precisions=frozenset({"on_grid", "off_grid"}),
                            native_cell_types=True)

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.dt = float(config.dt)
        extra = dict(config.extra)
        precision = extra.pop("spike_precision", None)
        if precision not in (None, "on_grid", "off_grid"):
            raise InvalidParameterValueError(
                f"spike_precision={precision!r}: expected 'on_grid' or 'off_grid'")
        self.use_cvode = extra.pop("use_cvode", precision == "off_grid")
        if not isinstance(self.use_cvode, (bool, np.bool_)):
            raise InvalidParameterValueError(
                f"use_cvode={self.use_cvode!r}: expected True or False")
        if precision is not None and (precision == "off_grid") != bool(self.use_cvode):
            raise InvalidParameterValueError(
                f"spike_precision={precision!r} with use_cvode={self.use_cvode!r}: on the "
                "neuron backend spikes are off the grid exactly when CVODE integrates "
                "(spike_precision='off_grid' selects it)")
        self.rtol = float(extra.pop("rtol", 1e-5))
        self.atol = float(extra.pop("atol", 1e-5))
        self.off_grid = bool(self.use_cvode)
        with translated("starting NEURON's ParallelContext"):
            self.layout = parallel.Layout.start(h, self.distribution)
        with translated("loading lamina's NEURON mechanisms"):
            mechanisms.load(h, neuron.__version__)
            h.load_file("stdrun.hoc")
        self.pc = self.layout.pc
        self.pc.gid_clear()
        h.dt = self.dt
        h.secondorder = 2
        self.cvode = h.CVode()
        self.cvode.active(1 if self.use_cvode else 0)
        for mech in ("LaminaExpSyn", "LaminaAlphaSyn", "LaminaSTDPSyn"):
            setattr(h, f"step_average_{mech}", 0.0 if self.use_cvode else 1.0)
        # CVODE: refractory periods end t_refrac after the end of the step holding the spike,
        # as in NEST's grid-based models (the fixed step has every spike at a step's end)
        h.grid_dt_LaminaIF = h.grid_dt_LaminaLIF = self.dt if self.use_cvode else 0.0
        if self.use_cvode:
            self.cvode.rtol(self.rtol)
            self.cvode.atol(self.atol)
            self.cvode.condition_order(2)        # interpolated threshold crossings
        self._step = 0
        self._initialized = False
        self._record_dirty = False
        self._structure_changed = False
        self._connections_changed = False
        self._anchor: Any = None                # a section for recording artificial cells
        self._groups: list[cg.CellGroup] = []
        self._trains: dict[int, SpikeTrains] = {}        # group index -> spike trains
        self._group_of = np.zeros(0, _I64)
        self._local_of = np.zeros(0, _I64)
        self._spk_active = np.zeros(0, bool)
        self._projections: dict[int, ProjectionRecord] = {}
        self._sources: dict[int, CurrentSource] = {}
        self._channels: list[Channel] = []
        self._recorded: dict[tuple[str, int], np.ndarray] = {}   # ids that ever recorded
        self._spikes = SpikeStore()
        self._analog = AnalogStore()
        self._spike_t, self._spike_gid = h.Vector(), h.Vector()

    # -- helpers -----------------------------------------------------------------------
    def _split(self, ids: np.ndarray) -> list[tuple[cg.CellGroup, np.ndarray, np.ndarray]]:
        """(group, positions in `ids`, indices in the group) for each group present in
        `ids`, of the cells this process owns (possibly none: every process sees every
        group, so that checks give the same answer on all)."""
        ids = np.asarray(ids, _I64)
        groups = self._group_of[ids]
        local = self._local_of[ids]
        out = []
        for gi in np.unique(groups).tolist():
            where = np.flatnonzero((groups == gi) & (local >= 0))
            out.append((self._groups[gi], where, local[where]))
        return out

    def _group_index(self, g: cg.CellGroup) -> int:
        return next(i for i, x in enumerate(self._groups) if x is g)

    # -- cells -------------------------------------------------------------------------
    def native_cell_type(self, name: str) -> type[StandardCellType]:
        """NEURON's artificial cell `name` (``"IntFire1"``), else NEST's name of a standard
        model (``"iaf_psc_alpha"``; see `lamina.models.nest_named`), as on the engine."""
        from lamina.models import nest_named
        if nest_named.nest_named_type(name) is None or name in native.artificial_cells(h):
            return native.cell_type(h, name)
        return nest_named.resolve(name, self.name)

    def create_cells(self, celltype: StandardCellType, ids: np.ndarray,
                     parameters: dict[str, Any], initial_values: dict[str, np.ndarray]) -> None:
        ids = np.asarray(ids, _I64)
        entry = cg.entry_for(celltype)
        if len(ids) == 0:
            return
        if self._initialized and entry["kind"] == tr.CELL:
            raise NoModelAvailableError(
                f"{type(celltype).__name__} cells cannot be created after the simulation "
                "started on the neuron backend (NEURON initialises their mechanisms only at "
                "the start); create them before the first run, or call reset() first")
        if entry.get("fixed_step_only") and self.use_cvode:
            raise NoModelAvailableError(
                f"{type(celltype).__name__} on the neuron backend needs the fixed step (its "
                "spikes are drawn once per step); setup() without use_cvode")
        all_ids = ids
        mine = np.flatnonzero(self.is_local(ids))
        ids = all_ids[mine]
        per_cell = _sequence_parameters(celltype)
        params = {k: (_pick_sequences(v, mine, len(all_ids)) if k in per_cell else
                      np.broadcast_to(np.asarray(v, float), (len(all_ids),))[mine].copy())
                  for k, v in parameters.items()}
        initial = {k: np.broadcast_to(np.asarray(v, float), (len(all_ids),))[mine].copy()
                   for k, v in initial_values.items()}
        group = cg.CellGroup(celltype, entry, ids, params, initial,
                             trains_sequences=per_cell)
        name = type(celltype).__name__
        with translated(f"creating {len(ids)} {name} cells", NoModelAvailableError):
            cg.build(h, self.pc, group)
            cg.seed_synapses(group, int(self.config.rng_seed))
            if not group.is_source:      # a source's spikes are recorded as queued (run)
                for gid in ids.tolist():
                    self.pc.spike_record(gid, self._spike_t, self._spike_gid)
        top = int(all_ids.max()) + 1
        if top > len(self._group_of):
            grow = top - len(self._group_of)
            self._group_of = np.concatenate([self._group_of, np.full(grow, -1, _I64)])
            self._local_of = np.concatenate([self._local_of, np.full(grow, -1, _I64)])
            self._spk_active = np.concatenate([self._spk_active, np.zeros(grow, bool)])
        if group.native and self._anchor is None:
            self._anchor = h.Section(name="lamina_clock")   # see _arm_channels
        self._group_of[all_ids] = len(self._groups)
        self._local_of[all_ids] = -1               # another process's cells
        self._local_of[ids] = np.arange(len(ids))
        if group.is_source:
            self._trains[len(self._groups)] = SpikeTrains(
                name, ids, params, self.dt, int(self.config.rng_seed), per_cell)
        self._groups.append(group)
        if self._initialized:
            self._structure_changed = True
            group.created_at = self._step

    def set_cell_parameters(self, ids: np.ndarray, parameters: dict[str, Any]) -> None:
        for g, where, local in self._split(ids):
            changed: dict[str, Any] = {}
            merged: Any
            for name, values in parameters.items():
                if name in g.trains_sequences:
                    merged = list(g.params.get(name, [np.zeros(0)] * len(g.ids)))
                    vals = values if len(values) == len(ids) else [values] * len(ids)
                    for j, k in zip(where.tolist(), local.tolist()):
                        merged[k] = np.asarray(vals[j], float)
                else:
                    merged = np.array(g.params[name], float, copy=True)
                    merged[local] = np.broadcast_to(np.asarray(values, float),
                                                    (len(ids),))[where]
                changed[name] = merged
            if g.is_source:
                self._trains[self._group_index(g)].update(changed, now=self._step * self.dt)
                g.params.update(changed)
            else:
                with translated(f"setting parameters of {type(g.celltype).__name__}",
                                InvalidParameterValueError):
                    cg.apply_parameters(g, changed)

    def set_initial_values(self, ids: np.ndarray, values: dict[str, np.ndarray]) -> None:
        for g, where, local in self._split(ids):
            for name, vals in values.items():
                arr = g.initial.setdefault(name, np.zeros(len(g.ids)))
                arr[local] = np.broadcast_to(np.asarray(vals, float), (len(ids),))[where]
            if self._initialized:
                cg.apply_initial_values(g)
        if self._initialized:
            self._reinit_states()

    def _reinit_states(self) -> None:
        if self.use_cvode:
            self.cvode.re_init()
        else:
            h.fcurrent()

    # -- connections -------------------------------------------------------------------
    def connect(self, projection_id: int, pre_ids: np.ndarray, post_ids: np.ndarray,
                receptor_type: str, synapse_type: StandardSynapseType,
                values: dict[str, np.ndarray]) -> None:
        name = type(synapse_type).__name__
        if name not in KINDS:
            raise NoModelAvailableError(
                f"{name} is not available on the neuron backend (available: "
                f"{', '.join(sorted(KINDS))})")
        kind = KINDS[name]
        if kind == GAP:
            self._connect_gaps(projection_id, pre_ids, post_ids, synapse_type, values)
            return
        if kind == STDP:
            plasticity.check_rule(synapse_type)
        pre_ids, post_ids = np.asarray(pre_ids, _I64), np.asarray(post_ids, _I64)
        n = len(pre_ids)
        weight = np.broadcast_to(np.asarray(values.get("weight", 0.0), float), (n,))
        delay = np.broadcast_to(np.asarray(values.get("delay", self.config.min_delay), float),
                                (n,))
        targets: list[Any] = [None] * n
        negative = False
        for g, where, local in self._split(post_ids):
            if receptor_type not in g.celltype.receptor_types:
                raise ConnectionError(
                    f"receptor type {receptor_type!r} is not available on "
                    f"{type(g.celltype).__name__}; allowed: "
                    f"{', '.join(g.celltype.receptor_types) or 'none (spike source)'}")
            if kind and (g.native or g.receptors.get(receptor_type) is None):
                raise NoModelAvailableError(
                    f"{name} onto {type(g.celltype).__name__} ({receptor_type}) is not "
                    "available on the neuron backend: it needs an exponential or alpha "
                    "synapse (not a delta synapse or artificial cell)")
            negative |= receptor_type == "inhibitory" and not getattr(
                g.celltype, "conductance_based", False)
            if kind == STDP:
                with translated(f"creating STDP synapses of projection {projection_id}"):
                    for j, pp in zip(where.tolist(), plasticity.targets(
                            h, g, receptor_type, local, delay[where])):
                        targets[j] = pp
                continue
            for j, k in zip(where.tolist(), local.tolist()):
                targets[j] = g.target(receptor_type, k) if not g.native else g.relays[k]
        rec = self._projections.get(projection_id)
        if rec is None:
            rec = ProjectionRecord(projection_id, receptor_type, synapse_type, kind=kind)
            self._projections[projection_id] = rec
        if kind == STDP:
            extra = plasticity.connection_values(synapse_type, values, weight, negative)
        else:
            extra = {k: np.broadcast_to(np.asarray(v, float), (n,))
                     for k, v in values.items() if k in SLOTS[kind] and k != "weight"}
            if kind == QUANTAL and "n" not in extra:      # one release site
                extra["n"] = np.ones(n)
        mine = np.flatnonzero(self.is_local(post_ids))   # NetCons onto own cells
        with translated(f"connecting projection {projection_id}", ConnectionError):
            netcons = make_netcons(self.pc, pre_ids[mine], [targets[j] for j in mine.tolist()],
                                   weight[mine], delay[mine], kind,
                                   {k: v[mine] for k, v in extra.items()})
        rec.append(pre_ids[mine], post_ids[mine], netcons, weight[mine])
        self._connections_changed |= self._initialized

    def _sections_of(self, ids: np.ndarray, what: str) -> list[Any]:
        out: list[Any] = [None] * len(ids)
        for g, where, local in self._split(ids):
            if g.entry["kind"] != tr.CELL:
                raise NoModelAvailableError(
                    f"{what} needs cells with a membrane; {type(g.celltype).__name__} has none "
                    "on the neuron backend")
            for j, k in zip(where.tolist(), local.tolist()):
                out[j] = g.sections[k]
        return out

    def _connect_gaps(self, projection_id: int, pre_ids: np.ndarray, post_ids: np.ndarray,
                      synapse_type: Any, values: dict[str, np.ndarray]) -> None:
        """ElectricalSynapse: a LaminaGap pair per connection (no delay)."""
        if self._initialized:
            raise NoModelAvailableError(
                "ElectricalSynapse on the neuron backend: gap junctions must be made before "
                "the first run (or after reset())")
        if self.layout.distributed:
            raise NoModelAvailableError(
                "ElectricalSynapse on the neuron backend runs in one process only: its two "
                f"cells may live on different MPI processes (started as {self.num_processes})")
        pre_ids, post_ids = np.asarray(pre_ids, _I64), np.asarray(post_ids, _I64)
        weight = np.broadcast_to(np.asarray(values.get("weight", 0.0), float), (len(pre_ids),))
        pre = self._sections_of(pre_ids, "ElectricalSynapse")
        post = self._sections_of(post_ids, "ElectricalSynapse")
        rec = self._projections.get(projection_id)
        if rec is None:
            rec = ProjectionRecord(projection_id, "gap", synapse_type, kind=GAP)
            self._projections[projection_id] = rec
        with translated(f"connecting gap junctions of projection {projection_id}",
                        ConnectionError):
            rec.gaps.extend(make_gaps(h, pre, post, weight))
        rec.append(pre_ids, post_ids, [], weight)

    def connection_ids(self, projection_id: int) -> tuple[np.ndarray, np.ndarray]:
        rec = self._projections[projection_id]
        return rec.pre_ids, rec.post_ids

    def _check_attribute(self, rec: ProjectionRecord, name: str) -> None:
        if rec.kind == GAP:
            if name != "weight":
                raise NonExistentParameterError(name, "ElectricalSynapse", ["weight"])
            return
        names = list(SLOTS[rec.kind])
        if rec.kind == STDP and plasticity.is_vogels(rec.synapse_type):
            names += list(plasticity.VOGELS_SLOTS)
        allowed = ["weight", "delay", *(k for k in names
                                        if k in rec.synapse_type.get_parameter_names())]
        if name not in allowed:
            raise NonExistentParameterError(name, type(rec.synapse_type).__name__, allowed)

    def set_connection_values(self, projection_id: int, name: str, values: np.ndarray) -> None:
        rec = self._projections[projection_id]
        self._check_attribute(rec, name)
        if rec.kind == GAP:
            vals = np.broadcast_to(np.asarray(values, float), (len(rec.gaps),)).tolist()
            for (a, b), w in zip(rec.gaps, vals):
                a.g = b.g = w
            return
        values = rec.values_for_all(values)
        if rec.kind == STDP and name == "delay":
            raise NoModelAvailableError(
                "STDPMechanism on the neuron backend: delays cannot change after connecting "
                "(the postsynaptic spike route is built for them)")
        vogels = rec.kind == STDP and plasticity.is_vogels(rec.synapse_type)
        with translated(f"setting {name} of projection {projection_id}",
                        InvalidParameterValueError):
            for slot in (plasticity.VOGELS_SLOTS.get(name, (name,)) if vogels else (name,)):
                write(rec.netcons, slot, values, rec.kind)
        if rec.kind == STDP and name == "weight":
            rec.w0 = np.broadcast_to(np.asarray(values, float), (len(rec.netcons),)).copy()
            scale = 1.0 if vogels else read(rec.netcons, "w_max", STDP)
            write(rec.netcons, "x_next", np.abs(rec.w0) / scale, STDP)

    def set_synapse_state(self, projection_id: int, name: str, values: np.ndarray) -> None:
        rec = self._projections[projection_id]
        table = STATE_SLOTS.get(rec.kind, {})
        if name not in table:
            raise NonExistentParameterError(
                name, f"{type(rec.synapse_type).__name__} (state variables)", list(table))
        vals = rec.values_for_all(values)
        rec.initial_state[table[name]] = vals
        if self._initialized:
            for nc, v in zip(rec.netcons, vals.tolist()):
                nc.weight[table[name]] = v

    def get_connection_values(self, projection_id: int, name: str) -> np.ndarray:
        rec = self._projections[projection_id]
        self._check_attribute(rec, name)
        if rec.kind == GAP:
            return np.fromiter((a.g for a, _ in rec.gaps), float, len(rec.gaps))
        if rec.kind == STDP and plasticity.is_vogels(rec.synapse_type):
            name = plasticity.VOGELS_SLOTS.get(name, (name,))[0]
        return read(rec.netcons, name, rec.kind)

    # -- current sources ---------------------------------------------------------------
    def inject(self, source_id: int, source: Any, parameters: dict[str, Any],
               target_ids: np.ndarray) -> None:
        target_ids = np.asarray(target_ids, _I64)
        src = self._sources.get(source_id)
        if src is None:
            src = CurrentSource(source_id, type(source).__name__, dict(parameters),
                                np.zeros(0, _I64))
            self._sources[source_id] = src
        sections: list[Any] = []
        for g, _, local in self._split(target_ids):
            if g.entry["kind"] != tr.CELL:
                raise ConnectionError(
                    f"cannot inject current into {type(g.celltype).__name__} cells")
            sections.extend(g.sections[k] for k in local.tolist())
        with translated(f"injecting {src.model}"):
            src.attach(h, sections)
        src.targets = np.concatenate([src.targets, target_ids])
        self._structure_changed |= self._initialized

    def set_current_source_parameters(self, source_id: int, parameters: dict[str, Any]) -> None:
        self._sources[source_id].set_parameters(parameters, self._step, self.dt,
                                                int(self.config.rng_seed))

    def record_current_source(self, source_id: int) -> None:
        src = self._sources[source_id]
        if not src.recording:
            src.recording = True
            src.restart_recording(self._step)

    def get_current_source_data(self, source_id: int, clear: bool) -> SignalData:
        src = self._sources[source_id]
        values = (src.recorded(self._step, self.dt, int(self.config.rng_seed))
                  if src.recording else np.zeros(0))
        data = SignalData(src.rec_start * self.dt, self.dt, values[:, None])
        if clear:
            src.restart_recording(self._step + 1)
        return data

    # -- recording ---------------------------------------------------------------------
    def set_recording(self, ids: np.ndarray, variable: str, sampling_interval: float) -> None:
        ids = np.asarray(ids, _I64)
        if variable == "spikes":
            self._spk_active[ids] = True
            return
        interval = max(int(round(sampling_interval / self.dt)), 1)
        if self._initialized and self._blocking_types():
            self._restart_in_place(ids, variable, interval)
            return
        for g, where, local in self._split(ids):
            if g.created_at is not None and self._initialized:
                raise NoModelAvailableError(
                    f"recording {variable!r} of {type(g.celltype).__name__} cells created "
                    "after the simulation started is not possible on the neuron backend "
                    "(NEURON records only into sections present at initialisation); record "
                    "them after reset(), or create them before the first run")
            recordable = g.entry.get("record", {})
            if variable not in recordable:
                raise RecordingError(variable, type(g.celltype), ["spikes", *recordable])
            ch = Channel(variable, ids[where], [h.Vector() for _ in local], interval,
                         self._step, stride=interval if self.use_cvode else 1,
                         origin=self._step)
            ch.active = np.ones(len(local), bool)
            ch.sources = [(g, k) for k in local.tolist()]
            ch.factor = g.entry.get("scale", {}).get(variable, 1.0)
            self._channels.append(ch)
        seen = self._recorded.setdefault((variable, interval), np.zeros(0, bool))
        if len(seen) < len(self._group_of):
            seen = np.concatenate([seen, np.zeros(len(self._group_of) - len(seen), bool)])
        seen[ids] = True
        self._recorded[(variable, interval)] = seen
        if self._initialized:
            self._record_dirty = True

    def _blocking_types(self) -> list[str]:
        """Names of the cell types whose mechanism keeps NEURON from taking up new
        recording Vectors after the start (fixed step only; see `_adopt_new_recordings`)."""
        if self.use_cvode:
            return []
        return sorted({type(g.celltype).__name__ for g in self._groups
                       if g.entry.get("fixed_step_only")})

    def _restart_in_place(self, ids: np.ndarray, variable: str, interval: int) -> None:
        """Recording asked for after the start where no new Vector can be added: cells
        that recorded `variable` at `interval` before (on a grid the restart falls on)
        record again through their old Vectors, which NEURON kept filling (stopped
        channels are kept for this); others are refused."""
        seen = self._recorded.get((variable, interval), np.zeros(0, bool))
        known = ids[ids < len(seen)]
        same_grid = [ch for ch in self._channels if ch.var == variable
                     and ch.interval == interval and (self._step - ch.origin) % interval == 0]
        if len(known) < len(ids) or not seen[known].all() or not same_grid:
            raise NoModelAvailableError(
                f"recording {variable!r} from t = {self.t:g} ms (after the first run) is "
                "not possible on the neuron backend in a network with "
                f"{', '.join(self._blocking_types())} cells, except for cells that recorded "
                "it before with the same sampling interval (restarted on its grid): NEURON "
                "takes up new recordings only when it prepares a solver, and their "
                "mechanism refuses CVODE's preparation; call record() before the first run "
                "(or after reset())")
        for ch in same_grid:
            wake = np.isin(ch.ids, ids) & ~ch.active
            if wake.any() and ch.last is not None and ch.last[0] == self._step:
                self._analog.add(ch, wake, self._step, ch.last[1])
            ch.active |= wake

    def _arm_channels(self) -> None:
        """Start NEURON's recording into the Vectors of new channels (done just before a
        run, once cells added since the start are part of NEURON's structure)."""
        for ch in self._channels:
            if ch.armed:
                continue
            with translated(f"recording {ch.var}"):
                for vec, (g, k) in zip(ch.vectors, ch.sources):
                    ref = cg.state_reference(g, ch.var, k)
                    # artificial cells have no section: NEURON records their variables
                    # only on the clock of one (a network of them alone has none)
                    where = {"sec": self._anchor} if g.native else {}
                    if self.use_cvode:
                        vec.record(ref, ch.interval * self.dt, **where)
                    else:
                        vec.record(ref, **where)
            ch.armed = True

    def stop_recording(self, ids: np.ndarray, variable: str) -> None:
        ids = np.asarray(ids, _I64)
        if variable == "spikes":
            self._spk_active[ids] = False
            return
        for ch in self._channels:
            if ch.var == variable:
                ch.active &= ~np.isin(ch.ids, ids)

    def get_spikes(self, ids: np.ndarray) -> list[np.ndarray]:
        """Spike times of `ids` (cells of this process: the core asks for those only)."""
        ids = np.asarray(ids, _I64)
        self.distribution.require_local(ids, "spikes on the neuron backend")
        return self._spikes.get(ids)

    def get_signal(self, ids: np.ndarray, variable: str) -> SignalData:
        """Samples of `variable` of `ids` (cells of this process)."""
        ids = np.asarray(ids, _I64)
        self.distribution.require_local(ids, f"{variable} on the neuron backend")
        intervals = [ch.interval for ch in self._channels if ch.var == variable]
        t0, step, values = self._analog.assemble(variable, ids, self.dt, self._step,
                                                 intervals[-1] if intervals else 1)
        return SignalData(t0, step, values)

    def clear_recorded(self, ids: np.ndarray, variable: str) -> None:
        if variable == "spikes":
            self._spikes.clear(ids)
        else:
            self._analog.clear(variable, ids)

    def _record_source_spikes(self, ids: np.ndarray, window: list[np.ndarray]) -> None:
        """Record the spikes queued for spike sources this run: those at the run's end
        reach NEURON's relays only when the next run starts (its t falls short of the
        end by rounding)."""
        ids = np.asarray(ids, _I64)
        for gid, times in zip(ids[self._spk_active[ids]].tolist(),
                              [w for w, on in zip(window, self._spk_active[ids]) if on]):
            if len(times):
                self._spikes.append(np.full(len(times), gid, _I64), times)

    def _harvest(self) -> None:
        if len(self._spike_t):
            times = self._spike_t.as_numpy().copy()
            if not self.off_grid:                  # NEURON's t drifts from the grid
                times = np.round(times / self.dt) * self.dt
            gids = self._spike_gid.as_numpy().astype(_I64)
            keep = self._spk_active[gids]
            self._spikes.append(gids[keep], times[keep])
            self._spike_t.resize(0)
            self._spike_gid.resize(0)
        in_place = bool(self._blocking_types())     # stopped channels may restart
        for ch in self._channels:
            self._analog.harvest(ch, keep_last=in_place)
            if self.use_cvode and ch.armed and ch.next_step == self._step:
                self._take_pending_sample(ch)
        if not in_place:
            self._channels = [ch for ch in self._channels if ch.active.any()]

    def _take_pending_sample(self, ch: Channel) -> None:
        """CVODE: the sample at the run's end, still queued in NEURON (its event time, a sum
        of intervals, lands on the end or rounds just past it, and NEURON delivers it only
        in the next run, if any), is read from the variables now (CVODE stopped at that
        time); the queued copy is dropped when it arrives."""
        with translated(f"reading {ch.var} at the end of the run"):
            values = [float(cg.state_reference(g, ch.var, k)[0]) for g, k in ch.sources]
        self._analog.take(ch, self._step, values)

    # -- time --------------------------------------------------------------------------
    @property
    def t(self) -> float:
        return self._step * self.dt

    def _initialize(self) -> None:
        self._arm_channels()
        with translated("initialising the NEURON simulation"):
            self.pc.set_maxstep(10.0)
            h.finitialize()
            for g in self._groups:
                cg.apply_initial_values(g)
                cg.restart_streams(g)
            for rec in self._projections.values():
                rec.apply_initial_state()
            self._reinit_states()
            h.frecord_init()
        for ch in self._channels:
            ch.next_step, ch.skip_first, ch.origin = 0, False, ch.origin % ch.interval
            ch.last = None
        self._initialized = True
        self._record_dirty = False
        self._structure_changed = False

    def _adopt_new_structure(self) -> None:
        """Cells or current sources added after the start: NEURON rebuilds its internal
        tables (``fcurrent``, or CVODE's ``re_init``) without touching the state."""
        with translated("adding to a running NEURON simulation"):
            self._reinit_states()
        self._structure_changed = False

    def _restart_recording(self) -> None:
        """New recording Vectors after the start: NEURON restarts all of them now."""
        self._arm_channels()
        if not self.use_cvode:
            self._adopt_new_recordings()
        h.frecord_init()
        for ch in self._channels:
            if ch.next_step - ch.stride == self._step:
                ch.skip_first = True
            else:
                ch.next_step = self._step
                if ch.stride > 1:
                    ch.origin = self._step
        self._record_dirty = False

    def _adopt_new_recordings(self) -> None:
        """Make the fixed step record into Vectors armed after the start.

        NEURON (9.0) lists the Vectors it fills every fixed step only when it prepares a
        solver: in ``finitialize`` and in CVODE's ``re_init`` (run when CVODE is switched
        on); ``frecord_init`` alone leaves a Vector added later empty. Switching CVODE on
        and straight off again rebuilds the list at the current time. CVODE's start moves
        some states by rounding (up to 1e-5 mV seen), so they are saved before and
        restored after (``SaveState``; the event queue is left as it is): every sample
        and spike then equals that of a recording that never stopped (tests).
        """
        dt = h.dt
        saved = h.SaveState()
        saved.save()
        try:
            with translated("restarting recording in a running NEURON simulation",
                            NoModelAvailableError):
                self.cvode.active(1)
        finally:
            self.cvode.active(0)
            saved.restore(1)                  # 1: keep the event queue as it is
            h.dt = dt

    def run_until(self, t_stop: float) -> None:
        n_stop = int(round(t_stop / self.dt))
        seed = int(self.config.rng_seed)
        fresh = not self._initialized
        if fresh:
            self._initialize()
        else:
            if self._structure_changed:
                self._adopt_new_structure()
            if self._record_dirty:
                self._restart_recording()
        t0, t1 = self._step * self.dt, n_stop * self.dt
        with translated(f"running to t = {t_stop} ms"):
            if self._connections_changed:       # NEURON's spike exchange interval
                self.pc.set_maxstep(10.0)
                self._connections_changed = False
            for src in self._sources.values():
                src.queue(h, self._step, n_stop, self.dt, seed, fresh)
            for gi, trains in self._trains.items():
                stims = self._groups[gi].stims
                window = trains.window(t0, t1)
                for k, times in enumerate(window):
                    for ts in times.tolist():
                        stims[k].event(ts)
                self._record_source_spikes(trains.ids, window)
            self.pc.psolve(t1)
        self._step = n_stop
        self._harvest()

    def reset(self) -> None:
        for rec in self._projections.values():
            if rec.kind == STDP:               # plastic weights back to those last set
                write(rec.netcons, "weight", rec.w0, STDP)
        self._step = 0
        self._initialized = False
        for g in self._groups:
            g.created_at = None
        self._spikes.clear()
        self._analog.clear_all()
        for trains in self._trains.values():
            trains.restart()
        for src in self._sources.values():
            if src.recording:
                src.restart_recording(0)

    def end(self) -> None:
        self._harvest_safely()
        self.layout.barrier()
        self.pc.gid_clear()
        for ch in self._channels:             # NEURON forgets the recordings before the
            for vec in ch.vectors:            # sections and cells they read are freed
                vec.play_remove()
        self._groups, self._projections, self._sources = [], {}, {}
        self._channels, self._trains, self._recorded = [], {}, {}
        self._anchor = None

    def _harvest_safely(self) -> None:
        try:
            self._spike_t.resize(0)
            self._spike_gid.resize(0)
        except (RuntimeError, LaminaError):
            pass

    def describe(self) -> dict[str, Any]:
        if self.use_cvode:
            method = (f"CVODE variable step (rtol {self.rtol:g}, atol {self.atol:g}); "
                      "threshold crossings located by root finding, spikes at those times "
                      "(off the grid); refractory periods counted from the end of the "
                      "time step of the spike, as in NEST")
        else:
            method = ("fixed step dt with Crank-Nicolson (h.secondorder = 2); synaptic "
                      "currents/conductances in closed form, averaged over each step; spikes "
                      "on the grid")
        return {"backend": self.name, "simulator": f"NEURON {neuron.__version__}",
                "dt": self.dt, "integration": method, "mpi_processes": self.num_processes,
                "spike_precision": "off_grid" if self.off_grid else "on_grid",
                "mechanisms": str(mechanisms.build_dir(neuron.__version__,
                                                       mechanisms.mod_files()))}


def _pick_sequences(value: Any, mine: np.ndarray, n: int) -> Any:
    """Of a sequence parameter given per cell (a list of `n` sequences), those of the cells
    at `mine`; a single sequence (shared by every cell) as it is."""
    if len(mine) == n or not isinstance(value, (list, tuple)) or len(value) != n:
        return value
    return [value[k] for k in mine.tolist()]


def _sequence_parameters(celltype: Any) -> frozenset[str]:
    """Names of `celltype`'s parameters holding a sequence or array per cell."""
    return frozenset(name for name, decl in celltype.parameter_table().items()
                     if decl.kind in ("sequence", "array"))
