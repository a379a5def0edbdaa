"""``pyNN.standardmodels.receptors``: post-synaptic responses of `PointNeuron`."""
from lamina.models.cells import (CondAlphaPSR, CondBetaPSR, CondExpPSR, CurrExpPSR,
                                 PostSynapticResponse)

CurrExpPostSynapticResponse = CurrExpPSR
CondExpPostSynapticResponse = CondExpPSR
CondAlphaPostSynapticResponse = CondAlphaPSR
CondBetaPostSynapticResponse = CondBetaPSR
StandardPostSynapticResponse = PostSynapticResponse

__all__ = ["CondAlphaPostSynapticResponse", "CondBetaPostSynapticResponse",
           "CondExpPostSynapticResponse", "CurrExpPostSynapticResponse",
           "StandardPostSynapticResponse"]
