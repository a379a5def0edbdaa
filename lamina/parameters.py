"""Parameter values as users give them, turned into per-cell or per-connection arrays.

A value may be a number, a sequence/array with one entry per cell, a `Sequence` (one
array-valued parameter such as spike times), a `RandomDistribution`, or a callable:
``f(i)`` of the cell index array, or ``f(x, y, z)`` of the cell positions.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from lamina.errors import InvalidDimensionsError, InvalidParameterValueError


class ArrayParameter:
    """An array of numbers used as *one* parameter value of one cell (e.g. the time
    constants of GIF's spike-triggered currents [ms]).

    Behaves like the array it holds for ``len``, indexing, iteration, reductions
    (``max``, ``min``, ``sum``, ``mean``), ``numpy.asarray`` and arithmetic with numbers.
    """

    value: np.ndarray

    def __init__(self, value: Any) -> None:
        if isinstance(value, ArrayParameter):
            value = value.value
        self.value = np.array(value, dtype=float).ravel()

    def __len__(self) -> int:
        return self.value.size

    def __getitem__(self, item: Any) -> Any:
        return self.value[item]

    def __iter__(self):
        return iter(self.value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.value.astype(dtype) if dtype is not None else self.value.copy()

    def __eq__(self, other: object) -> bool:
        other_value = other.value if isinstance(other, ArrayParameter) else other
        try:
            return bool(np.array_equal(self.value, np.asarray(other_value, dtype=float)))
        except (TypeError, ValueError):
            return False

    __hash__ = None  # type: ignore[assignment]

    def max(self) -> float:
        """Largest value (ValueError when empty, as numpy)."""
        return float(self.value.max())

    def min(self) -> float:
        """Smallest value (ValueError when empty, as numpy)."""
        return float(self.value.min())

    def sum(self) -> float:
        """Sum of the values."""
        return float(self.value.sum())

    def mean(self) -> float:
        """Mean of the values."""
        return float(self.value.mean())

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def _op(self, other: Any, fn: Callable) -> Any:
        other = other.value if isinstance(other, ArrayParameter) else other
        return type(self)(fn(self.value, other))

    def __add__(self, other: Any) -> Any:
        return self._op(other, np.add)

    def __sub__(self, other: Any) -> Any:
        return self._op(other, np.subtract)

    def __rsub__(self, other: Any) -> Any:
        return self._op(other, lambda a, b: np.subtract(b, a))

    def __mul__(self, other: Any) -> Any:
        return self._op(other, np.multiply)

    def __truediv__(self, other: Any) -> Any:
        return self._op(other, np.divide)

    __radd__ = __add__
    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value.tolist()!r})"


class Sequence(ArrayParameter):
    """A sequence of numbers used as *one* parameter value (e.g. spike times [ms])."""


def _is_random(value: Any) -> bool:
    from lamina.random import RandomDistribution
    return isinstance(value, RandomDistribution)


def _call(fn: Callable, indices: np.ndarray, positions: np.ndarray | None) -> Any:
    try:
        n_args = len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        n_args = 1
    if n_args == 3:
        if positions is None:
            raise InvalidParameterValueError("a function of position (x, y, z) needs cell positions")
        return fn(*positions)
    return fn(indices)


def evaluate_float(name: str, value: Any, indices: np.ndarray,
                   positions: np.ndarray | None = None, size: int | None = None) -> np.ndarray:
    """Evaluate `value` for the cells at `indices` (within their population).

    Parameters
    ----------
    name : str — parameter name (for messages)
    value : number, array-like (one per cell of the *addressed* set), RandomDistribution
        or callable
    indices : ndarray of int — population indices of the addressed cells
    positions : ndarray (3, n) — positions of the addressed cells (for callables of x, y, z)
    size : int — full population size, for drawing random values parallel-safely

    Returns
    -------
    ndarray of float, one entry per addressed cell
    """
    n = len(indices)
    if _is_random(value):
        full = size if size is not None else (int(indices.max()) + 1 if n else 0)
        mask = np.zeros(full, dtype=bool)
        mask[indices] = True
        drawn = np.asarray(value.next(full, mask=mask), dtype=float)
        # next() returns the masked values in index order; restore the caller's order
        order = np.argsort(np.argsort(indices, kind="stable"), kind="stable")
        return drawn[order] if drawn.size == n else np.resize(drawn, n)
    if callable(value) and not isinstance(value, np.ndarray):
        value = _call(value, np.asarray(indices), positions)
    if isinstance(value, ArrayParameter):
        raise InvalidParameterValueError(
            f"parameter {name!r} takes a number per cell, not a {type(value).__name__} "
            f"({value!r})")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise InvalidParameterValueError(
            f"parameter {name!r}: cannot use {value!r} ({type(value).__name__}); expected a "
            "number, an array with one value per cell, a RandomDistribution or a function"
        ) from err
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise InvalidDimensionsError(
            f"parameter {name!r}: got an array of shape {arr.shape}, expected one value per "
            f"cell, shape ({n},)")
    return arr.copy()


def evaluate_sequence(name: str, value: Any, indices: np.ndarray,
                      positions: np.ndarray | None = None) -> list[np.ndarray]:
    """Evaluate an array-valued parameter (such as ``spike_times``) for each addressed cell.

    `value` may be one Sequence / list of numbers (shared by all cells), an array or list of
    Sequences (one per cell), or a callable returning either.
    """
    n = len(indices)
    if callable(value) and not isinstance(value, (ArrayParameter, np.ndarray)):
        value = _call(value, np.asarray(indices), positions)
    if isinstance(value, ArrayParameter):
        return [value.value.copy() for _ in range(n)]
    if isinstance(value, np.ndarray) and value.dtype != object:
        if value.ndim <= 1:
            return [value.astype(float).ravel().copy() for _ in range(n)]
        if value.shape[0] == n:
            return [row.astype(float).copy() for row in value]
    items = list(value) if not isinstance(value, (int, float)) else [value]
    if items and all(isinstance(v, (ArrayParameter, list, tuple, np.ndarray)) for v in items):
        if len(items) != n:
            raise InvalidDimensionsError(
                f"parameter {name!r}: got {len(items)} sequences, expected one per cell ({n})")
        return [Sequence(v).value for v in items]
    return [np.asarray(items, dtype=float).ravel().copy() for _ in range(n)]


def check_sorted_times(name: str, sequences: list[np.ndarray]) -> None:
    """Raise `InvalidParameterValueError` if any time sequence is unsorted or negative."""
    for k, times in enumerate(sequences):
        if times.size and (np.any(np.diff(times) < 0) or times[0] < 0):
            raise InvalidParameterValueError(
                f"parameter {name!r} of cell {k}: times must be >= 0 and sorted in increasing "
                f"order, got {times[:10].tolist()}{'...' if times.size > 10 else ''}")
