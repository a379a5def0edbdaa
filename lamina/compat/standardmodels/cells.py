"""``pyNN.standardmodels.cells``: the standard cell types."""
from lamina.compat.morphology import HasSections, MultiCompartmentNeuron, Section  # noqa: F401
from lamina.models import CELL_TYPES, StandardCellType  # noqa: F401
from lamina.models.cells import AdExp, CellComponent, LIF, PointNeuron  # noqa: F401
from lamina.parameters import ArrayParameter, Sequence  # noqa: F401

StandardCellTypeComponent = CellComponent
globals().update(CELL_TYPES)

__all__ = ["AdExp", "ArrayParameter", "HasSections", "LIF", "MultiCompartmentNeuron",
           "PointNeuron", "Section", "Sequence", "StandardCellType",
           "StandardCellTypeComponent", *CELL_TYPES]
