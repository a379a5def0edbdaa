"""Connections drawn target by target, so that an MPI process draws only those onto its
own cells and the network does not depend on the number of processes.

`bernoulli_chunks` gives the Bernoulli(p) trials of every (pre, target) pair from a
stream of its own per target: a SplitMix64 sequence seeded by a hash of a key (one draw
from the connector's generator, the same on every process when the generator is
parallel-safe) and the target's index in the projection. The connections onto a target
are then a pure function of (key, target index): a process that builds targets
``[a, b)`` draws for those only, and gets exactly the connections a single process
draws for them. Gaps between successive connections of a target are geometric (one
uniform draw per connection, plus one to end the target), so the cost is proportional to
the number of connections, not of pairs.

`skip_draws` moves a numpy generator past `n` double-precision draws without making them
(PCG64: an O(log n) jump), for connectors whose draws per target are a fixed stretch of
one stream (`FixedNumberPreConnector`).

The 64-bit mixing function is the SplitMix64 finaliser (Steele, Lea & Flood 2014), the
one the engine's counter-based generator uses (`lamina.backends.engine.counter_rng`);
it is repeated here so that building a network does not import the engine.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numba import njit

from lamina.connectors import base

_GOLDEN = 0x9E3779B97F4A7C15


@njit(cache=True, inline="always")
def _mix64(z):  # pragma: no cover - compiled
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _bernoulli_fill(key, targets, first, n_pre, excluded, log_q, dense,
                    out_pre, out_post):  # pragma: no cover - compiled
    """Fill the connections of ``targets[first:]`` until the output is full; return
    (targets completed, connections written). A target that does not fit is not begun."""
    golden = np.uint64(_GOLDEN)
    cap = len(out_pre)
    out = 0
    t = first
    while t < len(targets):
        j = targets[t]
        ex = excluded[t]
        start = out
        if dense:
            if out + n_pre > cap:
                break
            for i in range(n_pre):
                if i != ex:
                    out_pre[out] = i
                    out_post[out] = j
                    out += 1
        else:
            seed = _mix64(key ^ _mix64(np.uint64(j + 1) * golden))
            k = np.uint64(0)
            i = np.int64(-1)
            full = False
            while True:
                k += golden
                u = float(_mix64(seed + k) >> np.uint64(11)) * (1.0 / 9007199254740992.0)
                gap = np.floor(np.log1p(-u) / log_q)   # failures before the next success
                if gap >= n_pre:
                    break
                i += np.int64(gap) + 1
                if i >= n_pre:
                    break
                if i == ex:
                    continue
                if out == cap:
                    full = True
                    break
                out_pre[out] = i
                out_post[out] = j
                out += 1
            if full:
                out = start
                break
        t += 1
    return t, out


def target_key(gen: np.random.Generator) -> int:
    """One draw from `gen`: the key of a projection's per-target streams."""
    return int(gen.integers(0, np.iinfo(np.int64).max, dtype=np.int64))


def bernoulli_chunks(key: int, targets: np.ndarray, n_pre: int, excluded: np.ndarray,
                     p: float) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """Connect each pre index to each of `targets` with probability `p`.

    Parameters
    ----------
    key : int — the projection's key (`target_key`)
    targets : int64 (n,) — target (post) indices, ascending
    n_pre : int — number of presynaptic cells
    excluded : int64 (n,) — for each target, a pre index never connected to it, or -1
    p : float in (0, 1]

    Yields
    ------
    (pre, post, targets done so far) chunks, target after target, pre indices ascending
    within a target; about `base.CHUNK_ENTRIES` connections per chunk.
    """
    targets = np.ascontiguousarray(targets, dtype=np.int64)
    excluded = np.ascontiguousarray(excluded, dtype=np.int64)
    dense = p >= 1.0
    log_q = float(np.log1p(-p)) if not dense else -np.inf
    mean = n_pre * p
    # about CHUNK_ENTRIES connections per chunk (several targets' worth at least), never
    # more than all pairs; grown below if one target's connections do not fit
    cap = int(min(max(base.CHUNK_ENTRIES, 6.0 * (mean + 6.0 * np.sqrt(mean) + 8.0)),
                  max(len(targets) * n_pre, 1)))
    if dense:
        cap = max(cap, n_pre)
    pre_buf = np.empty(cap, np.int64)
    post_buf = np.empty(cap, np.int64)
    first = 0
    while first < len(targets):
        done, count = _bernoulli_fill(np.uint64(key), targets, first, n_pre, excluded,
                                      log_q, dense, pre_buf, post_buf)
        if done == first:   # one target's connections exceed the buffer: grow it
            cap *= 2
            pre_buf = np.empty(cap, np.int64)
            post_buf = np.empty(cap, np.int64)
            continue
        first = done
        yield pre_buf[:count].copy(), post_buf[:count].copy(), done


def skip_draws(gen: np.random.Generator, n: int) -> None:
    """Move `gen` past `n` draws of ``gen.random()`` (each takes one 64-bit output), as if
    they had been made; a PCG64 generator jumps, others draw and discard."""
    if n <= 0:
        return
    bitgen = gen.bit_generator
    if isinstance(bitgen, np.random.PCG64):
        state = bitgen.state
        bitgen.advance(n)
        # advance() clears the buffered 32-bit half-output; doubles never use it
        after = bitgen.state
        after["has_uint32"], after["uinteger"] = state["has_uint32"], state["uinteger"]
        bitgen.state = after
        return
    for a in range(0, n, 1 << 20):
        gen.random(min(1 << 20, n - a))
