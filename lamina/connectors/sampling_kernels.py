"""Compiled inner loop of the per-row sampler of `fixed_number` (numba, cached on disk).

`first_distinct` turns a row chunk's stream of uniform draws into the first `target[r]`
distinct values of each row, exactly as the vectorised rule of
`fixed_number._distinct_chunk` does (same draws, same values), but in one pass with a
"seen" mark per pool element instead of a sort of the whole chunk, and returns each row's
values sorted, so that no sort of the chunk is needed afterwards. Compiles in about a
second the first time (then loaded from numba's cache).
"""
from __future__ import annotations

import numpy as np
from numba import njit

#: largest pool handled here: the kernel keeps one int32 mark per pool element
MAX_POOL = 1 << 22


@njit(cache=True)
def first_distinct(u: np.ndarray, pool: np.ndarray, target: np.ndarray,
                   budget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
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
    n_rows = len(target)
    vals = np.empty(target.sum() + 1, np.int64)   # + 1: the scan below writes one ahead
    got = np.zeros(n_rows, np.int64)
    seen = np.zeros(max(pool.max(), 1) if n_rows else 1, np.uint8)
    k = 0
    out = 0
    for r in range(n_rows):
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
            vals[start:out].sort()
        for i in range(start, out):
            seen[vals[i]] = 0
        got[r] = out - start
    return vals[:out], got
