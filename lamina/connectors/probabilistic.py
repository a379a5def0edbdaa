"""All-to-all, one-to-one, fixed-probability and fixed-total-number connectors."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from lamina.connectors import base, per_target
from lamina.connectors.base import (ConnectionContext, Connector, Indices, check_bool,
                                    check_rng, row_chunks)
from lamina.connectors.fixed_number import check_count, iter_choose_per_row
from lamina.errors import InvalidDimensionsError, InvalidParameterValueError
from lamina.random import NumpyRNG

logger = logging.getLogger(__name__)

#: numpy's multivariate hypergeometric ("marginals") is exact below this many items
_HYPERGEOMETRIC_LIMIT = 10**9


def _drop_self(ctx: ConnectionContext, pre: np.ndarray, post: np.ndarray) -> Indices:
    keep = ctx.post_index_of_pre()[pre] != post
    return pre[keep], post[keep], {}


class AllToAllConnector(Connector):
    """Connect every presynaptic cell to every postsynaptic cell.

    Parameters
    ----------
    allow_self_connections : bool — if False, skip pairs where pre and post are the same cell

    Connections come pre cell by pre cell; over several MPI processes each makes only
    those onto its own cells.
    """

    parameter_names = ("allow_self_connections",)
    builds_local_targets = True
    local_order = "row"

    def __init__(self, allow_self_connections: bool = True, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        self.allow_self_connections = check_bool("allow_self_connections", allow_self_connections)

    def expected_connections(self, n_pre: int, n_post: int) -> tuple[float, float]:
        return float(n_pre) * float(n_post), 0.0

    def connect_chunks(self, ctx: ConnectionContext) -> Iterator[Indices]:
        targets = ctx.targets()
        for start, stop in row_chunks(ctx.n_pre, len(targets)):
            pre = np.repeat(np.arange(start, stop, dtype=np.int64), len(targets))
            post = np.tile(targets, stop - start)
            yield (pre, post, {}) if self.allow_self_connections \
                else _drop_self(ctx, pre, post)
        self._progress(1, 1)


class OneToOneConnector(Connector):
    """Connect pre cell i to post cell i; both populations must have the same size."""

    builds_local_targets = True

    def __init__(self, safe: bool = True, callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)

    def expected_connections(self, n_pre: int, n_post: int) -> tuple[float, float]:
        return float(min(n_pre, n_post)), 0.0

    def connect_chunks(self, ctx: ConnectionContext) -> Iterator[Indices]:
        if ctx.n_pre != ctx.n_post:
            raise InvalidDimensionsError(
                f"OneToOneConnector needs populations of the same size; got n_pre={ctx.n_pre} "
                f"and n_post={ctx.n_post}")
        targets = ctx.targets()
        for start, stop in row_chunks(len(targets), 1):
            idx = targets[start:stop]
            yield idx.copy(), idx.copy(), {}


class FixedProbabilityConnector(Connector):
    """Connect each (pre, post) pair independently with probability `p_connect`.

    Each pair is a Bernoulli trial, so out-degrees are Binomial(n_post, p) and in-degrees
    Binomial(n_pre, p). The trials of each target cell come from a random stream of its
    own, derived from one draw of `rng` and the target's index
    (`lamina.connectors.per_target`), as geometric gaps between its successive
    connections: cost and memory are proportional to the number of connections, and
    over several MPI processes each draws only the connections onto its own cells, the
    same network for any number of processes. Connections come target by target.

    Parameters
    ----------
    p_connect : float in [0, 1] — connection probability
    allow_self_connections : bool
    rng : NumpyRNG or None — None uses the Projection's RNG
    """

    parameter_names = ("p_connect", "allow_self_connections")
    builds_local_targets = True

    def __init__(self, p_connect: float, allow_self_connections: bool = True,
                 rng: NumpyRNG | None = None, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        if isinstance(p_connect, bool) or not isinstance(p_connect, (int, float, np.number)) \
                or not 0.0 <= float(p_connect) <= 1.0:
            raise InvalidParameterValueError(
                f"p_connect={p_connect!r} is invalid; expected a probability in [0, 1]")
        self.p_connect = float(p_connect)
        self.allow_self_connections = check_bool("allow_self_connections", allow_self_connections)
        self.rng = check_rng(rng)

    def expected_connections(self, n_pre: int, n_post: int) -> tuple[float, float]:
        pairs, p = float(n_pre) * float(n_post), min(max(self.p_connect, 0.0), 1.0)
        return pairs * p, (pairs * p * (1.0 - p)) ** 0.5

    def connect_chunks(self, ctx: ConnectionContext) -> Iterator[Indices]:
        if ctx.n_pre * ctx.n_post == 0 or self.p_connect == 0.0:
            return
        key = per_target.target_key(self._generator(ctx))
        targets = ctx.targets()
        excluded = (np.full(len(targets), -1, np.int64) if self.allow_self_connections
                    else ctx.pre_index_of_post()[targets])
        for pre, post, done in per_target.bernoulli_chunks(key, targets, ctx.n_pre, excluded,
                                                           self.p_connect):
            yield pre, post, {}
            self._progress(done, len(targets))
        self._progress(1, 1)


class FixedTotalNumberConnector(Connector):
    """Create exactly `n` connections between pairs chosen uniformly at random.

    With replacement the per-pair counts are multinomial (the same pair may be chosen
    more than once); without replacement `n` distinct pairs are chosen. Drawn target by
    target: first how many connections each target gets (multinomial, or multivariate
    hypergeometric without replacement), then its sources, each target's a fixed stretch
    of the generator's stream, so that over several MPI processes each draws only the
    sources of its own cells (the same network for any number of processes).

    Parameters
    ----------
    n : int >= 0 — total number of connections
    allow_self_connections : bool
    with_replacement : bool
    rng : NumpyRNG or None
    """

    parameter_names = ("n", "allow_self_connections", "with_replacement")
    builds_local_targets = True

    def __init__(self, n: int, allow_self_connections: bool = True, with_replacement: bool = True,
                 rng: NumpyRNG | None = None, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        self.n = check_count("n", n, allow_random=False)
        self.allow_self_connections = check_bool("allow_self_connections", allow_self_connections)
        self.with_replacement = check_bool("with_replacement", with_replacement)
        self.rng = check_rng(rng)

    def expected_connections(self, n_pre: int, n_post: int) -> tuple[float, float]:
        return float(self.n), 0.0

    def connect_chunks(self, ctx: ConnectionContext) -> Iterator[Indices]:
        gen = self._generator(ctx)
        # target by target: the count of each target's connections, then its sources
        excluded = (np.full(ctx.n_post, -1, np.int64) if self.allow_self_connections
                    else ctx.pre_index_of_post())
        allowed = ctx.n_pre - (excluded >= 0)
        n_pairs = int(allowed.sum())
        if self.n == 0:
            return
        if n_pairs == 0 or (not self.with_replacement and self.n > n_pairs):
            raise InvalidParameterValueError(
                f"FixedTotalNumberConnector: n={self.n} connections cannot be made among "
                f"{n_pairs} allowed (pre, post) pairs (with_replacement={self.with_replacement})")
        if self.with_replacement:
            counts = gen.multinomial(self.n, allowed / n_pairs)
        elif n_pairs < _HYPERGEOMETRIC_LIMIT:
            counts = gen.multivariate_hypergeometric(allowed, self.n)
        else:   # beyond numpy's exact multivariate hypergeometric: draw the pairs at once
            yield from self._distinct_pairs(ctx, gen, excluded, allowed, n_pairs)
            return
        for rows, cols in iter_choose_per_row(counts, allowed, excluded, self.with_replacement,
                                              gen, ctx.local_post):
            yield cols, rows, {}
        self._progress(1, 1)

    def _distinct_pairs(self, ctx: ConnectionContext, gen: np.random.Generator,
                        excluded: np.ndarray, allowed: np.ndarray, n_pairs: int
                        ) -> Iterator[Indices]:
        """`n` distinct allowed pairs, numbered target by target, from one draw (every
        process makes it whole and keeps its targets' connections)."""
        chosen = np.sort(gen.choice(n_pairs, size=self.n, replace=False))
        offsets = np.concatenate(([0], np.cumsum(allowed)))
        wanted = None
        if ctx.local_post is not None:
            wanted = np.zeros(ctx.n_post, bool)
            wanted[ctx.local_post] = True
        for a in range(0, self.n, base.CHUNK_ENTRIES):
            part = chosen[a:a + base.CHUNK_ENTRIES]
            post = np.searchsorted(offsets, part, side="right") - 1
            rank = part - offsets[post]
            pre = rank + ((excluded[post] >= 0) & (rank >= excluded[post]))
            if wanted is not None:
                keep = wanted[post]
                pre, post = pre[keep], post[keep]
            yield pre.astype(np.int64), post.astype(np.int64), {}
        self._progress(1, 1)
