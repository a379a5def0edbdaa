"""All-to-all, one-to-one, fixed-probability and fixed-total-number connectors."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from lamina.connectors.base import (ConnectionContext, Connector, Indices, check_bool,
                                    check_rng, empty_indices)
from lamina.connectors.fixed_number import check_count, choose_per_row
from lamina.errors import InvalidDimensionsError, InvalidParameterValueError
from lamina.random import NumpyRNG

logger = logging.getLogger(__name__)

_BATCH = 1 << 20


def _drop_self(ctx: ConnectionContext, pre: np.ndarray, post: np.ndarray) -> Indices:
    keep = ctx.post_index_of_pre()[pre] != post
    return pre[keep], post[keep], {}


class AllToAllConnector(Connector):
    """Connect every presynaptic cell to every postsynaptic cell.

    Parameters
    ----------
    allow_self_connections : bool — if False, skip pairs where pre and post are the same cell
    """

    parameter_names = ("allow_self_connections",)

    def __init__(self, allow_self_connections: bool = True, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        self.allow_self_connections = check_bool("allow_self_connections", allow_self_connections)

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        pre = np.repeat(np.arange(ctx.n_pre, dtype=np.int64), ctx.n_post)
        post = np.tile(np.arange(ctx.n_post, dtype=np.int64), ctx.n_pre)
        self._progress(1, 1)
        if self.allow_self_connections:
            return pre, post, {}
        return _drop_self(ctx, pre, post)


class OneToOneConnector(Connector):
    """Connect pre cell i to post cell i; both populations must have the same size."""

    def __init__(self, safe: bool = True, callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        if ctx.n_pre != ctx.n_post:
            raise InvalidDimensionsError(
                f"OneToOneConnector needs populations of the same size; got n_pre={ctx.n_pre} "
                f"and n_post={ctx.n_post}")
        idx = np.arange(ctx.n_pre, dtype=np.int64)
        return idx, idx.copy(), {}


class FixedProbabilityConnector(Connector):
    """Connect each (pre, post) pair independently with probability `p_connect`.

    Each pair is a Bernoulli trial, so out-degrees are Binomial(n_post, p) and in-degrees
    Binomial(n_pre, p). Implemented by drawing geometric gaps between successive
    connections in the flattened (pre, post) matrix: cost and memory are proportional
    to the number of connections.

    Parameters
    ----------
    p_connect : float in [0, 1] — connection probability
    allow_self_connections : bool
    rng : NumpyRNG or None — None uses the Projection's RNG
    """

    parameter_names = ("p_connect", "allow_self_connections")

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

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        n_post = ctx.n_post
        total = ctx.n_pre * n_post
        p = self.p_connect
        if total == 0 or p == 0.0:
            return empty_indices()
        if p == 1.0:
            return AllToAllConnector(self.allow_self_connections).connect_indices(ctx)
        gen = self._generator(ctx)
        log_q = np.log1p(-p)
        batch = int(min(_BATCH, max(64, p * total * 1.02 + 64)))
        parts = []
        start = 0  # flat index of the next candidate pair
        while start < total:
            # failures before the next success: floor(log(U) / log(1-p)), U in (0, 1]
            gaps = np.floor(np.log1p(-gen.random(batch)) / log_q)
            np.minimum(gaps, total, out=gaps)
            flat = start + np.cumsum(gaps.astype(np.int64) + 1) - 1
            if flat[-1] >= total:
                parts.append(flat[flat < total])
                break
            parts.append(flat)
            start = int(flat[-1]) + 1
            self._progress(start, total)
        self._progress(total, total)
        flat = np.concatenate(parts)
        pre, post = np.divmod(flat, n_post)
        if self.allow_self_connections:
            return pre, post, {}
        return _drop_self(ctx, pre, post)


class FixedTotalNumberConnector(Connector):
    """Create exactly `n` connections between pairs chosen uniformly at random.

    With replacement the per-pair counts are multinomial (the same pair may be chosen
    more than once); without replacement `n` distinct pairs are chosen.

    Parameters
    ----------
    n : int >= 0 — total number of connections
    allow_self_connections : bool
    with_replacement : bool
    rng : NumpyRNG or None
    """

    parameter_names = ("n", "allow_self_connections", "with_replacement")

    def __init__(self, n: int, allow_self_connections: bool = True, with_replacement: bool = True,
                 rng: NumpyRNG | None = None, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        self.n = check_count("n", n, allow_random=False)
        self.allow_self_connections = check_bool("allow_self_connections", allow_self_connections)
        self.with_replacement = check_bool("with_replacement", with_replacement)
        self.rng = check_rng(rng)

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        gen = self._generator(ctx)
        excluded = (np.full(ctx.n_pre, -1, np.int64) if self.allow_self_connections
                    else ctx.post_index_of_pre())
        allowed = ctx.n_post - (excluded >= 0)
        n_pairs = int(allowed.sum())
        if self.n == 0:
            return empty_indices()
        if n_pairs == 0 or (not self.with_replacement and self.n > n_pairs):
            raise InvalidParameterValueError(
                f"FixedTotalNumberConnector: n={self.n} connections cannot be made among "
                f"{n_pairs} allowed (pre, post) pairs (with_replacement={self.with_replacement})")
        if self.with_replacement:
            counts = gen.multinomial(self.n, allowed / n_pairs)
            rows, cols = choose_per_row(counts, allowed, excluded, True, gen)
            return rows, cols, {}
        chosen = np.sort(gen.choice(n_pairs, size=self.n, replace=False))
        offsets = np.concatenate(([0], np.cumsum(allowed)))
        pre = np.searchsorted(offsets, chosen, side="right") - 1
        rank = chosen - offsets[pre]
        post = rank + ((excluded[pre] >= 0) & (rank >= excluded[pre]))
        self._progress(1, 1)
        return pre.astype(np.int64), post.astype(np.int64), {}
