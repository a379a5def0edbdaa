"""Recording set-up and recorded data of one Population, one segment per run between resets."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from lamina.backends.base import SignalData
from lamina.errors import InvalidParameterValueError, RecordingError
from lamina.io.recorded import CellsSource, SegmentData

if TYPE_CHECKING:
    import neo

    from lamina.core.populations import Population

logger = logging.getLogger(__name__)


def sampling_interval_ms(value: Any, dt: float) -> float:
    """`value` [ms] as a whole number of time steps times dt; `InvalidParameterValueError`
    when it is not a positive multiple of dt (shared by cell and synapse recording)."""
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise InvalidParameterValueError(
            f"sampling_interval={value!r}: expected a number of ms") from err
    steps = round(v / dt)
    if steps < 1 or abs(steps * dt - v) > 1e-9 * max(1.0, v):
        raise InvalidParameterValueError(
            f"sampling_interval={value!r} ms: expected a positive multiple of the time "
            f"step ({dt} ms)")
    return steps * dt


class Recorder:
    """Which variables of which cells of a Population are recorded, and the data so far."""

    def __init__(self, population: "Population") -> None:
        self.population = population
        self.recorded: dict[str, np.ndarray] = {}
        self.sampling_interval: float = population._simulation.dt
        self.segments: list[SegmentData] = []
        self._files: dict[str, np.ndarray] = {}   # file -> indices of the cells it holds
        self._final: SegmentData | None = None    # the current segment, kept at end()
        # start of the current segment's spike trains [ms], as PyNN: when the population
        # was created, the time of the last get_data(clear=True), 0 after a reset
        self._t_start: float = float(population._simulation.t)

    @property
    def _sim(self) -> Any:
        return self.population._simulation

    @property
    def _backend(self) -> Any:
        return self._sim.backend

    def _ids(self, indices: np.ndarray) -> np.ndarray:
        return self.population._first + indices

    # -- set-up ---------------------------------------------------------------------
    def record(self, variables: Any, indices: np.ndarray, to_file: Any,
               sampling_interval: float | None) -> None:
        """Start (or, with ``variables=None``, stop) recording from the cells at `indices`."""
        if variables is None:
            for var, mask in self.recorded.items():
                on = indices[mask[indices]]
                if on.size:
                    self._backend.stop_recording(
                        self._ids(on), self.population.celltype.backend_variable(var)[0])
                    mask[on] = False
            return
        names = self._expand(variables)
        if sampling_interval is not None:
            self._set_interval(sampling_interval)
        for var in names:
            mask = self.recorded.setdefault(var, np.zeros(self.population.size, dtype=bool))
            new = indices[~mask[indices]]
            if new.size:
                interval = self._sim.dt if var == "spikes" else self.sampling_interval
                backend_var = self.population.celltype.backend_variable(var)[0]
                self._backend.set_recording(self._ids(new), backend_var, interval)
                mask[new] = True
        if to_file is not None:
            self._write_at_end(to_file, indices)

    def bytes_for(self, duration: float) -> float:
        """Memory the analog samples of a run of `duration` [ms] will take [bytes]
        (float64 samples, held by the backend and copied once when collected). Spikes are
        not counted: their number is not known in advance."""
        n_cells = sum(int(m.sum()) for v, m in self.recorded.items() if v != "spikes")
        return 16.0 * n_cells * (duration / self.sampling_interval + 1)

    def _expand(self, variables: Any) -> list[str]:
        celltype = self.population.celltype
        try:
            names = [variables] if isinstance(variables, str) else list(variables)
        except TypeError:   # a number or other non-iterable
            raise RecordingError(repr(variables), type(celltype), celltype.recordable) from None
        if "all" in names:
            names = list(celltype.recordable)
        for var in names:
            if not isinstance(var, str) or not celltype.can_record(var):
                raise RecordingError(var, type(celltype), celltype.recordable)
        return names

    def _set_interval(self, interval: Any) -> None:
        value = sampling_interval_ms(interval, self._sim.dt)
        if any(m.any() for v, m in self.recorded.items() if v != "spikes") and \
                abs(value - self.sampling_interval) > 1e-12:
            raise InvalidParameterValueError(
                f"sampling_interval={interval!r} ms: {self.population.label!r} already records "
                f"with {self.sampling_interval} ms; one interval applies to a whole population")
        self.sampling_interval = value

    def _write_at_end(self, to_file: Any, indices: np.ndarray) -> None:
        """At ``end()``, write the data of the cells at `indices` (and of any others
        recorded to the same file) to `to_file`."""
        key = str(to_file)
        if key in self._files:
            self._files[key] = np.union1d(self._files[key], indices)
            return
        self._files[key] = np.unique(indices)
        pop = self.population

        def write() -> None:
            chosen = self._files[key]
            cells = pop if len(chosen) == pop.size else pop[chosen]
            cells.write_data(to_file)
        self._sim.files_at_end.append(write)

    # -- data -----------------------------------------------------------------------
    def keep_for_end(self) -> None:
        """Read the current segment from the backend before it is released by ``end()``,
        so that data can still be read afterwards (as PyNN allows)."""
        if self.recorded:
            self._final = self._current(list(self.recorded))

    def _current(self, variables: list[str]) -> SegmentData:
        if self._final is not None:
            kept = self._final
            return SegmentData(kept.index, kept.t_stop,
                               kept.spikes if "spikes" in variables else {},
                               {v: s for v, s in kept.signals.items() if v in variables},
                               dict(kept.annotations), kept.rec_datetime, kept.t_start)
        t_now = self._sim.t
        seg = SegmentData(index=self._sim.segment_counter, t_stop=t_now, t_start=self._t_start)
        dist = self._sim.distribution
        for var in variables:
            mask = self.recorded.get(var)
            if mask is None or not mask.any():
                continue
            indices = np.flatnonzero(mask)
            if dist.distributed:   # each process holds the data of its own cells
                indices = indices[dist.is_local(self._ids(indices))]
                if not len(indices):
                    continue
            if var == "spikes":
                trains = self._backend.get_spikes(self._ids(indices))
                # no spike after the current time (a backend may have computed ahead)
                limit = t_now + 1e-9 * max(1.0, t_now)
                seg.spikes = {int(i): t[t <= limit] for i, t in zip(indices, trains)}
            else:
                name, factor = self.population.celltype.backend_variable(var)
                sig = self._backend.get_signal(self._ids(indices), name)
                if factor != 1.0:
                    sig = SignalData(sig.t_start, sig.sampling_interval, sig.values * factor)
                seg.signals[var] = (indices, sig)
        return seg

    def close_segment(self, annotations: dict[str, Any]) -> None:
        """Keep the data recorded since the last reset as a finished segment."""
        if not self.recorded:
            return
        seg = self._current(list(self.recorded))
        seg.annotations.update(annotations)
        self.segments.append(seg)
        self._t_start = 0.0   # the next segment begins at the reset

    def get_data(self, variables: Any, indices: np.ndarray, clear: bool,
                 annotations: dict[str, Any] | None, label: str,
                 gather: bool = True) -> "neo.Block":
        """Recorded data of the cells at `indices` as a neo Block. Over several MPI
        processes: with `gather` (collective: every rank must call it) rank 0 gets the data
        of all processes' cells and the others their own; without, each its own."""
        from lamina.io.neo_output import build_block   # loads neo on first use
        names = list(self.recorded) if variables == "all" else self._expand(variables)
        # as PyNN: the current segment once the simulation has run since the last reset
        # (and always when there is no other, so a Block never lacks a segment)
        current = [self._current(names)] if self._sim.running or not self.segments else []
        segments = [*self.segments, *current]
        dist = self._sim.distribution
        if dist.distributed:
            if gather:
                segments = gather_segments(dist, segments)
            elif 0 < len(indices) < self.population.size:   # a selection of cells
                local = dist.is_local(self._ids(indices))
                if not local.any():
                    dist.require_local(self._ids(indices[:1]),
                                       f"get_data(gather=False) of {label!r}")
        block = build_block(self._source(), segments, names, indices, self.sampling_interval,
                            annotations or {})
        if clear:
            self.segments = []
            self._t_start = float(self._sim.t)
            for var, mask in self.recorded.items():
                if mask.any():
                    self._backend.clear_recorded(self._ids(np.flatnonzero(mask)),
                                                 self.population.celltype.backend_variable(var)[0])
        return block

    def _source(self) -> CellsSource:
        """What the Neo output says about the population (plain data for `lamina.io`)."""
        pop, sim = self.population, self._sim
        return CellsSource(label=pop.label, first_id=int(pop._first), size=pop.size,
                           description=pop.describe(), units=dict(pop.celltype.units),
                           simulator=f"lamina.{sim.backend_name}",
                           mpi_processes=sim.backend.num_processes, dt=sim.dt,
                           annotations=dict(pop.annotations))

    def spike_counts(self, indices: np.ndarray, recorded_only: bool = False,
                     gather: bool = True) -> np.ndarray:
        """Spikes per cell at `indices` in the current segment (0 where not recorded).
        Over several MPI processes, with `gather` (collective) every rank gets all counts;
        without, the counts of other ranks' cells are 0."""
        mask = self.recorded.get("spikes", np.zeros(self.population.size, dtype=bool))
        counts = np.zeros(len(indices), dtype=np.int64)
        on = mask[indices]
        dist = self._sim.distribution
        if on.any() or (gather and dist.distributed):
            spikes = self._current(["spikes"]).spikes
            counts[on] = [len(spikes.get(int(i), ())) for i in indices[on]]
            if gather and dist.distributed:
                counts = np.asarray(dist.comm.allreduce(counts))
        return counts[on] if recorded_only else counts


def gather_segments(dist: Any, segments: list[SegmentData]) -> list[SegmentData]:
    """Collective: every rank's part of `segments` merged on rank 0 (cells in index order);
    the other ranks keep their own part."""
    parts = dist.gather_objects([(s.spikes, s.signals) for s in segments])
    if parts is None:
        return segments
    out = []
    for k, seg in enumerate(segments):
        spikes: dict[int, np.ndarray] = {}
        signals: dict[str, list[tuple[np.ndarray, SignalData]]] = {}
        for rank_part in parts:
            sp, sig = rank_part[k]
            spikes.update(sp)
            for var, pair in sig.items():
                if len(pair[0]):
                    signals.setdefault(var, []).append(pair)
        merged = {}
        for var, pairs in signals.items():
            idx = np.concatenate([p[0] for p in pairs])
            vals = np.concatenate([p[1].values for p in pairs], axis=1)
            order = np.argsort(idx, kind="stable")
            ref = pairs[0][1]
            merged[var] = (idx[order], SignalData(ref.t_start, ref.sampling_interval,
                                                  vals[:, order]))
        out.append(SegmentData(seg.index, seg.t_stop, dict(sorted(spikes.items())), merged,
                               dict(seg.annotations), seg.rec_datetime, seg.t_start))
    return out
