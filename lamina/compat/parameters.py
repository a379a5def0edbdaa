"""``pyNN.parameters``: parameter values as PyNN names them.

`Sequence` and `ArrayParameter` are lamina's own; `LazyArray` is a `lazyarray.larray`
(as in PyNN); `ParameterSpace` is a small mapping of parameter names to lazy arrays that
`evaluate()` turns into numpy arrays.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from lazyarray import larray

from lamina import errors  # noqa: F401 - PyNN exposes the errors module here
from lamina.compat.core import is_listlike
from lamina.errors import InvalidDimensionsError
from lamina.parameters import ArrayParameter, Sequence
from lamina.random import NativeRNG, RandomDistribution


class LazyArray(larray):
    """A lazily evaluated array (lazyarray's `larray`): a number, array, function of the
    index or RandomDistribution, evaluated for a shape on demand."""


class ParameterSpace:
    """Parameter name -> value (number, array, RandomDistribution, Sequence, function),
    each held as a `LazyArray` of `shape`.

    Parameters
    ----------
    parameters : dict — name -> value
    schema : dict — name -> expected type (kept for PyNN compatibility, not checked)
    shape : tuple — number of cells (or connections) the values are for
    component : the model type the parameters belong to (for messages)
    """

    def __init__(self, parameters: dict[str, Any], schema: dict | None = None,
                 shape: tuple[int, ...] | None = None, component: Any = None) -> None:
        self.schema = schema or {}
        self.component = component
        self._shape = shape
        self._values: dict[str, LazyArray] = {}
        self._evaluated = False
        self.update(**parameters)

    @property
    def shape(self) -> tuple[int, ...] | None:
        return self._shape

    @shape.setter
    def shape(self, value: tuple[int, ...]) -> None:
        self._shape = value
        for arr in self._values.values():
            arr.shape = value

    def update(self, **parameters: Any) -> None:
        """Add or replace values."""
        for name, value in parameters.items():
            if isinstance(value, RandomDistribution):
                size = int(np.prod(self._shape)) if self._shape else 1
                value = np.asarray(value.next(size), dtype=float).reshape(self._shape or ())
            if isinstance(value, ArrayParameter):
                self._values[name] = value    # type: ignore[assignment]
                continue
            self._values[name] = value if isinstance(value, larray) else LazyArray(
                value, shape=self._shape)
        self._evaluated = False

    def keys(self) -> Any:
        return self._values.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self._values.items())

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def pop(self, name: str, default: Any = None) -> Any:
        return self._values.pop(name, default)

    @property
    def is_homogeneous(self) -> bool:
        """Whether every value is one number (or one sequence) for all cells."""
        return all(not isinstance(v, larray) or v.is_homogeneous for v in self._values.values())

    @property
    def parallel_safe(self) -> bool:
        return True

    @property
    def has_native_rngs(self) -> bool:
        return False

    def evaluate(self, mask: Any = None, simplify: bool = False) -> None:
        """Turn every lazy value into a numpy array of `shape` (or, with `simplify`, one
        number where all entries agree)."""
        if self._shape is None:
            raise InvalidDimensionsError("ParameterSpace.evaluate(): set its shape first")
        for name, value in list(self._values.items()):
            if isinstance(value, larray):
                arr = value[mask] if mask is not None else value.evaluate(simplify=simplify)
                self._values[name] = arr
        self._evaluated = True

    def as_dict(self) -> dict[str, Any]:
        """The evaluated values, name -> array (call `evaluate` first)."""
        if not self._evaluated:
            raise InvalidDimensionsError("ParameterSpace.as_dict(): call evaluate() first")
        return dict(self._values)

    def columns(self) -> Iterator[tuple[str, Any]]:
        """(name, values) pairs of the evaluated space."""
        return iter(self.as_dict().items())

    def __repr__(self) -> str:
        return f"<ParameterSpace {', '.join(self._values)}, shape={self._shape}>"


class IonicSpecies:
    """An ion species of a multi-compartment model: name, reversal potential [mV] and
    concentrations [mM]."""

    def __init__(self, ion_name: str, reversal_potential: float,
                 internal_concentration: float | None = None,
                 external_concentration: float | None = None) -> None:
        self.ion_name = ion_name
        self.reversal_potential = reversal_potential
        self.internal_concentration = internal_concentration
        self.external_concentration = external_concentration

    def __repr__(self) -> str:
        return f"IonicSpecies({self.ion_name!r}, {self.reversal_potential!r})"


def simplify(value: Any) -> Any:
    """The single value of an array whose entries are all equal, else `value` itself."""
    if isinstance(value, np.ndarray) and value.ndim > 0 and value.size and \
            bool((value == value.flat[0]).all()):
        return value.flat[0]
    return value


def lazy_values(values: np.ndarray) -> LazyArray:
    """A `LazyArray` of these values (one per cell or connection) whose base value is one
    number where all are equal (`simplify`), else a copy of the array, as PyNN's
    ``initial_values`` show them."""
    base = simplify(np.array(values, dtype=float))
    return LazyArray(base if isinstance(base, np.ndarray) else float(base),
                     shape=np.shape(values), dtype=float)


__all__ = ["ArrayParameter", "IonicSpecies", "LazyArray", "NativeRNG", "ParameterSpace",
           "RandomDistribution", "Sequence", "is_listlike", "simplify"]
