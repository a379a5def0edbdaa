"""``pyNN.common``: the backend-independent classes, as lamina has them."""
from lamina.core.assembly import Assembly
from lamina.core.ids import ID
from lamina.core.populations import BasePopulation, Population, PopulationView
from lamina.core.projections import Connection, Projection

IDMixin = ID

__all__ = ["Assembly", "BasePopulation", "Connection", "ID", "IDMixin", "Population",
           "PopulationView", "Projection"]
