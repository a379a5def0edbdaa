"""``pyNN.models``: the base classes of model types, as lamina has them."""
from lamina.compat.morphology import StandardIonChannelModel
from lamina.compat.parameters import ParameterSpace  # noqa: F401
from lamina.models import (StandardCellType, StandardCurrentSourceType, StandardModelType,
                           StandardSynapseType)
from lamina.models.cells import CellComponent, PostSynapticResponse

BaseModelType = StandardModelType
BaseCellType = StandardCellType
BaseCellTypeComponent = CellComponent
BaseCurrentSource = StandardCurrentSourceType
BaseSynapseType = StandardSynapseType
BasePostSynapticResponse = PostSynapticResponse
BasePostSynapticResponseModel = PostSynapticResponse
BaseIonChannelModel = StandardIonChannelModel

__all__ = ["BaseCellType", "BaseCellTypeComponent", "BaseCurrentSource", "BaseIonChannelModel",
           "BaseModelType", "BasePostSynapticResponse", "BasePostSynapticResponseModel",
           "BaseSynapseType", "ParameterSpace"]
