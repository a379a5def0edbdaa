"""`Projection`: all connections of one synapse type from one set of cells onto another."""
from __future__ import annotations

import logging
import operator
import os
from collections.abc import Iterator
from typing import Any, Callable

import numpy as np

from lamina.atomic_write import savetxt
from lamina.backends.base import release_freed_memory
from lamina.connectors import (ConnectionContext, ConnectorDescription, describe_connector,
                               write_connection_file)
from lamina.connectors.base import POSITION, concat_chunks
from lamina.core import connection_values as cv
from lamina.core import simulation
from lamina.core.resources import check_fits
from lamina.core.synapse_recording import SynapseRecorder
from lamina.describe import render
from lamina.errors import (ConnectionError, InvalidDimensionsError,
                           InvalidParameterValueError, NoModelAvailableError,
                           NonExistentParameterError, ParallelSafetyWarning)
from lamina.models import SYNAPSE_TYPES, StandardSynapseType, StaticSynapse
from lamina.random import RandomDistribution, default_rng
from lamina.space import Space

logger = logging.getLogger(__name__)


_TRIM_CONNECTIONS = 100_000
_CHUNK = 1 << 18   # connections handed to the backend at once (bounds temporary arrays)
_TRIM_EVERY = 8    # chunks between two returns of freed memory to the system


def _positions(all_ids: np.ndarray, ids: np.ndarray, dtype: type) -> np.ndarray:
    """Index of each of `ids` in `all_ids` (a population's, view's or assembly's IDs)."""
    all_ids = np.asarray(all_ids)
    if len(all_ids) and all_ids[-1] - all_ids[0] == len(all_ids) - 1 and (
            len(all_ids) < 2 or np.all(np.diff(all_ids) == 1)):
        return (np.asarray(ids) - all_ids[0]).astype(dtype)   # contiguous IDs
    order = np.argsort(all_ids, kind="stable")
    return order[np.searchsorted(all_ids, ids, sorter=order)].astype(dtype)


def _pair_sorted(pre: np.ndarray, post: np.ndarray) -> bool:
    """Whether connections are in (pre, post) order already."""
    if len(pre) < 2:
        return True
    dpre = np.diff(np.asarray(pre, np.int64))
    return bool(np.all((dpre > 0) | ((dpre == 0) & (np.diff(np.asarray(post, np.int64)) >= 0))))


def _per_connection(value: Any) -> bool:
    """Whether a connection attribute's value is one number per connection (a 1-D
    sequence, not an expression or a function)."""
    return (value is not None and not isinstance(value, (str, bytes, RandomDistribution))
            and not callable(value) and np.ndim(value) == 1)


def _fixed_size(chunks: Iterator[tuple], size: int, dtype: type) -> Iterator[tuple]:
    """Re-cut (pre, post, values) chunks into chunks of exactly `size` connections (the
    last one shorter; one empty chunk if there are none), indices as `dtype`."""
    held: list[tuple] = []     # parts not handed on yet (views of the connector's chunks)
    n_held = 0
    emitted = False

    def part(c: tuple, sl: slice) -> tuple:
        return c[0][sl], c[1][sl], {k: v[sl] if np.ndim(v) else v for k, v in c[2].items()}

    def take(n: int) -> tuple:
        out = []
        while n:
            c = held[0]
            if len(c[0]) <= n:
                out.append(held.pop(0))
                n -= len(c[0])
            else:
                out.append(part(c, slice(0, n)))
                held[0] = part(c, slice(n, None))
                n = 0
        if len(out) == 1:
            return out[0]
        names = out[0][2]
        return (np.concatenate([c[0] for c in out]), np.concatenate([c[1] for c in out]),
                {k: np.concatenate([np.asarray(c[2][k]) for c in out]) if np.ndim(v) else v
                 for k, v in names.items()})

    for pre, post, given in chunks:
        c: tuple = (np.asarray(pre).astype(dtype, copy=False), np.asarray(post).astype(dtype, copy=False),
             {k: np.asarray(v) if np.ndim(v) else v for k, v in given.items()})
        if len(c[0]) == 0 and (held or emitted):
            continue
        held.append(c)
        n_held += len(c[0])
        while n_held >= size:
            emitted = True
            n_held -= size
            yield take(size)
    if n_held or not emitted:
        if held:
            yield take(n_held) if n_held else held[0]
        else:
            yield np.zeros(0, dtype), np.zeros(0, dtype), {}


class Connection:
    """One connection of a projection, as `Projection.__iter__`/`__getitem__` give it."""

    def __init__(self, projection: "Projection", index: int) -> None:
        self.projection = projection
        self.index = index

    @property
    def presynaptic_index(self) -> int:
        return int(self.projection._cached_indices()[0][self.index])

    @property
    def postsynaptic_index(self) -> int:
        return int(self.projection._cached_indices()[1][self.index])

    @property
    def presynaptic_cell(self) -> Any:
        return self.projection.pre[self.presynaptic_index]

    @property
    def postsynaptic_cell(self) -> Any:
        return self.projection.post[self.postsynaptic_index]

    @property
    def source(self) -> int:
        """Global ID of the presynaptic cell (PyNN's NEST backend name)."""
        return int(self.presynaptic_cell)

    @property
    def target(self) -> int:
        """Global ID of the postsynaptic cell."""
        return int(self.postsynaptic_cell)

    @property
    def parent(self) -> "Projection":
        """The projection this connection belongs to."""
        return self.projection

    def __getattr__(self, name: str) -> Any:
        if name in ("projection", "index"):
            raise AttributeError(name)
        if name not in self.projection.attribute_names:
            raise NonExistentParameterError(name, type(self.projection.synapse_type).__name__,
                                            self.projection.attribute_names)
        return float(self.projection._values(name)[self.index])

    def __setattr__(self, name: str, value: Any) -> None:
        """``connection.weight = w`` changes that connection in the projection."""
        if name in ("projection", "index"):
            object.__setattr__(self, name, value)
            return
        self.projection._set_one(self.index, name, value)

    def as_tuple(self, *attribute_names: str) -> tuple:
        """(pre index, post index, values of the named attributes...)."""
        return (self.presynaptic_index, self.postsynaptic_index,
                *(getattr(self, n) for n in attribute_names))

    def __repr__(self) -> str:
        return f"Connection({self.presynaptic_index} -> {self.postsynaptic_index})"


class Projection:
    """A container for all connections of one synapse type between two groups of cells.

    Parameters
    ----------
    presynaptic_population, postsynaptic_population : Population, PopulationView or Assembly
    connector : Connector — the connection algorithm
    synapse_type : StandardSynapseType — default ``StaticSynapse()``
    source : str — presynaptic variable signalling spikes (standard cells: None)
    receptor_type : str — 'excitatory' (default) or 'inhibitory'
    space : Space — how distances are measured
    label : str
    """

    MULTI_SYNAPSE_OPERATIONS: dict[str, Callable] = {
        "last": lambda x, y: y, "first": lambda x, y: x, "sum": operator.iadd,
        "min": min, "max": max}
    _count = 0

    def __init__(self, presynaptic_population: Any, postsynaptic_population: Any,
                 connector: Any = None, synapse_type: StandardSynapseType | None = None,
                 source: str | None = None, receptor_type: str | None = None,
                 space: Any = None, label: str | None = None) -> None:
        self._sim = simulation.current()
        self.pre = presynaptic_population
        self.post = postsynaptic_population
        self.connector = connector
        self.synapse_type = synapse_type if synapse_type is not None else StaticSynapse()
        if not isinstance(self.synapse_type, StandardSynapseType):
            raise InvalidParameterValueError(
                f"synapse_type={synapse_type!r}: expected a synapse type such as StaticSynapse()")
        refusal = self._sim.backend.capabilities().refusal(
            self._sim.backend_name, "synapse", type(self.synapse_type).__name__)
        if refusal and type(self.synapse_type).__name__ in SYNAPSE_TYPES:
            raise NoModelAvailableError(refusal)
        self.source = source
        self.receptor_type = self._check_receptor(receptor_type or "excitatory")
        self.space = space if space is not None else Space()
        self._id = Projection._count
        Projection._count += 1
        self.label = label or f"{self.pre.label}→{self.post.label}"
        self.annotations: dict[str, Any] = {}
        self._synapse_initial: dict[str, np.ndarray] = {}
        # cell indices of the connections are read from the backend when needed (it holds
        # the connections, in its order); kept only while single connections are read
        self._idx_dtype = np.int32 if max(self.pre.size, self.post.size) < 2**31 else np.int64
        self._index_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._n = 0
        self._check_memory(connector)
        self._connect_with(connector)
        self._sim.projections.append(self)

    # -- construction ------------------------------------------------------------------
    def _check_memory(self, connector: Any) -> None:
        """Refuse, before connecting, what the machine cannot hold (see
        `lamina.core.resources`): exact counts where the connector knows them, the
        expectation plus five standard deviations for random ones."""
        expect = getattr(connector, "expected_connections", None)
        counted = expect(self.pre.size, self.post.size) if expect is not None else None
        if counted is None:
            return
        mean, sd = counted
        n = mean + 5.0 * sd
        per = self._sim.backend.bytes_per_connection(self.synapse_type)
        check_fits(f"Projection {self.label!r} ({type(connector).__name__}, "
                   f"{self.pre.size} x {self.post.size} cells)", n * per,
                   f"{n:.4g} connections{' (expected + 5 sd)' if sd else ''} x {per:.0f} B "
                   f"per {type(self.synapse_type).__name__} in the {self._sim.backend.name} "
                   "backend")
    def _post_celltypes(self) -> list[Any]:
        """The cell type of each member of the postsynaptic cells (one entry unless they
        are an Assembly of several cell types, which PyNN 0.13 lets a projection target)."""
        members = getattr(self.post, "populations", None)
        return [m.celltype for m in members] if members else [self.post.celltype]

    def _post_groups(self, post_idx: np.ndarray | None) -> list[tuple[Any, Any]]:
        """(cell type, mask of the connections onto it) for each member cell type; masks
        are None (all connections) unless the targets mix cell types and `post_idx` is
        given."""
        types = self._post_celltypes()
        if len(types) == 1 or post_idx is None:
            return [(ct, None) for ct in types]
        bounds = np.cumsum([0] + [m.size for m in self.post.populations])
        member = np.searchsorted(bounds, post_idx, side="right") - 1
        return [(ct, member == k) for k, ct in enumerate(types)]

    @property
    def _weight_celltype(self) -> Any:
        """The cell type whose weight unit the backend uses (all members share it)."""
        types = self._post_celltypes()
        if len(types) > 1:
            scales = {float(ct.to_backend_weight(np.ones(1))[0]) for ct in types}
            if len(scales) > 1:
                raise ConnectionError(
                    f"{self.label}: the target assembly mixes cell types whose weights have "
                    f"different units ({', '.join(type(ct).__name__ for ct in types)}); "
                    "connect to each population separately")
        return types[0]

    def _check_receptor(self, receptor: str) -> str:
        for celltype in self._post_celltypes():
            allowed = celltype.receptor_types
            if receptor not in allowed:
                raise ConnectionError(
                    f"receptor_type={receptor!r} does not exist on {type(celltype).__name__} "
                    f"({self.post.label!r}); allowed: "
                    f"{', '.join(allowed) or 'none (spike source)'}")
        return receptor

    @property
    def attribute_names(self) -> list[str]:
        """Names of per-connection attributes: weight, delay and dynamics parameters."""
        return self.synapse_type.get_parameter_names()

    @property
    def target(self) -> str:
        """The receptor type (the PyNN 0.7 name)."""
        return self.receptor_type

    @property
    def rng(self) -> Any:
        """The RNG the connector used (None if it used the default)."""
        return getattr(self.connector, "rng", None)

    @property
    def synapse_dynamics(self) -> Any:
        """The plastic synapse type, or None for static synapses."""
        return None if isinstance(self.synapse_type, StaticSynapse) else self.synapse_type

    def _warn_if_rank_dependent(self, connector: Any) -> None:
        """Over several MPI processes, warn when the connector's generator is not
        parallel-safe: each process then draws its own stream (seed + rank), so the
        network depends on the number of processes."""
        dist = self._sim.distribution
        rng = getattr(connector, "rng", None)
        if dist.distributed and rng is not None and not getattr(rng, "parallel_safe", True):
            import warnings
            warnings.warn(
                f"{self.label}: {type(connector).__name__} draws from {rng!r}, which is not "
                f"parallel-safe: over {dist.size} MPI processes each draws its own stream, "
                "so the network depends on the number of processes; pass "
                "NumpyRNG(seed, parallel_safe=True) for the same network with any number",
                ParallelSafetyWarning, stacklevel=4)

    def _context(self) -> Any:
        return ConnectionContext(pre_ids=self.pre.all_ids, post_ids=self.post.all_ids,
                                 pre_positions=self.pre.positions,
                                 post_positions=self.post.positions, space=self.space,
                                 rng=default_rng())

    def _connect_with(self, connector: Any) -> None:
        self._warn_if_rank_dependent(connector)
        description = describe_connector(connector)
        native = self._sim.backend.capabilities().native_connection_rules
        if description.native_rng and description.rule in native \
                and self._connect_native(description):
            return
        ctx = self._context()
        dist = self._sim.distribution
        if dist.distributed and getattr(connector, "builds_local_targets", False):
            by_position = self._values_by_position(connector)
            order = getattr(connector, "local_order", "target")
            # "row" order places values by the ranks' counts per row, which needs each
            # rank's targets after those of the ranks before it (else: drawn in full)
            if not (by_position and order == "row"
                    and np.any(np.diff(dist.owner(self.post.all_ids)) < 0)):
                # this process draws only the connections onto its own cells
                ctx.local_post = np.flatnonzero(dist.is_local(self.post.all_ids))
                if by_position:
                    self._connect_local_by_position(connector, ctx)
                    return
        chunks = connector.connect_chunks(ctx)
        if self._shares_generator(connector, ctx):
            # the values draw from the connector's generator: keep its draws before theirs
            chunks = iter([concat_chunks(chunks)])
        for i, (pre_idx, post_idx, given) in enumerate(
                _fixed_size(chunks, _CHUNK, self._idx_dtype)):
            # values are evaluated per _CHUNK connections (in connection order) as they come
            values = self._initial_values(connector, pre_idx, post_idx, given)
            self._add(pre_idx, post_idx, values, all_local=ctx.local_post is not None)
            del values, pre_idx, post_idx, given
            if i % _TRIM_EVERY == _TRIM_EVERY - 1:
                release_freed_memory()   # temporaries freed between the stored pieces
        if self._n >= _TRIM_CONNECTIONS:
            release_freed_memory()

    def _value_specs(self, connector: Any) -> dict[str, Any]:
        """What each connection attribute is given as (the synapse type's values, or a
        connector's PyNN 0.7 ``weights=``/``delays=``)."""
        spec = dict(self.synapse_type.parameter_space)
        for name in ("weight", "delay"):
            value = getattr(connector, name + "s", None)
            if value is not None:
                spec[name] = value
        return spec

    def _values_by_position(self, connector: Any) -> bool:
        """True if a connection attribute depends on the connection's place in the order
        of all connections: drawn from a RandomDistribution, or one value per connection."""
        spec = self._value_specs(connector)
        return any(isinstance(v, RandomDistribution) or _per_connection(v)
                   for v in (spec.get(name) for name in self.attribute_names))

    def _connect_local_by_position(self, connector: Any, ctx: Any) -> None:
        """Over several MPI processes, with a connector that draws only this process's
        targets and values that depend on the connection order: each process learns the
        place of its connections among all, in the order one process makes them (the
        connector's ``local_order``: "target", from the in-degree of every target, one
        allreduce of n_post integers; "row", from every rank's count per pre cell, one
        allgather of n_pre integers; "listed", given by the connector); random values
        are drawn for all connections, per `_CHUNK` of them as one process draws them,
        and each keeps its own. The values, and the generators' states
        afterwards, are then those of one process."""
        dist = self._sim.distribution
        from mpi4py import MPI
        order = getattr(connector, "local_order", "target")
        ctx.want_positions = order == "listed"
        pre, post, given = concat_chunks(connector.connect_chunks(ctx))
        if order == "listed":
            given = dict(given)
            position = np.asarray(given.pop(POSITION), dtype=np.int64)
            total = int(dist.comm.allreduce(len(position), op=MPI.SUM))
        else:
            # counts per target ("target") or per pre cell ("row"), over all processes
            key, n_keys = (post, self.post.size) if order == "target" else (pre, self.pre.size)
            if len(key) and np.any(np.diff(key) < 0):
                raise ConnectionError(
                    f"{self.label}: {type(connector).__name__} declares builds_local_targets "
                    f"but did not give its connections in its local_order {order!r}")
            degree = np.bincount(key, minlength=n_keys).astype(np.int64)
            before = np.zeros_like(degree)
            if order == "target":   # all the connections onto a target are on one rank
                total_degree = np.empty_like(degree)
                dist.comm.Allreduce(degree, total_degree, op=MPI.SUM)
            else:   # a row's connections: those of the ranks before (lower targets) first
                every = np.empty((dist.size, n_keys), np.int64)
                dist.comm.Allgather(degree, every)
                total_degree = every.sum(axis=0)
                before = every[:dist.rank].sum(axis=0)
            starts = np.concatenate(([0], np.cumsum(total_degree)[:-1])).astype(np.int64)
            position = (starts[key] + before[key] + np.arange(len(key), dtype=np.int64)
                        - np.searchsorted(key, key))
            total = int(total_degree.sum())
        spec = self._value_specs(connector)
        added = False
        for a in range(0, total, _CHUNK):
            n = min(_CHUNK, total - a)
            lo, hi = np.searchsorted(position, [a, a + n])
            drawn = {}
            for name in self.attribute_names:
                value = spec.get(name)
                if name in given:   # the connector's values win, nothing drawn (as in
                    continue        # one process)
                if isinstance(value, RandomDistribution):
                    drawn[name] = np.asarray(value.next(n), dtype=float).reshape(n)[
                        position[lo:hi] - a]
                elif _per_connection(value):
                    arr = np.asarray(value, dtype=float)
                    if arr.shape != (total,):
                        raise InvalidDimensionsError(
                            f"{name}: got {arr.size} values for {total} connections; "
                            "expected one per connection")
                    drawn[name] = arr[position[lo:hi]]
            if hi > lo:
                part = {k: np.asarray(v)[lo:hi] for k, v in given.items()}
                values = self._initial_values(connector, pre[lo:hi].astype(self._idx_dtype),
                                              post[lo:hi].astype(self._idx_dtype), part, drawn)
                self._add(pre[lo:hi].astype(self._idx_dtype),
                          post[lo:hi].astype(self._idx_dtype), values, all_local=True)
                added = True
        if not added:
            empty = np.empty(0, self._idx_dtype)
            self._add(empty, empty, self._initial_values(connector, empty, empty, {}, {}),
                      all_local=True)

    def _shares_generator(self, connector: Any, ctx: Any) -> bool:
        """True if a random value of the connections draws from the generator the
        connector uses (then the connector must finish drawing first)."""
        own = getattr(connector, "rng", None)
        gen = (own if own is not None else ctx.rng).rng
        specs = [*self.synapse_type.parameter_space.values(),
                 getattr(connector, "weights", None), getattr(connector, "delays", None)]
        return any(isinstance(v, RandomDistribution) and v.rng.rng is gen for v in specs)

    def _connect_native(self, description: ConnectorDescription) -> bool:
        """Build the connections with the simulator's own routines, if it has them.
        Plain-number values are checked first and passed along; the others are evaluated
        per connection afterwards."""
        spec = dict(self.synapse_type.parameter_space)
        if spec.get("delay") is None:
            spec["delay"] = self._sim.effective_min_delay
        scalars = {k: float(v) for k, v in spec.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)}
        checked = self._to_backend(self._checked({k: np.array([v]) for k, v in scalars.items()}))
        made = self._sim.backend.connect_native(
            self._id, self.pre.all_ids, self.post.all_ids, description, self.receptor_type,
            self.synapse_type, {k: float(v[0]) for k, v in checked.items()})
        if made is None:
            return False
        self._n, self._index_cache = int(made), None
        rest = {k: v for k, v in spec.items() if k not in scalars}
        values: dict[str, np.ndarray] = {}
        post = None
        if rest:
            pre, post = self._resolved()
            values = {k: self._evaluate_existing(k, v, pre, post) for k, v in rest.items()}
        for name, arr in self._to_backend(self._checked(values, post_idx=post)).items():
            self._sim.backend.set_connection_values(self._id, name, arr)
        return True

    def _initial_values(self, connector: Any, pre_idx: np.ndarray, post_idx: np.ndarray,
                        given: dict[str, np.ndarray],
                        drawn: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Values of new connections: those the connector `given`, those `drawn` already
        (`_connect_local_by_position`), the others evaluated from the synapse type."""
        spec = self._value_specs(connector)
        values = {}
        for name in self.attribute_names:
            if name in given:
                values[name] = np.asarray(given[name], dtype=float)
            elif drawn is not None and name in drawn:
                values[name] = np.asarray(drawn[name], dtype=float)
            else:
                values[name] = self._evaluate(name, spec[name], pre_idx, post_idx)
        if getattr(connector, "delays", None) is not None and "delay" not in given:
            values["delay"] = cv.clip_connector_delays(values["delay"], self._sim.min_delay,
                                                  self._sim.max_delay, self.label)
        unknown = set(given) - set(self.attribute_names)
        if unknown:
            raise NonExistentParameterError(sorted(unknown)[0],
                                            type(self.synapse_type).__name__, self.attribute_names)
        return values

    def _evaluate_existing(self, name: str, value: Any, pre_idx: np.ndarray,
                           post_idx: np.ndarray) -> np.ndarray:
        """`_evaluate` for existing connections (`_resolved`: over several MPI processes,
        this process's). A RandomDistribution (and, in one process, an array of one value
        per connection, as `get` lists them) is drawn in (pre, post) order (a pair's
        connections in connection order), whatever order the backend keeps them in; over
        several MPI processes once for the connections of all (a collective call), each
        process taking its own: the values do not depend on the backend or the number of
        processes (with a parallel-safe RNG)."""
        dist = self._sim.distribution
        if not dist.distributed and _per_connection(value):
            pass   # one value per connection: in the (pre, post) order `get` lists them
        elif not isinstance(value, RandomDistribution):
            return self._evaluate(name, value, pre_idx, post_idx)
        if not dist.distributed:
            if _pair_sorted(pre_idx, post_idx):   # the engine's order: nothing to sort
                return self._evaluate(name, value, pre_idx, post_idx)
            order = np.lexsort((post_idx, pre_idx))
            drawn = self._evaluate(name, value, pre_idx[order], post_idx[order])
            out = np.empty_like(drawn)
            out[order] = drawn
            return out
        parts = dist.comm.allgather((np.asarray(pre_idx, np.int64),
                                     np.asarray(post_idx, np.int64)))
        offset = sum(len(p[0]) for p in parts[:dist.rank])
        order = np.lexsort((np.concatenate([p[1] for p in parts]),
                            np.concatenate([p[0] for p in parts])))   # stable: a pair's
        del parts                                        # connections keep their order
        position = np.empty(len(order), np.int64)
        position[order] = np.arange(len(order))          # place of each in (pre, post) order
        mine = position[offset:offset + len(pre_idx)]
        return np.asarray(value.next(len(order), mask=mine), dtype=float).reshape(len(mine))

    def _evaluate(self, name: str, value: Any, pre_idx: np.ndarray,
                  post_idx: np.ndarray) -> np.ndarray:
        if name == "delay" and value is None:
            value = self._sim.effective_min_delay
        return cv.evaluate(name, value, pre_idx, post_idx, self.shape,
                           lambda: cv.pair_distances(self.space, self.pre.positions[:, pre_idx],
                                                     self.post.positions[:, post_idx]))

    def _add(self, pre_idx: np.ndarray, post_idx: np.ndarray,
             values: dict[str, np.ndarray], all_local: bool = False) -> None:
        """Hand new connections to the backend (`all_local`: they are all onto this
        process's cells, as a connector that builds local targets only gives them)."""
        values = self._to_backend(self._checked(values, existing=False, post_idx=post_idx))
        self._sim.backend.connect(self._id, self.pre.all_ids[pre_idx],
                                  self.post.all_ids[post_idx], self.receptor_type,
                                  self.synapse_type, values)
        dist = self._sim.distribution
        # the backend holds the connections onto this process's cells
        self._n += (int(np.count_nonzero(dist.is_local(self.post.all_ids[post_idx])))
                    if dist.distributed and not all_local else len(pre_idx))
        self._index_cache = None

    def _checked(self, values: dict[str, np.ndarray], existing: bool = True,
                 post_idx: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Check weights (against the cell type of each connection's target, given
        `post_idx`) and delays; delays are rounded to the time grid."""
        out = dict(values)
        if "weight" in out:
            weights = np.asarray(out["weight"])
            for celltype, mask in self._post_groups(post_idx if weights.ndim else None):
                cv.check_weights(weights if mask is None else weights[mask],
                                 self.receptor_type, celltype, self.label)
        if "delay" in out:
            out["delay"] = cv.check_delays(out["delay"], self._sim, self.label)
        table = self.synapse_type.parameter_table()
        for name, arr in out.items():
            if name not in ("weight", "delay"):
                table[name].check(arr, type(self.synapse_type).__name__)
        self._check_relations(out, existing)
        return out

    def _check_relations(self, values: dict[str, np.ndarray], existing: bool = True) -> None:
        """Check orderings between per-connection parameters (e.g. w_min <= w_max), taking
        the values not given from the existing connections (if `existing`: `values` are
        for all of them, not for new ones)."""
        for rel in getattr(self.synapse_type, "relations", ()):
            if rel.left not in values and rel.right not in values:
                continue
            both = {}
            for name in (rel.left, rel.right):
                if name in values:
                    both[name] = values[name]
                elif existing and self._n and name in self.attribute_names:
                    both[name] = self._values(name)
            if len(both) == 2:
                rel.check(both, type(self.synapse_type).__name__)

    def _to_backend(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Weights in PyNN units, for models that use other units (NEST-named models)."""
        if "weight" in values:
            values = {**values, "weight": self._weight_celltype.to_backend_weight(values["weight"])}
        return values

    @property
    def _pre_idx(self) -> np.ndarray:
        return self._resolved()[0]

    @property
    def _post_idx(self) -> np.ndarray:
        return self._resolved()[1]

    def _resolved(self) -> tuple[np.ndarray, np.ndarray]:
        """Pre and post indices of the connections, in the backend's connection order, read
        from the backend (not kept: they would double the memory per connection)."""
        if self._index_cache is not None:
            return self._index_cache
        if self._n == 0:
            return np.zeros(0, self._idx_dtype), np.zeros(0, self._idx_dtype)
        pre_ids, post_ids = self._sim.backend.connection_ids(self._id)
        return (_positions(self.pre.all_ids, pre_ids, self._idx_dtype),
                _positions(self.post.all_ids, post_ids, self._idx_dtype))

    def _cached_indices(self) -> tuple[np.ndarray, np.ndarray]:
        """`_resolved`, kept until connections are added (for reading one connection at a
        time, as `Connection` does)."""
        if self._index_cache is None:
            self._index_cache = self._resolved()
        return self._index_cache

    def connection_indices(self, gather: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Pre and post indices of the connections (used by CloneConnector), in the
        backend's order; over several MPI processes this process's, or with `gather`
        (a collective call) those of all processes, by (pre, post) (a pair's connections
        in connection order), as the engine keeps them in one process."""
        pre, post = self._resolved()
        dist = self._sim.distribution
        if gather and dist.distributed:
            parts = dist.comm.allgather((np.asarray(pre, np.int64), np.asarray(post, np.int64)))
            pre, post = (np.concatenate([p[k] for p in parts]) for k in (0, 1))
            if not _pair_sorted(pre, post):
                order = np.lexsort((post, pre))
                pre, post = pre[order], post[order]
        return pre.astype(np.int64), post.astype(np.int64)

    # -- size and iteration ------------------------------------------------------------
    def size(self, gather: bool = True) -> int:
        """Number of connections (over several MPI processes: with `gather`, of all
        processes, a collective call; without, of this process)."""
        if gather:
            return self._sim.distribution.sum(self._n)
        return self._n

    def __len__(self) -> int:
        return self.size(gather=False)

    def __iter__(self) -> Iterator[Connection]:
        return (Connection(self, i) for i in range(self._n))

    def __getitem__(self, i: int) -> Connection:
        if not -self._n <= i < self._n:
            raise IndexError(f"connection {i} out of range ({self._n} connections)")
        return Connection(self, i % self._n)

    @property
    def connections(self) -> list[Connection]:
        """All connections (on this MPI process)."""
        return list(self)

    @property
    def shape(self) -> tuple[int, int]:
        """(presynaptic size, postsynaptic size)."""
        return (self.pre.size, self.post.size)

    # -- attributes ----------------------------------------------------------------------
    def _values(self, name: str) -> np.ndarray:
        values = self._sim.backend.get_connection_values(self._id, name)
        return self._weight_celltype.from_backend_weight(values) if name == "weight" else values

    def _names(self, attribute_names: Any) -> list[str]:
        names = [attribute_names] if isinstance(attribute_names, str) else list(attribute_names)
        if names in (["all"], ["connections"]):
            names = self.attribute_names
        for n in names:
            if n not in self.attribute_names:
                raise NonExistentParameterError(n, type(self.synapse_type).__name__,
                                                self.attribute_names)
        return names

    def get(self, attribute_names: str | list[str], format: str, gather: bool = True,
            with_address: bool = True, multiple_synapses: str = "sum") -> Any:
        """Values of connection attributes, as a list of tuples or as (n_pre, n_post) arrays
        (one array for one name, a list of arrays for a list of names).

        In "array" format missing connections are NaN and several connections between one
        pair are combined by `multiple_synapses` ('sum', 'first', 'last', 'min', 'max').
        Values are in PyNN units (nA or uS, ms).
        """
        names = self._names(attribute_names)
        columns = [self._values(n) for n in names]
        pre, post = self._resolved()
        dist = self._sim.distribution
        if gather and dist.distributed:   # collective: every process gets all connections
            parts = dist.comm.allgather((pre, post, columns))
            pre, post = (np.concatenate([p[k] for p in parts]) for k in (0, 1))
            columns = [np.concatenate([p[2][c] for p in parts]) for c in range(len(names))]
        if (gather or not dist.distributed) and not _pair_sorted(pre, post):
            # by (pre, post), a pair's connections in connection order: the same list for
            # any backend and number of processes
            order = np.lexsort((post, pre))
            pre, post, columns = pre[order], post[order], [c[order] for c in columns]
        if format == "list":
            rows = np.column_stack([pre, post, *columns]) if with_address \
                else np.column_stack(columns) if columns else np.zeros((len(pre), 0))
            if not with_address and len(names) == 1 and isinstance(attribute_names, str):
                return columns[0].tolist()           # PyNN: plain numbers, not 1-tuples
            out = [tuple(row) for row in rows.tolist()]
            if with_address:
                out = [(int(r[0]), int(r[1]), *r[2:]) for r in out]
            return out
        if format == "array":
            if multiple_synapses not in self.MULTI_SYNAPSE_OPERATIONS:
                raise InvalidParameterValueError(
                    f"multiple_synapses={multiple_synapses!r}: expected one of "
                    f"{', '.join(self.MULTI_SYNAPSE_OPERATIONS)}")
            arrays = [cv.to_matrix(col, pre, post, self.shape,
                                   multiple_synapses) for col in columns]
            return arrays[0] if isinstance(attribute_names, str) else arrays   # PyNN: a list
        raise InvalidParameterValueError(f"format={format!r}: expected 'list' or 'array'")

    def set(self, **attributes: Any) -> None:
        """Set connection attributes: a number, a RandomDistribution, an (n_pre, n_post)
        array, a function of distance, or an expression of the distance ``d``."""
        new = {}
        pre, post = self._resolved()
        for name, value in attributes.items():
            self._names(name)
            new[name] = self._evaluate_existing(name, value, pre, post)
        checked = self._checked(new, post_idx=post)
        del pre, post
        for name, arr in self._to_backend(checked).items():
            self._sim.backend.set_connection_values(self._id, name, arr)

    def initialize(self, **initial_values: Any) -> None:
        """Set state variables of the synapses (``u``, ``x``, ``y`` of Tsodyks-Markram
        synapses, ``u`` and ``a`` of multi-quantal ones: see the synapse type's
        ``recordable``), now and as the values `reset()` restores. Values are numbers,
        RandomDistributions, (n_pre, n_post) arrays or functions of distance, as for `set`.
        """
        state = [v for v in getattr(self.synapse_type, "recordable", ()) if v != "weight"]
        pre, post = self._resolved()
        for name, value in initial_values.items():
            if name not in state:
                raise NonExistentParameterError(
                    name, f"{type(self.synapse_type).__name__} (state variables)", state)
            arr = np.asarray(self._evaluate_existing(name, value, pre, post), dtype=float)
            if np.any(~np.isfinite(arr)):
                raise InvalidParameterValueError(
                    f"{self.label}: initialize({name}=...): values must be finite numbers")
            self._sim.backend.set_synapse_state(self._id, name, arr)
            self._synapse_initial[name] = arr

    @property
    def initial_values(self) -> dict[str, Any]:
        """Synapse state variable -> the values `initialize` gave (one per connection, in
        connection order), a `LazyArray`; empty until `initialize` is called (as PyNN)."""
        from lamina.compat.parameters import lazy_values
        return {name: lazy_values(arr) for name, arr in self._synapse_initial.items()}

    def _set_one(self, index: int, name: str, value: Any) -> None:
        """Set attribute `name` of connection `index` (what ``connections[i].name = v``
        does)."""
        self._names(name)
        values = self._values(name)
        if name == "weight":
            values = self._weight_celltype.to_backend_weight(values)
        try:
            new = float(value)
        except (TypeError, ValueError) as err:
            raise InvalidParameterValueError(
                f"connection {index} of {self.label!r}: {name}={value!r}: expected a number"
            ) from err
        post = self._cached_indices()[1][index:index + 1]
        checked = self._to_backend(self._checked({name: np.array([new])}, post_idx=post))[name]
        values[index] = checked[0]
        self._sim.backend.set_connection_values(self._id, name, values)

    def save(self, attribute_names: str | list[str], file: Any, format: str = "list",
             gather: bool = True, with_address: bool = True) -> None:
        """Write connection attributes to a text file (or open file object); in "array"
        format, zeros stand for missing connections."""
        names = self._names(attribute_names)
        dist = self._sim.distribution
        root_writes = gather and dist.distributed   # gathered over MPI: rank 0 writes once
        if dist.distributed and not gather and isinstance(file, (str, os.PathLike)):
            file = f"{os.fspath(file)}.{dist.rank}"   # each process its part (FromFile-
            # Connector(file, distributed=True) reads it back with as many processes)
        if format == "list":
            if root_writes:
                rows = np.array(self.get(names, "list", True), float).reshape(-1, 2 + len(names))
            else:
                rows = np.column_stack([*self._resolved(),
                                        *[self._values(n) for n in names]]) if self._n \
                    else np.zeros((0, 2 + len(names)))
            cols = ["i", "j", *names]
            if not with_address:
                rows, cols = rows[:, 2:], names
            if not (root_writes and dist.rank != 0):
                write_connection_file(file, rows, cols)
        elif format == "array":
            arrays = self.get(names, "array", gather)
            if not (root_writes and dist.rank != 0):
                savetxt(file, np.vstack([np.nan_to_num(a, nan=0.0) for a in arrays]),
                        fmt="%g")
        else:
            raise InvalidParameterValueError(f"format={format!r}: expected 'list' or 'array'")
        if dist.distributed:   # every file is complete when any process goes on to read it
            dist.comm.Barrier()

    # -- synaptic state over time (lamina extension; see `lamina.core.synapse_recording`) --
    def record(self, variables: str | list[str] | None,
               sampling_interval: float | None = None) -> None:
        """Record `variables` ('weight', or state variables of the synapse type such as
        'u', 'x'; 'all') of every connection every `sampling_interval` ms (default: the
        time step); None stops recording. Read them with `get_data`."""
        if variables is not None and \
                not self._sim.backend.capabilities().synapse_state_recording:
            raise NoModelAvailableError(
                f"{self.label}: the {self._sim.backend_name} backend cannot record synaptic "
                "state over time")
        self._synapse_recorder().record(variables, sampling_interval)

    def get_data(self, variables: str | list[str] = "all", clear: bool = False,
                 annotations: dict[str, Any] | None = None) -> Any:
        """Recorded synaptic state as a neo.Block: one Segment per run between resets, one
        AnalogSignal (samples x connections) per variable, columns annotated with the
        presynaptic and postsynaptic index of each connection."""
        return self._synapse_recorder().get_data(variables, clear, annotations)

    def _synapse_recorder(self) -> Any:
        rec = getattr(self, "_syn_recorder", None)
        if rec is None:
            rec = self._syn_recorder = SynapseRecorder(self)
        return rec

    def describe(self, template: str | None = "projection_default.txt",
                 engine: str = "default") -> Any:
        """Human-readable description (or, with ``template=None``, its context dict)."""
        ctx = {"label": self.label, "pre": self.pre.label, "post": self.post.label,
               "connector": self.connector.describe() if hasattr(self.connector, "describe")
               else repr(self.connector),
               "synapse_type": self.synapse_type.describe(), "receptor_type": self.receptor_type,
               "size": self._n, "backend": self._sim.backend_name}
        return render(template, engine, ctx)

    def annotate(self, **annotations: Any) -> None:
        """Attach annotations to the projection."""
        self.annotations.update(annotations)

    def __repr__(self) -> str:
        return f"Projection({self.label!r}, {self._n} connections)"
