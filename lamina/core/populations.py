"""Populations of cells of one type, and views onto subsets of them."""
from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from lamina import parameters as params
from lamina.core import simulation
from lamina.core.ids import ID, positions_in
from lamina.core.recording import Recorder
from lamina.core.resources import check_fits
from lamina.describe import render
from lamina.errors import (InvalidDimensionsError, InvalidModelError, InvalidParameterValueError,
                           NoModelAvailableError, NonExistentParameterError, UnknownCellError,
                           valid_names_hint)
from lamina.io import write_block
from lamina.models import CELL_TYPES, StandardCellType
from lamina.random import NumpyRNG
from lamina.space import GridAddresses, Line

logger = logging.getLogger(__name__)


def resolve_celltype(cellclass: Any, cellparams: dict[str, Any] | None) -> StandardCellType:
    """Turn what the user passed as a cell type into a model instance.

    Accepts a standard model class (with optional `cellparams`), an instance, or a model
    name. Raises `InvalidModelError` for anything else.
    """
    if isinstance(cellclass, str):
        if cellclass in CELL_TYPES:
            cellclass = CELL_TYPES[cellclass]
        else:
            try:
                cellclass = simulation.current().backend.native_cell_type(cellclass)
            except InvalidModelError as err:
                raise InvalidModelError(
                    f"unknown cell type {cellclass!r}: {err} Standard cell types are "
                    f"{', '.join(sorted(CELL_TYPES))}.{valid_names_hint(cellclass, CELL_TYPES)}"
                ) from err
    if isinstance(cellclass, type) and issubclass(cellclass, StandardCellType):
        return cellclass(**(cellparams or {}))
    if isinstance(cellclass, StandardCellType):
        if cellparams:
            cellclass = type(cellclass)(**{**cellclass.parameter_space, **cellparams})
        return cellclass
    raise InvalidModelError(
        f"cellclass={cellclass!r}: expected a standard cell type (e.g. IF_cond_exp), an "
        "instance of one, or its name")


class BasePopulation:
    """Behaviour shared by `Population` and `PopulationView`: a set of cells of one type,
    addressed by their indices in the underlying Population (`grandparent`)."""

    _root_indices: np.ndarray
    label: str
    #: the class of the views taken from these cells (``p[2:5]``, ``sample``); the classic
    #: facade (`lamina.classic`) sets its own
    view_type: ClassVar[type["PopulationView"]]
    #: other names a cell's attribute may be read by (``cell.v_init`` in the classic API)
    attribute_aliases: ClassVar[tuple[str, ...]] = ()

    # -- identity and size ----------------------------------------------------------
    @property
    def grandparent(self) -> "Population":
        """The Population all these cells belong to."""
        raise NotImplementedError  # pragma: no cover - defined by subclasses

    @property
    def _sim(self) -> simulation.Simulation:
        return self.grandparent._simulation

    @property
    def celltype(self) -> StandardCellType:
        """The cell type (model instance)."""
        return self.grandparent._celltype

    @property
    def conductance_based(self) -> bool:
        """Whether synaptic weights are conductances [uS]."""
        return self.celltype.conductance_based

    @property
    def all_ids(self) -> np.ndarray:
        """Global IDs of the cells, int64 array."""
        return self.grandparent.first_id + self._root_indices

    @property
    def size(self) -> int:
        """Number of cells."""
        return int(len(self._root_indices))

    def __len__(self) -> int:
        return self.size

    @property
    def local_size(self) -> int:
        """Number of cells on this MPI process."""
        return int(np.count_nonzero(self._sim.backend.is_local(self.all_ids)))

    @property
    def all_cells(self) -> np.ndarray:
        """The cells as an object array of `ID` objects."""
        root = self.grandparent
        out = np.empty(self.size, dtype=object)
        out[:] = [ID(i, root) for i in self.all_ids]
        return out

    @property
    def local_cells(self) -> np.ndarray:
        """The cells on this MPI process."""
        return self.all_cells[self._sim.backend.is_local(self.all_ids)]

    def __iter__(self) -> Iterator[ID]:
        root = self.grandparent
        return (ID(i, root) for i in self.all_ids)

    def all(self) -> Iterator[ID]:
        """Iterator over the cells on all MPI processes."""
        return iter(self.all_cells)

    def id_to_local_index(self, id: Any) -> Any:
        """Index (or indices) of `id` among the cells on this MPI process."""
        local_ids = self.all_ids[self._sim.backend.is_local(self.all_ids)]
        return positions_in(id, local_ids, lambda i: UnknownCellError(
            f"ID {i} is not a local cell of {self.label!r}"))

    @property
    def injectable(self) -> bool:
        """Whether current sources can be injected into these cells."""
        return bool(self.celltype.injectable)

    @property
    def receptor_types(self) -> tuple[str, ...]:
        """Names of the synaptic receptors of these cells (``receptor_type=`` of
        Projections)."""
        return tuple(self.celltype.receptor_types)

    def find_units(self, variable: str) -> str:
        """Units of a parameter or state variable (e.g. 'mV' for 'v').

        Raises
        ------
        NonExistentParameterError if the cell type has no such variable.
        """
        units = type(self.celltype).units
        if variable not in units:
            raise NonExistentParameterError(variable, type(self.celltype).__name__, units)
        return str(units[variable])

    @property
    def position_generator(self) -> Any:
        """A function of an index giving that cell's position (3 coordinates)."""
        positions = self.positions
        return lambda i: positions[:, i]

    @property
    def first_id(self) -> ID:
        """ID of the first cell."""
        return ID(int(self.all_ids[0]), self.grandparent)

    @property
    def last_id(self) -> ID:
        """ID of the last cell."""
        return ID(int(self.all_ids[-1]), self.grandparent)

    def is_local(self, id: int) -> bool:
        """Whether cell `id` lives on this MPI process."""
        return bool(self._sim.backend.is_local(np.array([int(id)]))[0])

    def id_to_index(self, id: Any) -> Any:
        """Index (or indices) of `id` (or an array of IDs) within this object.

        Raises
        ------
        IndexError if an ID does not belong to it.
        """
        scalar = isinstance(id, (int, np.integer))
        if scalar:
            ids = np.array([int(id)], dtype=np.int64)
        elif isinstance(id, np.ndarray) and id.dtype.kind in "iu":
            ids = id.astype(np.int64)
        else:
            ids = np.asarray([int(i) for i in id], dtype=np.int64)
        all_ids = self.all_ids
        order = np.argsort(all_ids, kind="stable")
        pos = np.searchsorted(all_ids, ids, sorter=order).clip(0, max(self.size - 1, 0))
        lookup = order[pos] if self.size else pos
        missing = ids if self.size == 0 else ids[all_ids[lookup] != ids]
        if missing.size:
            raise UnknownCellError(f"ID {int(missing[0])} is not in {self.label!r} (IDs "
                                   f"{int(self.all_ids.min(initial=0))}..."
                                   f"{int(self.all_ids.max(initial=-1))})")
        return int(lookup[0]) if scalar else lookup

    def index_to_id(self, index: Any) -> Any:
        """ID (or IDs) at `index` (or an index array)."""
        ids = self.all_ids[index]
        root = self.grandparent
        return ID(int(ids), root) if np.ndim(ids) == 0 else np.array([ID(i, root) for i in ids],
                                                                    dtype=object)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, np.integer)):
            if not -self.size <= index < self.size:
                raise IndexError(f"index {index} out of range for {self.label!r} of size {self.size}")
            return ID(int(self.all_ids[index]), self.grandparent)
        return self.view_type(self, index)

    def __add__(self, other: Any) -> Any:
        from lamina.core.assembly import Assembly
        return Assembly(self, other)

    @property
    def positions(self) -> np.ndarray:
        """Cell positions, array of shape (3, size)."""
        return self.grandparent._all_positions()[:, self._root_indices]

    def nearest(self, position: Any) -> ID:
        """The cell closest to `position` (3 coordinates)."""
        d = np.sum((self.positions - np.asarray(position, dtype=float).reshape(3, 1)) ** 2, axis=0)
        return self.index_to_id(int(np.argmin(d)))

    def sample(self, n: int, rng: Any = None) -> "PopulationView":
        """A view of `n` cells drawn at random without replacement (in index order)."""
        if not 0 <= n <= self.size:
            raise InvalidDimensionsError(f"sample(n={n}): n must be between 0 and {self.size}")
        rng = rng or NumpyRNG()
        perm = np.argsort(rng.next(self.size, "uniform", {"low": 0.0, "high": 1.0}))
        return self.view_type(self, np.sort(perm[:n]))

    # -- parameters ---------------------------------------------------------------
    def get(self, parameter_names: str | list[str], gather: bool = False,
            simplify: bool = True) -> Any:
        """Values of one parameter (or a list of them) for these cells.

        Returns one value where all cells share it and `simplify` is true, else an array
        (for sequence parameters: an object array of `Sequence`).
        """
        names = [parameter_names] if isinstance(parameter_names, str) else list(parameter_names)
        out = [self._get_one(name, simplify) for name in names]
        return out[0] if isinstance(parameter_names, str) else out

    def _get_one(self, name: str, simplify: bool) -> Any:
        root = self.grandparent
        decl = root._celltype.check_name(name)
        values = root._parameters[name]
        if decl.kind in ("sequence", "array"):
            kind = params.Sequence if decl.kind == "sequence" else params.ArrayParameter
            seqs = [kind(values[i]) for i in self._root_indices]
            if simplify and seqs and all(s == seqs[0] for s in seqs):
                return seqs[0]
            out = np.empty(len(seqs), dtype=object)   # as PyNN: an object array
            for k, seq in enumerate(seqs):
                out[k] = seq
            return out
        arr = values[self._root_indices]
        if simplify and arr.size and np.all(arr == arr[0]):
            return float(arr[0])
        return arr.copy()

    def set(self, **parameters: Any) -> None:
        """Set parameters of these cells: numbers, arrays (one per cell),
        RandomDistributions, `Sequence` objects, or functions of the index or position."""
        self.grandparent._set_values(self._root_indices, self._view_local(parameters))

    @property
    def initial_values(self) -> dict[str, Any]:
        """State variable name -> the initial values of these cells, a `LazyArray` of
        shape ``(size,)`` (PyNN's ``pyNN.parameters.LazyArray``); its base value is a
        number where all cells share it, else the array of values. A fresh dict on each
        access, reflecting every ``initialize()`` so far (values drawn from a
        RandomDistribution are the ones drawn, not the distribution)."""
        from lamina.compat.parameters import lazy_values
        return {name: lazy_values(values[self._root_indices])
                for name, values in self.grandparent._initial.items()}

    def initialize(self, **initial_values: Any) -> None:
        """Set initial values of state variables (e.g. ``v=-65.0``); they apply now and
        after every `reset()`."""
        self.grandparent._set_initial(self._root_indices, self._view_local(initial_values))

    def _view_local(self, values: dict[str, Any]) -> dict[str, Any]:
        """As PyNN: a function of the cell index given to a view gets indices within the
        view (0 .. size-1), not within the Population (functions of x, y, z are left as
        they are)."""
        if self is self.grandparent:
            return values
        root = self._root_indices
        order = np.argsort(root, kind="stable")

        def localised(fn: Any) -> Any:
            def of_view_index(indices: Any) -> Any:
                idx = np.asarray(indices, dtype=np.int64)
                return fn(order[np.searchsorted(root, idx, sorter=order)])
            return of_view_index

        out = {}
        for name, value in values.items():
            if _is_index_function(value):
                value = localised(value)
            out[name] = value
        return out

    # -- recording and data -------------------------------------------------------
    def can_record(self, variable: str) -> bool:
        """Whether `variable` can be recorded from these cells."""
        return self.celltype.can_record(variable)

    def record(self, variables: Any, to_file: Any = None,
               sampling_interval: float | None = None) -> None:
        """Record `variables` ('spikes', 'v', 'gsyn_exc', ..., or 'all') from these cells.

        ``None`` stops all recording from them. With `to_file`, data are written to that
        file at ``end()``. `sampling_interval` [ms] applies to the whole population.
        """
        self.grandparent._recorder.record(variables, self._root_indices, to_file,
                                          sampling_interval)

    def get_data(self, variables: str | list[str] = "all", gather: bool = True,
                 clear: bool = False, annotations: dict[str, Any] | None = None) -> Any:
        """Recorded data of these cells as a `neo.Block`, one Segment per run between resets."""
        return self.grandparent._recorder.get_data(variables, self._root_indices, clear,
                                                   annotations, self.label, gather)

    def write_data(self, io: Any, variables: str | list[str] = "all", gather: bool = True,
                   clear: bool = False, annotations: dict[str, Any] | None = None) -> None:
        """Write recorded data to `io`: a file name (format by suffix: .pkl, .nix, .h5) or a
        neo IO object."""
        block = self.get_data(variables, gather, clear, annotations)
        if gather and self._sim.distribution.rank != 0:
            return   # over MPI, rank 0 writes the gathered data, once
        write_block(block, io)

    def get_spike_counts(self, gather: bool = True) -> dict[ID, int]:
        """Number of spikes recorded from each cell in the current segment: one entry per
        cell whose spikes are recorded (as PyNN: cells not recording spikes are left out)."""
        recorder = self.grandparent._recorder
        counts = recorder.spike_counts(self._root_indices, gather=gather)
        on = recorder.recorded.get("spikes", np.zeros(self.grandparent.size, dtype=bool))
        root = self.grandparent
        return {ID(int(i), root): int(c)
                for i, c, rec in zip(self.all_ids, counts, on[self._root_indices]) if rec}

    def mean_spike_count(self, gather: bool = True) -> float:
        """Mean number of spikes per recorded cell in the current segment."""
        counts = self.grandparent._recorder.spike_counts(self._root_indices, recorded_only=True,
                                                         gather=gather)
        return float(np.mean(counts)) if len(counts) else 0.0

    def save_positions(self, file: Any) -> None:
        """Write the cells' positions as rows ``index x y z`` (index in these cells): to a
        text file named `file` (a ``# population = <label>`` header line, then tab-separated
        numbers), or through an object with ``write(data, metadata)`` and ``close()``.
        Over MPI only rank 0 writes."""
        data = np.column_stack([np.arange(self.size, dtype=float), self.positions.T])
        if self._sim.distribution.rank == 0:
            write_positions(file, data, {"population": self.label})

    def inject(self, current_source: Any) -> None:
        """Inject a current source into these cells."""
        from lamina.core.current_sources import inject
        inject(current_source, self)

    def describe(self, template: str | None = "population_default.txt",
                 engine: str = "default") -> Any:
        """Human-readable description (or, with ``template=None``, its context dict)."""
        return render(template, engine, self._describe_context())

    def _describe_context(self) -> dict[str, Any]:
        local = self.all_ids[self._sim.backend.is_local(self.all_ids)]   # no ID objects
        return {**getattr(self, "annotations", {}),
                "label": self.label, "size": self.size, "size_local": int(local.size),
                "local_first_id": int(local[0]) if local.size else None,
                "celltype": type(self.celltype).__name__,
                "parameters": dict(self.celltype.parameter_space),
                "first_id": int(self.all_ids[0]) if self.size else None,
                "last_id": int(self.all_ids[-1]) if self.size else None,
                "structure": _structure_summary(self.grandparent.structure),
                "is_view": isinstance(self, PopulationView),
                "parent": getattr(getattr(self, "parent", None), "label", None),
                "backend": self._sim.backend_name,
                "integration": self._integration()}

    def _integration(self) -> str:
        """How the backend integrates these cells (its `describe`; per model where it says
        so per model)."""
        method = self._sim.backend.describe().get("integration", "")
        if isinstance(method, dict):
            return str(method.get(type(self.celltype).__name__, ""))
        return str(method)


class Population(BasePopulation):
    """A group of cells of one type.

    Parameters
    ----------
    size : int — number of cells (a tuple of dimensions is also accepted: a grid)
    cellclass : standard cell type class, instance, or name
    cellparams : dict — parameter values when `cellclass` is a class
    structure : Line, Grid2D, Grid3D or RandomStructure — spatial layout (default Line())
    initial_values : dict — initial values of state variables
    label : str
    """

    _count = 0

    def __init__(self, size: int | tuple[int, ...] | None = None, cellclass: Any = None,
                 cellparams: dict[str, Any] | None = None, structure: Any = None,
                 initial_values: dict[str, Any] | None = None,
                 label: str | None = None) -> None:
        self._simulation = simulation.current()
        self._dims = _check_size(size)
        self._grid = isinstance(size, (tuple, list))
        n = int(np.prod([int(d) for d in self._dims], dtype=object))
        self._celltype = resolve_celltype(cellclass, cellparams)
        self._check_available()
        self._check_memory(n)
        initial_values = {**self._celltype.classic_initial_values, **(initial_values or {})}
        Population._count += 1
        self.label = label or f"population{Population._count - 1}"
        if structure is None and self._grid and len(self._dims) > 1:
            structure = GridAddresses(self._dims)
        elif structure is None:
            structure = Line()
        self.structure = structure
        self._positions: np.ndarray | None = None
        self._root_indices = np.arange(n, dtype=np.int64)
        self.annotations: dict[str, Any] = {}
        self._parameters = self._evaluate_parameters(self._celltype.parameter_space,
                                                     self._root_indices, n)
        self._celltype.check_values({k: v for k, v in self._parameters.items()
                                     if isinstance(v, (np.ndarray, list))})
        self._initial = self._evaluate_initial(initial_values or {}, n)
        ids = self._simulation.allocate_ids(n)
        self._first = int(ids[0]) if n else self._simulation.next_id
        ct = self._celltype
        self._simulation.backend.create_cells(ct.backend_type(), ids,
                                              ct.to_backend_parameters(self._parameters),
                                              ct.to_backend_initial(dict(self._initial)))
        self._recorder = Recorder(self)
        self._simulation.populations.append(self)
        self._simulation.recorders.append(self._recorder)

    @property
    def grandparent(self) -> "Population":
        return self

    def _check_available(self) -> None:
        """Refuse, before creating anything, a standard cell type the backend does not run
        (`lamina.backends.base.Capabilities.cell_types`)."""
        name = type(self._celltype).__name__
        backend = self._simulation.backend
        refusal = backend.capabilities().refusal(backend.name, "cell", name)
        if refusal and CELL_TYPES.get(name) is type(self._celltype):
            raise NoModelAvailableError(refusal)

    def _check_memory(self, n: int) -> None:
        """Refuse, before allocating, a population the machine cannot hold."""
        ct = self._celltype
        per_cell_core = 8.0 * (len(ct.parameters) + len(getattr(ct, "state_variables", ()))
                               + 5)   # values, initial values, ids, positions
        per_cell_backend = self._simulation.backend.bytes_per_cell(ct.backend_type())
        check_fits(f"Population({n}, {type(ct).__name__})",
                   n * (per_cell_core + per_cell_backend),
                   f"{n} cells x ({per_cell_core:.0f} B in lamina + {per_cell_backend:.0f} B "
                   f"in the {self._simulation.backend.name} backend)")

    @property
    def first_id(self) -> ID:  # cheaper than the generic version
        return ID(self._first, self)

    @property
    def all_ids(self) -> np.ndarray:
        return self._first + self._root_indices

    @property
    def dim(self) -> tuple[int, ...]:
        """Dimensions the population was created with."""
        return self._dims

    def annotate(self, **annotations: Any) -> None:
        """Attach annotations, copied into the Neo blocks of `get_data`."""
        self.annotations.update(annotations)

    @property
    def positions(self) -> np.ndarray:
        return self._all_positions()

    @positions.setter
    def positions(self, value: Any) -> None:
        arr = np.asarray(value, dtype=float)
        if arr.shape != (3, self.size):
            raise InvalidDimensionsError(
                f"positions of {self.label!r}: got shape {arr.shape}, expected (3, {self.size})")
        self._positions = arr.copy()

    def _all_positions(self) -> np.ndarray:
        if self._positions is None:
            self._positions = np.asarray(self.structure.generate_positions(self.size), dtype=float)
        return self._positions

    def _set_position(self, cell: ID, value: Any) -> None:
        pos = np.asarray(value, dtype=float).ravel()
        if pos.shape != (3,):
            raise InvalidDimensionsError(f"position {value!r}: expected 3 coordinates (x, y, z)")
        self._all_positions()[:, self.id_to_index(cell)] = pos

    # -- evaluation of user values ------------------------------------------------
    def _evaluate_parameters(self, values: dict[str, Any], indices: np.ndarray,
                             size: int) -> dict[str, Any]:
        table = self._celltype.parameter_table()
        out: dict[str, Any] = {}
        for name, value in values.items():
            decl = table[name]
            if decl.kind in ("sequence", "array"):
                seqs = params.evaluate_sequence(name, value, indices, self._positions_for(indices))
                if decl.kind == "sequence":
                    params.check_sorted_times(name, seqs)
                out[name] = seqs
            else:
                if value is None:
                    raise InvalidParameterValueError(f"parameter {name!r} needs a value")
                out[name] = params.evaluate_float(name, value, indices,
                                                  self._positions_for(indices), size)
        return out

    def _positions_for(self, indices: np.ndarray) -> np.ndarray | None:
        try:
            return self._all_positions()[:, indices]
        except AttributeError:  # structure not set yet during construction
            return None

    def _evaluate_initial(self, given: dict[str, Any], n: int) -> dict[str, np.ndarray]:
        valid = self._celltype.state_variable_names()
        for name in given:
            if name not in valid:
                raise NonExistentParameterError(name, f"{type(self._celltype).__name__} "
                                                "(state variables)", valid)
        merged = {**self._celltype.default_initial_values, **given}
        out = {k: params.evaluate_float(k, v, self._root_indices, self._positions_for(
            self._root_indices), n) for k, v in merged.items()}
        self._celltype.check_initial_values(out)
        return out

    def _set_values(self, indices: np.ndarray, values: dict[str, Any]) -> None:
        for name in values:
            self._celltype.check_name(name)
        new = self._evaluate_parameters(values, indices, self.size)
        trial = {k: (v[indices] if isinstance(v, np.ndarray)
                     else [v[i] for i in indices] if isinstance(v, list) else None)
                 for k, v in self._parameters.items()}
        trial.update(new)
        self._celltype.check_values({k: v for k, v in trial.items()
                                     if isinstance(v, (np.ndarray, list))})
        ids = self._first + indices
        renamed = self._celltype.backend_type() is not self._celltype
        sent = self._celltype.to_backend_parameters(trial if renamed else new)
        self._simulation.backend.set_cell_parameters(ids, sent)
        for name, arr in new.items():
            if isinstance(arr, np.ndarray):
                self._parameters[name][indices] = arr
            else:
                for k, i in enumerate(indices):
                    self._parameters[name][i] = arr[k]

    def _set_initial(self, indices: np.ndarray, values: dict[str, Any]) -> None:
        valid = self._celltype.state_variable_names()
        evaluated = {}
        for name, value in values.items():
            if name not in valid:
                raise NonExistentParameterError(
                    name, f"{type(self._celltype).__name__} (state variables)", valid)
            evaluated[name] = params.evaluate_float(name, value, indices,
                                                    self._positions_for(indices), self.size)
        self._celltype.check_initial_values(evaluated)
        self._simulation.backend.set_initial_values(
            self._first + indices, self._celltype.to_backend_initial(evaluated))
        for name, arr in evaluated.items():
            self._initial[name][indices] = arr

    # -- single-cell access (used by ID) ------------------------------------------
    def _cell_value(self, cell: ID, name: str) -> Any:
        i = self.id_to_index(cell)
        if name in self._parameters:
            value = self._parameters[name][i]
            return params.Sequence(value) if isinstance(value, np.ndarray) and value.ndim else float(value)
        if name in self._initial:
            return float(self._initial[name][i])
        raise NonExistentParameterError(name, type(self._celltype).__name__,
                                        [*self._parameters, "position"])

    def _get_initial(self, cell: ID, name: str) -> float:
        if name not in self._initial:
            raise NonExistentParameterError(name, f"{type(self._celltype).__name__} "
                                            "(state variables)", self._initial)
        return float(self._initial[name][self.id_to_index(cell)])

    def _set_cell_value(self, cell: ID, name: str, value: Any) -> None:
        i = self.id_to_index(cell)
        self._set_values(np.array([i]), {name: value})

    def __repr__(self) -> str:
        return (f"Population({self.size}, {type(self._celltype).__name__}(<parameters>), "
                f"structure={self.structure!r}, label={self.label!r})")


class PopulationView(BasePopulation):
    """A subset of a Population (or of another view), chosen by slice, index array or
    boolean mask. It shares the cells: setting, recording and connecting act on them.

    As in PyNN, an index array is sorted and its duplicates dropped (with a warning): a
    view holds each cell once, in its parent's order; a boolean mask becomes the index
    array of its true entries; a slice is kept as given (negative steps reverse the order).

    Attributes
    ----------
    parent : the Population or PopulationView it was taken from
    mask : the selector: the slice as given, else a sorted int64 index array into `parent`
    """

    def __init__(self, parent: BasePopulation, selector: Any, label: str | None = None) -> None:
        self.parent = parent
        self.mask: slice | np.ndarray = _normalise_selector(selector, parent.size)
        self._root_indices = parent._root_indices[self.mask]
        self.label = label or f"view of '{parent.label}' with size {self.size}"
        self.annotations: dict[str, Any] = {}
        self._hash: int | None = None

    @property
    def grandparent(self) -> Population:
        return self.parent.grandparent

    @property
    def structure(self) -> Any:
        """The spatial structure of the parent Population."""
        return self.grandparent.structure

    @property
    def first_id(self) -> ID:
        """The smallest ID in the view (its first cell's where the view is in ID order)."""
        return ID(int(self._nonempty_ids().min()), self.grandparent)

    @property
    def last_id(self) -> ID:
        """The largest ID in the view."""
        return ID(int(self._nonempty_ids().max()), self.grandparent)

    def _nonempty_ids(self) -> np.ndarray:
        if not self.size:
            raise UnknownCellError(f"{self.label!r} is empty: it has no first or last cell")
        return self.all_ids

    def annotate(self, **annotations: Any) -> None:
        """Attach annotations (shown by ``describe(template=None)``)."""
        self.annotations.update(annotations)

    def index_in_grandparent(self, indices: Any) -> np.ndarray:
        """Indices in the root Population of the cells at `indices` in this view."""
        return self._root_indices[indices]

    def index_from_parent_index(self, indices: Any) -> Any:
        """Index (or indices) in this view of the cell(s) at `indices` in `parent`.

        Raises
        ------
        UnknownCellError if a cell is not in this view.
        """
        in_parent = np.arange(self.parent.size, dtype=np.int64)[self.mask]
        wanted = np.asarray(indices, dtype=np.int64)
        wanted = np.where(wanted < 0, wanted + self.parent.size, wanted)
        return positions_in(wanted, in_parent, lambda i: UnknownCellError(
            f"index_from_parent_index: index {i} of {self.parent.label!r} is not in "
            f"{self.label!r}"))

    def __eq__(self, other: object) -> bool:
        """Same parent and the same cells in the same order (whatever the selectors)."""
        if isinstance(other, PopulationView):
            return (self.parent is other.parent
                    and np.array_equal(self.all_ids, other.all_ids))
        if isinstance(other, Population):
            return self.parent is other and np.array_equal(self.all_ids, other.all_ids)
        return False

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((id(self.parent), self._root_indices.tobytes()))
        return self._hash

    def describe(self, template: str | None = "populationview_default.txt",
                 engine: str = "default") -> Any:
        """Human-readable description: label, parent, size and selector (or, with
        ``template=None``, that context dict, annotations included)."""
        return render(template, engine, {"label": self.label, "parent": self.parent.label,
                                         "mask": self.mask, "size": self.size,
                                         **self.annotations})

    def __repr__(self) -> str:
        return (f"PopulationView(parent={self.parent!r}, selector={self.mask!r}, "
                f"label={self.label!r})")


BasePopulation.view_type = PopulationView


def _is_index_function(value: Any) -> bool:
    """Whether `value` is a function of the cell index (one argument), not a number, array,
    Sequence, RandomDistribution or function of position (x, y, z)."""
    from lamina.random import RandomDistribution
    if not callable(value) or isinstance(value, (np.ndarray, params.ArrayParameter,
                                                 RandomDistribution, type)):
        return False
    try:
        return len(inspect.signature(value).parameters) != 3
    except (TypeError, ValueError):
        return True


def _structure_summary(structure: Any) -> str:
    """The structure's one-line description (its repr for user-defined structures)."""
    summary = getattr(structure, "summary", None)
    return str(summary()) if callable(summary) else repr(structure)


def write_positions(file: Any, data: np.ndarray, metadata: dict[str, Any]) -> None:
    """Write an (n, 4) array of ``index x y z`` rows with `metadata` as ``# key = value``
    header lines to the text file named `file`, or hand both to ``file.write`` (a PyNN-style
    file object) and close it."""
    if isinstance(file, (str, os.PathLike)):
        with open(file, "w") as fh:
            for key, value in metadata.items():
                fh.write(f"# {key} = {value}\n")
            np.savetxt(fh, data, delimiter="\t")
        return
    if not hasattr(file, "write"):
        raise InvalidParameterValueError(
            f"save_positions(file={file!r}): expected a file name or an object with "
            "write(data, metadata) and close()")
    file.write(data, metadata)
    if hasattr(file, "close"):
        file.close()


def _check_size(size: Any) -> tuple[int, ...]:
    dims = tuple(size) if isinstance(size, (tuple, list)) else (size,)
    try:
        out = tuple(int(d) for d in dims)
    except (TypeError, ValueError, OverflowError) as err:
        raise InvalidDimensionsError(f"population size {size!r}: expected a non-negative "
                                     "integer or a tuple of them") from err
    if any(d < 0 for d in out) or any(int(d) != d for d in dims if isinstance(d, float)):
        raise InvalidDimensionsError(f"population size {size!r}: expected a non-negative integer")
    return out


def _normalise_selector(selector: Any, size: int) -> slice | np.ndarray:
    """The view selector as PyNN keeps it: a slice as given; a boolean mask (of length
    `size`) as the indices of its true entries; indices sorted, without duplicates."""
    if isinstance(selector, slice):
        return selector
    arr = np.asarray(list(selector) if isinstance(selector, tuple) else selector)
    if arr.dtype == bool:
        if arr.shape != (size,):
            raise InvalidDimensionsError(
                f"boolean mask of length {arr.size} for a population of size {size}: "
                f"expected length {size}")
        return np.flatnonzero(arr).astype(np.int64)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise InvalidParameterValueError(
            f"cannot select cells with {selector!r}: expected a slice, an index array or a mask")
    idx = arr.astype(np.int64).ravel()
    if idx.max() >= size or idx.min() < -size:
        raise IndexError(f"index {int(idx.max() if idx.max() >= size else idx.min())} out of "
                         f"range for a population of size {size}")
    unique = np.unique(idx)
    if unique.size != idx.size:
        logger.warning("PopulationView can contain each ID only once, duplicates are removed")
    return unique


__all__ = ["BasePopulation", "Population", "PopulationView", "resolve_celltype"]
