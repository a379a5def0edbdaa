"""``pyNN.network``: `Network`, a container of populations, views, assemblies and
projections that counts, records and filters them as one."""
from __future__ import annotations

from typing import Any

from lamina.core.assembly import Assembly
from lamina.core.populations import Population, PopulationView
from lamina.core.projections import Projection
from lamina.errors import InvalidParameterValueError


class Network:
    """Populations, views, assemblies and projections held together.

    Parameters
    ----------
    *components : Population, PopulationView, Assembly or Projection
    """

    def __init__(self, *components: Any) -> None:
        self._populations: set[Population] = set()
        self._views: set[PopulationView] = set()
        self._assemblies: set[Assembly] = set()
        self._projections: set[Projection] = set()
        self.add(*components)

    populations = property(lambda self: frozenset(self._populations))
    views = property(lambda self: frozenset(self._views))
    assemblies = property(lambda self: frozenset(self._assemblies))
    projections = property(lambda self: frozenset(self._projections))

    @property
    def sim(self) -> Any:
        """The lamina namespace module of the backend the network runs on."""
        import importlib

        from lamina.compat import NAMESPACES
        from lamina.core import simulation
        return importlib.import_module(NAMESPACES[simulation.current().backend_name])

    def add(self, *components: Any) -> None:
        """Add components (a view or assembly also adds the populations under it)."""
        for c in components:
            if isinstance(c, Population):
                self._populations.add(c)
            elif isinstance(c, PopulationView):
                self._views.add(c)
                self._populations.add(c.grandparent)
            elif isinstance(c, Assembly):
                self._assemblies.add(c)
                self._populations.update(p.grandparent for p in c.populations)
            elif isinstance(c, Projection):
                self._projections.add(c)
            else:
                raise InvalidParameterValueError(
                    f"Network.add({c!r}): expected a Population, PopulationView, Assembly "
                    "or Projection")

    def count_neurons(self) -> int:
        """Number of cells in the network's populations."""
        return sum(p.size for p in self._populations)

    def count_connections(self) -> int:
        """Number of connections of the network's projections."""
        return sum(prj.size() for prj in self._projections)

    def get_component(self, label: str) -> Any:
        """The component labelled `label`, or None."""
        components: list[Any] = [*self._populations, *self._views, *self._assemblies,
                                 *self._projections]
        for obj in components:
            if obj.label == label:
                return obj
        return None

    def filter(self, cell_types: Any = None) -> Assembly:
        """An Assembly of the populations whose cell type is in `cell_types` (``'all'``:
        every population of cells that take current, i.e. not spike sources)."""
        if cell_types is None:
            raise InvalidParameterValueError("Network.filter(cell_types=None): give a list "
                                             "of cell types or 'all'")
        if cell_types == "all":
            chosen = [p for p in self._populations if p.celltype.injectable]
        else:
            chosen = [p for p in self._populations if type(p.celltype) in tuple(cell_types)]
        return Assembly(*sorted(chosen, key=lambda p: p.first_id))

    def record(self, variables: Any, to_file: Any = None, sampling_interval: Any = None,
               include_spike_source: bool = True) -> None:
        """Record `variables` from every population (spike sources only if asked)."""
        for pop in self._populations:
            if include_spike_source or pop.celltype.injectable:
                pop.record(variables, to_file=to_file, sampling_interval=sampling_interval)

    def get_data(self, variables: Any = "all", gather: bool = True, clear: bool = False,
                 annotations: dict | None = None) -> list:
        """Recorded data of each assembly of the network (as PyNN: one Block each)."""
        return [a.get_data(variables, gather, clear, annotations) for a in self._assemblies]

    def write_data(self, io: Any, variables: Any = "all", gather: bool = True,
                   clear: bool = False, annotations: dict | None = None) -> None:
        """Write the data of every assembly to `io` (a file name or a neo IO)."""
        from lamina.io import write_block
        for block in self.get_data(variables, gather, clear, annotations):
            write_block(block, io)


__all__ = ["Assembly", "Network", "Population", "PopulationView", "Projection"]
