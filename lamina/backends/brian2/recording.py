"""Recording on Brian 2: a SpikeMonitor per block of cells, a StateMonitor per analog
recording request (`Channel`), collected into lamina-side stores after every run.

* Spikes: one SpikeMonitor per block (`lamina.backends.brian2.cells`). Brian 2 stamps a spike with the start of the step in which the threshold was
  crossed; lamina with its end (+dt, see `cells`). Events are kept for cells recording at
  collection time.
* Analog: a channel samples its cells every step at the end of the step (``when='end'``,
  after resets: the state at t + dt) and keeps the samples on lamina's grid: the state when
  recording starts (read just before the next run) and then every `interval` steps.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import brian2 as b2
import numpy as np

_I64 = np.int64


@dataclass
class SpikeTap:
    """The SpikeMonitor of one group and how far it has been read."""

    monitor: Any
    seen: int = 0

    def collect(self, ids: np.ndarray, recording: np.ndarray, dt: float) -> tuple[
            np.ndarray, np.ndarray]:
        """(lamina ids, times [ms]) of the spikes since the last call from cells whose
        `recording` flag (indexed by lamina id) is set."""
        idx = np.asarray(self.monitor.i[self.seen:], _I64)
        t = np.asarray(self.monitor.t_[self.seen:]) * 1e3 + dt
        self.seen += len(idx)
        gid = ids[idx]
        keep = recording[gid]
        return gid[keep], np.round(t[keep] / dt) * dt


@dataclass
class Channel:
    """One analog recording request: a variable of some cells of one group."""

    group: int
    variable: str                # PyNN name
    brian_name: str
    factor: float                # SI -> PyNN units
    ids: np.ndarray              # lamina ids, in column order
    local: np.ndarray            # rows in the group
    interval: int                # steps
    phase: int                   # step recording started
    monitor: Any = None
    seen: int = 0                # monitor samples read
    first_pending: bool = True   # the sample at `phase` is still to be read
    start: int = 0               # step of the first kept sample
    chunks: list[np.ndarray] = field(default_factory=list)
    active: bool = True

    def attach(self, block_obj: Any, offset: int, clock: Any, name: str) -> None:
        """Create the StateMonitor on the Brian 2 group of the cells' block, whose rows
        start at `offset` (when the network is built or rebuilt)."""
        self.monitor = b2.StateMonitor(block_obj, self.brian_name, record=self.local + offset,
                                       when="end", clock=clock, name=name)
        self.seen = 0

    def take_first(self, values: np.ndarray) -> None:
        """The sample when recording starts (state of the cells now) [PyNN units]."""
        if self.first_pending and self.active:
            self.chunks.append(values.reshape(1, -1))
            self.first_pending = False

    def collect(self, step_before: int) -> None:
        """Keep the samples of the run that started at step `step_before`."""
        data = np.asarray(getattr(self.monitor, self.brian_name + "_"))
        new = data[:, self.seen:].T if data.ndim == 2 else data[self.seen:].reshape(-1, 1)
        self.seen += new.shape[0]
        if not self.active or new.shape[0] == 0:
            return
        after = step_before + 1 + np.arange(new.shape[0])     # the state after each step
        keep = (after - self.phase) % self.interval == 0
        self.chunks.append(new[keep] / self.factor)

    def values(self) -> np.ndarray:
        if not self.chunks:
            return np.zeros((0, len(self.ids)))
        if len(self.chunks) > 1:
            self.chunks = [np.concatenate(self.chunks)]
        return self.chunks[0]

    def clear(self, now: int) -> None:
        """Forget the samples so far; the next sample kept is the next one on the grid."""
        self.chunks = []
        self.first_pending = False
        passed = (now - self.phase) % self.interval
        self.start = now + (self.interval - passed) % self.interval
        if passed == 0:
            self.first_pending = True
            self.start = now
