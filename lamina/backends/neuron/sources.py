"""Spike trains of lamina's spike sources and current sources on NEURON.

Spike sources
-------------
Each source cell is a ``LaminaRelay`` that re-emits every event it receives. Before each
run the backend queues, with ``NetCon.event``, the spikes of the coming run window only:
SpikeSourceArray times rounded to the time grid; random trains (Poisson, Poisson with dead
time, gamma) drawn as renewal processes in ``(start, start + duration]``, each time moved up
to the next grid point; the inhomogeneous gamma process (SpikeSourceInhGamma) by time
rescaling, as the engine: gamma intervals of unit mean, with the shape in force at each
interval's start, in operational time ``Lambda(t) = int_0^t r``, ``r = 1/(a b)`` in the bin
holding t (none before the first bin); from one numpy generator per cell seeded with
(setup's ``rng_seed``, cell ID), on the grid, so they are the same for a given seed however
the simulation is split into runs; `reset()` restarts them from the seed.

Current sources
---------------
One ``LaminaCurrentDriver`` per source holds its amplitude; each target cell has a
``LaminaCurrent`` point process injecting it (a POINTER to the driver's ``amp``). Before each
run the waveform of the run's steps is computed (`lamina.models.current_sources.waveform`)
and every change of value is queued as an event whose weight is the new amplitude, at the
start of the step it applies to: lamina's rule (the current of step ``k`` flows from ``k dt``
to ``(k+1) dt``). Sources may be injected and changed between runs. NoisyCurrentSource
draws its values from a numpy generator seeded with (``rng_seed``, source ID); every target
receives the same realisation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.models import current_sources as cs

RANDOM_TRAINS = ("SpikeSourcePoisson", "SpikeSourcePoissonRefractory", "SpikeSourceGamma",
                 "SpikeSourceInhGamma")


class RateBins:
    """The piecewise constant rate of one SpikeSourceInhGamma cell and its integral.

    Parameters
    ----------
    tbins : bin start times [ms]; a, b : shape and scale [s] in each bin
    """

    def __init__(self, tbins: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        self.t = np.asarray(tbins, float).ravel()
        self.a = np.asarray(a, float).ravel()
        self.rate = 1.0 / (1000.0 * self.a * np.asarray(b, float).ravel())   # [1/ms]
        self.cum = np.concatenate([[0.0], np.cumsum(self.rate[:-1] * np.diff(self.t))])

    def _bin(self, t: float) -> int:
        return max(int(np.searchsorted(self.t, t, "right")) - 1, 0)

    def shape(self, t: float) -> float:
        return float(self.a[self._bin(t)])

    def integral(self, t: float) -> float:
        """Lambda(t): expected number of spikes in [0, t] at unit mean interval."""
        if t <= self.t[0]:
            return 0.0
        i = self._bin(t)
        return float(self.cum[i] + self.rate[i] * (t - self.t[i]))

    def inverse(self, op: float) -> float:
        """The time t with Lambda(t) = op (inf where the rate stays 0)."""
        i = int(np.searchsorted(self.cum, op, "right")) - 1
        if i < 0 or self.rate[i] <= 0:
            return math.inf
        return float(self.t[i] + (op - self.cum[i]) / self.rate[i])


class SpikeTrains:
    """The spikes of one group of source cells, produced window by window."""

    def __init__(self, model: str, ids: np.ndarray, params: dict[str, Any], dt: float,
                 seed: int, sequences: frozenset[str] = frozenset({"spike_times"})) -> None:
        self.model, self.ids, self.dt, self.seed = model, np.asarray(ids), dt, seed
        self.sequences = sequences
        self.params: dict[str, Any] = {}
        self._bins: list[RateBins] = []
        self._op = np.zeros(len(self.ids))          # InhGamma: operational time of _next
        self.update(params, now=0.0)
        self.restart()

    def restart(self) -> None:
        """Back to t = 0: the random trains restart from their seeds."""
        self._rngs = [np.random.default_rng([self.seed, int(i)]) for i in self.ids]
        self._next = np.full(len(self.ids), np.nan)   # next spike time (continuous) [ms]
        self._reseat(0.0)

    def update(self, changed: dict[str, Any], now: float) -> None:
        """New parameters from time `now` on."""
        n = len(self.ids)
        for name, value in changed.items():
            if name in self.sequences:
                per_cell = value if len(value) == n and np.ndim(value[0]) >= 1 else [value] * n
                self.params[name] = [np.asarray(v, float).ravel() for v in per_cell]
                if name == "spike_times":
                    self.params[name] = [np.sort(v) for v in self.params[name]]
            else:
                self.params[name] = np.broadcast_to(np.asarray(value, float), (n,)).copy()
        if changed and hasattr(self, "_next"):
            self._reseat(now)

    def _reseat(self, now: float) -> None:
        if self.model not in RANDOM_TRAINS:
            return
        start = np.maximum(self.params["start"], now)
        if self.model == "SpikeSourceInhGamma":
            p = self.params
            self._bins = [RateBins(t, a, b) for t, a, b in zip(p["tbins"], p["a"], p["b"])]
            self._op = np.array([bins.integral(float(t0))
                                 for bins, t0 in zip(self._bins, start)])
            self._next = start.astype(float)
            self._advance(np.arange(len(self.ids)))
            return
        self._next = start + self._intervals(np.arange(len(self.ids)))

    def _advance(self, which: np.ndarray) -> None:
        """Move the next spike time of the cells in `which` one interval on."""
        if self.model != "SpikeSourceInhGamma":
            self._next[which] += self._intervals(which)
            return
        for k in which.tolist():
            bins = self._bins[k]
            shape = bins.shape(float(self._next[k]))
            self._op[k] += self._rngs[k].gamma(shape, 1.0 / shape)
            self._next[k] = bins.inverse(float(self._op[k]))

    def _intervals(self, which: np.ndarray) -> np.ndarray:
        """One inter-spike interval [ms] for each cell in `which` (inf for silent cells)."""
        p = self.params
        out = np.full(len(which), np.inf)
        for j, k in enumerate(which.tolist()):
            rng = self._rngs[k]
            if self.model == "SpikeSourceGamma":
                alpha, beta = p["alpha"][k], p["beta"][k]
                if beta > 0:
                    out[j] = rng.gamma(alpha, 1000.0 / beta)
                continue
            rate = p["rate"][k]
            if rate <= 0:
                continue
            dead = p["tau_refrac"][k] if "tau_refrac" in p else 0.0
            out[j] = dead + rng.exponential(max(1000.0 / rate - dead, 0.0))
        return out

    def window(self, t0: float, t1: float) -> list[np.ndarray]:
        """Spike times [ms] in ``[t0, t1)``, on the grid, one array per cell; a
        SpikeSourceArray's in ``(t0, t1]`` (``[0, t1]`` from the start): a spike at the
        current time belongs to the run that ended there, so spike times set between runs
        take effect after the current time, as on the other backends."""
        if self.model == "SpikeSourceArray":
            n0, n1 = round(t0 / self.dt), round(t1 / self.dt)
            out = []
            for times in self.params["spike_times"]:
                steps = cs.to_step(times, self.dt)
                keep = ((steps > n0) | ((steps == 0) & (n0 == 0))) & (steps <= n1)
                out.append(steps[keep] * self.dt)
            return out
        return self._random_window(t0, t1)

    def _random_window(self, t0: float, t1: float) -> list[np.ndarray]:
        stop = self.params["start"] + self.params["duration"]
        spikes: list[list[float]] = [[] for _ in self.ids]
        while True:
            grid = np.ceil(self._next / self.dt - 1e-9) * self.dt
            due = np.flatnonzero(grid < t1 - 1e-9)
            if len(due) == 0:
                break
            for k in due.tolist():
                if grid[k] <= stop[k] + 1e-9 and grid[k] >= t0 - 1e-9:
                    spikes[k].append(float(grid[k]))
            self._advance(due)
        return [np.asarray(s) for s in spikes]


@dataclass
class CurrentSource:
    """One injected current source: its driver, the targets' point processes and the
    events queued for the current run."""

    source_id: int
    model: str
    params: dict[str, Any]
    targets: np.ndarray
    driver: Any = None
    injectors: list[Any] = field(default_factory=list)
    pending: list[Any] = field(default_factory=list)   # NetCons of this run's changes
    last: float | None = None                          # amplitude queued last [nA]
    noise: np.ndarray = field(default_factory=lambda: np.zeros(0))
    recording: bool = False
    rec_start: int = 0
    played: np.ndarray = field(default_factory=lambda: np.zeros(0))  # recorded, frozen [nA]

    def set_parameters(self, changed: dict[str, Any], now: int, dt: float, seed: int) -> None:
        """Change parameters from step `now` on; the recorded amplitude of the steps
        before keeps the values they had."""
        if self.recording:
            first = self.rec_start + len(self.played)
            self.played = np.concatenate([self.played, self.waveform(first, now, dt, seed)])
        self.params.update(changed)

    def recorded(self, now: int, dt: float, seed: int) -> np.ndarray:
        """Amplitude [nA] of steps ``rec_start .. now``, as injected."""
        first = self.rec_start + len(self.played)
        return np.concatenate([self.played, self.waveform(first, now + 1, dt, seed)])

    def restart_recording(self, step: int) -> None:
        """Record from step `step` on, forgetting what was recorded before."""
        self.rec_start, self.played = step, np.zeros(0)

    def attach(self, h: Any, sections: list[Any]) -> None:
        """A LaminaCurrent on each section, reading this source's driver."""
        if self.driver is None:
            self.driver = h.LaminaCurrentDriver()
        for sec in sections:
            pp = h.LaminaCurrent(sec(0.5))
            h.setpointer(self.driver._ref_amp, "amp_source", pp)
            self.injectors.append(pp)

    def waveform(self, n0: int, n1: int, dt: float, seed: int) -> np.ndarray:
        """Amplitude [nA] during steps ``n0 .. n1-1``."""
        steps = np.arange(n0, n1, dtype=np.int64)
        values = cs.waveform(self.model, self.params, steps, dt)
        if self.model == "NoisyCurrentSource":
            values = values + self._noise(steps, dt, seed)
        return values

    def _noise(self, steps: np.ndarray, dt: float, seed: int) -> np.ndarray:
        p = self.params
        every = max(int(cs.to_step(p.get("dt") or dt, dt)), 1)
        first = int(cs.to_step(p.get("start") or 0.0, dt))
        draw = np.maximum(steps - first, 0) // every
        need = int(draw.max()) + 1 if len(draw) else 0
        if need > len(self.noise):
            rng = np.random.default_rng([seed, 7919, self.source_id])
            self.noise = rng.normal(0.0, 1.0, need + 1024)
        active = cs.active_steps(p, steps, dt)
        return np.where(active, float(p["stdev"]) * self.noise[draw], 0.0)

    def queue(self, h: Any, n0: int, n1: int, dt: float, seed: int, fresh: bool) -> None:
        """Queue the amplitude changes of steps ``n0 .. n1-1`` (`fresh`: the driver was
        just initialised, its amplitude is 0)."""
        self.pending = []
        if n1 <= n0 or self.driver is None:
            return
        values = self.waveform(n0, n1, dt, seed)
        before = 0.0 if fresh or self.last is None else self.last
        change = np.flatnonzero(np.diff(np.r_[before, values]) != 0.0)
        for k in change.tolist():
            nc = h.NetCon(None, self.driver)
            nc.weight[0] = float(values[k])
            nc.event((n0 + k) * dt)
            self.pending.append(nc)
        self.last = float(values[-1])
