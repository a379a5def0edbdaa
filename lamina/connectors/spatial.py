"""Connectors whose connection probability depends on distance, displacement or indices,
and the small-world connector.

All of them work on chunks of presynaptic rows: for a chunk they compute the
probability matrix (rows x n_post), draw one uniform number per pair in row-major
order and keep the pairs where it falls below the probability. The stream of draws is
therefore the same whatever the chunk size. Where no probability of a chunk lies
strictly between 0 and 1 the draws decide nothing and are skipped (a PCG64 generator
jumps past them). Over several MPI processes the probability connectors compute the
probabilities of the pairs onto their own cells only, and take those draws of the
one-process (row-major) stream: a process whose cells are a run of post indices jumps
over the other draws of each row where they are many (`SKIP_COLUMNS`), else it makes
all the draws (a few ns a pair) and keeps its columns. The small-world connector is
built in full on every process.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from lamina.connectors.base import (ConnectionContext, Connector, Indices, check_bool,
                                    check_probabilities, check_rng, row_chunks, substreams)
from lamina.connectors.per_target import skip_draws
from lamina.connectors.expressions import SafeExpression
from lamina.errors import InvalidParameterValueError
from lamina.random import NumpyRNG

logger = logging.getLogger(__name__)


#: a process draws only its own columns of the pairs' draws, row by row (jumping the
#: generator past the others'), where they leave out more than this many columns a row
#: (a jump and a row's call cost about what 700 draws do)
SKIP_COLUMNS = 1000


def _target_draws(gen: np.random.Generator, n_rows: int, n_post: int,
                  targets: np.ndarray | None) -> np.ndarray:
    """The uniform draws (row-major, one per pair of `n_rows` x `n_post`) at the columns
    `targets` (None: all), leaving `gen` where drawing all of them leaves it. Where
    `targets` is a run of consecutive indices narrow enough (`SKIP_COLUMNS`) and `gen`
    a PCG64, the other columns' draws are jumped over (`PCG64.advance`), not made."""
    if targets is None:
        return gen.random((n_rows, n_post))
    a = int(targets[0]) if len(targets) else 0
    b = a + len(targets)
    run = not len(targets) or int(targets[-1]) == b - 1
    if run and n_post - (b - a) > SKIP_COLUMNS and isinstance(gen.bit_generator,
                                                              np.random.PCG64):
        out = np.empty((n_rows, b - a))
        skip_draws(gen, a)
        bitgen = gen.bit_generator
        # advance() drops a buffered 32-bit half-output: where there is none, it is the
        # skip alone (cheaper than `skip_draws`, which keeps one)
        jump = bitgen.advance if not bitgen.state["has_uint32"] else (
            lambda n: skip_draws(gen, n))
        for r in range(n_rows):
            if r:
                jump(n_post - (b - a))
            gen.random(out=out[r])
        skip_draws(gen, n_post - b)
        return out
    draws = gen.random((n_rows, n_post))
    return draws[:, a:b] if run else draws[:, targets]


class _ProbabilityMatrixConnector(Connector):
    """Base: subclasses give the probability matrix for a chunk of pre rows."""

    parameter_names: tuple[str, ...] = ("allow_self_connections",)
    builds_local_targets = True
    local_order = "row"

    def __init__(self, allow_self_connections: bool, rng: NumpyRNG | None, safe: bool,
                 callback: Callable[[float], Any] | None, weights: Any, delays: Any) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        self.allow_self_connections = check_bool("allow_self_connections", allow_self_connections)
        self.rng = check_rng(rng)

    def _probabilities(self, ctx: ConnectionContext, start: int, stop: int,
                       targets: np.ndarray | None) -> np.ndarray:
        """Probabilities of pre rows [start, stop) to the post cells `targets` (None:
        all), broadcastable to (rows, n_targets)."""
        raise NotImplementedError

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        gen = self._generator(ctx)
        self_post = None if self.allow_self_connections else ctx.post_index_of_pre()
        targets = ctx.local_post
        n_cols = ctx.n_post if targets is None else len(targets)
        column = None   # post index -> column among the targets
        if targets is not None and self_post is not None:
            column = np.full(ctx.n_post + 1, -1, np.int64)
            column[targets] = np.arange(len(targets))
        pres, posts = [], []
        for start, stop in row_chunks(ctx.n_pre, ctx.n_post):
            shape = (stop - start, n_cols)
            prob = np.broadcast_to(self._probabilities(ctx, start, stop, targets), shape)
            if np.all((prob == 0.0) | (prob == 1.0)):
                # no draw decides: skip them (as drawn, the generator ends in one state)
                skip_draws(gen, (stop - start) * ctx.n_post)
                hit = prob == 1.0
            else:
                hit = _target_draws(gen, stop - start, ctx.n_post, targets) < prob
            if self_post is not None:
                own = self_post[start:stop]
                if column is not None:
                    own = column[own]   # -1 (not a target) maps to column[-1] == -1
                rows = np.flatnonzero(own >= 0)
                hit[rows, own[rows]] = False
            r, c = np.nonzero(hit)
            pres.append(r + start)
            posts.append(c if targets is None else targets[c])
            self._progress(stop, ctx.n_pre)
        if not pres:
            return np.empty(0, np.int64), np.empty(0, np.int64), {}
        return (np.concatenate(pres).astype(np.int64), np.concatenate(posts).astype(np.int64), {})


class DistanceDependentProbabilityConnector(_ProbabilityMatrixConnector):
    """Connect with a probability given by an expression of the distance ``d`` (µm).

    Parameters
    ----------
    d_expression : str — e.g. ``"exp(-d/100)"``, ``"d<3"``, ``"0.5*(d<10)"``; may use
        ``d``, ``pi``, ``e``, exp, sqrt, log, sin, cos, abs, minimum, maximum, where, ...
        Values must lie in [0, 1].
    allow_self_connections : bool
    rng : NumpyRNG or None

    Distances are measured with the Projection's `Space` (pre positions to post positions).
    """

    parameter_names = ("d_expression", "allow_self_connections")

    def __init__(self, d_expression: str, allow_self_connections: bool = True,
                 rng: NumpyRNG | None = None, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(allow_self_connections, rng, safe, callback, weights, delays)
        self._expression = SafeExpression(d_expression, ("d",), "d_expression")
        self.d_expression = d_expression

    def _probabilities(self, ctx: ConnectionContext, start: int, stop: int,
                       targets: np.ndarray | None) -> np.ndarray:
        post = ctx.post_positions if targets is None else ctx.post_positions[:, targets]
        d = ctx.space.distances(ctx.pre_positions[:, start:stop], post)
        return check_probabilities(self._expression(d=d), f"d_expression={self.d_expression!r}")


class IndexBasedProbabilityConnector(_ProbabilityMatrixConnector):
    """Connect with a probability given by a function of the pre and post indices.

    Parameters
    ----------
    index_expression : callable ``f(i, j)`` — `i` and `j` are int64 arrays of equal
        shape (rows, n_post) holding the pre and post index of each pair (over several
        MPI processes: the post cells of this process only); returns an array of
        probabilities in [0, 1] broadcastable to that shape
    allow_self_connections : bool
    rng : NumpyRNG or None
    """

    parameter_names = ("index_expression", "allow_self_connections")

    def __init__(self, index_expression: Callable[[np.ndarray, np.ndarray], Any],
                 allow_self_connections: bool = True, rng: NumpyRNG | None = None,
                 safe: bool = True, callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(allow_self_connections, rng, safe, callback, weights, delays)
        if not callable(index_expression):
            raise InvalidParameterValueError(
                f"index_expression={index_expression!r} is invalid; expected a callable f(i, j)")
        self.index_expression = index_expression

    def _probabilities(self, ctx: ConnectionContext, start: int, stop: int,
                       targets: np.ndarray | None) -> np.ndarray:
        i, j = np.meshgrid(np.arange(start, stop, dtype=np.int64),
                           np.arange(ctx.n_post, dtype=np.int64) if targets is None
                           else np.asarray(targets, dtype=np.int64), indexing="ij")
        return check_probabilities(self.index_expression(i, j),
                                   f"index_expression={self.index_expression!r}")


class DisplacementDependentProbabilityConnector(_ProbabilityMatrixConnector):
    """Connect with a probability given by a function of the displacement vector.

    Parameters
    ----------
    disp_function : callable ``f(disp)`` — `disp` is a float array of shape
        (3, rows, n_post): ``disp[:, a, b]`` is post position minus pre position (µm, as
        given by `Space.displacements`: scale/offset applied to post, periodic
        boundaries wrapped, axes not in the Space zero; over several MPI processes the
        post cells of this process only). Returns probabilities in [0, 1]
        of shape (rows, n_post) (or broadcastable). Element-wise functions written for
        PyNN's (3, N) convention, e.g. ``lambda d: exp(-(d[0]**2 + d[1]**2) / 100)``,
        work unchanged.
    allow_self_connections : bool
    rng : NumpyRNG or None
    """

    parameter_names = ("disp_function", "allow_self_connections")

    def __init__(self, disp_function: Callable[[np.ndarray], Any],
                 allow_self_connections: bool = True, rng: NumpyRNG | None = None,
                 safe: bool = True, callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(allow_self_connections, rng, safe, callback, weights, delays)
        if not callable(disp_function):
            raise InvalidParameterValueError(
                f"disp_function={disp_function!r} is invalid; expected a callable f(disp)")
        self.disp_function = disp_function

    def _probabilities(self, ctx: ConnectionContext, start: int, stop: int,
                       targets: np.ndarray | None) -> np.ndarray:
        post = ctx.post_positions if targets is None else ctx.post_positions[:, targets]
        disp = ctx.space.displacements(ctx.pre_positions[:, start:stop], post)
        return check_probabilities(self.disp_function(disp),
                                   f"disp_function={self.disp_function!r}")


class SmallWorldConnector(Connector):
    """Local connectivity with random rewiring (Watts-Strogatz style).

    Each pre cell is connected to the post cells within distance `degree` (d <= degree,
    measured with the Projection's Space); if `n_connections` is given it is instead
    connected to `n_connections` of those, chosen uniformly at random. Each connection is
    then rewired with probability `rewiring` to a post cell chosen uniformly at random
    (excluding the cell itself if self-connections are not allowed; the new target may
    duplicate an existing connection).

    Parameters
    ----------
    degree : float >= 0 — radius of the local neighbourhood (µm)
    rewiring : float in [0, 1] — probability of rewiring each connection
    allow_self_connections : bool
    n_connections : int or None — out-degree before rewiring
    rng : NumpyRNG or None
    """

    parameter_names = ("degree", "rewiring", "allow_self_connections", "n_connections")

    def __init__(self, degree: float, rewiring: float, allow_self_connections: bool = True,
                 n_connections: int | None = None, rng: NumpyRNG | None = None,
                 safe: bool = True, callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        if isinstance(degree, bool) or not isinstance(degree, (int, float, np.number)) \
                or not degree >= 0:
            raise InvalidParameterValueError(
                f"degree={degree!r} is invalid; expected a distance >= 0 (µm)")
        if isinstance(rewiring, bool) or not isinstance(rewiring, (int, float, np.number)) \
                or not 0 <= rewiring <= 1:
            raise InvalidParameterValueError(
                f"rewiring={rewiring!r} is invalid; expected a probability in [0, 1]")
        if n_connections is not None and (isinstance(n_connections, bool) or not isinstance(
                n_connections, (int, np.integer)) or n_connections < 0):
            raise InvalidParameterValueError(
                f"n_connections={n_connections!r} is invalid; expected an integer >= 0 or None")
        self.degree = float(degree)
        self.rewiring = float(rewiring)
        self.allow_self_connections = check_bool("allow_self_connections", allow_self_connections)
        self.n_connections = None if n_connections is None else int(n_connections)
        self.rng = check_rng(rng)

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        select_gen, rewire_gen = substreams(self._generator(ctx), 2)
        self_post = ctx.post_index_of_pre()
        if self.allow_self_connections:
            self_post = np.full(ctx.n_pre, -1, np.int64)
        pres, posts = [], []
        for start, stop in row_chunks(ctx.n_pre, ctx.n_post):
            local = ctx.space.distances(ctx.pre_positions[:, start:stop],
                                        ctx.post_positions) <= self.degree
            rows = np.flatnonzero(self_post[start:stop] >= 0)
            local[rows, self_post[start:stop][rows]] = False
            if self.n_connections is not None:
                local = self._choose(local, select_gen, start)
            r, c = np.nonzero(local)
            pres.append(r + start)
            posts.append(c)
            self._progress(stop, ctx.n_pre)
        pre = np.concatenate(pres).astype(np.int64) if pres else np.empty(0, np.int64)
        post = np.concatenate(posts).astype(np.int64) if posts else np.empty(0, np.int64)
        # rewiring: two uniform draws per connection, in connection order
        u = rewire_gen.random((pre.size, 2))
        rewire = u[:, 0] < self.rewiring
        excl = self_post[pre[rewire]]
        pool = ctx.n_post - (excl >= 0)
        new = np.minimum(np.floor(u[rewire, 1] * pool).astype(np.int64), pool - 1)
        post[rewire] = new + ((excl >= 0) & (new >= excl))
        return pre, post, {}

    def _choose(self, local: np.ndarray, gen: np.random.Generator, start: int) -> np.ndarray:
        n = self.n_connections
        available = local.sum(axis=1)
        if (available < n).any():
            row = int(np.flatnonzero(available < n)[0])
            raise InvalidParameterValueError(
                f"SmallWorldConnector: n_connections={n} but pre cell {start + row} has only "
                f"{int(available[row])} post cells within degree={self.degree}")
        keys = gen.random(local.shape)
        keys[~local] = np.inf
        chosen = np.zeros_like(local)
        if n:
            idx = np.argpartition(keys, n - 1, axis=1)[:, :n] if n < local.shape[1] \
                else np.broadcast_to(np.arange(local.shape[1]), local.shape)
            np.put_along_axis(chosen, idx, True, axis=1)
        return chosen & local
