"""Connectors given explicit connections: lists, files, boolean arrays, other projections.

Connection files are plain text: header lines start with ``#``; one of them reads
``# columns = ["i", "j", "weight", "delay"]`` and names the columns; every other line
is one connection. `write_connection_file` writes this format and `FromFileConnector`
reads it.
"""
from __future__ import annotations

import ast
import logging
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lamina.atomic_write import savetxt

from lamina.connectors.base import POSITION, ConnectionContext, Connector, Indices
from lamina.errors import ConnectionError, InvalidDimensionsError, InvalidParameterValueError

logger = logging.getLogger(__name__)

_COLUMNS_RE = re.compile(r"^#\s*columns\s*=\s*(.+?)\s*$")


def _extra_names(column_names: Sequence[str] | None, n_extra: int) -> tuple[str, ...]:
    if column_names is None:
        defaults = {0: (), 1: ("weight",), 2: ("weight", "delay")}
        if n_extra not in defaults:
            raise InvalidParameterValueError(
                f"conn_list has {n_extra} value columns after i, j; give column_names "
                f"(defaults exist only for 0, 1 (weight) or 2 (weight, delay) columns)")
        return defaults[n_extra]
    names = tuple(str(c) for c in column_names)
    if names[:2] == ("i", "j"):
        names = names[2:]
    if len(names) != n_extra or len(set(names)) != len(names):
        raise InvalidParameterValueError(
            f"column_names={list(column_names)!r} is invalid; expected {n_extra} distinct "
            f"names for the value columns after i, j")
    return names


class FromListConnector(Connector):
    """Connections listed explicitly as rows ``(i, j[, values...])``.

    Parameters
    ----------
    conn_list : array-like (n_connections, 2 + n_values) — pre index i, post index j
        (within the populations), then one column per value
    column_names : sequence of str or None — names of the value columns (e.g.
        ``["weight", "delay"]`` or any synapse parameter); default: weight, delay for two
        value columns, weight for one

    The value columns are returned by `connect_indices` keyed by name; weights in nA or
    µS and delays in ms, as for the synapse type. Over several MPI processes each keeps
    only the rows onto its own cells.
    """

    parameter_names = ("conn_list", "column_names")
    builds_local_targets = True
    local_order = "listed"

    def __init__(self, conn_list: Any, column_names: Sequence[str] | None = None,
                 safe: bool = True, callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        try:
            arr = np.array(conn_list, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterValueError(
                f"conn_list could not be read as a numeric array of rows (i, j, ...): {exc}"
            ) from None
        if arr.size == 0:
            extra = list(column_names or ())
            arr = arr.reshape(0, 2 + len(extra[2:] if extra[:2] == ["i", "j"] else extra))
        if arr.ndim != 2 or arr.shape[1] < 2:
            raise InvalidParameterValueError(
                f"conn_list has shape {arr.shape}; expected rows (i, j[, values...]), i.e. "
                f"shape (n_connections, >= 2)")
        self.column_names = _extra_names(column_names, arr.shape[1] - 2)
        self.conn_list = arr

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        arr = self.conn_list
        index = []
        for col, name, size, side in ((0, "i", ctx.n_pre, "presynaptic"),
                                      (1, "j", ctx.n_post, "postsynaptic")):
            values = arr[:, col]
            with np.errstate(invalid="ignore"):   # NaN, inf: checked just below
                as_int = values.astype(np.int64)
            whole = as_int == values
            if len(values) and not (whole.all() and as_int.min() >= 0 and as_int.max() < size):
                row = int(np.argmin(whole & (as_int >= 0) & (as_int < size)))
                raise ConnectionError(
                    f"{type(self).__name__}: row {row} has {name}={values[row]:g}, which is not "
                    f"a {side} index; {name} must be an integer in [0, {size})")
            index.append(as_int)
        pre, post = index
        if ctx.local_post is None:
            columns = {name: arr[:, 2 + k].copy() for k, name in enumerate(self.column_names)}
            self._progress(1, 1)
            return pre, post, columns
        # every row is checked above (an error is raised on every process alike)
        wanted = np.zeros(ctx.n_post, bool)
        wanted[ctx.local_post] = True
        rows = np.flatnonzero(wanted[post])
        columns = {name: arr[rows, 2 + k] for k, name in enumerate(self.column_names)}
        if ctx.want_positions:
            columns[POSITION] = rows
        self._progress(1, 1)
        return pre[rows], post[rows], columns

    def describe(self) -> str:
        return (f"{type(self).__name__}({len(self.conn_list)} connections, "
                f"column_names={list(self.column_names)!r})")


def read_connection_file(path: str | os.PathLike) -> tuple[np.ndarray, list[str] | None]:
    """Read a connection file; return (array (n, n_columns), column names or None)."""
    names: list[str] | None = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                continue
            match = _COLUMNS_RE.match(line.strip())
            if match:
                try:
                    parsed = ast.literal_eval(match.group(1))
                except (ValueError, SyntaxError):
                    parsed = None
                if not isinstance(parsed, (list, tuple)) or \
                        not all(isinstance(c, str) for c in parsed):
                    raise InvalidParameterValueError(
                        f"file {os.fspath(path)!r}: cannot read the column names from "
                        f"{line.strip()!r}; expected e.g. # columns = [\"i\", \"j\", \"weight\"]")
                names = list(parsed)
    data = np.loadtxt(path, comments="#", ndmin=2, dtype=float)
    if data.size == 0:
        data = data.reshape(0, len(names) if names else 2)
    return data, names


def write_connection_file(path: str | os.PathLike, array: np.ndarray,
                          column_names: Sequence[str] | None = None,
                          metadata: dict[str, Any] | None = None) -> None:
    """Write connections in the format read by `FromFileConnector`.

    Parameters
    ----------
    path : str or path — file to write (overwritten)
    array : (n_connections, n_columns) — columns i, j, then values
    column_names : names of all columns (``["i", "j", "weight", "delay"]``) or of the
        value columns only; default: i, j, weight, delay (as many as there are columns)
    metadata : dict or None — extra ``# key = value`` header lines
    """
    arr = np.asarray(array, dtype=float)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, len(column_names) if column_names else 2)
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise InvalidDimensionsError(
            f"array has shape {arr.shape}; expected (n_connections, >= 2) with columns i, j, ...")
    names = ["i", "j", *_extra_names(column_names, arr.shape[1] - 2)]
    header = [f"columns = [{', '.join(chr(34) + n + chr(34) for n in names)}]"]
    header += [f"{key} = {value!r}" for key, value in (metadata or {}).items()]
    fmt = ["%d", "%d"] + ["%.17g"] * (arr.shape[1] - 2)
    savetxt(path, arr, fmt=fmt, header="\n".join(header), comments="# ", delimiter="\t")


class FromFileConnector(FromListConnector):
    """Connections read from a text file written by `write_connection_file`.

    Parameters
    ----------
    file : str or path — the file (header ``# columns = [...]`` names the columns)
    distributed : bool — if True, each MPI process reads ``<file>.<rank>`` (as written by
        ``Projection.save(..., gather=False)``); the files ``<file>.0 .. <file>.<P-1>``
        must come from as many processes as this run has (else
        `InvalidParameterValueError`: the network would lose or repeat connections)
    """

    parameter_names = ("file", "distributed")

    def __init__(self, file: str | os.PathLike, distributed: bool = False, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        path = _rank_file(os.fspath(file)) if distributed else os.fspath(file)
        if not os.path.isfile(path):
            raise InvalidParameterValueError(f"file={path!r} does not exist or is not a file")
        data, names = read_connection_file(path)
        super().__init__(data, names, safe, callback, weights=weights, delays=delays)
        self.file = os.fspath(file)
        self.distributed = bool(distributed)
        # a process's own file holds no order among all connections: kept as read
        self.builds_local_targets = not self.distributed

    def describe(self) -> str:
        return (f"{type(self).__name__}(file={self.file!r}, distributed={self.distributed}, "
                f"{len(self.conn_list)} connections)")


def _rank_file(file: str) -> str:
    """This process's part ``<file>.<rank>`` of a distributed connection file, after
    checking that the parts were written by as many processes as run now."""
    from lamina.distribution import launched_processes
    from lamina.random import _mpi_rank
    processes, rank = launched_processes(), _mpi_rank()
    written = 0
    while os.path.isfile(f"{file}.{written}"):
        written += 1
    if written and written != processes:
        raise InvalidParameterValueError(
            f"file={file!r}, distributed=True: the connection files {file}.0 .. "
            f"{file}.{written - 1} were written by {written} MPI processes, but this run has "
            f"{processes}; run with mpiexec -n {written}, or save the projection gathered "
            "(Projection.save(..., gather=True)) and read that one file")
    return f"{file}.{rank}"


class ArrayConnector(Connector):
    """Connections given by a boolean matrix: ``array[i, j]`` True connects pre i to post j.

    Parameters
    ----------
    array : bool array-like (n_pre, n_post) — 0/1 integers are accepted too

    Connections come pre cell by pre cell; over several MPI processes each makes only
    those onto its own cells.
    """

    parameter_names = ("array",)
    builds_local_targets = True
    local_order = "row"

    def __init__(self, array: Any, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        arr = np.asarray(array)
        if arr.dtype != bool:
            numeric = np.issubdtype(arr.dtype, np.number)
            if arr.size and not (numeric and np.isin(arr, (0, 1)).all()):
                raise InvalidParameterValueError(
                    f"array of dtype {arr.dtype} is invalid; expected a boolean (or 0/1) matrix")
            arr = arr.astype(bool)
        if arr.ndim != 2:
            raise InvalidDimensionsError(f"array has shape {arr.shape}; expected (n_pre, n_post)")
        self.array = arr

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        if self.array.shape != (ctx.n_pre, ctx.n_post):
            raise InvalidDimensionsError(
                f"ArrayConnector: array has shape {self.array.shape} but the projection is "
                f"(n_pre, n_post) = ({ctx.n_pre}, {ctx.n_post})")
        if ctx.local_post is None:
            pre, post = np.nonzero(self.array)
        else:
            targets = ctx.targets()
            run = len(targets) and int(targets[-1]) - int(targets[0]) == len(targets) - 1
            # a process's cells are usually a run of post indices: a view, not a copy
            pre, col = np.nonzero(self.array[:, int(targets[0]):int(targets[-1]) + 1]
                                  if run else self.array[:, targets])
            post = targets[col]
        return pre.astype(np.int64), post.astype(np.int64), {}

    def describe(self) -> str:
        return f"ArrayConnector(array of shape {self.array.shape}, {int(self.array.sum())} True)"


class CloneConnector(Connector):
    """Copy the connection pattern of an existing projection.

    Parameters
    ----------
    reference_projection : Projection — must provide ``connection_indices()`` returning
        (pre indices, post indices) (over several MPI processes
        ``connection_indices(gather=True)``, those of all processes)

    Over several MPI processes each process takes, of the reference's connections of all
    processes, those onto its own cells (the reference's post cells may live elsewhere).
    """

    parameter_names = ("reference_projection",)
    builds_local_targets = True
    local_order = "listed"

    def __init__(self, reference_projection: Any, safe: bool = True,
                 callback: Callable[[float], Any] | None = None, *,
                 weights: Any = None, delays: Any = None) -> None:
        super().__init__(safe, callback, weights=weights, delays=delays)
        if not callable(getattr(reference_projection, "connection_indices", None)):
            raise InvalidParameterValueError(
                f"reference_projection={reference_projection!r} is invalid; expected a "
                f"Projection (an object with a connection_indices() method)")
        self.reference_projection = reference_projection

    def connect_indices(self, ctx: ConnectionContext) -> Indices:
        if ctx.local_post is None:
            pre, post = self.reference_projection.connection_indices()
        else:
            pre, post = self.reference_projection.connection_indices(gather=True)
        pre = np.asarray(pre, dtype=np.int64)
        post = np.asarray(post, dtype=np.int64)
        if (pre.size and pre.max() >= ctx.n_pre) or (post.size and post.max() >= ctx.n_post):
            raise InvalidDimensionsError(
                f"CloneConnector: the reference projection uses indices up to "
                f"(pre {pre.max() if pre.size else -1}, post {post.max() if post.size else -1}) "
                f"but this projection is (n_pre, n_post) = ({ctx.n_pre}, {ctx.n_post})")
        if ctx.local_post is None:
            return pre.copy(), post.copy(), {}
        wanted = np.zeros(ctx.n_post, bool)
        wanted[ctx.local_post] = True
        rows = np.flatnonzero(wanted[post])
        return pre[rows], post[rows], ({POSITION: rows} if ctx.want_positions else {})
