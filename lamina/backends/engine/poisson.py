"""SpikeSourcePoisson inside the compiled step loop: a counter-based Poisson generator.

Each Poisson cell has a 52-bit key (param row ``P_PKEY``) derived from ``(rng_seed, reset
segment, cell ID)`` (`backend.EngineBackend._set_rng_keys`). In step ``n`` (emission step,
spike stamp ``n+1``) an active cell (``round(start/dt) <= n < round((start+duration)/dt)``)
emits ``K ~ Poisson(rate dt / 1000)`` spikes. The uniforms of that draw are
``u_j = splitmix64(key ^ splitmix64(n * C1 + j * C2)) / 2^64`` (53 bits, j = 0, 1, ...),
a pure function of (key, step, j): a realisation does not depend on how a simulation is
split into runs, on the chunk size, on the order of evaluation or on threads.

Method: exact inversion of the Poisson CDF with one uniform for means up to
`INVERSION_MAX` (= 10; sequential search from k = 0, so about mean+1 multiplications), and
Hörmann's PTRS transformed rejection (W. Hörmann 1993, "The transformed rejection method
for generating Poisson random variables", as in numpy's ``random_poisson_ptrs``) above,
both exact in distribution.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from lamina.backends.engine.counter_rng import GOLDEN
from lamina.backends.engine.counter_rng import mix64 as _mix
from lamina.backends.engine.models import P_PKEY, P_PLAM, P_PSTART_STEP, P_PSTOP_STEP

INVERSION_MAX = 10.0

_C1 = np.uint64(GOLDEN)
_C2 = np.uint64(0xD1B54A32D192ED03)


@njit(cache=True, inline="always")
def _uniform(key, n, j):
    """Uniform in [0, 1) (53 bits) for (key, step n, draw j)."""
    c = np.uint64(n) * _C1 + np.uint64(j) * _C2 + np.uint64(1)
    z = _mix(np.uint64(key) ^ _mix(c))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def poisson_count(key, n, lam):
    """Poisson(lam) count for (key, step n); see the module docstring."""
    if lam <= 0.0:
        return 0
    if lam <= INVERSION_MAX:
        u = _uniform(key, n, 0)
        p = math.exp(-lam)
        f = p
        k = 0
        while u > f and k < 1000:
            k += 1
            p *= lam / k
            f += p
        return k
    # PTRS (Hörmann 1993)
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    j = 0
    while True:
        U = _uniform(key, n, j) - 0.5
        V = _uniform(key, n, j + 1)
        j += 2
        us = 0.5 - abs(U)
        k = np.int64(math.floor((2.0 * a / us + b) * U + lam + 0.43))
        if us >= 0.07 and V <= vr:
            return k
        if k < 0 or (us < 0.013 and V > us):
            continue
        if (math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b)
                <= -lam + k * loglam - math.lgamma(k + 1.0)):
            return k


TABLE_SIZE = 1001   # the inversion stops at k = 1000 at the latest


def new_table() -> tuple[np.ndarray, np.ndarray]:
    """An empty CDF table for `poisson_events`: (values, meta = [lam, last p, length])."""
    return np.empty(TABLE_SIZE), np.array([np.nan, 0.0, 0.0])


@njit(cache=True)
def _extend(u, k, lam, cdf, meta):
    """Continue the inversion past the table's end (k = its length), extending it."""
    p = meta[1]
    n_ok = k
    while k < 1000:
        if k == n_ok:
            p *= lam / k
            cdf[k] = cdf[k - 1] + p
            n_ok += 1
        if u <= cdf[k]:
            break
        k += 1
    meta[1] = p
    meta[2] = n_ok
    return k


_BLOCK = 8


@njit(cache=True, inline="always")
def _count(u, k0, lam, cdf, meta):
    """Number of table entries f_k < u, given that the first k0 (a multiple of 8, <= the
    table's length) all are; extends the table when u lies beyond it.

    The CDF is nondecreasing, so the first k with u <= f_k is the number of f_k < u:
    branch-free counts over blocks of 8 entries (SIMD), the next block only when all of
    the block's entries are below u."""
    t_n = np.int64(meta[2])
    c = np.int64(k0)
    while True:
        k1 = k0 + _BLOCK
        if k1 > t_n:
            k1 = t_n
        for k in range(k0, k1):
            c += u > cdf[k]
        if c < k1 or k1 == t_n:
            break
        k0 = k1
    if c == t_n:
        c = _extend(u, c, lam, cdf, meta)
    return c


@njit(cache=True, inline="always")
def _events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta, high_mean):
    """Append (row, count) of the Poisson cells i0..i1-1 spiking in step n; return the new
    fill level. Reads the derived rows ``P_PSTART_STEP``, ``P_PSTOP_STEP``, ``P_PLAM``.
    ``ev_row`` and ``ev_cnt`` must hold ``nev + (i1 - i0)`` entries: the tail of
    ``ev_row`` serves as scratch (the counts of a one-rate group), and so does row 0 of
    the step loop's scratch ``work`` at the cells' columns (the uniforms; no model update
    uses the columns of Poisson cells). Counts of means above `INVERSION_MAX` come from
    ``high_mean(key, n, lam)`` (`poisson_count`).

    Counts up to `INVERSION_MAX` come from inversion with one uniform, reading the CDF from
    the caller's table `cdf` (`new_table`; ``meta = [lam, last p, length]``). The table
    holds the partial sums ``f_k`` of exactly the sequential search (``p = exp(-lam); f =
    p``, then ``p *= lam / k; f += p``), is extended by that recurrence as far as needed
    and restarted when the mean changes: the count equals the search's bitwise, while a
    group of sources with one rate pays the exp and the divisions once. The uniforms of
    the group are drawn in one pass; a group with one rate is counted across cells.
    """
    t_lam = meta[0]
    t_n = np.int64(meta[2])
    m = i1 - i0
    # pass 1 (SIMD over cells, no branch): the uniform u_0 of every cell
    us = work[0, i0:i1]
    keys = param[P_PKEY, i0:i1]
    cn = np.uint64(n) * _C1 + np.uint64(1)
    mc = _mix(cn)
    for j in range(m):
        z = _mix(np.uint64(np.int64(keys[j])) ^ mc)
        us[j] = float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    start = param[P_PSTART_STEP, i0:i1]
    stop = param[P_PSTOP_STEP, i0:i1]
    lams = param[P_PLAM, i0:i1]
    for j in range(m):   # inactive cells, and rates <= 0, get u = -1: no spike
        off = n < start[j] or n >= stop[j] or lams[j] <= 0.0
        us[j] = -1.0 if off else us[j]
    lam0 = lams[0] if m > 0 else 0.0
    uniform = True
    for j in range(m):
        uniform &= lams[j] == lam0
    cnt = ev_row[nev:nev + m]   # free scratch too, read before written
    pre = 0   # table entries known to lie below u (one-rate pass)
    if uniform and 0.0 < lam0 <= INVERSION_MAX:
        # one rate: count f_k < u for k < 8 across the cells (SIMD over cells, the table
        # extended to 8 entries by the same recurrence); the loop below finishes the rare
        # counts of 8
        if lam0 != t_lam:
            t_lam = lam0
            cdf[0] = math.exp(-lam0)
            meta[0] = lam0
            meta[1] = cdf[0]
            meta[2] = 1.0
            t_n = 1
        if t_n < _BLOCK:
            p = meta[1]
            for k in range(t_n, _BLOCK):
                p *= lam0 / k
                cdf[k] = cdf[k - 1] + p
            meta[1] = p
            meta[2] = float(_BLOCK)
        for j in range(m):
            cnt[j] = 0
        for k in range(_BLOCK):
            f = cdf[k]
            for j in range(m):
                cnt[j] += us[j] > f
        pre = _BLOCK
    for j in range(m):
        u = us[j]
        lam = lams[j]
        c = np.int64(0)
        if u < 0.0:
            pass
        elif lam > INVERSION_MAX:
            c = high_mean(np.int64(keys[j]), n, lam)
        elif pre > 0 and cnt[j] < pre:
            c = cnt[j]
        else:
            if lam != t_lam:
                t_lam = lam
                cdf[0] = math.exp(-lam)
                meta[0] = lam
                meta[1] = cdf[0]
                meta[2] = 1.0
            c = _count(u, pre, lam, cdf, meta)
        # branch-free append: the slot at nev (at or below cnt[j]'s) is free either way
        ev_row[nev] = i0 + j
        ev_cnt[nev] = c
        nev += 1 if c > 0 else 0
    return nev


@njit(cache=True)
def poisson_events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta):
    """`_events` with Hörmann's PTRS for means above `INVERSION_MAX`."""
    return _events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta,
                   poisson_count)


@njit(cache=True, inline="always")
def _no_high_mean(key, n, lam):
    """Stand-in for `poisson_count` in `poisson_events_low` (never called there)."""
    return np.int64(0)


@njit(cache=True)
def poisson_events_low(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta):
    """`_events` for networks whose Poisson means are all at most `INVERSION_MAX` (the
    step loop then uses this one, see `needs_ptrs`): PTRS is not compiled."""
    return _events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta,
                   _no_high_mean)


@njit(cache=True)
def no_poisson_events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta):
    """Stand-in for `poisson_events` in step loops of networks without SpikeSourcePoisson
    cells (never called there)."""
    return nev


def needs_ptrs(param: np.ndarray, start: int, stop: int) -> bool:
    """Whether any Poisson cell of rows start..stop-1 has a mean count per step above
    `INVERSION_MAX` (then the step loop needs `poisson_events`, else
    `poisson_events_low` draws the same counts)."""
    return bool(np.any(param[P_PLAM, start:stop] > INVERSION_MAX))
