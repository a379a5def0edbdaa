"""`ID`: one cell, an integer with access to its parameters, state and position."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lamina.errors import NonExistentParameterError

if TYPE_CHECKING:
    from lamina.core.populations import Population, PopulationView


class ID(int):
    """A cell's global ID. Parameters read and write as attributes (``cell.tau_m = 15``);
    an unknown name raises `NonExistentParameterError` with a "did you mean" hint.

    Attributes
    ----------
    parent : Population — the population the cell belongs to
    """

    _internal = frozenset({"parent"})

    def __new__(cls, value: int, parent: "Population | None" = None) -> "ID":
        obj = super().__new__(cls, value)
        object.__setattr__(obj, "parent", parent)
        return obj

    # -- parameters as attributes ---------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        parent = self.__dict__.get("parent")
        if parent is None:
            raise AttributeError(f"ID {int(self)} belongs to no population")
        celltype = parent.celltype
        known = [*celltype.get_parameter_names(), *celltype.state_variable_names(),
                 *parent.attribute_aliases]
        if name not in known:
            raise NonExistentParameterError(name, type(celltype).__name__, known)
        return parent._cell_value(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ID._internal:
            object.__setattr__(self, name, value)
        elif name == "position":
            self.parent._set_position(self, value)
        else:
            self.parent._set_cell_value(self, name, value)

    def __reduce__(self) -> tuple:
        return (int, (int(self),))

    # -- PyNN methods -----------------------------------------------------------------
    @property
    def celltype(self) -> Any:
        """The cell type (model instance) of this cell."""
        return self.parent.celltype

    @property
    def is_standard_cell(self) -> bool:
        """Whether the cell is of one of the standard (simulator-independent) cell types."""
        from lamina.models import CELL_TYPES
        cls = type(self.parent.celltype)
        return CELL_TYPES.get(cls.__name__) is cls

    @property
    def local(self) -> bool:
        """Whether this cell lives on this MPI process."""
        return bool(self.parent._sim.backend.is_local(np.array([int(self)]))[0])

    @property
    def position(self) -> np.ndarray:
        """Position of the cell, shape (3,)."""
        return self.parent.positions[:, self.parent.id_to_index(self)]

    def set_parameters(self, **parameters: Any) -> None:
        """Set parameters of this cell."""
        self.as_view().set(**parameters)

    def get_parameters(self) -> dict[str, Any]:
        """All parameter values of this cell."""
        view = self.as_view()
        return {name: view.get(name) for name in self.parent.celltype.get_parameter_names()}

    def get_initial_value(self, variable: str) -> float:
        """Initial value of a state variable of this cell."""
        return self.parent._get_initial(self, variable)

    def set_initial_value(self, variable: str, value: float) -> None:
        """Set the initial value of a state variable of this cell."""
        self.as_view().initialize(**{variable: value})

    def as_view(self) -> "PopulationView":
        """A one-cell PopulationView of this cell."""
        i = self.parent.id_to_index(self)
        return self.parent[i:i + 1]

    def inject(self, current_source: Any) -> None:
        """Inject a current source into this cell."""
        self.as_view().inject(current_source)

    def __repr__(self) -> str:
        return str(int(self))


def positions_in(ids: Any, among: np.ndarray, missing: Any) -> Any:
    """Position of each of `ids` (an ID or an array of them) in the ID array `among` (the
    first, if it occurs twice): an int for one ID, else an int64 array. An ID not in
    `among` raises ``missing(id)`` (an exception the caller words)."""
    wanted = np.atleast_1d(np.asarray(ids, dtype=np.int64))
    out = np.empty(wanted.size, dtype=np.int64)
    for k, value in enumerate(wanted):
        hit = np.flatnonzero(among == value)
        if not hit.size:
            raise missing(int(value))
        out[k] = hit[0]
    return int(out[0]) if np.ndim(ids) == 0 else out


def check_name(model: Any, name: str, valid: Any) -> None:
    """Raise `NonExistentParameterError` if `name` is not in `valid`."""
    if name not in valid:
        raise NonExistentParameterError(name, type(model).__name__, valid)
