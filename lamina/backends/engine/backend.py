"""EngineBackend: lamina's built-in clock-driven simulator (bookkeeping in numpy).

Cells live in one structure of arrays (``state[NSTATE, N]``, ``param[NPARAM, N]``),
grouped into contiguous row ranges of one model kind. Synapses are kept in CSR form by
source row; input is accumulated in a ring buffer ``ring[L, 2N]`` (receptor-major
columns). `run_until` advances in chunks of whole blocks of `inputs.BLOCK` steps (as many
as take about `CALL_SECONDS`, see `_call_blocks`), each one call of the compiled kernel
(`step_loop.run_windows` for static networks, `step_loop.run_steps` for networks with
dynamic synapses or gap junctions); Python work is O(1) per chunk (plus numpy work
proportional to the chunk's inputs and recorded data).
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from lamina import interrupts
from lamina.backends.base import (Backend, BackendConfig, Capabilities, SignalData,
                                  release_freed_memory)
from lamina.backends.engine import assemble, background, inputs, kernels, poisson, windows
from lamina.backends.engine import models as m
from lamina.backends.engine.counter_rng import GOLDEN, mix64_array
from lamina.backends.engine.derived import prepare, uniform_runs
from lamina.backends.engine.driver_choice import (PARALLEL, SERIAL, DriverChoice,
                                                   machine_is_busy)
from lamina.backends.engine.fixed_step import DEFAULT_INTEGRATOR, check_integrator
from lamina.backends.engine.recording import AnalogStore, SpikeStore
from lamina.backends.engine.static_store import StaticStore
from lamina.backends.engine.synapse_store import SynapseStore
from lamina.errors import (ConnectionError, InvalidModelError, InvalidTimeError,
                           NoModelAvailableError, NonExistentParameterError, RecordingError)
from lamina.models.base import StandardCellType, StandardCurrentSourceType, StandardSynapseType

logger = logging.getLogger(__name__)

_RECEPTOR_CODES = {"excitatory": 0, "inhibitory": 1}
_I64 = np.int64
#: target parts (tasks of a window) per thread, and the fewest cells of a part. Each part
#: costs a fixed ~2.5 us per window in delivery (measured, CUBA 4000) and more per step in
#: the updates, so by default there is one part per thread: a worker that is not
#: scheduled then leaves its part to the others rather than making them wait
PARTS_PER_THREAD = 1
MIN_PART_CELLS = 256
#: networks of at least this many neuron cells get `PARTS_PER_THREAD_LARGE` parts per
#: thread: their windows are long (Brunel 12,500: ~5 ms of work per window against the
#: ~2.5 us fixed cost of a part), and with more tasks than workers the workers share out
#: unequal parts (Brunel, 2 threads, quiet machine: 2 parts 4.4-4.6 s, 4 parts 2.15 s,
#: 1 thread 3.6 s)
LARGE_NETWORK_CELLS = 8000
PARTS_PER_THREAD_LARGE = 2
#: a kernel call advances whole blocks of `inputs.BLOCK` steps: as many as take about
#: `CALL_SECONDS` at the measured speed, at most `MAX_CALL_BLOCKS`, and no more than
#: `CALL_ANALOG_BYTES` of analog samples. Each call has a fixed cost: the chunk's inputs
#: prepared in Python and, with threads, numba's workers woken for the parallel region
#: (0.1-4 ms here: an idle virtual core halts and wakes late). With calls of one block,
#: CUBA 4000 cells at 2 threads (13 ms per call) lost 15-25 % of its run time to it.
CALL_SECONDS = 0.1
MAX_CALL_BLOCKS = 20
CALL_ANALOG_BYTES = 1 << 25
#: a run of at least this many steps may change the number of parts of a built CSR
#: (`_run_parts`): that rebuilds the CSR (Brunel 12,500 cells: about 0.8 s)
REPART_STEPS = 10_000


@dataclass
class _Group:
    kind: int
    start: int
    stop: int
    celltype: type
    table: m.ModelTable


class EngineBackend(Backend):
    """The built-in engine (see `lamina.backends.engine`)."""

    name = "engine"
    can_distribute = True
    distribution_hint = "`pip install lamina[mpi]` installs mpi4py and mpich"
    setup_options = frozenset({"spike_precision", "integrator"})
    features = Capabilities(native_cell_types=True, checkpoints=True,
                            synapse_state_recording=True)

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        # spike_precision: checked by the core against `features` (on_grid only)
        #: scheme of the conductance-based LIF cells (`fixed_step.INTEGRATORS`)
        self.integrator = check_integrator(config.extra.get("integrator", DEFAULT_INTEGRATOR))
        self.dt = float(config.dt)
        self._step = 0
        self._segment = 0
        self._N = 0
        self._ids = np.zeros(0, _I64)
        self._sorted_ids = np.zeros(0, _I64)
        self._sorted_rows = np.zeros(0, _I64)
        self._row_of_id: tuple[int, np.ndarray | None] | None = None   # `_index_ids`
        self._groups: list[_Group] = []
        self._row_group = np.zeros(0, _I64)
        self.state = np.zeros((m.NSTATE, 0))
        self.init_state = np.zeros((m.NSTATE, 0))
        self.param = np.zeros((m.NPARAM, 0))
        self.refr = np.zeros(0, _I64)
        self.iinj = np.zeros(0)
        self.rec_spk = np.zeros(0, np.uint8)
        # the ring starts short and grows to the longest delay in use (`_build_csr`, the
        # dynamic store), not to max_delay: the slots written per step then stay in cache
        self._L = 2
        self.ring = np.zeros((self._L, 0))
        # inputs
        self._ssa: dict[int, np.ndarray] = {}
        self._ssa_events: tuple[np.ndarray, np.ndarray] | None = None
        self._renewal = inputs.RenewalSources()   # gamma, dead-time Poisson, inh. gamma
        self._seq: dict[str, dict[int, np.ndarray]] = {}  # per-cell array parameters
        self._sources: dict[int, inputs.CurrentSource] = {}
        # connections
        self._static = StaticStore()
        self._csr_dirty = True
        self._csr: tuple[Any, ...] = ()   # indptr, tgt, w, (row_grp, grp_delay, grp_ptr)
        self._dyn = SynapseStore(self)  # dynamic synapses, gap junctions, synapse recording
        # recording
        self._analog = AnalogStore()
        self._spikes = SpikeStore()
        self._spike_buf: tuple[np.ndarray, ...] = (np.zeros(0, _I64), np.zeros(0, _I64),
                                                   np.zeros(0, _I64))
        self._window_buf: tuple[np.ndarray, ...] | None = None   # see `_run_windows`
        self._work = np.zeros((8, 0))  # scratch rows for the vectorised integrator
        self._threads = max(int(config.threads or 1), 1)
        self._choice = DriverChoice(self._threads)   # parallel or serial, see `_run_windows`
        #: kernel calls per windowed driver, and the persistent driver's per-thread cycle
        #: profile (`step_loop.PROF_FIELDS`): what `thread_profile` reports
        self.driver_calls: dict[str, int] = {}
        self._prof = np.zeros((0, 8), _I64)
        self._csr_parts = 1
        self._csr_bounds = np.zeros(2, _I64)   # row cuts of the CSR's parts (`_part_bounds`)
        self._has_direct = False   # Poisson sources delivered directly (`_run_chunk`)
        self._step_seconds = 0.0   # wall seconds per step of the last call (`_call_blocks`)
        #: the window driver over MPI ranks (`distributed`), None in one process
        self._mpi = None
        if self.distribution.distributed:
            from lamina.backends.engine.distributed import DistributedWindows
            self._mpi = DistributedWindows(self)

    # -- helpers ---------------------------------------------------------------------
    def _windowed(self) -> bool:
        """Whether the windowed kernel (`windows`) runs the network: all synapses static,
        no gap junctions. Else the serial step loop `step_loop.run_steps` does."""
        p_indptr = self._dyn.indptr
        return not (len(p_indptr) and p_indptr[-1] > 0) and len(self._dyn.g_a) == 0

    def _parts(self) -> int:
        """Number of target parts of the static CSR: 1 for one thread (or the serial step
        loop), else `PARTS_PER_THREAD` per thread (`PARTS_PER_THREAD_LARGE` for networks of
        at least `LARGE_NETWORK_CELLS` neuron cells), of at least `MIN_PART_CELLS` cells, and
        at least one per thread (``LAMINA_ENGINE_PARTS`` sets the number, for tests and
        measurements): the tasks the workers of `step_loop.run_windows_persistent` share
        out. Results are bitwise the same for any number of parts."""
        if self._threads <= 1 or self._N == 0 or not self._windowed() or self._mpi:
            return 1
        forced = os.environ.get("LAMINA_ENGINE_PARTS", "")
        if forced:
            return max(min(int(forced), self._N), 1)
        sources = (m.K_SPIKE_ARRAY, m.K_POISSON, *m.RENEWAL_KINDS)
        cells = sum(g.stop - g.start for g in self._groups if g.kind not in sources)
        per = PARTS_PER_THREAD_LARGE if cells >= LARGE_NETWORK_CELLS else PARTS_PER_THREAD
        return max(min(self._threads * per, self._N // MIN_PART_CELLS),
                   min(self._threads, self._N))

    def _run_parts(self, steps: int) -> int:
        """Parts for a run of `steps` steps: `_parts`, or 1 where other processes leave
        fewer free cores than the run has threads (`driver_choice.machine_is_busy`) and the
        windowed driver is chosen automatically: T parts run one after another cost more
        than one (each part looks up every spike's synapses again: CUBA 4000 cells, 2 parts
        in one thread 20-40 % slower than 1 part), and the parallel driver waits for
        descheduled workers. A built CSR keeps its parts for runs shorter than
        `REPART_STEPS` (changing them rebuilds it); within a run, `driver_choice` follows
        a load that changes."""
        want = self._parts()
        if want > 1 and os.environ.get("LAMINA_ENGINE_DRIVER", "auto") == "auto" and \
                not os.environ.get("LAMINA_ENGINE_PARTS") and machine_is_busy(self._threads):
            want = 1
        if not self._csr_dirty and want != self._csr_parts and steps < REPART_STEPS:
            return self._csr_parts
        return want

    def _part_bounds(self, T: int) -> np.ndarray:
        """Row cuts of the `T` target parts (int64, T + 1; part t: rows ``bounds[t] ..
        bounds[t+1]-1``), cut so that the parts cost about the same rather than hold the
        same number of rows: a cell of a neuron model weighs 1, a spike source 0 (no
        update of its own), except a Poisson source with more than one synapse (1: a draw
        per step and a delivery through the CSR). A Poisson source with one synapse is
        drawn where its target is when delivered directly (`inputs.direct_poisson_plan`).
        Equal row counts put Brunel's 12,500 one-to-one Poisson sources, rows 12,500 ..
        24,999, into part 1 of 2 and every cell into part 0: one worker did all the work.
        The one source of the cuts: the CSR (`static_store`), the pieces and
        `windows.deliver_window` all take them from here (`_csr_bounds`)."""
        N = self._N
        wt = np.ones(N, _I64)
        out = None
        for g in self._groups:
            if g.kind == m.K_POISSON:
                if out is None:
                    out = self._static.synapses_from(N)
                wt[g.start:g.stop] = out[g.start:g.stop] > 1
            elif g.kind in (m.K_SPIKE_ARRAY, *m.RENEWAL_KINDS):
                wt[g.start:g.stop] = 0
        cum = np.cumsum(wt)
        total = int(cum[-1]) if N else 0
        if total == 0:   # spike sources only: equal row counts
            cum, total = np.arange(1, N + 1, dtype=_I64), N
        # part t starts after the first ceil(total * t / T) units of weight (equal weights:
        # ceil(N t / T), the equal cut)
        cuts = np.array([-(-total * t // T) for t in range(1, T)], _I64)
        bounds = np.empty(T + 1, _I64)
        bounds[0], bounds[T] = 0, N
        bounds[1:T] = np.searchsorted(cum, cuts, side="left") + 1
        return bounds

    def _index_ids(self) -> None:
        """The ID -> row lookups: sorted IDs, and a direct table where the IDs are dense
        (the usual case: consecutive IDs), which `_rows` reads instead of searching."""
        order = np.argsort(self._ids, kind="stable")
        self._sorted_ids, self._sorted_rows = self._ids[order], order.astype(_I64)
        self._row_of_id = None
        if len(self._ids):
            first = int(self._sorted_ids[0])
            span = int(self._sorted_ids[-1]) - first + 1
            if span == len(self._ids) and np.array_equal(self._sorted_rows,
                                                         np.arange(span, dtype=_I64)):
                self._row_of_id = (first, None)    # row = ID - first
            elif span <= 2 * len(self._ids) + 1024:
                table = np.full(span, -1, _I64)
                table[self._ids - first] = np.arange(len(self._ids), dtype=_I64)
                self._row_of_id = (first, table)

    def _rows(self, ids: Any) -> np.ndarray:
        ids = np.atleast_1d(np.asarray(ids, dtype=_I64))
        if self._row_of_id is not None and len(ids):
            first, table = self._row_of_id
            size = len(self._ids) if table is None else len(table)
            if ids.min() >= first and ids.max() - first < size:
                if table is None:
                    return ids - first
                rows = table[ids - first]
                if rows.min() >= 0:
                    return rows
        pos = np.searchsorted(self._sorted_ids, ids)
        pos = np.minimum(pos, max(len(self._sorted_ids) - 1, 0))
        if len(self._sorted_ids) == 0 or np.any(self._sorted_ids[pos] != ids):
            bad = ids if len(self._sorted_ids) == 0 else ids[self._sorted_ids[pos] != ids]
            raise KeyError(f"unknown cell id(s): {bad[:5].tolist()}")
        return self._sorted_rows[pos]

    def _groups_of(self, rows: np.ndarray) -> list[_Group]:
        if len(rows):
            lo, hi = int(rows.min()), int(rows.max())
            g = int(self._row_group[lo])
            if hi < self._groups[g].stop:   # all in one group (rows of one population)
                return [self._groups[g]]
        used = np.bincount(self._row_group[rows], minlength=len(self._groups))
        return [self._groups[g] for g in np.flatnonzero(used)]

    # -- resources -------------------------------------------------------------------
    def bytes_per_cell(self, celltype: StandardCellType) -> float:
        """State, initial state and parameters (float64 rows), refractory counter,
        injected current, and the ring buffer (2 receptors, 2 slots: it grows later to
        the longest delay in use, which is not known yet; a lower bound, so nothing that
        fits is refused)."""
        return 8.0 * (2 * m.NSTATE + m.NPARAM + 3 + 2 * 2)

    def bytes_per_connection(self, synapse_type: StandardSynapseType) -> float:
        """Static synapses: 12 B in the CSR (float64 weight, int32 target), about 13 B at
        the peak while the first run builds it, 14 B with the run's buffers at Brunel's
        1,250 synapses per cell (BENCHMARKS.md); dynamic synapses keep pre,
        post, delay, receptor and one float64 per parameter and state variable."""
        if type(synapse_type).__name__ == "StaticSynapse":
            return 18.0
        return 8.0 * (len(type(synapse_type).parameters) + 8)

    # -- cells -----------------------------------------------------------------------
    def create_cells(self, celltype: StandardCellType, ids: np.ndarray,
                     parameters: dict[str, Any], initial_values: dict[str, np.ndarray]) -> None:
        table = m.table_for(celltype)
        ids = np.asarray(ids, dtype=_I64)
        n, n_old = len(ids), self._N
        if n == 0:
            return
        N = n_old + n
        rows = np.arange(n_old, N, dtype=_I64)

        def grow(a: np.ndarray) -> np.ndarray:
            out = np.zeros(a.shape[:-1] + (N,), a.dtype)
            out[..., :n_old] = a
            return out

        self.state, self.init_state, self.param = (grow(self.state), grow(self.init_state),
                                                   grow(self.param))
        extra = getattr(table, "nstate", 0) - self.state.shape[0]
        if extra > 0:  # rows only the new model needs
            self.state, self.init_state = (np.concatenate([a, np.zeros((extra, N))])
                                           for a in (self.state, self.init_state))
        extra = getattr(table, "nparam", 0) - self.param.shape[0]
        if extra > 0:
            self.param = np.concatenate([self.param, np.zeros((extra, N))])
        self.refr, self.iinj, self.rec_spk = grow(self.refr), grow(self.iinj), grow(self.rec_spk)
        R_old = self.ring.shape[1] // n_old if n_old else 2
        R = max(R_old, len(m.receptors_of(table)), 2)
        ring = np.zeros((self._L, R * N))
        for r in range(R_old):  # receptor-major columns: receptor r at r*N .. r*N + N-1
            ring[:, r * N:r * N + n_old] = self.ring[:, r * n_old:(r + 1) * n_old]
        self.ring = ring
        self._N = N
        self._ids = np.concatenate([self._ids, ids])
        self._index_ids()
        self._groups.append(_Group(table.kind, n_old, N, type(celltype), table))
        self._row_group = np.concatenate([self._row_group,
                                          np.full(n, len(self._groups) - 1, _I64)])
        cols = slice(n_old, N)
        for name, row in table.params.items():
            value = parameters.get(name, celltype.parameter_space.get(
                name, type(celltype).default_parameters.get(name)))
            self.param[row, cols] = np.broadcast_to(np.asarray(value, dtype=float), (n,))
        for name in (*getattr(table, "arrays", {}), *getattr(table, "sequences", ())):
            value = parameters.get(name, celltype.parameter_space.get(name))
            inputs.write_array_parameter(table, self.param, self._seq, rows, name, value)
        prepare(table, self.param, cols, self.dt)
        uniform_runs(table, self.param, n_old, N)
        init = dict(getattr(type(celltype), "default_initial_values", {}))
        init.update(initial_values or {})
        for name, value in init.items():
            if name not in table.state:
                raise NonExistentParameterError(name, table.name, table.state)
            self.init_state[table.state[name], cols] = np.broadcast_to(
                np.asarray(value, dtype=float), (n,))
        self.init_state[m.S_H, cols] = self.dt
        self.state[:, cols] = self.init_state[:, cols]
        if table.kind == m.K_SPIKE_ARRAY:
            times = parameters.get("spike_times", [np.zeros(0)] * n)
            self._set_spike_times(rows, times)
        if table.kind in m.RENEWAL_KINDS:
            self._renewal.invalidate(structure=True)
        if table.kind in (m.K_GIF, m.K_POISSON):
            self._set_rng_keys()
        self._csr_dirty = True
        if self._mpi is None:   # compile its update in a helper process meanwhile
            callee = assemble.callee_of(table.kind, self.integrator, table.kind == m.K_POISSON
                                        and poisson.needs_ptrs(self.param, n_old, N))
            if callee is not None:
                background.submit(*callee)

    def _set_spike_times(self, rows: np.ndarray, times: Any) -> None:
        if isinstance(times, np.ndarray) and times.dtype != object and times.ndim <= 1:
            times = [times] * len(rows)  # one sequence for all cells
        for r, t in zip(rows, times):
            # sorted stamps; repeated stamps (times rounding to one step) all fire
            self._ssa[int(r)] = np.sort(inputs.to_step(np.asarray(t, float).ravel(), self.dt))
        self._ssa_events = None

    def set_cell_parameters(self, ids: np.ndarray, parameters: dict[str, Any]) -> None:
        rows = self._rows(ids)
        for g in self._groups_of(rows):
            sel = rows[self._row_group[rows] == self._groups.index(g)]
            for name, value in parameters.items():
                if name == "spike_times" and g.kind == m.K_SPIKE_ARRAY:
                    vals = value if len(sel) == len(rows) else [
                        value[i] for i in np.flatnonzero(self._row_group[rows]
                                                         == self._groups.index(g))]
                    self._set_spike_times(sel, vals)
                    continue
                if name in getattr(g.table, "arrays", {}) or name in getattr(
                        g.table, "sequences", ()):
                    vals = value if len(sel) == len(rows) else [
                        value[i] for i in np.flatnonzero(self._row_group[rows]
                                                         == self._groups.index(g))]
                    inputs.write_array_parameter(g.table, self.param, self._seq, sel, name,
                                                 vals)
                    continue
                if name not in g.table.params:
                    raise NonExistentParameterError(name, g.table.name, g.table.params)
                arr = np.asarray(value, dtype=float)
                if arr.ndim == 1 and len(arr) == len(rows):
                    arr = arr[self._row_group[rows] == self._groups.index(g)]
                self.param[g.table.params[name], sel] = np.broadcast_to(arr, (len(sel),))
            prepare(g.table, self.param, sel, self.dt)
            uniform_runs(g.table, self.param, g.start, g.stop)
            if g.kind in m.RENEWAL_KINDS:
                self._renewal.invalidate()

    def set_initial_values(self, ids: np.ndarray, values: dict[str, np.ndarray]) -> None:
        rows = self._rows(ids)
        for g in self._groups_of(rows):
            mask = self._row_group[rows] == self._groups.index(g)
            sel = rows[mask]
            for name, value in values.items():
                if name not in g.table.state:
                    raise NonExistentParameterError(name, g.table.name, g.table.state)
                arr = np.asarray(value, dtype=float)
                if arr.ndim == 1 and len(arr) == len(rows):
                    arr = arr[mask]
                arr = np.broadcast_to(arr, (len(sel),))
                self.state[g.table.state[name], sel] = arr
                self.init_state[g.table.state[name], sel] = arr

    # -- connections -----------------------------------------------------------------
    def connect(self, projection_id: int, pre_ids: np.ndarray, post_ids: np.ndarray,
                receptor_type: str, synapse_type: StandardSynapseType,
                values: dict[str, np.ndarray]) -> None:
        pre, post = self._rows(pre_ids), self._rows(post_ids)
        n = len(pre)
        rec = np.zeros(n, np.int8)
        groups = self._groups_of(post)
        post_group = self._row_group[post] if len(groups) > 1 else None
        for g in groups:
            allowed = tuple(getattr(g.celltype, "receptor_types", ()))
            engine_receptors = m.receptors_of(g.table)
            if g.table.kind == m.K_PN:
                allowed = engine_receptors
            if receptor_type not in allowed or receptor_type not in engine_receptors:
                raise ConnectionError(
                    f"receptor type {receptor_type!r} is not available on {g.table.name} in "
                    f"the engine; allowed: {', '.join(engine_receptors) or 'none (spike source)'}")
            index = engine_receptors.index(receptor_type)
            if post_group is None:
                rec[:] = index
            else:
                rec[post_group == self._groups.index(g)] = index
        if type(synapse_type).__name__ != "StaticSynapse":  # dynamic synapses, gap junctions
            if self._mpi is not None:
                raise NoModelAvailableError(
                    f"{type(synapse_type).__name__}: the engine distributes static synapses "
                    f"only over MPI processes ({self.num_processes} here); run networks "
                    "with dynamic synapses or gap junctions in one process "
                    "(setup(threads=...) for parallelism) or on NEST")
            self._dyn.connect(projection_id, pre, post, receptor_type, rec, synapse_type, values)
            return
        w = np.broadcast_to(np.asarray(values.get("weight", 0.0), dtype=float), (n,))
        steps = self._check_delays(np.broadcast_to(
            np.asarray(values.get("delay", self.dt), dtype=float), (n,)))
        if self._mpi is not None:   # this rank holds the synapses onto its own cells only
            mine = self.distribution.is_local(np.asarray(post_ids, _I64))
            if not mine.all():   # (all, from a connector that builds local targets only:
                # nothing to take, and one weight or delay for all stays one)
                pre, post, rec, w, steps = pre[mine], post[mine], rec[mine], w[mine], steps[mine]
        if steps.max(initial=0) >= 2**31 or self.ring.shape[1] >= 2**31:
            raise ConnectionError("the engine holds targets and delays as int32: the network "
                                  "or the delays are too large")
        tgt = rec.astype(np.int32) * np.int32(self._N) + post.astype(np.int32)
        steps = (np.broadcast_to(steps[:1].astype(np.int32), steps.shape)
                 if len(steps) > 1 and steps.strides[0] == 0 else steps.astype(np.int32))
        self._static.add(projection_id, self._N, pre.astype(np.int32), tgt, w, steps)
        self._csr_dirty = True

    def connection_ids(self, projection_id: int) -> tuple[np.ndarray, np.ndarray]:
        if self._dyn.has(projection_id):
            p = self._dyn.projections[projection_id]
            return self._ids[p.pre], self._ids[p.post]
        pre, post = self._static.rows(projection_id)
        return self._ids[pre], self._ids[post]

    def _check_delays(self, delay: np.ndarray) -> np.ndarray:
        if delay.ndim == 1 and len(delay) > 1 and delay.strides[0] == 0:
            # one delay for all (a broadcast): convert it once, keep the broadcast
            return np.broadcast_to(self._check_delays(delay[:1].copy()), delay.shape)
        steps = inputs.to_step(delay, self.dt)
        if len(steps) and steps.min() < 1:
            raise ConnectionError(f"delays must be >= dt = {self.dt} ms; got {delay.min()}")
        return steps

    def _build_csr(self) -> None:
        """The static CSR the kernels read (see `static_store`); grows the ring buffer for
        the longest delay."""
        self._csr = ()   # the old CSR is unbuilt into pieces: drop this reference to it
        T = self._csr_parts
        self._csr_bounds = self._part_bounds(T)
        indptr, tgt, w = self._static.build(self._N, T, release_freed_memory,
                                            self._csr_bounds if T > 1 else None)
        groups = self._static.delay_groups()
        d_max = int(groups[1].max(initial=0))
        if d_max + 1 > self._L:
            self._grow_ring(d_max + 1)
        self._csr = (indptr, tgt, w, groups)
        self._csr_dirty = False
        if len(tgt) >= 100_000:
            release_freed_memory()

    def _grow_ring(self, L_new: int) -> None:
        """Enlarge the ring buffer keeping pending input at the same absolute step."""
        L = self._L
        ring = np.zeros((L_new, self.ring.shape[1]))
        for s in range(self._step, self._step + L):
            ring[s % L_new] = self.ring[s % L]
        self.ring, self._L = ring, L_new

    def _static_names(self, projection_id: int, name: str) -> None:
        if projection_id not in self._static.n:
            raise KeyError(f"unknown projection {projection_id}")
        if name not in ("weight", "delay"):
            raise NonExistentParameterError(name, "StaticSynapse", ("weight", "delay"))

    def set_connection_values(self, projection_id: int, name: str, values: np.ndarray) -> None:
        if self._dyn.has(projection_id):
            return self._dyn.set_values(projection_id, name, values)
        self._static_names(projection_id, name)
        n = self._static.n[projection_id]
        vals = np.broadcast_to(np.asarray(values, dtype=float), (n,))
        if name == "delay":
            vals = self._check_delays(vals).astype(np.int32)
        self._static.set(projection_id, name, vals)
        if self._static.dirty:   # the CSR was unbuilt
            self._csr, self._csr_dirty = (), True

    def set_synapse_state(self, projection_id: int, name: str, values: np.ndarray) -> None:
        if not self._dyn.has(projection_id):
            raise NonExistentParameterError(name, "StaticSynapse (no state variables)", [])
        self._dyn.set_state(projection_id, name, values)

    def get_connection_values(self, projection_id: int, name: str) -> np.ndarray:
        if self._dyn.has(projection_id):
            return self._dyn.get_values(projection_id, name)
        self._static_names(projection_id, name)
        out = self._static.get(projection_id, name, self.dt)
        if self._static.dirty:   # the CSR was unbuilt
            self._csr, self._csr_dirty = (), True
        return out

    # -- current sources -------------------------------------------------------------
    def inject(self, source_id: int, source: StandardCurrentSourceType,
               parameters: dict[str, Any], target_ids: np.ndarray) -> None:
        rows = self._rows(target_ids)
        for g in self._groups_of(rows):
            if g.table.is_source or not getattr(g.celltype, "injectable", True):
                raise InvalidModelError(f"cannot inject current into {g.table.name} cells")
        src = self._sources.get(source_id)
        if src is None:
            self._sources[source_id] = inputs.CurrentSource(
                source_id, type(source).__name__, dict(parameters), rows)
        else:
            src.params.update(parameters)
            src.rows = np.concatenate([src.rows, rows])

    def set_current_source_parameters(self, source_id: int, parameters: dict[str, Any]) -> None:
        self._sources[source_id].params.update(parameters)

    def record_current_source(self, source_id: int) -> None:
        src = self._sources[source_id]
        if not src.recording:
            src.recording, src.rec_start = True, self._step

    def get_current_source_data(self, source_id: int, clear: bool) -> SignalData:
        src = self._sources[source_id]
        vals = np.concatenate(src.data) if src.data else np.zeros(0)
        if src.recording:   # as PyNN, the sample at the current time closes the signal
            last = src.amplitudes(self._step, self._step + 1, self.dt, self.config.rng_seed,
                                  self._segment)
            vals = np.concatenate([vals, last])
        out = SignalData(src.rec_start * self.dt, self.dt, vals.reshape(-1, 1))
        if clear:
            src.data, src.rec_start = [], self._step
        return out

    # -- recording -------------------------------------------------------------------
    def set_recording(self, ids: np.ndarray, variable: str, sampling_interval: float) -> None:
        if self._mpi is not None:   # each rank records its own cells
            ids = np.asarray(ids, _I64)
            ids = ids[self.distribution.is_local(ids)]
        rows = self._rows(ids)
        for g in self._groups_of(rows):
            recordable = tuple(getattr(g.celltype, "recordable", ("spikes",)))
            if g.table.kind == m.K_PN:
                recordable = m.recordable_of(g.table)
            if variable not in recordable or (variable != "spikes"
                                              and variable not in g.table.state):
                raise RecordingError(variable, g.celltype, recordable)
        if variable == "spikes":
            self.rec_spk[rows] = 1
            return
        interval = 1 if sampling_interval is None else max(
            1, int(inputs.to_step(sampling_interval, self.dt)))
        for g in self._groups_of(rows):  # a variable may live in different rows per model
            sel = rows[self._row_group[rows] == self._groups.index(g)]
            self._analog.add(variable, g.table.state[variable], sel, interval, self._step)

    def stop_recording(self, ids: np.ndarray, variable: str) -> None:
        rows = self._rows(ids)
        if variable == "spikes":
            self.rec_spk[rows] = 0
        else:
            self._analog.remove(variable, rows, self._step)

    def get_spikes(self, ids: np.ndarray) -> list[np.ndarray]:
        return self._spikes.get(np.asarray(ids, _I64), self.dt)

    def get_signal(self, ids: np.ndarray, variable: str) -> SignalData:
        rows = self._rows(ids)
        t0, interval, values = self._analog.get(variable, rows, self.dt, 1, self._step)
        return SignalData(t0, interval, values)

    def clear_recorded(self, ids: np.ndarray, variable: str) -> None:
        if variable == "spikes":
            self._spikes.clear(np.asarray(ids, _I64))
        else:
            self._analog.clear(variable, self._rows(ids), self._step)

    # -- synaptic-state recording (see `synapse_store`) --------------------------------
    def set_synapse_recording(self, projection_id: int, variable: str,
                              sampling_interval: float) -> None:
        self._dyn.set_recording(projection_id, variable, sampling_interval)

    def stop_synapse_recording(self, projection_id: int, variable: str) -> None:
        self._dyn.stop_recording(projection_id, variable)

    def get_synapse_signal(self, projection_id: int, variable: str) -> SignalData:
        return self._dyn.get_signal(projection_id, variable)

    def clear_synapse_recorded(self, projection_id: int, variable: str) -> None:
        self._dyn.clear_recorded(projection_id, variable)

    # -- time ------------------------------------------------------------------------
    @property
    def t(self) -> float:
        return self._step * self.dt

    def run_until(self, t_stop: float) -> None:
        n_stop = int(inputs.to_step(t_stop, self.dt))
        if n_stop < self._step:
            raise InvalidTimeError(f"cannot run back in time to {t_stop} ms (now {self.t} ms)")
        if self._mpi is not None:   # collective: a mismatch raises on every rank, no hang
            self.distribution.check_same(
                "the network and the run (cells, cell groups, time step, steps now and at "
                "the end)", (self._N, len(self._groups), self.dt, self._step, n_stop))
        self._dyn.prepare()
        parts = self._run_parts(n_stop - self._step)
        if self._csr_dirty or parts != self._csr_parts:
            self._csr_parts = parts
            self._build_csr()
        self._analog.initial_samples(self.state, self._step)
        self._dyn.take_samples(self._step)
        while self._step < n_stop and not self._interrupted():
            n0 = self._step
            n1 = min(n_stop, (n0 // inputs.BLOCK + self._call_blocks()) * inputs.BLOCK,
                     self._dyn.next_sample(n0))
            t0 = time.perf_counter()
            self._run_chunk(n0, n1)
            if n1 - n0 >= inputs.BLOCK // 2:   # long enough to measure the speed by
                self._step_seconds = (time.perf_counter() - t0) / (n1 - n0)
            self._step = n1
            self._dyn.take_samples(n1)

    def _call_blocks(self) -> int:
        """Blocks of `inputs.BLOCK` steps for the next kernel call: as many as take about
        `CALL_SECONDS` at the last call's speed (one until a call has been measured),
        within `MAX_CALL_BLOCKS` and `CALL_ANALOG_BYTES`. One over MPI: every rank must
        cut the run at the same steps (the Ctrl-C check between calls is collective)."""
        if self._mpi is not None or self._step_seconds <= 0.0:
            return 1
        blocks = int(CALL_SECONDS / (self._step_seconds * inputs.BLOCK))
        per_block = sum((inputs.BLOCK // c.interval + 1) * len(c.rows)
                        for c in self._analog.channels) * 8
        if per_block:
            blocks = min(blocks, CALL_ANALOG_BYTES // per_block)
        return max(1, min(blocks, MAX_CALL_BLOCKS))

    def _interrupted(self) -> bool:
        """Whether Ctrl-C asked to stop; over MPI, whether any rank saw it (collective, so
        every rank stops at the same chunk)."""
        if self._mpi is None:
            return interrupts.requested()
        return bool(self.distribution.comm.allreduce(int(interrupts.requested()),
                                                     op=self._mpi.max_op()))

    def _external_events(self, n0: int, n1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ext_ptr, rows, emit steps) of source spikes processed in steps n0..n1-1."""
        if self._ssa_events is None:
            self._ssa_events = inputs.array_events(self._ssa)
        emit_a, rows_a = self._ssa_events
        lo = np.searchsorted(emit_a, n0 - 1 if n0 == 0 else n0)
        hi = np.searchsorted(emit_a, n1)
        emit, rows = [emit_a[lo:hi]], [rows_a[lo:hi]]
        if any(g.kind in m.RENEWAL_KINDS for g in self._groups):
            for block in range(n0 // inputs.BLOCK, (n1 - 1) // inputs.BLOCK + 1):
                e, r = self._renewal.events(self, max(n0, block * inputs.BLOCK))
                a, b = np.searchsorted(e, n0), np.searchsorted(e, n1)
                emit.append(e[a:b])
                rows.append(r[a:b])
        emit_c, rows_c = np.concatenate(emit), np.concatenate(rows)
        proc = np.maximum(emit_c, 0)
        order = np.lexsort((emit_c, rows_c, proc))
        emit_c, rows_c, proc = emit_c[order], rows_c[order], proc[order]
        ptr = np.searchsorted(proc, np.arange(n0, n1 + 1)).astype(_I64)
        return ptr, rows_c.astype(_I64), emit_c.astype(_I64)

    def _run_chunk(self, n0: int, n1: int) -> None:
        nsteps = n1 - n0
        ext_ptr, ext_row, ext_emit = self._external_events(n0, n1)
        # current sources
        srcs = list(self._sources.values())
        cs_amp = np.zeros((len(srcs), nsteps))
        for s, src in enumerate(srcs):
            cs_amp[s] = src.amplitudes(n0, n1, self.dt, self.config.rng_seed, self._segment)
            if src.recording:
                a = max(src.rec_start - n0, 0)
                src.data.append(cs_amp[s, a:].copy())
        cs_ptr = np.zeros(len(srcs) + 1, _I64)
        cs_ptr[1:] = np.cumsum([len(s.rows) for s in srcs])
        cs_tgt = (np.concatenate([s.rows for s in srcs]) if srcs else np.zeros(0)).astype(_I64)
        # analog channels
        chans = [c for c in self._analog.channels if len(c.rows)]
        counts = [c.samples_in(n0, n1) for c in chans]
        widths = [len(c.rows) for c in chans]
        sizes = np.array([k * w for k, w in zip(counts, widths)], _I64)
        ch_base = np.zeros(len(chans), _I64)
        if len(chans) > 1:
            ch_base[1:] = np.cumsum(sizes)[:-1]
        rbuf = np.empty(int(sizes.sum()))
        ch_int = np.array([c.interval for c in chans], _I64)
        ch_phase = np.array([c.phase for c in chans], _I64)
        ch_ptr = np.zeros(len(chans) + 1, _I64)
        ch_ptr[1:] = np.cumsum(widths)
        ch_row = np.concatenate([c.rows for c in chans]).astype(_I64) if chans else \
            np.zeros(0, _I64)
        ch_var = np.concatenate([np.full(len(c.rows), c.srow, _I64) for c in chans]) \
            if chans else np.zeros(0, _I64)
        ch_count = np.zeros(len(chans), _I64)
        # spike buffer
        n_rec = int(self.rec_spk.sum())
        windowed = self._windowed()
        per_call = windows.WINDOW_MAX if windowed else 1   # record entries per row
        cap = max(per_call * n_rec + 4096, len(self._spike_buf[0]))
        if len(self._spike_buf[0]) < cap:
            self._spike_buf = tuple(np.zeros(cap, _I64) for _ in range(3))
        spk_step, spk_row, spk_cnt = self._spike_buf
        spk_n = np.zeros(1, _I64)
        if self._work.shape[1] != self._N:
            self._work = np.zeros((8, self._N))
        plan = self._direct_poisson() if windowed and self._mpi is None else None
        self._has_direct = plan is not None and len(plan) > 0   # see `_step_loop`
        cdf, meta = poisson.new_table(plan)
        run = self._run_windows if windowed else self._run_steps
        if self._mpi is not None:   # this rank's cells, spikes exchanged per window
            run = self._mpi.run
        args = (ext_ptr, ext_row, ext_emit, cs_amp, cs_ptr, cs_tgt, n_rec, spk_n, ch_int,
                ch_phase, ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf)
        n = n0
        while n < n1:
            if self._dyn.hist.full[0]:
                self._dyn.make_history_room()
            n_prev = n
            n = run(n, n1, n0, args, spk_step, spk_row, spk_cnt, cdf, meta)
            k = int(spk_n[0])
            cnt = spk_cnt[:k]
            self._spikes.append(np.repeat(self._ids[spk_row[:k]], cnt),
                                np.repeat(spk_step[:k], cnt))
            spk_n[0] = 0
            if n == n_prev and k == 0 and not self._dyn.hist.full[0]:
                # the record buffer cannot hold one window's spikes: enlarge it
                cap = 2 * len(spk_step)
                self._spike_buf = tuple(np.zeros(cap, _I64) for _ in range(3))
                spk_step, spk_row, spk_cnt = self._spike_buf
        # spikes of recorded sources
        if len(ext_row):
            rec = self.rec_spk[ext_row] == 1
            self._spikes.append(self._ids[ext_row[rec]], ext_emit[rec] + 1)
        for c, ch, k, w, base in zip(range(len(chans)), chans, counts, widths, ch_base):
            if k:
                assert ch.block is not None   # a channel with samples has an open block
                ch.block.chunks.append(rbuf[base:base + k * w].reshape(k, w))
        self._check_finite(n0, n1)

    def _direct_poisson(self) -> np.ndarray:
        """The Poisson sources the windowed step loop delivers straight into their targets'
        ring slots (`inputs.direct_poisson_plan`)."""
        is_poisson = np.zeros(self._N, bool)
        for g in self._groups:
            if g.kind == m.K_POISSON:
                is_poisson[g.start:g.stop] = True
        return inputs.direct_poisson_plan(self._static.one_to_one_runs(),
                                          self._static.synapses_per_row(), self.param,
                                          is_poisson, self.rec_spk, self._N)

    def _run_steps(self, n: int, n1: int, n0: int, args: tuple, spk_step: np.ndarray,
                   spk_row: np.ndarray, spk_cnt: np.ndarray, cdf: np.ndarray,
                   meta: np.ndarray) -> int:
        """One call of the serial step loop (dynamic synapses, gap junctions)."""
        (ext_ptr, ext_row, ext_emit, cs_amp, cs_ptr, cs_tgt, n_rec, spk_n, ch_int, ch_phase,
         ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf) = args
        g_kind, g_start, g_stop = (np.array([getattr(g, a) for g in self._groups], _I64)
                                   for a in ("kind", "start", "stop"))
        N = self._N
        _, syn_tgt, syn_w, (row_grp, grp_delay, grp_ptr) = self._csr
        driver = self._step_loop().run_steps
        assemble.announce_compile(driver, self._combination_text())
        return driver(
            n, n1, n0, self.dt, g_kind, g_start, g_stop, self.state, self.param, self.refr,
            self.ring, row_grp, grp_delay, grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row,
            ext_emit, cs_amp, cs_ptr, cs_tgt, self.iinj, np.zeros(N, _I64), self.rec_spk,
            n_rec, spk_step, spk_row, spk_cnt, spk_n, ch_int, ch_phase, ch_ptr, ch_row,
            ch_var, ch_base, ch_count, rbuf, self._work, *self._dyn.kernel_arrays(),
            np.zeros(N, _I64), np.zeros(N, _I64), cdf, meta)

    def _run_windows(self, n: int, n1: int, n0: int, args: tuple, spk_step: np.ndarray,
                     spk_row: np.ndarray, spk_cnt: np.ndarray, cdf: np.ndarray,
                     meta: np.ndarray) -> int:
        """One call of the windowed kernel (`windows`): static synapses only; the cells
        and the CSR are cut into T parts (`_parts`). T > 1: the persistent driver (one
        parallel region per call, the parts taken as tasks by the threads);
        ``LAMINA_ENGINE_DRIVER`` = ``prange``, ``persistent`` or ``serial`` forces one. When the machine is oversubscribed the
        serial driver (the T parts one after another, bitwise the same results) runs
        instead if it is measured faster (`driver_choice`)."""
        (ext_ptr, ext_row, ext_emit, cs_amp, cs_ptr, cs_tgt, n_rec, spk_n, ch_int, ch_phase,
         ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf) = args
        _, syn_tgt, syn_w, (row_grp, grp_delay, grp_ptr) = self._csr
        T, N = row_grp.shape[0], self._N
        bounds = self._csr_bounds
        pcs = [(g.kind, max(g.start, bounds[t]), min(g.stop, bounds[t + 1]), t)
               for t in range(T) for g in self._groups]
        pcs = [p for p in pcs if p[2] > p[1]]
        pc_kind, pc_start, pc_stop = (np.array([p[i] for p in pcs], _I64) for i in range(3))
        pc_ptr = np.searchsorted(np.array([p[3] for p in pcs], _I64),
                                 np.arange(T + 1)).astype(_I64)
        D = int(grp_delay.min()) if len(grp_delay) else windows.WINDOW_MAX
        W = min(D, windows.WINDOW_MAX)
        cap_t = int(np.diff(bounds).max()) * W
        wb = self._window_buf
        if wb is None or wb[0].shape[1:] != (T, cap_t) or wb[2].shape[2] != W + 1:
            wb = self._window_buf = (np.zeros((2, T, cap_t), _I64),
                                     np.zeros((2, T, cap_t), _I64),
                                     np.zeros((2, T, W + 1), _I64))
        cdf_t = np.tile(cdf, (T, 1))
        meta_t = np.tile(meta, (T, 1))
        kargs = (n, n1, n0, self.dt, D, bounds, pc_kind, pc_start, pc_stop, pc_ptr,
                 self.state, self.param, self.refr, self.ring, row_grp, grp_delay, grp_ptr,
                 syn_tgt, syn_w, ext_ptr, ext_row, ext_emit, cs_amp, cs_ptr, cs_tgt,
                 self.iinj, self.rec_spk, n_rec, spk_step, spk_row, spk_cnt, spk_n, ch_int,
                 ch_phase, ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf, self._work, *wb,
                 cdf_t, meta_t)
        loop = self._step_loop()
        what = self._combination_text()
        if T == 1:
            assemble.announce_compile(loop.run_windows, what)
            self._count_call("single")
            return loop.run_windows(*kargs)
        driver = os.environ.get("LAMINA_ENGINE_DRIVER", "auto")
        if driver == "serial" or (driver == "auto" and self._choice.pick() == SERIAL):
            # the T parts one after another in this thread: bitwise the same results
            assemble.announce_compile(loop.run_windows, what)
            loaded = bool(loop.run_windows.overloads)
            t0 = time.perf_counter()
            step = loop.run_windows(*kargs)
            self._count_call("serial")
            self._choice.record(SERIAL, time.perf_counter() - t0, step - n, loaded)
            return step
        if driver == "auto" and self._choice.trial:   # measuring it on a busy machine
            kargs = (n, min(n1, n + self._choice.TRIAL_STEPS), *kargs[2:])
        loaded = bool(loop.run_windows_persistent.overloads)
        t0 = time.perf_counter()
        step = self._run_parallel(loop, what, driver, kargs)
        self._choice.record(PARALLEL, time.perf_counter() - t0, step - n, loaded)
        return step

    def _run_parallel(self, loop: Any, what: str, driver: str, kargs: tuple) -> int:
        """One call of a parallel windowed driver: the persistent one (one parallel region
        per call; its workers take the parts as tasks), or with ``driver == "prange"``
        one ``prange`` region over the parts per window."""
        import numba
        # workers beyond numba's threads run after the others and find the call finished
        n_threads = self._threads
        numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
        if driver != "prange":
            assemble.announce_compile(loop.run_windows_persistent, what)
            if self._prof.shape[0] != n_threads:
                self._prof = np.zeros((n_threads, 8), _I64)
            self._count_call("persistent")
            return int(loop.run_windows_persistent(*kargs, n_threads, self._prof))
        assemble.announce_compile(loop.run_windows_par, what)
        self._count_call("prange")
        return loop.run_windows_par(*kargs)

    def _count_call(self, driver: str) -> None:
        self.driver_calls[driver] = self.driver_calls.get(driver, 0) + 1

    def thread_profile(self) -> dict[str, Any]:
        """What the windowed drivers did so far: calls per driver (``single``: one
        part; ``persistent``, ``prange``, ``serial``: several) and, per worker of the
        persistent driver, cycles (time stamp counter) spent delivering, advancing cells,
        waiting for a window to open, closing windows (the serial bookkeeping), in the whole
        region, and the tasks, windows closed and calls counted (`step_loop.PROF_FIELDS`).
        """
        from lamina.backends.engine.step_loop import PROF_FIELDS
        return {"calls": dict(self.driver_calls),
                "threads": [dict(zip(PROF_FIELDS, map(int, row))) for row in self._prof]}

    def _step_loop(self) -> Any:
        """The step-loop module for the model kinds of this network (`assemble`)."""
        ptrs = any(poisson.needs_ptrs(self.param, g.start, g.stop) for g in self._groups
                   if g.kind == m.K_POISSON)
        return assemble.step_loop((g.kind for g in self._groups), ptrs, self._features(),
                                  self.integrator, self._has_direct)

    def _features(self) -> frozenset[str]:
        """The optional parts of the step loop this network needs (`assemble.FEATURES`)."""
        p_indptr = self._dyn.indptr
        found = {"sources": bool(self._sources),
                 "channels": any(len(c.rows) for c in self._analog.channels),
                 "plastic": bool(len(p_indptr) and p_indptr[-1] > 0),
                 "gap": len(self._dyn.g_a) > 0}
        return frozenset(k for k, v in found.items() if v)

    def _combination_text(self) -> str:
        """The models and synapse kinds of this network, for the compile message."""
        names = sorted({g.table.name for g in self._groups})
        synapses = "static synapses" if self._windowed() else "dynamic synapses"
        return " + ".join(names) + " + " + synapses

    def _check_finite(self, n0: int, n1: int) -> None:
        """Raise `NumericalError` if any state variable became NaN or infinite in the chunk
        (one vectorised pass over the state per chunk)."""
        if np.isfinite(self.state).all():
            return
        from lamina.errors import NumericalError
        bad_row, bad_col = np.nonzero(~np.isfinite(self.state))
        j = int(np.argmin(bad_col))
        row, col = int(bad_row[j]), int(bad_col[j])
        g = self._groups[int(self._row_group[col])]
        names = [k for k, v in g.table.state.items() if v == row]
        var = names[0] if names else f"internal state row {row}"
        raise NumericalError(
            f"{g.table.name}: state variable {var!r} of cell ID {int(self._ids[col])} became "
            f"{self.state[row, col]!r} between t = {n0 * self.dt:g} and {n1 * self.dt:g} ms; "
            "check the parameters (time constants, conductances, currents) or reduce the "
            "time step")

    def _set_rng_keys(self) -> None:
        """Per-cell keys of the counter-based random numbers of GIF cells and
        SpikeSourcePoisson cells (`poisson`), from (rng_seed, reset segment, cell ID):
        independent of threads and run splitting."""
        for g in self._groups:
            if g.kind == m.K_POISSON:
                ids = self._ids[g.start:g.stop]
                ss = np.random.SeedSequence([int(self.config.rng_seed) & 0xFFFFFFFF,
                                             int(self._segment), 4_000_000])
                base = np.uint64(int(ss.generate_state(1, np.uint64)[0]))
                with np.errstate(over="ignore"):
                    z = mix64_array(base ^ (ids.astype(np.uint64) * np.uint64(GOLDEN)))
                self.param[m.P_PKEY, g.start:g.stop] = (z >> np.uint64(12)).astype(float)
            if g.kind == m.K_GIF:
                ids = self._ids[g.start:g.stop]
                ss = np.random.SeedSequence([int(self.config.rng_seed) & 0xFFFFFFFF,
                                             int(self._segment), 3_000_000])
                gif_base = int(ss.generate_state(1, np.uint64)[0]) & ((1 << 52) - 1)
                keys = (gif_base ^ ((ids.astype(np.uint64) * np.uint64(GOLDEN))
                                >> np.uint64(12)).astype(np.int64)) & ((1 << 52) - 1)
                self.param[m.P_RNG_KEY, g.start:g.stop] = keys.astype(float)

    def reset(self) -> None:
        self._step = 0
        self._segment += 1
        self.state[...] = self.init_state
        self.refr[:] = 0
        self.ring[...] = 0.0
        self.iinj[:] = 0.0
        self._renewal.reset()
        self._set_rng_keys()
        self._spikes.clear()
        self._analog.reset(0)
        self._dyn.reset()
        for src in self._sources.values():
            src.data, src.rec_start = [], 0

    def end(self) -> None:
        self.ring = np.zeros((self._L, 0))
        background.shutdown()

    # -- checkpoints -------------------------------------------------------------------
    #: arrays of the backend that change while running (everything else is structure
    #: or parameters, rebuilt by the script); Poisson and GIF draws are counter-based
    #: (seed, segment, cell, step), so the step and segment fix their streams
    _DYNAMIC = ("state", "refr", "ring", "iinj")

    def _checkpointable(self) -> None:
        from lamina.errors import NoModelAvailableError
        if self._mpi is not None:
            raise NoModelAvailableError(
                f"the engine cannot checkpoint a run distributed over {self.num_processes} "
                "MPI processes yet; checkpoint a run in one process")
        if not self._windowed():
            raise NoModelAvailableError(
                "the engine cannot checkpoint dynamic synapses or gap junctions yet "
                "(static synapses only)")
        if any(g.kind in m.RENEWAL_KINDS for g in self._groups):
            raise NoModelAvailableError(
                "the engine cannot checkpoint gamma / dead-time Poisson sources yet")

    def dynamic_state(self) -> dict[str, np.ndarray]:
        self._checkpointable()
        if self._csr_dirty:   # the ring buffer takes its final depth with the CSR
            self._csr_parts = self._parts()
            self._build_csr()
        ids, stamps = self._spikes._all()
        out = {name: getattr(self, name).copy() for name in self._DYNAMIC}
        out.update(step=np.array(self._step), segment=np.array(self._segment),
                   cell_ids=self._ids.copy(), spike_ids=ids.copy(), spike_stamps=stamps.copy())
        return out

    def load_dynamic_state(self, arrays: dict[str, np.ndarray]) -> None:
        from lamina.errors import InvalidModelError
        self._checkpointable()
        if self._csr_dirty:
            self._csr_parts = self._parts()
            self._build_csr()
        if arrays["ring"].shape[0] > self._L:
            self._grow_ring(int(arrays["ring"].shape[0]))
        for name in self._DYNAMIC:
            if arrays[name].shape != getattr(self, name).shape:
                raise InvalidModelError(
                    f"checkpoint: the engine's {name!r} has shape {arrays[name].shape} in the "
                    f"file but {getattr(self, name).shape} in this network")
        if not np.array_equal(arrays["cell_ids"], self._ids):
            raise InvalidModelError("checkpoint: the cells (IDs, order) differ from this "
                                    "network's")
        for name in self._DYNAMIC:
            getattr(self, name)[...] = arrays[name]
        self._step, self._segment = int(arrays["step"]), int(arrays["segment"])
        self._set_rng_keys()
        self._spikes.clear()
        self._spikes.append(arrays["spike_ids"], arrays["spike_stamps"])
        self._analog.reset(self._step)   # signals are recorded from the restored time on
        for src in self._sources.values():
            src.data, src.rec_start = [], self._step

    def native_cell_type(self, name: str) -> type[StandardCellType]:
        """NEST's name of a standard model (``"iaf_psc_alpha"``, ...), in NEST's parameter
        names and units; see `lamina.models.nest_named`."""
        from lamina.models import nest_named
        return nest_named.resolve(name, self.name)

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "dt": self.dt, "threads": self.config.threads,
                "parallel_kernel": self._csr_parts > 1,
                "kernel": "windowed" if self._windowed() else "serial step loop",
                "integration": {name: t.method for name, t in m.TABLES.items()},
                "integrator": self.integrator,   # IF_cond_exp/alpha (`fixed_step`)
                "delivery": "ring buffer per target and receptor, CSR by source, "
                            "spikes on the grid",
                "rk_atol": kernels.RK_ATOL, **self.distribution.describe()}
