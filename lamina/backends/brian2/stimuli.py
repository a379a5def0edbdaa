"""Current sources on Brian 2: every source's current is computed on the time grid in
Python for each run (`lamina.models.current_sources.waveform`, the noise drawn here) and
summed per target cell into a table that a ``TimedArray`` hands to the cells: each step
starts by ``i_inj = lamina_stim(t - t_run, stim_col)`` (a ``run_regularly`` operation), so
the current of step n (from n dt to (n+1) dt) acts in that step exactly as on the engine.
Cells without a source read column 0 (zeros).

NoisyCurrentSource: a new value from N(mean, stdev) every `dt` of the source (rounded to
steps) from its start, drawn from a generator seeded with (setup()'s seed, source id,
reset count), so the realisation does not depend on how the simulation is split into runs;
all targets receive the same realisation, the one `record()` returns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.models import current_sources

_I64 = np.int64


@dataclass
class SourceRecord:
    """One injected source: model name, PyNN parameters, targets and recorded current."""

    source_id: int
    model: str
    params: dict[str, Any]
    targets: np.ndarray
    seed: int
    recording: bool = False
    rec_start: int = 0
    data: list[np.ndarray] = field(default_factory=list)
    noise: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rng: Any = None

    def restart(self, seed: int) -> None:
        """Forget the noise drawn so far (after reset: a new realisation)."""
        self.seed, self.noise, self.rng = seed, np.zeros(0), None
        self.data = []
        self.rec_start = 0

    def current(self, n0: int, n1: int, dt: float) -> np.ndarray:
        """The current [nA] this source injects in steps ``n0 .. n1-1``."""
        steps = np.arange(n0, n1, dtype=_I64)
        values = current_sources.waveform(self.model, self.params, steps, dt)
        if self.model == "NoisyCurrentSource":
            values = values + self._noise(steps, dt)
        if self.recording:
            self.data.append(values.copy())
        return values

    def _noise(self, steps: np.ndarray, dt: float) -> np.ndarray:
        p = self.params
        active = current_sources.active_steps(p, steps, dt)
        if not np.any(active):
            return np.zeros(len(steps))
        every = max(int(current_sources.to_step(p["dt"], dt)), 1) if p.get("dt") else 1
        start = int(current_sources.to_step(p.get("start") or 0.0, dt))
        j = (steps - start) // every
        top = int(j[active].max()) + 1
        if top > len(self.noise):
            if self.rng is None:
                self.rng = np.random.default_rng([self.seed, 7919, 0])
            self.noise = np.concatenate([self.noise, self.rng.standard_normal(
                top - len(self.noise))])
        out = np.zeros(len(steps))
        out[active] = self.noise[j[active]] * float(p["stdev"])
        return out

    def recorded(self, now: int, clear: bool, dt: float) -> tuple[int, np.ndarray]:
        """(first step, current [nA] per step) recorded since `record` or the last clear,
        up to the current step `now` included (the current that acts from now on), as PyNN
        returns it."""
        steps = np.array([now], dtype=_I64)
        last = current_sources.waveform(self.model, self.params, steps, dt)
        if self.model == "NoisyCurrentSource":
            last = last + self._noise(steps, dt)
        vals = np.concatenate([*self.data, np.asarray(last, float)])
        first = self.rec_start
        if clear:
            self.data, self.rec_start = [], now
        return first, vals


def table(group_ids: np.ndarray, records: list[SourceRecord], currents: dict[int, np.ndarray],
          n_steps: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(column of each cell of a group, current table [nA] of shape (n_steps, columns)) for
    the sources targeting cells in `group_ids`, from each source's `currents` (computed once
    per run by `SourceRecord.current`); None if no source targets the group."""
    cols = np.zeros(len(group_ids), _I64)
    hits = [(r, np.flatnonzero(np.isin(group_ids, r.targets))) for r in records]
    hits = [(r, w) for r, w in hits if len(w)]
    if not hits:
        return None
    targeted = np.unique(np.concatenate([w for _, w in hits]))
    cols[targeted] = np.arange(1, len(targeted) + 1)
    values = np.zeros((n_steps, len(targeted) + 1))
    for r, where in hits:
        counts = np.bincount(cols[where], minlength=len(targeted) + 1)  # same cell twice
        values += np.outer(currents[r.source_id], counts)
    return cols, values
