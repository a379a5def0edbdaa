"""Inputs computed in numpy once per chunk: current-source amplitudes and the spikes of
external spike sources (SpikeSourceArray, SpikeSourcePoisson).

Time conventions (``dt`` the step, step ``n`` advances ``t_n = n dt -> t_{n+1}``):

* a current source's amplitude for step n is its value at ``t_n`` (the current that
  flows during the step starting at ``t_n``); start/stop/step times are rounded to the grid;
* a source spike with time stamp ``S`` (time ``S dt``) is *emitted* in step ``S - 1``
  (stamp 0: emitted at the start of step 0) and, with delay ``D`` steps, lands in ring
  slot ``S - 1 + D``, i.e. acts on the target at ``S dt + delay``.

Random numbers are drawn per fixed block of steps (`BLOCK` steps) from
``PCG64(SeedSequence([rng_seed, segment, stream, block]))`` so that a realisation never
depends on how a simulation is split into runs, nor on threads.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.errors import NoModelAvailableError

logger = logging.getLogger(__name__)

#: steps per random block (and maximal chunk length)
BLOCK = 1000
#: stream ids of the random generators
STREAM_POISSON = 0
STREAM_NOISE = 1_000_000  # + source id


def to_step(t: float | np.ndarray, dt: float) -> Any:
    """Round times [ms] to the nearest grid step (half steps round up)."""
    return np.floor(np.asarray(t, dtype=float) / dt + 0.5).astype(np.int64)


def block_rng(seed: int, segment: int, stream: int, block: int) -> np.random.Generator:
    """The generator of one random block."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        [int(seed) & 0xFFFFFFFF, int(segment), int(stream), int(block)])))


@dataclass
class CurrentSource:
    """One injected current source and its recording store.

    Attributes
    ----------
    model : str — class name of the standard source
    params : dict — evaluated PyNN parameters (nA, ms, Hz, deg)
    rows : ndarray of int64 — target cell rows
    recording : bool — whether the amplitude is recorded; ``rec_start`` its first step
    """

    source_id: int
    model: str
    params: dict[str, Any]
    rows: np.ndarray
    recording: bool = False
    rec_start: int = 0
    data: list[np.ndarray] = field(default_factory=list)

    def _window(self, steps: np.ndarray, dt: float) -> np.ndarray:
        start = int(to_step(self.params.get("start", 0.0) or 0.0, dt))
        stop = self.params.get("stop")
        active = steps >= start
        if stop is not None:
            active &= steps < int(to_step(stop, dt))
        return active

    def amplitudes(self, n0: int, n1: int, dt: float, seed: int, segment: int) -> np.ndarray:
        """Amplitude [nA] for each step ``n0 .. n1-1``."""
        steps = np.arange(n0, n1, dtype=np.int64)
        p = self.params
        if self.model == "DCSource":
            return np.where(self._window(steps, dt), float(p["amplitude"]), 0.0)
        if self.model == "ACSource":
            t = steps * dt
            val = float(p["offset"]) + float(p["amplitude"]) * np.sin(
                2.0 * math.pi * float(p["frequency"]) * t / 1000.0
                + float(p["phase"]) * math.pi / 180.0)
            return np.where(self._window(steps, dt), val, 0.0)
        if self.model == "StepCurrentSource":
            times = to_step(np.asarray(p["times"], dtype=float).ravel(), dt)
            amps = np.asarray(p["amplitudes"], dtype=float).ravel()
            if len(times) == 0:
                return np.zeros(len(steps))
            k = np.searchsorted(times, steps, side="right") - 1
            return np.where(k >= 0, amps[np.maximum(k, 0)], 0.0)
        if self.model == "NoisyCurrentSource":
            active = self._window(steps, dt)
            out = np.zeros(len(steps))
            if not active.any():
                return out
            start = int(to_step(p.get("start", 0.0) or 0.0, dt))
            ndt = p.get("dt")
            every = 1 if ndt is None else max(1, int(to_step(ndt, dt)))
            j = (steps[active] - start) // every
            z = np.empty(len(j))
            for b in np.unique(j // BLOCK):
                sel = (j // BLOCK) == b
                draws = block_rng(seed, segment, STREAM_NOISE + self.source_id,
                                  int(b)).standard_normal(BLOCK)
                z[sel] = draws[j[sel] % BLOCK]
            out[active] = float(p["mean"]) + float(p["stdev"]) * z
            return out
        raise NoModelAvailableError(f"the engine backend has no current source {self.model!r}")


def poisson_block(rows: np.ndarray, rate: np.ndarray, start: np.ndarray, duration: np.ndarray,
                  dt: float, seed: int, segment: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Emission steps and rows of all Poisson spikes in one block, sorted by (step, row).

    A cell is active in emission steps ``e`` with ``round(start/dt) <= e <
    round((start+duration)/dt)`` (spike stamps in (start, start+duration]); the count in
    the block is Poisson(rate dt/1000 n_active) and the spikes fall uniformly on the
    active steps (several per step are possible, as in a Poisson process on the grid).
    """
    b0, b1 = block * BLOCK, (block + 1) * BLOCK
    e_lo = np.floor(start / dt + 0.5)
    e_hi = np.floor((start + duration) / dt + 0.5)
    lo = np.maximum(e_lo, b0)
    hi = np.minimum(e_hi, b1)
    n_act = np.maximum(hi - lo, 0.0)
    rng = block_rng(seed, segment, STREAM_POISSON, block)
    counts = rng.poisson(rate * dt / 1000.0 * n_act)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rrows = np.repeat(rows, counts)
    steps = rng.integers(np.repeat(lo, counts).astype(np.int64),
                         np.repeat(hi, counts).astype(np.int64))
    order = np.lexsort((rrows, steps))
    return steps[order].astype(np.int64), rrows[order].astype(np.int64)


def array_events(stamps_by_row: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Emission steps (stamp - 1) and rows of all SpikeSourceArray spikes, sorted."""
    if not stamps_by_row:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows = np.concatenate([np.full(len(s), r, np.int64) for r, s in stamps_by_row.items()])
    emit = np.concatenate([np.asarray(s, np.int64) for s in stamps_by_row.values()]) - 1
    order = np.lexsort((rows, emit))
    return emit[order], rows[order]
