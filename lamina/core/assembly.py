"""`Assembly`: several populations (or views) treated as one group of cells."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np

from lamina.core import simulation
from lamina.core.ids import ID, positions_in
from lamina.core.populations import BasePopulation, PopulationView, write_positions
from lamina.describe import render
from lamina.errors import InvalidModelError
from lamina.io import write_block
from lamina.random import NumpyRNG

logger = logging.getLogger(__name__)


class Assembly:
    """A group of Populations/PopulationViews, addressed as one.

    Parameters
    ----------
    *populations : Population or PopulationView
    label : str
    """

    _count = 0

    def __init__(self, *populations: BasePopulation, label: str | None = None) -> None:
        self.populations: list[BasePopulation] = []
        for p in populations:
            self._add(p)
        Assembly._count += 1
        self.label = label or f"assembly{Assembly._count - 1}"
        self.annotations: dict[str, Any] = {}

    def annotate(self, **annotations: Any) -> None:
        """Attach annotations to the assembly."""
        self.annotations.update(annotations)

    def _add(self, item: Any) -> None:
        """Add a member as PyNN does: a population already there, a view whose parent is
        there, or a view sharing cells with a member is left out, with a warning."""
        if isinstance(item, Assembly):
            for p in item.populations:
                self._add(p)
            return
        if not isinstance(item, BasePopulation):
            raise TypeError(f"an Assembly holds populations and views, not {item!r}")
        if isinstance(item, PopulationView):
            if any(item.parent is m for m in self.populations):
                logger.warning("%s not added to assembly: its parent %r is a member",
                               item.label, item.parent.label)
                return
            ids = item.all_ids
            for m in self.populations:
                if m.grandparent is item.grandparent and np.intersect1d(m.all_ids, ids).size:
                    logger.warning("%s not added to assembly: it shares cells with member %r",
                                   item.label, m.label)
                    return
        elif any(item == m for m in self.populations):
            logger.warning("population %r is already in the assembly: not added twice",
                           item.label)
            return
        self.populations.append(item)

    def __add__(self, other: Any) -> "Assembly":
        return Assembly(*self.populations, other)

    def __iadd__(self, other: Any) -> "Assembly":
        self._add(other)
        return self

    # -- cells ---------------------------------------------------------------------
    @property
    def all_ids(self) -> np.ndarray:
        """Global IDs, population by population."""
        parts = [p.all_ids for p in self.populations]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    @property
    def size(self) -> int:
        return int(sum(p.size for p in self.populations))

    def __len__(self) -> int:
        return self.size

    @property
    def local_size(self) -> int:
        return int(sum(p.local_size for p in self.populations))

    @property
    def all_cells(self) -> np.ndarray:
        parts = [p.all_cells for p in self.populations]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=object)

    def __iter__(self) -> Iterator[ID]:
        for p in self.populations:
            yield from p

    def all(self) -> Iterator[ID]:
        """Iterator over the cells on all MPI processes, member by member."""
        return iter(self.all_cells)

    @property
    def injectable(self) -> bool:
        """Whether current sources can be injected into every member."""
        return all(p.injectable for p in self.populations)

    @property
    def receptor_types(self) -> list[str]:
        """The receptor types all members have (in the first member's order)."""
        if not self.populations:
            return []
        common = set.intersection(*(set(p.receptor_types) for p in self.populations))
        return [r for r in self.populations[0].receptor_types if r in common]

    def find_units(self, variable: str) -> str:
        """Units of `variable`, which every member must have with the same units.

        Raises
        ------
        InvalidModelError if the members' units differ.
        """
        units = {p.find_units(variable) for p in self.populations}
        if len(units) != 1:
            raise InvalidModelError(f"{variable!r} has different units in the members of "
                                    f"{self.label!r}: {', '.join(sorted(units))}")
        return units.pop()

    @property
    def position_generator(self) -> Any:
        """A function of an index giving that cell's position (3 coordinates)."""
        positions = self.positions
        return lambda i: positions[:, i]

    @property
    def local_cells(self) -> np.ndarray:
        """The cells on this MPI process, member by member."""
        parts = [p.local_cells for p in self.populations]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=object)

    @property
    def first_id(self) -> ID:
        """The smallest ID in the assembly."""
        return min((p.first_id for p in self.populations if p.size), key=int)

    @property
    def last_id(self) -> ID:
        """The largest ID in the assembly."""
        return max((p.last_id for p in self.populations if p.size), key=int)

    @property
    def positions(self) -> np.ndarray:
        return np.hstack([p.positions for p in self.populations])

    @property
    def celltype(self) -> Any:
        """The cell type shared by all members (InvalidModelError if they differ)."""
        types = {type(p.celltype) for p in self.populations}
        if len(types) != 1:
            raise InvalidModelError(
                f"assembly {self.label!r} mixes cell types "
                f"{', '.join(sorted(t.__name__ for t in types))}")
        return self.populations[0].celltype

    @property
    def conductance_based(self) -> bool:
        return all(p.celltype.conductance_based for p in self.populations)

    def _locate(self, index: np.ndarray) -> list[tuple[BasePopulation, np.ndarray, np.ndarray]]:
        """Split assembly indices into (member, member indices, positions in `index`)."""
        bounds = np.cumsum([0] + [p.size for p in self.populations])
        out = []
        for k, p in enumerate(self.populations):
            sel = np.flatnonzero((index >= bounds[k]) & (index < bounds[k + 1]))
            if sel.size:
                out.append((p, index[sel] - bounds[k], sel))
        return out

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, np.integer)):
            i = int(index) + (self.size if index < 0 else 0)
            if not 0 <= i < self.size:
                raise IndexError(f"index {index} out of range for {self.label!r} of size {self.size}")
            member, local, _ = self._locate(np.array([i]))[0]
            return member[int(local[0])]
        idx = np.arange(self.size)[index] if isinstance(index, slice) else np.asarray(index)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        return Assembly(*[p.view_type(p, local) for p, local, _ in self._locate(idx)])

    def id_to_index(self, id: Any) -> Any:
        """Index of `id` in the assembly."""
        return positions_in(id, self.all_ids,
                            lambda i: IndexError(f"ID {i} is not in {self.label!r}"))

    def get_population(self, label: str) -> BasePopulation:
        """The member with `label`."""
        for p in self.populations:
            if p.label == label:
                return p
        raise KeyError(f"no population labelled {label!r} in {self.label!r}")

    # -- acting on all members --------------------------------------------------------
    def set(self, **parameters: Any) -> None:
        for p in self.populations:
            p.set(**parameters)

    def get(self, parameter_names: Any, gather: bool = False, simplify: bool = True) -> Any:
        values = [p.get(parameter_names, gather, simplify=False) for p in self.populations]
        def merged(parts: list[Any]) -> Any:
            arr = np.concatenate([np.atleast_1d(v) for v in parts])
            if simplify and arr.size and arr.dtype != object and np.all(arr == arr[0]):
                return float(arr[0])
            return arr
        if isinstance(parameter_names, str):
            return merged(values)
        return [merged([v[k] for v in values]) for k in range(len(parameter_names))]

    def initialize(self, **initial_values: Any) -> None:
        for p in self.populations:
            p.initialize(**initial_values)

    def record(self, variables: Any, to_file: Any = None,
               sampling_interval: float | None = None) -> None:
        for p in self.populations:
            p.record(variables, None, sampling_interval)
        if to_file is not None:
            simulation.current().files_at_end.append(lambda: self.write_data(to_file))

    def inject(self, current_source: Any) -> None:
        for p in self.populations:
            p.inject(current_source)

    def get_data(self, variables: Any = "all", gather: bool = True, clear: bool = False,
                 annotations: dict[str, Any] | None = None) -> Any:
        """Recorded data of all members merged into one neo Block (segment by segment)."""
        import neo
        blocks = [p.get_data(variables, gather, clear, annotations) for p in self.populations]
        merged = neo.Block(name=self.label, description=self.describe())
        for k in range(max((len(b.segments) for b in blocks), default=0)):
            seg = neo.Segment(name=f"segment{k:03d}")
            for b in blocks:
                if k < len(b.segments):
                    seg.spiketrains.extend(b.segments[k].spiketrains)
                    seg.analogsignals.extend(b.segments[k].analogsignals)
            merged.segments.append(seg)
        return merged

    def write_data(self, io: Any, variables: Any = "all", gather: bool = True,
                   clear: bool = False, annotations: dict[str, Any] | None = None) -> None:
        block = self.get_data(variables, gather, clear, annotations)
        if gather and self.populations and \
                self.populations[0]._sim.distribution.rank != 0:
            return   # over MPI, rank 0 writes the gathered data, once
        write_block(block, io)

    def get_spike_counts(self, gather: bool = True) -> dict[ID, int]:
        out: dict[ID, int] = {}
        for p in self.populations:
            out.update(p.get_spike_counts(gather))
        return out

    def mean_spike_count(self, gather: bool = True) -> float:
        counts = [c for p in self.populations
                  for c in p.grandparent._recorder.spike_counts(p._root_indices, True,
                                                                gather)]
        return float(np.mean(counts)) if counts else 0.0

    def sample(self, n: int, rng: Any = None) -> "Assembly":
        rng = rng or NumpyRNG()
        perm = np.argsort(rng.next(self.size, "uniform", {"low": 0.0, "high": 1.0}))
        return self[np.sort(perm[:n])]

    def save_positions(self, file: Any) -> None:
        """Write the cells' positions as rows ``index x y z`` (index in the assembly), with a
        ``# assembly = <label>`` header; see `Population.save_positions`."""
        data = np.column_stack([np.arange(self.size, dtype=float), self.positions.T])
        if not self.populations or self.populations[0]._sim.distribution.rank == 0:
            write_positions(file, data, {"assembly": self.label})

    def describe(self, template: str | None = "assembly_default.txt",
                 engine: str = "default") -> Any:
        return render(template, engine, {"label": self.label, "size": self.size,
                                         "populations": [p.label for p in self.populations]})

    def __repr__(self) -> str:
        return f"Assembly(*{self.populations!r}, label={self.label!r})"
