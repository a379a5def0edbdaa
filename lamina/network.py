"""`Network`: the populations, views, assemblies and projections of one model, held
together (``pyNN.network``). `lamina.io.sonata.import_from_sonata` returns one."""
from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from itertools import chain
from types import ModuleType
from typing import Any

from lamina.core.assembly import Assembly
from lamina.core.populations import Population, PopulationView
from lamina.core.projections import Projection
from lamina.errors import InvalidParameterValueError


class Network:
    """A collection of Populations, PopulationViews, Assemblies and Projections.

    Parameters
    ----------
    *components : Population, PopulationView, Assembly or Projection
    """

    def __init__(self, *components: Any) -> None:
        self._populations: list[Population] = []
        self._views: list[PopulationView] = []
        self._assemblies: list[Assembly] = []
        self._projections: list[Projection] = []
        self.annotations: dict[str, Any] = {}
        self.add(*components)

    @property
    def populations(self) -> frozenset:
        """Every Population (including the members of added views and assemblies)."""
        return frozenset(self._populations)

    @property
    def views(self) -> frozenset:
        return frozenset(self._views)

    @property
    def assemblies(self) -> frozenset:
        return frozenset(self._assemblies)

    @property
    def projections(self) -> frozenset:
        return frozenset(self._projections)

    # lamina keeps insertion order too (frozensets, as PyNN returns, have none)
    def ordered_populations(self) -> list[Population]:
        """Populations in the order they were added."""
        return list(self._populations)

    def ordered_assemblies(self) -> list[Assembly]:
        """Assemblies in the order they were added."""
        return list(self._assemblies)

    def ordered_projections(self) -> list[Projection]:
        """Projections in the order they were added."""
        return list(self._projections)

    @property
    def sim(self) -> ModuleType:
        """The lamina namespace module (``lamina``, ``lamina.nest``, ...) of the backend the
        network was built on."""
        from lamina import compat
        from lamina.core import simulation
        return importlib.import_module(compat.NAMESPACES.get(
            simulation.current().backend_name, "lamina"))

    def count_neurons(self) -> int:
        """Number of cells in all populations."""
        return sum(p.size for p in self._populations)

    def count_connections(self) -> int:
        """Number of connections in all projections."""
        return sum(p.size() for p in self._projections)

    def add(self, *components: Any) -> None:
        """Add populations, views, assemblies or projections (each once)."""
        for item in components:
            if isinstance(item, Population):
                self._once(self._populations, item)
            elif isinstance(item, PopulationView):
                self._once(self._views, item)
                self._once(self._populations, item.grandparent)
            elif isinstance(item, Assembly):
                self._once(self._assemblies, item)
                for member in item.populations:
                    self._once(self._populations, member.grandparent)
            elif isinstance(item, Projection):
                self._once(self._projections, item)
            else:
                raise InvalidParameterValueError(
                    f"Network.add({item!r}): expected a Population, PopulationView, Assembly "
                    "or Projection")

    @staticmethod
    def _once(items: list, item: Any) -> None:
        if not any(x is item for x in items):
            items.append(item)

    def get_component(self, label: str) -> Any:
        """The first population, view, assembly or projection with `label` (or None)."""
        components: chain[Any] = chain(self._populations, self._views, self._assemblies,
                                       self._projections)
        for obj in components:
            if obj.label == label:
                return obj
        return None

    def filter(self, cell_types: Iterable[type] | str | None = None) -> Assembly:
        """An Assembly of the populations whose cell type is in `cell_types` (classes), or
        of all populations that accept current injection for ``"all"``."""
        if cell_types is None:
            raise InvalidParameterValueError(
                "Network.filter(cell_types=None): give a list of cell type classes or 'all'")
        if cell_types == "all":
            chosen = [p for p in self._populations if p.celltype.injectable]
        else:
            wanted = tuple(cell_types)
            chosen = [p for p in self._populations if type(p.celltype) in wanted]
        return Assembly(*sorted(chosen, key=lambda p: p.first_id))

    def record(self, variables: Any, to_file: Any = None, sampling_interval: float | None = None,
               include_spike_source: bool = True) -> None:
        """Record `variables` from every population (spike sources only if
        `include_spike_source`)."""
        for pop in self._populations:
            if include_spike_source or pop.celltype.injectable:
                pop.record(variables, to_file=to_file, sampling_interval=sampling_interval)

    def get_data(self, variables: Any = "all", gather: bool = True, clear: bool = False,
                 annotations: dict[str, Any] | None = None) -> list[Any]:
        """One neo Block per assembly (as PyNN: populations outside assemblies give none)."""
        return [a.get_data(variables, gather, clear, annotations) for a in self._assemblies]

    def write_data(self, io: Any, variables: Any = "all", gather: bool = True,
                   clear: bool = False, annotations: dict[str, Any] | None = None) -> None:
        """Write the blocks of `get_data` with `io`: a neo IO object (anything with
        ``write(blocks)``) or a file name (its neo IO chosen by the suffix)."""
        if isinstance(io, (str, os.PathLike)):
            from neo.io import get_io
            io = get_io(os.fspath(io))
        io.write(self.get_data(variables, gather, clear, annotations))

    def __repr__(self) -> str:
        return (f"Network({len(self._populations)} populations, {len(self._assemblies)} "
                f"assemblies, {len(self._projections)} projections)")
