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

INVERSION_MAX = 10.0

_C1 = np.uint64(0x9E3779B97F4A7C15)
_C2 = np.uint64(0xD1B54A32D192ED03)


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


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


@njit(cache=True)
def poisson_events(n, dt, i0, i1, param, p_rate, p_start, p_duration, p_key, ev_row, ev_cnt,
                   nev):
    """Append (row, count) of the Poisson cells i0..i1-1 spiking in step n; return the new
    fill level."""
    for i in range(i0, i1):
        start = param[p_start, i]
        if n < math.floor(start / dt + 0.5):
            continue
        if n >= math.floor((start + param[p_duration, i]) / dt + 0.5):
            continue
        c = poisson_count(np.int64(param[p_key, i]), n, param[p_rate, i] * dt / 1000.0)
        if c > 0:
            ev_row[nev] = i
            ev_cnt[nev] = c
            nev += 1
    return nev
