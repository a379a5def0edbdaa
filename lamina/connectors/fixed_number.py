"""Fixed-in-degree and fixed-out-degree connectors, and the per-row sampler they share.

Sampling `c` distinct elements of a pool of size `P` (without replacement) uses the
"first `c` distinct values of a stream of uniform draws" rule, which gives a uniformly
random `c`-subset. When ``c > P/2`` the ``P - c`` elements to leave out are sampled
instead. Each row gets a fixed number of draws (depending only on `c` and `P`), so the
draws for row `r` are always the same stretch of the generator's stream whatever the
chunking; the rare rows that do not reach `c` distinct values are completed from a
separate generator, in row order. The first-distinct rule runs compiled
(`sampling_kernels.first_distinct`: one pass with a mark per pool element, each row's
values come out sorted); pools above `sampling_kernels.MAX_POOL` use the equivalent
sort-based form. Both give the same connections.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from scipy import special

from lamina.connectors import base, per_target, sampling_kernels
from lamina.connectors.base import (ConnectionContext, Connector, Indices,
                                    check_bool, check_rng)
from lamina.errors import InvalidParameterValueError
from lamina.random import NumpyRNG, RandomDistribution

logger = logging.getLogger(__name__)


def check_count(name: str, value: Any, allow_random: bool = True) -> Any:
    """Validate a connection count: an int >= 0, or (if allowed) a RandomDistribution."""
    if allow_random and isinstance(value, RandomDistribution):
        return value
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        allowed = "an integer >= 0" + (" or a RandomDistribution" if allow_random else "")
        raise InvalidParameterValueError(f"{name}={value!r} is invalid; expected {allowed}")
    return int(value)


def _draw_budget(target: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Number of uniform draws per row to get `target` distinct values w.h.p."""
    t = target.astype(float)
    P = pool.astype(float)
    lo = np.maximum(P - t + 1, 1.0)
    mean = P * (special.digamma(P + 1) - special.digamma(lo))
    var = P * (P * (special.polygamma(1, lo) - special.polygamma(1, P + 1))
               - (special.digamma(P + 1) - special.digamma(lo)))
    budget = np.ceil(mean + 5.0 * np.sqrt(np.maximum(var, 0.0)) + 4.0)
    return np.where(target > 0, budget, 0).astype(np.int64)


def _distinct_chunk(gen: np.random.Generator, fallback: int, first_row: int,
                    target: np.ndarray, pool: np.ndarray, budget: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, bool]:
    """First `target[r]` distinct values in [0, pool[r]) for each row r of a chunk (rows
    ``first_row ...`` of the whole): (rows, values, whether they are sorted by (row,
    value)). A row whose draws run short is completed from a generator of its own, seeded
    by (`fallback`, its row index)."""
    n_rows = len(target)
    draws = gen.random(int(budget.sum()))
    if n_rows and int(pool.max()) <= sampling_kernels.MAX_POOL:
        vals, got = sampling_kernels.first_distinct(draws, pool, target, budget)
        rows = np.repeat(np.arange(n_rows, dtype=np.int64), got)
    else:
        rows, vals = _first_distinct_sorting(draws, pool, target, budget)
        got = np.bincount(rows, minlength=n_rows)
    del draws
    short = np.flatnonzero(got < target)
    if short.size:
        extra_rows, extra_vals = [rows], [vals]
        for r in short:  # rare: complete the subset uniformly from the unused values
            remaining = np.setdiff1d(np.arange(pool[r]), vals[rows == r])
            row_gen = np.random.Generator(np.random.PCG64([fallback, first_row + int(r)]))
            extra = row_gen.choice(remaining, size=int(target[r] - got[r]), replace=False)
            extra_rows.append(np.full(extra.size, r, np.int64))
            extra_vals.append(extra.astype(np.int64))
        rows, vals = np.concatenate(extra_rows), np.concatenate(extra_vals)
    return rows, vals, not short.size and int(pool.max(initial=0)) <= sampling_kernels.MAX_POOL


def _first_distinct_sorting(draws: np.ndarray, pool: np.ndarray, target: np.ndarray,
                            budget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`sampling_kernels.first_distinct` by sorting the whole chunk (for pools too large
    for its marks): (rows, values) in the order of the draws; the same values."""
    n_rows = len(target)
    row = np.repeat(np.arange(n_rows, dtype=np.int64), budget)
    values = np.floor(draws * pool[row]).astype(np.int64)
    np.minimum(values, pool[row] - 1, out=values)
    width = int(pool.max()) + 1 if n_rows else 1
    _, first = np.unique(row * width + values, return_index=True)
    first.sort()
    first_row = row[first]
    starts = np.searchsorted(first_row, np.arange(n_rows))
    rank = np.arange(first.size) - starts[first_row]
    keep = rank < target[first_row]
    return first_row[keep], values[first[keep]]


def choose_per_row(counts: np.ndarray, pool: np.ndarray, excluded: np.ndarray,
                   with_replacement: bool, gen: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Choose `counts[r]` elements for each row r from its pool (all rows at once).

    Parameters
    ----------
    counts : int array (n_rows,) — elements to choose per row
    pool : int array (n_rows,) — pool size per row (the excluded element not counted)
    excluded : int array (n_rows,) — element index skipped in each row, or -1
    with_replacement : bool
    gen : numpy Generator

    Returns
    -------
    rows, cols : int32 arrays (int64 for pools or row counts of 2**31 and more), sorted
    by (row, col); cols index the full pool
    """
    parts = list(iter_choose_per_row(counts, pool, excluded, with_replacement, gen))
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _runs(rows: np.ndarray | None, n_rows: int) -> list[tuple[int, int]]:
    """Ranges [a, b) of consecutive row indices in `rows` (ascending; None: all rows)."""
    if rows is None:
        return [(0, n_rows)] if n_rows else []
    rows = np.asarray(rows, dtype=np.int64)
    if not rows.size:
        return []
    cut = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate(([0], cut))
    stops = np.concatenate((cut, [rows.size]))
    return [(int(rows[a]), int(rows[b - 1]) + 1) for a, b in zip(starts, stops)]


def iter_choose_per_row(counts: np.ndarray, pool: np.ndarray, excluded: np.ndarray,
                        with_replacement: bool, gen: np.random.Generator,
                        rows_wanted: np.ndarray | None = None
                        ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """`choose_per_row` as (rows, cols) chunks of consecutive rows, each sorted; the draws
    (and so the result) do not depend on the chunking. Each row's draws are a stretch of
    `gen`'s stream of a length fixed by its count and pool, so with `rows_wanted`
    (ascending row indices) only those rows are drawn, the others skipped
    (`per_target.skip_draws`), with the same result for them and `gen` left in the same
    state as drawing all."""
    counts = np.asarray(counts, dtype=np.int64)
    n_rows = len(counts)
    runs = _runs(rows_wanted, n_rows)
    if with_replacement:
        # one draw per element, in row order: rows are cut where the draws add up
        ends = np.cumsum(counts)
        done = 0
        for a, b in runs:
            per_target.skip_draws(gen, int(counts[done:a].sum()))
            start = a
            while start < b:
                limit = (ends[start - 1] if start else 0) + base.CHUNK_ENTRIES
                stop = min(b, max(start + 1, int(np.searchsorted(ends, limit, side="right"))))
                rows = np.repeat(np.arange(start, stop, dtype=np.int64), counts[start:stop])
                vals = np.floor(gen.random(rows.size) * pool[rows]).astype(np.int64)
                np.minimum(vals, pool[rows] - 1, out=vals)
                yield _sorted_pairs(rows, vals, excluded, pool)
                start = stop
            done = b
        per_target.skip_draws(gen, int(counts[done:].sum()))
        return
    # one draw of `gen` (as `substreams(gen, 1)` took) seeds the rare short rows' completion
    fallback = int(gen.integers(0, np.iinfo(np.int64).max, size=1, dtype=np.int64)[0])
    complement = 2 * counts > pool
    target = np.where(complement, pool - counts, counts)
    budget = _draw_budget(target, pool)
    cost = np.cumsum(budget + np.where(complement, pool, 0))
    done = 0
    for a, b in runs:
        per_target.skip_draws(gen, int(budget[done:a].sum()))
        yield from _choose_distinct(gen, fallback, a, b, counts, pool, excluded, complement,
                                    target, budget, cost)
        done = b
    per_target.skip_draws(gen, int(budget[done:].sum()))


def _choose_distinct(gen: np.random.Generator, fallback: int, a: int, b: int,
                     counts: np.ndarray, pool: np.ndarray, excluded: np.ndarray,
                     complement: np.ndarray, target: np.ndarray, budget: np.ndarray,
                     cost: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Rows [a, b) of `iter_choose_per_row` without replacement, in chunks."""
    start = a
    while start < b:
        limit = (cost[start - 1] if start else 0) + base.CHUNK_ENTRIES
        stop = min(b, max(start + 1, int(np.searchsorted(cost, limit, side="right"))))
        sl = slice(start, stop)
        rows, vals, presorted = _distinct_chunk(gen, fallback, start, target[sl], pool[sl],
                                                budget[sl])
        comp = complement[sl]
        if comp.any():
            presorted = False
            keep = ~comp[rows]
            comp_rows = np.flatnonzero(comp)
            comp_pool = pool[sl][comp_rows]
            mask = np.arange(int(comp_pool.max()))[None, :] < comp_pool[:, None]
            local = np.full(stop - start, -1, np.int64)
            local[comp_rows] = np.arange(comp_rows.size)
            left_out = ~keep
            mask[local[rows[left_out]], vals[left_out]] = False
            r_c, v_c = np.nonzero(mask)
            rows = np.concatenate((rows[keep], comp_rows[r_c]))
            vals = np.concatenate((vals[keep], v_c))
        rows += start
        yield _sorted_pairs(rows, vals, excluded, pool, presorted)
        start = stop


def _sorted_pairs(rows: np.ndarray, vals: np.ndarray, excluded: np.ndarray,
                  pool: np.ndarray, presorted: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) sorted by (row, col), cols skipping each row's excluded element; int32
    where the sizes allow (halves the memory of large connection lists). `presorted`:
    the pairs are sorted by (row, value) already (skipping is monotonic within a row)."""
    ex = excluded[rows]
    cols = vals + ((ex >= 0) & (vals >= ex))
    del ex, vals
    width = int(pool.max()) + 2 if len(pool) else 1
    small = max(len(pool), width) < 2**31
    dt = np.int32 if small else np.int64
    if presorted:
        return rows.astype(dt), cols.astype(dt)
    order = np.argsort(rows * width + cols, kind="stable")
    return rows[order].astype(dt), cols[order].astype(dt)


class _FixedNumberConnector(Connector):
    parameter_names = ("n", "allow_self_connections", "with_replacement")
    _rows_are_post = True

    def __init__(self, n: int | RandomDistribution, allow_self_connections: bool = True,
                 with_replacement: bool = False, rng: NumpyRNG | None = None, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        self.n = check_count("n", n)
        self.allow_self_connections = check_bool("allow_self_connections", allow_self_connections)
        self.with_replacement = check_bool("with_replacement", with_replacement)
        self.rng = check_rng(rng)

    def expected_connections(self, n_pre: int, n_post: int) -> tuple[float, float] | None:
        if isinstance(self.n, RandomDistribution):
            return None
        return float(self.n) * float(n_post if self._rows_are_post else n_pre), 0.0

    def connect_chunks(self, ctx: ConnectionContext) -> Iterator[Indices]:
        if self._rows_are_post:
            n_rows, n_pool = ctx.n_post, ctx.n_pre
            excluded = ctx.pre_index_of_post()
        else:
            n_rows, n_pool = ctx.n_pre, ctx.n_post
            excluded = ctx.post_index_of_pre()
        if self.allow_self_connections:
            excluded = np.full(n_rows, -1, np.int64)
        pool = n_pool - (excluded >= 0).astype(np.int64)
        if isinstance(self.n, RandomDistribution):
            drawn = np.asarray(self.n.next(n_rows), dtype=float)
            counts = np.rint(drawn).astype(np.int64)
            if counts.size and counts.min() < 0:
                raise InvalidParameterValueError(
                    f"{type(self).__name__}: n={self.n!r} drew a negative number of "
                    f"connections ({counts.min()})")
        else:
            counts = np.full(n_rows, self.n, np.int64)
        side = "pre" if self._rows_are_post else "post"
        if n_rows and (counts > 0).any() and (pool[counts > 0] == 0).any():
            raise InvalidParameterValueError(
                f"{type(self).__name__}: n={self.n!r} but there are no {side} cells to choose from")
        if not self.with_replacement and n_rows and (counts > pool).any():
            row = int(np.flatnonzero(counts > pool)[0])
            raise InvalidParameterValueError(
                f"{type(self).__name__}: n={int(counts[row])} exceeds the {int(pool[row])} "
                f"available {side} cells; use with_replacement=True or a smaller n")
        gen = self._generator(ctx)
        if self._rows_are_post:
            for rows, cols in iter_choose_per_row(counts, pool, excluded,
                                                  self.with_replacement, gen, ctx.local_post):
                yield cols, rows, {}
        else:
            # a pre cell's picks land anywhere: all are drawn, only the local ones kept
            wanted = None
            if ctx.local_post is not None:
                wanted = np.zeros(ctx.n_post, bool)
                wanted[ctx.local_post] = True
            for rows, cols in iter_choose_per_row(counts, pool, excluded,
                                                  self.with_replacement, gen):
                if wanted is not None:
                    keep = wanted[cols]
                    rows, cols = rows[keep], cols[keep]
                yield rows, cols, {}
        self._progress(1, 1)


class FixedNumberPreConnector(_FixedNumberConnector):
    """Give each postsynaptic cell exactly `n` presynaptic partners chosen at random.

    Parameters
    ----------
    n : int or RandomDistribution — in-degree (a distribution is drawn once per post cell)
    allow_self_connections : bool
    with_replacement : bool — if True the same pre cell may be chosen more than once
    rng : NumpyRNG or None

    Over several MPI processes each draws only the in-connections of its own cells (the
    draws of the other cells' rows are skipped): the same network for any number.
    """

    _rows_are_post = True
    builds_local_targets = True


class FixedNumberPostConnector(_FixedNumberConnector):
    """Give each presynaptic cell exactly `n` postsynaptic targets chosen at random.

    Parameters
    ----------
    n : int or RandomDistribution — out-degree (a distribution is drawn once per pre cell)
    allow_self_connections : bool
    with_replacement : bool — if True the same post cell may be chosen more than once
    rng : NumpyRNG or None

    Over several MPI processes each keeps only the connections onto its own cells; as
    any pick of a pre cell may land on any process, every process makes all the draws
    (which of its picks are distinct depends on all the draws of a row).
    """

    _rows_are_post = False
    builds_local_targets = True
    local_order = "row"
