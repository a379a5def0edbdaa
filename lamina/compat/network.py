"""``pyNN.network``: `Network`, a container of populations, views, assemblies and
projections that counts, records and filters them as one (lamina's own `lamina.network`)."""
from __future__ import annotations

from lamina.core.assembly import Assembly
from lamina.core.populations import Population, PopulationView
from lamina.core.projections import Projection
from lamina.network import Network

__all__ = ["Assembly", "Network", "Population", "PopulationView", "Projection"]
