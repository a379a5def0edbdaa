"""The standard model catalogue: every model lamina offers, declared once as data.

Backends translate from these declarations; nothing else restates a default or a unit.
"""
from __future__ import annotations

from lamina.models import cells, current_sources, plasticity, sources, synapses
from lamina.models.base import (Parameter, Relation, StandardCellType, StandardCurrentSourceType,
                                StandardModelType, StandardSynapseType, StateVariable)
from lamina.models.cells import (HH_cond_exp, EIF_cond_alpha_isfa_ista, EIF_cond_exp_isfa_ista,
                                 GIF_cond_exp, IF_cond_alpha, IF_cond_exp, IF_cond_exp_gsfa_grr,
                                 IF_curr_alpha, IF_curr_delta, IF_curr_exp,
                                 IF_facets_hardware1, Izhikevich, PointNeuron, SpikeSourceArray,
                                 SpikeSourcePoisson, LIF, AdExp, CurrExpPSR, CondExpPSR,
                                 CondAlphaPSR, CondBetaPSR)
from lamina.models.sources import (SpikeSourceGamma, SpikeSourceInhGamma,
                                   SpikeSourcePoissonRefractory)
from lamina.models.current_sources import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource
from lamina.models.synapses import (ElectricalSynapse, MultiQuantalSynapse, SimpleStochasticSynapse,
                                    StaticSynapse, StochasticTsodyksMarkramSynapse,
                                    Tsodyks2Synapse, TsodyksMarkramSynapse)
from lamina.models.plasticity import (AdditivePotentiationMultiplicativeDepression,
                                      AdditiveWeightDependence, GutigWeightDependence,
                                      MultiplicativeWeightDependence, SpikePairRule,
                                      STDPMechanism, Vogels2011Rule)

CELL_TYPES: dict[str, type[StandardCellType]] = {
    c.__name__: c for c in (*cells.CELLS, SpikeSourceArray, SpikeSourcePoisson, *sources.ALL)}
#: building blocks of `PointNeuron` (membrane components and post-synaptic receptors),
#: by PyNN name (short and long receptor names)
COMPONENTS: dict[str, type[StandardModelType]] = {
    **{c.__name__: c for c in cells.COMPONENTS},
    "CurrExpPostSynapticResponse": CurrExpPSR, "CondExpPostSynapticResponse": CondExpPSR,
    "CondAlphaPostSynapticResponse": CondAlphaPSR, "CondBetaPostSynapticResponse": CondBetaPSR}
CURRENT_SOURCES: dict[str, type[StandardCurrentSourceType]] = {
    c.__name__: c for c in current_sources.ALL}
SYNAPSE_TYPES: dict[str, type[StandardSynapseType]] = {
    c.__name__: c for c in (*synapses.ALL, STDPMechanism)}
#: the components of `STDPMechanism` (timing and weight dependences), by PyNN name
STDP_COMPONENTS: dict[str, type[StandardModelType]] = dict(plasticity.COMPONENTS)


def list_standard_models() -> list[str]:
    """Names of the standard cell types (what PyNN's ``list_standard_models`` returns)."""
    return sorted(CELL_TYPES)


__all__ = ["Parameter", "Relation", "StateVariable", "StandardModelType", "StandardCellType",
           "StandardCurrentSourceType", "StandardSynapseType", "CELL_TYPES", "CURRENT_SOURCES",
           "SYNAPSE_TYPES", "list_standard_models", "IF_curr_exp", "IF_curr_alpha",
           "IF_curr_delta", "IF_cond_exp", "IF_cond_alpha", "SpikeSourceArray",
           "SpikeSourcePoisson", "IF_cond_exp_gsfa_grr", "IF_facets_hardware1", "HH_cond_exp",
           "EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista", "Izhikevich", "GIF_cond_exp",
           "PointNeuron", "LIF", "AdExp", "CurrExpPSR", "CondExpPSR", "CondAlphaPSR",
           "CondBetaPSR", "COMPONENTS", "SpikeSourceGamma", "SpikeSourceInhGamma",
           "SpikeSourcePoissonRefractory", "DCSource", "StepCurrentSource", "ACSource",
           "NoisyCurrentSource", "StaticSynapse", "ElectricalSynapse", "TsodyksMarkramSynapse",
           "Tsodyks2Synapse", "SimpleStochasticSynapse", "StochasticTsodyksMarkramSynapse",
           "MultiQuantalSynapse", "STDPMechanism", "SpikePairRule", "Vogels2011Rule",
           "AdditiveWeightDependence", "MultiplicativeWeightDependence",
           "AdditivePotentiationMultiplicativeDepression", "GutigWeightDependence",
           "STDP_COMPONENTS"]
