"""Recording on NEURON: ``ParallelContext.spike_record`` for spikes, ``Vector.record`` for
analog variables, both emptied into lamina-side stores after every run.

* spikes: every cell's spikes are recorded by NEURON; after each run those of cells that
  record spikes at that moment are kept (`SpikeStore`).
* analog: a `Channel` is one ``set_recording`` call (variable, cells, interval): one Vector per
  cell. With the fixed step NEURON records every step (``Vector.record(ref)``: its clock,
  a sum of steps, drifts from the grid by rounding, so sampling on its own ``Dt`` events
  would lose samples at run ends) and lamina keeps every ``interval``-th sample; with CVODE
  ``Vector.record(ref, interval)`` samples at the interval. NEURON samples from the time
  recording is initialised. A channel added after the simulation started needs NEURON's
  ``frecord_init()``, which restarts every recording Vector at the current time: channels that
  already hold the sample of that time drop its repetition. With the fixed step NEURON must
  also re-prepare its solver before it fills a Vector added then
  (`NeuronBackend._adopt_new_recordings`); Vectors sampling on ``Dt`` events would not do
  (besides the rounding above, they sample after the events of that instant, the step's
  Vectors before them). With CVODE the sample at a run's end may still be queued when the
  run returns: it is read directly (`AnalogStore.take`) and the queued copy dropped.
  Known difference: the first sample of a recording started between runs is taken by
  ``frecord_init``, after NEURON delivered the events of that instant (at the end of the
  run), where a recording running through has the value before them: the two differ there
  only if such an event changed the variable at once (a delta synapse's jump, a reset at
  exactly that time).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.backends.sample_grid import column_pieces, on_grid

_I64 = np.int64


@dataclass
class Channel:
    """Cells sampling one variable into NEURON Vectors.

    Attributes
    ----------
    var : lamina variable; ``ids`` the cells; ``vectors`` one h.Vector per cell
    interval : sampling interval [steps]; ``stride`` steps between NEURON's samples (1 or
        ``interval``); ``origin`` the step recording started; ``next_step`` the step of the
        Vectors' first sample
    active : per cell, whether it still records; ``skip_first``: drop the Vectors' first
        sample (already stored, repeated by ``frecord_init``)
    sources, armed : the cells' groups and indices; whether NEURON records into the Vectors
        yet (`NeuronBackend` arms a channel just before the next run)
    last : the step and per-Vector values of the last sample harvested (kept when asked:
        a stopped cell restarted in place takes its sample of the restart time from it)
    """

    var: str
    ids: np.ndarray
    vectors: list[Any]
    interval: int
    next_step: int
    stride: int = 1
    origin: int = 0
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    skip_first: bool = False
    factor: float = 1.0                                  # PyNN value / NEURON value
    sources: list[Any] = field(default_factory=list)    # (cell group, index) per Vector
    armed: bool = False                                  # Vector.record called
    last: tuple[int, np.ndarray] | None = None           # step, values of the last sample


class AnalogStore:
    """Samples by (variable, id): lists of (steps, values) chunks."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, int], list[tuple[np.ndarray, np.ndarray]]] = {}

    def harvest(self, ch: Channel, keep_last: bool = False) -> None:
        """Move the samples NEURON holds for `ch` into the store; empty its Vectors.
        `keep_last`: remember the last sample of every Vector (`Channel.last`)."""
        if not ch.vectors:
            return
        n = min(len(v) for v in ch.vectors)
        first = 1 if ch.skip_first and n else 0
        if n > first:
            steps = ch.next_step + ch.stride * np.arange(n - first, dtype=_I64)
            pick = (steps - ch.origin) % ch.interval == 0
            for k in np.flatnonzero(ch.active).tolist():
                values = ch.vectors[k].as_numpy()[first:n][pick] * ch.factor
                self._data.setdefault((ch.var, int(ch.ids[k])), []).append((steps[pick],
                                                                            values))
            ch.next_step = int(steps[-1]) + ch.stride
            if keep_last:
                ch.last = (int(steps[-1]), np.array([v.x[n - 1] for v in ch.vectors]))
        ch.skip_first = False
        for v in ch.vectors:
            v.resize(0)

    def take(self, ch: Channel, step: int, values: list[float]) -> None:
        """Store one sample of `ch`'s recording cells read directly (`values` per Vector,
        NEURON's units) at `step`; the Vectors' copy of it is dropped when it comes."""
        for k in np.flatnonzero(ch.active).tolist():
            self._data.setdefault((ch.var, int(ch.ids[k])), []).append(
                (np.array([step], _I64), np.array([values[k] * ch.factor])))
        ch.next_step = step + ch.stride
        ch.skip_first = True

    def add(self, ch: Channel, cells: np.ndarray, step: int, values: np.ndarray) -> None:
        """Store the sample at `step` of `ch`'s Vectors at `cells` (a mask; `values` per
        Vector, NEURON's units), without touching the channel's own bookkeeping."""
        for k in np.flatnonzero(cells).tolist():
            self._data.setdefault((ch.var, int(ch.ids[k])), []).append(
                (np.array([step], _I64), np.array([float(values[k]) * ch.factor])))

    def series(self, var: str, i: int) -> tuple[np.ndarray, np.ndarray]:
        chunks = self._data.get((var, i), [])
        if not chunks:
            return np.zeros(0, _I64), np.zeros(0)
        if len(chunks) > 1:
            chunks[:] = [(np.concatenate([c[0] for c in chunks]),
                          np.concatenate([c[1] for c in chunks]))]
        return chunks[0]

    def clear(self, var: str, ids: np.ndarray) -> None:
        for i in np.asarray(ids, _I64).tolist():
            self._data.pop((var, i), None)

    def clear_all(self) -> None:
        self._data.clear()

    def assemble(self, var: str, ids: np.ndarray, dt: float, now: int,
                 interval: int) -> tuple[float, float, np.ndarray]:
        """(t_start [ms], interval [ms], values (n_samples, len(ids))): every sample at its
        own time, NaN where a cell was not recorded (see `sample_grid`)."""
        series = [self.series(var, i) for i in np.asarray(ids, _I64).tolist()]
        return on_grid(column_pieces(series), len(series), interval, dt, now, var)
