"""``pyNN.standardmodels.synapses``: synapse types and STDP components."""
from lamina.compat.parameters import ParameterSpace  # noqa: F401
from lamina.models import STDP_COMPONENTS, SYNAPSE_TYPES, StandardSynapseType  # noqa: F401
from lamina.models.plasticity import STDPTimingDependence, STDPWeightDependence  # noqa: F401

globals().update(SYNAPSE_TYPES)
globals().update(STDP_COMPONENTS)

__all__ = ["ParameterSpace", "STDPTimingDependence", "STDPWeightDependence",
           "StandardSynapseType", *SYNAPSE_TYPES, *STDP_COMPONENTS]
