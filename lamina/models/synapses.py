"""Standard synapse types."""
from __future__ import annotations

from lamina.models.base import Parameter, StandardSynapseType


class StaticSynapse(StandardSynapseType):
    """A synapse of fixed weight and delay.

    Parameters
    ----------
    weight : float — nA for current-based targets, uS for conductance-based ones, mV for
        IF_curr_delta; inhibitory current-based weights are <= 0, conductances >= 0
    delay : float — transmission delay [ms]; None means the simulation's minimum delay
    """

    parameters = (Parameter("weight", 0.0, "nA", "synaptic weight (nA, uS or mV)"),
                  Parameter("delay", None, "ms", "transmission delay", low=0.0, low_open=True))


ALL = (StaticSynapse,)
