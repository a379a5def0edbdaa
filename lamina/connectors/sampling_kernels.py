"""Compiled inner loop of the per-row sampler of `fixed_number` (numba, cached on disk).

`first_distinct` turns a row chunk's stream of uniform draws into the first `target[r]`
distinct values of each row, exactly as the vectorised rule of
`fixed_number._distinct_chunk` does (same draws, same values), but in one pass with a
"seen" mark per pool element instead of a sort of the whole chunk, and returns each row's
values sorted (read off the marks in order for dense rows, heapsorted for sparse ones), so
that no sort of the chunk is needed afterwards. Compiles in a few seconds the first time
(then loaded from numba's cache).
"""
from __future__ import annotations

import numpy as np
from numba import njit

#: largest pool handled here: the kernel keeps one int32 mark per pool element
MAX_POOL = 1 << 22


@njit(cache=True)
def _heapsort(a: np.ndarray, lo: int, hi: int) -> None:  # pragma: no cover
    """Sort ``a[lo:hi]`` in place (heapsort: compiles far faster than numba's sort)."""
    n = hi - lo
    for start in range(n // 2 - 1, -1, -1):
        _sift(a, lo, start, n)
    for end in range(n - 1, 0, -1):
        a[lo], a[lo + end] = a[lo + end], a[lo]
        _sift(a, lo, 0, end)


@njit(cache=True)
def _sift(a: np.ndarray, lo: int, root: int, n: int) -> None:  # pragma: no cover
    while True:
        child = 2 * root + 1
        if child >= n:
            return
        if child + 1 < n and a[lo + child] < a[lo + child + 1]:
            child += 1
        if a[lo + root] >= a[lo + child]:
            return
        a[lo + root], a[lo + child] = a[lo + child], a[lo + root]
        root = child


@njit(cache=True)
def _first_distinct(u, pool, target, budget, vals, got, seen):  # pragma: no cover
    k = 0
    out = 0
    for r in range(len(target)):
        p = pool[r]
        t = target[r]
        start = out
        for j in range(budget[r]):
            if out - start == t:
                break
            v = np.int64(np.floor(u[k + j] * p))
            if v > p - 1:
                v = p - 1
            if seen[v] == 0:
                seen[v] = 1
                vals[out] = v
                out += 1
        k += budget[r]
        if (out - start) * 64 >= p:
            # dense: read the marks in order (no branch; writes one past the last value)
            o = start
            for v in range(p):
                vals[o] = v
                o += seen[v]
        else:
            _heapsort(vals, start, out)
        for i in range(start, out):
            seen[vals[i]] = 0
        got[r] = out - start
    return out


def first_distinct(u: np.ndarray, pool: np.ndarray, target: np.ndarray,
                   budget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First ``target[r]`` distinct values ``floor(u * pool[r])`` (clipped to
    ``pool[r] - 1``) of row r's ``budget[r]`` draws, for every row of a chunk.

    Parameters
    ----------
    u : float64 (sum(budget),) — the chunk's uniform draws, row after row
    pool, target, budget : int64 (n_rows,)

    Returns
    -------
    vals : int64 — each row's chosen values in ascending order, row after row
    got : int64 (n_rows,) — values found per row (below `target` where the draws ran out)
    """
    i64 = np.int64
    pool, target, budget = (np.ascontiguousarray(a, dtype=i64) for a in (pool, target, budget))
    vals = np.empty(int(target.sum()) + 1, i64)   # + 1: the dense read writes one ahead
    got = np.zeros(len(target), i64)
    seen = np.zeros(max(int(pool.max(initial=0)), 1), np.uint8)
    out = _first_distinct(np.ascontiguousarray(u, dtype=float), pool, target, budget, vals,
                          got, seen)
    return vals[:out], got
