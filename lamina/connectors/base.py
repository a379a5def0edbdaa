"""Connector base class, the context a Projection passes to it, and shared helpers.

A `Projection` builds a `ConnectionContext` and iterates ``connector.connect_chunks(ctx)``,
which yields, chunk by chunk, the presynaptic and postsynaptic *indices* (within the pre
and post populations) of the connections, plus any per-connection values the connector
itself supplies (e.g. the weight and delay columns of a `FromListConnector`).
``connect_indices(ctx)`` gives them all at once (the chunks concatenated). A connector
implements one of the two; the chunked form keeps the peak memory of large projections
close to what the backend stores.

Reproducibility: every connector draws only from its own ``rng`` (or ``ctx.rng`` when it
was given none). Connectors with ``builds_local_targets`` draw each target's connections
apart from the others' and, over several MPI processes, only those onto the process's
own cells (``ctx.local_post``). Work is done in row chunks to keep memory proportional to
the number of connections, and draws are arranged so that the result for a given seed
does not depend on the chunk size.
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from lamina.errors import InvalidParameterValueError
from lamina.random import NumpyRNG
from lamina.space import Space

logger = logging.getLogger(__name__)

Indices = tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]

#: key of the per-connection values holding each connection's place among all (see
#: `ConnectionContext.want_positions`)
POSITION = "_position"

#: target number of matrix entries (pre x post) handled per chunk
CHUNK_ENTRIES = 1 << 18


@dataclass
class ConnectionContext:
    """What a connector needs to know about the two populations.

    Attributes
    ----------
    pre_ids, post_ids : ndarray of int64 — global IDs; equal IDs mean the same cell
    pre_positions, post_positions : ndarray (3, n_pre) / (3, n_post) — positions (µm)
    space : Space — geometry used for distances
    rng : NumpyRNG — used when the connector was given no rng
    local_post : ndarray of int64 or None — the post indices (ascending) whose incoming
        connections this process builds, for a connector with ``builds_local_targets``
        (over several MPI processes: its own cells); None: all
    want_positions : bool — with `local_post`, a connector whose ``local_order`` is
        ``"listed"`` gives each connection's index in the order of all connections (as
        one process makes them) under the value key `POSITION`
    """

    pre_ids: np.ndarray
    post_ids: np.ndarray
    pre_positions: np.ndarray
    post_positions: np.ndarray
    space: Space
    rng: NumpyRNG
    local_post: np.ndarray | None = None
    want_positions: bool = False

    def targets(self) -> np.ndarray:
        """The post indices to build connections onto (`local_post`, or all)."""
        if self.local_post is None:
            return np.arange(self.n_post, dtype=np.int64)
        return np.asarray(self.local_post, dtype=np.int64)

    @property
    def n_pre(self) -> int:
        """Number of presynaptic cells."""
        return len(self.pre_ids)

    @property
    def n_post(self) -> int:
        """Number of postsynaptic cells."""
        return len(self.post_ids)

    def post_index_of_pre(self) -> np.ndarray:
        """For each pre cell, the post index of the same cell, or -1 (int64, len n_pre)."""
        return match_ids(self.pre_ids, self.post_ids)

    def pre_index_of_post(self) -> np.ndarray:
        """For each post cell, the pre index of the same cell, or -1 (int64, len n_post)."""
        return match_ids(self.post_ids, self.pre_ids)


def match_ids(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return, for each element of `a`, the index in `b` holding the same value, or -1."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if b.size == 0:
        return np.full(a.shape, -1, dtype=np.int64)
    sorter = np.argsort(b, kind="stable")
    pos = np.clip(np.searchsorted(b, a, sorter=sorter), 0, b.size - 1)
    found = b[sorter[pos]] == a
    return np.where(found, sorter[pos], -1).astype(np.int64)


def empty_indices() -> Indices:
    """No connections."""
    return np.empty(0, np.int64), np.empty(0, np.int64), {}


def concat_chunks(chunk_iter: Iterator[Indices]) -> Indices:
    """Concatenate (pre, post, values) chunks into one (empty int64 arrays if none)."""
    chunks = list(chunk_iter)
    if not chunks:
        return empty_indices()
    if len(chunks) == 1:
        return chunks[0]
    names = chunks[0][2].keys()
    return (np.concatenate([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks]),
            {k: np.concatenate([np.asarray(c[2][k]) for c in chunks]) for k in names})


def row_chunks(n_rows: int, n_cols: int, entries: int | None = None) -> Iterator[tuple[int, int]]:
    """Yield (start, stop) row ranges holding about `entries` (default `CHUNK_ENTRIES`)
    matrix entries each."""
    entries = CHUNK_ENTRIES if entries is None else entries
    step = max(1, entries // max(n_cols, 1))
    for start in range(0, n_rows, step):
        yield start, min(n_rows, start + step)


def substreams(gen: np.random.Generator, k: int) -> list[np.random.Generator]:
    """Derive `k` independent generators from `gen` (one draw from `gen`)."""
    seeds = gen.integers(0, np.iinfo(np.int64).max, size=k, dtype=np.int64)
    return [np.random.Generator(np.random.PCG64(int(s))) for s in seeds]


def check_rng(rng: Any) -> NumpyRNG | None:
    """Validate a connector's ``rng`` argument."""
    if rng is not None and not isinstance(rng, NumpyRNG):
        raise InvalidParameterValueError(
            f"rng={rng!r} is invalid; expected a NumpyRNG, NativeRNG or None")
    return rng


def check_bool(name: str, value: Any) -> bool:
    """Validate a boolean flag."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterValueError(f"{name}={value!r} is invalid; expected True or False")
    return bool(value)


def check_probabilities(p: np.ndarray, what: str) -> np.ndarray:
    """Return `p` as float; raise if any value is not a probability."""
    p = np.asarray(p, dtype=float)
    if p.size and not (np.all(np.isfinite(p)) and p.min() >= 0.0 and p.max() <= 1.0):
        finite = p[np.isfinite(p)]
        lo = finite.min() if finite.size else float("nan")
        hi = finite.max() if finite.size else float("nan")
        raise InvalidParameterValueError(
            f"{what} gives values outside [0, 1] (min {lo:g}, max {hi:g}, "
            f"non-finite: {int(np.sum(~np.isfinite(p)))}); probabilities must lie in [0, 1]")
    return p


class Connector:
    """Base class of all connectors.

    Parameters
    ----------
    safe : bool — check weights and delays given to the Projection (kept for PyNN
        compatibility; the Projection does the checking)
    callback : callable or None — called as ``callback(fraction_done)`` while connecting
    weights, delays : optional, deprecated (PyNN 0.7 style) — pass weight/delay to the
        synapse type instead; stored as attributes for the Projection to use
    """

    parameter_names: tuple[str, ...] = ()
    #: True for connectors that draw the connections onto each target independently of
    #: the other targets and yield them target by target (post index ascending, then pre
    #: index): given ``ctx.local_post`` they yield only the connections onto those
    #: targets, exactly the ones a draw for all targets gives them. Over several MPI
    #: processes each then builds only its own part of the network.
    builds_local_targets = False
    #: the order of the connections a connector with ``builds_local_targets`` gives (one
    #: process: all of them; given ``ctx.local_post``: the subsequence onto those targets):
    #: ``"target"`` target by target (post index ascending, then pre index); ``"row"``
    #: presynaptic cell by cell (pre index ascending, then post index); ``"listed"`` an
    #: order of its own, each connection's place in it given under `POSITION` when
    #: ``ctx.want_positions``. The Projection places per-connection values (random
    #: weights, ...) by it, so that they do not depend on the number of processes.
    local_order = "target"

    def __init__(self, safe: bool = True, callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        self.safe = check_bool("safe", safe)
        if callback is not None and not callable(callback):
            raise InvalidParameterValueError(
                f"callback={callback!r} is invalid; expected a callable or None")
        self.callback = callback
        if weights is not None or delays is not None:
            warnings.warn(
                f"{type(self).__name__}: the 'weights'/'delays' arguments are deprecated "
                f"(PyNN 0.7 style); pass weight and delay to the synapse type instead",
                DeprecationWarning, stacklevel=3)
        self.weights = weights
        self.delays = delays

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        """Return (pre indices, post indices, per-connection values) for `ctx`."""
        if type(self).connect_chunks is Connector.connect_chunks:
            raise NotImplementedError
        return concat_chunks(self.connect_chunks(ctx))

    def connect_chunks(self, ctx: ConnectionContext) -> Iterator[Indices]:
        """Yield the connections for `ctx` as (pre, post, values) chunks, in order; their
        concatenation is `connect_indices`. Default: one chunk."""
        yield self.connect_indices(ctx)

    def expected_connections(self, n_pre: int, n_post: int) -> tuple[float, float] | None:
        """(mean, standard deviation) of the number of connections this connector makes
        between `n_pre` and `n_post` cells (an upper bound where self-connections are
        excluded), or None where it cannot be told cheaply. Used to refuse what cannot fit
        in memory before connecting (`lamina.core.resources`)."""
        return None

    def get_parameters(self) -> dict[str, Any]:
        """Return the connector's parameters as a dict."""
        return {name: getattr(self, name) for name in self.parameter_names}

    def describe(self) -> str:
        """One line: the connector name and its parameters."""
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        return f"{type(self).__name__}({params})"

    def __repr__(self) -> str:
        return self.describe()

    def _generator(self, ctx: ConnectionContext) -> np.random.Generator:
        rng = getattr(self, "rng", None)
        return (rng if rng is not None else ctx.rng).rng

    def _progress(self, done: int, total: int) -> None:
        if self.callback is not None:
            self.callback(done / total if total else 1.0)
