"""Compiled helpers (numba, cached on disk) for building connection tables in linear
time: a stable counting sort, which orders connections by small integer keys (source row
within a chunk or bucket, delay, target part) instead of `numpy.lexsort`'s comparison
sort, and a copy of many short runs. Small on purpose: compiles in about a second the
first time.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_I64 = np.int64


@njit(cache=True)
def _counting_order(key: np.ndarray, n_keys: int) -> np.ndarray:  # pragma: no cover
    """Permutation sorting `key` (int64 in [0, n_keys)) ascending; stable."""
    start = np.zeros(n_keys + 1, np.int64)
    for k in key:
        start[k + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    order = np.empty(len(key), np.int64)
    for i in range(len(key)):
        k = key[i]
        order[start[k]] = i
        start[k] += 1
    return order


@njit(cache=True)
def _counting_scatter(key: np.ndarray, n_keys: int,
                      values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    count = np.zeros(n_keys, np.int64)
    for k in key:
        count[k] += 1
    start = np.empty(n_keys, np.int64)
    total = 0
    for k in range(n_keys):
        start[k] = total
        total += count[k]
    out = np.empty_like(values)
    for i in range(len(key)):
        k = key[i]
        out[start[k]] = values[i]
        start[k] += 1
    return count, out


def pack_keys(*keys: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]] | None:
    """One int64 key ordering like `keys` (most significant first), and each key's
    (lowest value, number of values); None where their combined range is not small (a few
    times the number of items)."""
    n = len(keys[0])
    combined = np.zeros(n, _I64)
    ranges = []
    width = 1
    for k in keys:
        lo, hi = (int(k.min()), int(k.max())) if n else (0, 0)
        ranges.append((lo, hi - lo + 1))
        if lo == hi:
            continue
        width *= hi - lo + 1
        if width > 4 * n + (1 << 16):
            return None
        combined *= hi - lo + 1
        combined += k
        combined -= lo
    return combined, ranges


def counting_scatter(key: np.ndarray, n_keys: int,
                     values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`values` sorted stably by `key` (int64 in [0, n_keys)), and the count of each key."""
    return _counting_scatter(key, n_keys, values)


def stable_order(*keys: np.ndarray) -> np.ndarray:
    """Permutation sorting by `keys` (most significant first), ties in the given order:
    ``np.lexsort(keys[::-1])``, by counting sort where the keys' combined range is small
    (see `pack_keys`), else by `numpy.lexsort`."""
    packed = pack_keys(*keys)
    if packed is None:
        return np.lexsort(keys[::-1])
    key, ranges = packed
    return _counting_order(key, int(np.prod([r[1] for r in ranges])))


@njit(cache=True)
def _copy_runs(src: np.ndarray, src_start: np.ndarray, lens: np.ndarray,
               dst: np.ndarray, dst_start: np.ndarray) -> None:  # pragma: no cover
    for i in range(len(lens)):
        a, b = src_start[i], dst_start[i]
        for j in range(lens[i]):
            dst[b + j] = src[a + j]


def copy_runs(src: np.ndarray, src_start: np.ndarray, lens: np.ndarray, dst: np.ndarray,
              dst_start: np.ndarray) -> None:
    """``dst[dst_start[i]:][:lens[i]] = src[src_start[i]:][:lens[i]]`` for every i
    (int64 starts and lengths; `src` and `dst` of one dtype)."""
    _copy_runs(src, src_start, lens, dst, dst_start)


@njit(cache=True)
def _fill_runs(dst: np.ndarray, dst_start: np.ndarray, lens: np.ndarray,
               value: float) -> None:  # pragma: no cover
    for i in range(len(lens)):
        b = dst_start[i]
        for j in range(lens[i]):
            dst[b + j] = value


def fill_runs(dst: np.ndarray, dst_start: np.ndarray, lens: np.ndarray, value: float) -> None:
    """``dst[dst_start[i]:][:lens[i]] = value`` for every i (`dst` float64)."""
    _fill_runs(dst, dst_start, lens, float(value))
