"""Inputs computed in numpy once per chunk: current-source amplitudes and the spikes of
external spike sources (SpikeSourceArray, renewal sources). SpikeSourcePoisson spikes are
drawn inside the compiled step loop (`poisson`).

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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.errors import NoModelAvailableError
from lamina.models import current_sources

logger = logging.getLogger(__name__)

#: steps per random block (and maximal chunk length)
BLOCK = 1000
#: stream ids of the random generators
STREAM_NOISE = 1_000_000  # + source id


to_step = current_sources.to_step


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

    def amplitudes(self, n0: int, n1: int, dt: float, seed: int, segment: int) -> np.ndarray:
        """Amplitude [nA] for each step ``n0 .. n1-1``."""
        steps = np.arange(n0, n1, dtype=np.int64)
        p = self.params
        if self.model not in ("DCSource", "ACSource", "StepCurrentSource", "NoisyCurrentSource"):
            raise NoModelAvailableError(
                f"the engine backend has no current source {self.model!r}")
        if self.model != "NoisyCurrentSource":
            return current_sources.waveform(self.model, p, steps, dt)
        active = current_sources.active_steps(p, steps, dt)
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


def array_events(stamps_by_row: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Emission steps (stamp - 1) and rows of all SpikeSourceArray spikes, sorted."""
    if not stamps_by_row:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows = np.concatenate([np.full(len(s), r, np.int64) for r, s in stamps_by_row.items()])
    emit = np.concatenate([np.asarray(s, np.int64) for s in stamps_by_row.values()]) - 1
    order = np.lexsort((rows, emit))
    return emit[order], rows[order]


#: a direct Poisson block (`direct_poisson_plan`) holds at least this many sources: a
#: block costs a few tens of ns per step and thread even where none of its sources fires
DIRECT_MIN = 16


def direct_poisson_plan(runs: tuple[np.ndarray, ...], synapses_per_row: np.ndarray,
                        param: np.ndarray, poisson: np.ndarray,
                        recorded: np.ndarray, N: int) -> np.ndarray:
    """The SpikeSourcePoisson cells whose counts the step loop can add straight into their
    targets' ring slots (`poisson.direct_deliver`) instead of buffering their spikes and
    delivering them through the CSR.

    A source qualifies when it is a Poisson cell (`poisson`, bool per row), not recorded
    (`recorded` 0), has exactly one static synapse (`synapses_per_row`, and none dynamic:
    the caller uses a plan only for the windowed step loop), that synapse lies on a
    one-to-one run (`static_store.StaticStore.one_to_one_runs`), and its mean count per
    step is in (0, `poisson.INVERSION_MAX`]. Blocks are the maximal stretches of qualifying
    sources of one run with one mean and one activity window, of at least `DIRECT_MIN`.

    Returns
    -------
    ndarray, float64, shape (B, `poisson.BLOCK_FIELDS`)
        the blocks sorted by first source row (`poisson.new_table`).
    """
    from lamina.backends.engine import models as m
    from lamina.backends.engine.poisson import BLOCK_FIELDS, INVERSION_MAX
    src0, src1, tgt0, delay, w = runs
    lens = src1 - src0
    if len(lens) == 0:
        return np.zeros((0, BLOCK_FIELDS))
    run = np.repeat(np.arange(len(lens)), lens)
    rows = src0[run] + np.arange(len(run)) - np.repeat(np.cumsum(lens) - lens, lens)
    lam = param[m.P_PLAM, rows]
    start = param[m.P_PSTART_STEP, rows]
    stop = param[m.P_PSTOP_STEP, rows]
    ok = (poisson[rows] & (recorded[rows] == 0) & (synapses_per_row[rows] == 1)
          & (lam > 0.0) & (lam <= INVERSION_MAX))
    new = np.ones(len(rows), bool)
    new[1:] = ((run[1:] != run[:-1]) | (ok[1:] != ok[:-1]) | (lam[1:] != lam[:-1])
               | (start[1:] != start[:-1]) | (stop[1:] != stop[:-1]))
    first = np.flatnonzero(new)
    last = np.append(first[1:], len(rows))
    keep = ok[first] & (last - first >= DIRECT_MIN)
    first, last = first[keep], last[keep]
    r = run[first]
    col0 = tgt0[r] + rows[first] - src0[r]
    out = np.column_stack([rows[first], rows[last - 1] + 1, col0 % N, col0, delay[r], w[r],
                           lam[first], start[first], stop[first]]).astype(float)
    return out[np.argsort(out[:, 0], kind="stable")]


# -----------------------------------------------------------------------------------------
# Array parameters and renewal spike sources (gamma, Poisson with dead time, inh. gamma)
# -----------------------------------------------------------------------------------------
STREAM_RENEWAL = 2_000_000


def write_array_parameter(table: Any, param: np.ndarray, seqstore: dict, rows: np.ndarray,
                          name: str, value: Any) -> None:
    """Store an array-valued parameter of `rows`: into param rows (``table.arrays``: first
    row, maximal length, row holding the length) or per cell in `seqstore`."""
    from lamina.errors import InvalidParameterValueError
    rows = np.asarray(rows, np.int64)
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (list, tuple, np.ndarray)) for v in value):
        per_cell = [np.asarray(v, float).ravel() for v in value]
    else:
        per_cell = [np.asarray(value, float).ravel()] * len(rows)
    if len(per_cell) != len(rows):
        per_cell = [per_cell[0]] * len(rows)
    if name in getattr(table, "arrays", {}):
        row0, kmax, nrow = table.arrays[name]
        for r, vals in zip(rows, per_cell):
            if len(vals) > kmax:
                raise InvalidParameterValueError(
                    f"{table.name}: parameter {name!r} has {len(vals)} elements; the engine "
                    f"supports at most {kmax}")
            param[row0:row0 + kmax, r] = 0.0
            param[row0:row0 + len(vals), r] = vals
            if nrow >= 0:
                param[nrow, r] = len(vals)
    else:
        store = seqstore.setdefault(name, {})
        for r, vals in zip(rows, per_cell):
            store[int(r)] = vals.copy()


class RenewalSources:
    """Spike trains of the renewal sources (kinds in `models.RENEWAL_KINDS`).

    Trains are generated per block of `BLOCK` steps with ``block_rng(seed, segment,
    STREAM_RENEWAL, block)``; the time of each cell's next spike is carried from one block
    to the next, so a realisation does not depend on how a simulation is split into runs.
    Continuous spike times t are put on the grid as stamp ``ceil(t/dt)`` (emitted in the
    step before). A parameter change regenerates the current block from its start state
    with the new values (spikes already delivered are kept).
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.cache: tuple[int, np.ndarray, np.ndarray] | None = None
        self.start: tuple[int, np.ndarray, np.ndarray] | None = None   # (block, rows, t_next)
        self.after: tuple[int, np.ndarray, np.ndarray] | None = None

    def invalidate(self, structure: bool = False) -> None:
        self.cache = None
        if structure:
            self.start = self.after = None

    def events(self, backend: Any, n0: int) -> tuple[np.ndarray, np.ndarray]:
        """(emission steps, rows) of the block containing step n0, sorted by step."""
        from lamina.backends.engine import models as m
        block = n0 // BLOCK
        if self.cache is not None and self.cache[0] == block:
            return self.cache[1], self.cache[2]
        groups = [g for g in backend._groups if g.kind in m.RENEWAL_KINDS]
        rows = np.concatenate([np.arange(g.start, g.stop, dtype=np.int64) for g in groups])
        kinds = np.concatenate([np.full(g.stop - g.start, g.kind, np.int64) for g in groups])
        dt = backend.dt
        rng = block_rng(backend.config.rng_seed, backend._segment, STREAM_RENEWAL, block)
        if self.after is not None and self.after[0] == block:
            self.start = self.after
        if self.start is None or self.start[0] != block or len(self.start[1]) != len(rows):
            t0 = np.maximum(backend.param[2, rows], block * BLOCK * dt)
            t_next = t0 + _first_interval(backend, rows, kinds, t0, rng)
            self.start = (block, rows, t_next)
        t_next = self.start[2].copy()
        t_end = (block + 1) * BLOCK * dt
        stop = backend.param[2, rows] + backend.param[3, rows]
        emit_l, row_l = [], []
        while True:
            due = np.flatnonzero(t_next <= t_end)   # stamp <= (block+1)*BLOCK
            if len(due) == 0:
                break
            stamp = np.maximum(np.ceil(t_next[due] / dt - 1e-9), 1).astype(np.int64)
            ok = t_next[due] <= stop[due]
            inside = stamp - 1 < (block + 1) * BLOCK
            keep = ok & inside
            emit_l.append(stamp[keep] - 1)
            row_l.append(rows[due[keep]])
            late = due[~inside]
            gone = due[~ok]
            t_next[gone] = np.inf
            adv = due[ok & inside]
            if len(adv) == 0:
                if len(late) == len(due):
                    break
                continue
            t_next[adv] = t_next[adv] + _intervals(backend, rows[adv], kinds[adv],
                                                   t_next[adv], rng, first=False)
            if len(late) == len(due):
                break
        self.after = (block + 1, rows, t_next)
        emit = np.concatenate(emit_l) if emit_l else np.zeros(0, np.int64)
        rr = np.concatenate(row_l) if row_l else np.zeros(0, np.int64)
        order = np.lexsort((rr, emit))
        self.cache = (block, emit[order].astype(np.int64), rr[order].astype(np.int64))
        return self.cache[1], self.cache[2]


def _first_interval(backend: Any, rows: np.ndarray, kinds: np.ndarray, t0: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    return _intervals(backend, rows, kinds, t0, rng, first=True)


def _intervals(backend: Any, rows: np.ndarray, kinds: np.ndarray, t_from: np.ndarray,
               rng: np.random.Generator, first: bool) -> np.ndarray:
    """Next inter-spike intervals [ms] (first=True: forward-recurrence time of the
    stationary process, i.e. the train starts in equilibrium)."""
    from lamina.backends.engine import models as m
    out = np.full(len(rows), np.inf)
    p = backend.param
    g = kinds == m.K_GAMMA
    if np.any(g):
        alpha, beta = p[0, rows[g]], p[1, rows[g]]
        pos = beta > 0
        scale = np.where(pos, 1000.0 / np.where(pos, beta, 1.0), 1.0)
        draw = rng.gamma(alpha + (1.0 if first else 0.0), scale)
        if first:
            draw = draw * rng.random(len(draw))
        out[g] = np.where(pos, draw, np.inf)
    d = kinds == m.K_PPD
    if np.any(d):
        rate, dead = p[0, rows[d]], p[1, rows[d]]
        pos = rate > 0
        mean = np.where(pos, 1000.0 / np.where(pos, rate, 1.0), 1.0)
        expo = rng.exponential(np.maximum(mean - dead, 1e-300))
        if first:
            in_dead = rng.random(len(rate)) < dead / mean
            draw = expo + np.where(in_dead, rng.random(len(rate)) * dead, 0.0)
        else:
            draw = dead + expo
        out[d] = np.where(pos, draw, np.inf)
    ig = np.flatnonzero(kinds == m.K_INH_GAMMA)
    seq = backend._seq
    for j in ig:
        r = int(rows[j])
        out[j] = _inh_gamma_interval(seq["a"][r], seq["b"][r], seq["tbins"][r], t_from[j],
                                     rng, first)
    return out


def _inh_gamma_interval(a: np.ndarray, b: np.ndarray, tbins: np.ndarray, t: float,
                        rng: np.random.Generator, first: bool) -> float:
    """Time-rescaled gamma interval from t: X ~ Gamma(a(t), 1/a(t)) (unit mean) in
    operational time Lambda, mapped back through the piecewise-linear Lambda(t) with
    rate 1/(a b) [1/s] per bin (rate 0 before the first bin)."""
    k = int(np.searchsorted(tbins, t, side="right")) - 1
    shape = float(a[max(k, 0)])
    x = rng.gamma(shape + (1.0 if first else 0.0), 1.0 / shape)
    if first:
        x *= rng.random()
    rates = 1.0 / (1000.0 * np.asarray(a, float) * np.asarray(b, float))   # 1/ms
    edges = np.append(np.asarray(tbins, float), np.inf)
    cur = t
    j = max(k, 0)
    if k < 0:
        cur = float(edges[0])
    while j < len(rates):
        span = edges[j + 1] - cur
        need = x / rates[j]
        if need <= span:
            return cur + need - t
        x -= span * rates[j]
        cur = float(edges[j + 1])
        j += 1
    return np.inf
