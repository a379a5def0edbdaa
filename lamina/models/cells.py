"""Standard neuron models: leaky integrate-and-fire with current- or conductance-based
synapses, as PyNN 0.13 defines them (names, defaults, units, initial values)."""
from __future__ import annotations

import math

from lamina.models.base import Parameter, Relation, StandardCellType, StateVariable

INF = math.inf


def _p(name: str, default: float, unit: str, doc: str, **rng) -> Parameter:
    return Parameter(name, default, unit, doc, **rng)


_POS = {"low": 0.0, "low_open": True}
_NONNEG = {"low": 0.0}

CM = _p("cm", 1.0, "nF", "membrane capacitance", **_POS)
TAU_M = _p("tau_m", 20.0, "ms", "membrane time constant", **_POS)
TAU_REFRAC = _p("tau_refrac", 0.1, "ms", "duration of the refractory period", **_NONNEG)
V_REST = _p("v_rest", -65.0, "mV", "resting membrane potential")
V_RESET = _p("v_reset", -65.0, "mV", "reset potential after a spike")
V_THRESH = _p("v_thresh", -50.0, "mV", "spike threshold")
I_OFFSET = _p("i_offset", 0.0, "nA", "offset current")
E_REV_E = _p("e_rev_E", 0.0, "mV", "reversal potential of excitatory synapses")
E_REV_I = _p("e_rev_I", -70.0, "mV", "reversal potential of inhibitory synapses")


V = StateVariable("v", -65.0, "mV", "membrane potential")
GSYN_EXC = StateVariable("gsyn_exc", 0.0, "uS", "excitatory synaptic conductance")
GSYN_INH = StateVariable("gsyn_inh", 0.0, "uS", "inhibitory synaptic conductance")
ISYN_EXC = StateVariable("isyn_exc", 0.0, "nA", "excitatory synaptic current")
ISYN_INH = StateVariable("isyn_inh", 0.0, "nA", "inhibitory synaptic current")

_RESET_BELOW_THRESHOLD = (Relation("v_reset", "<", "v_thresh"),)
_RECEPTORS = ("excitatory", "inhibitory")


class IF_curr_exp(StandardCellType):
    """Leaky integrate-and-fire neuron, fixed threshold, exponentially decaying
    post-synaptic currents (NEST: iaf_psc_exp).

    Equations::

        cm dv/dt = cm (v_rest - v)/tau_m + i_syn_exc + i_syn_inh + i_offset + i_inj
        d i_syn_X/dt = -i_syn_X / tau_syn_X,   i_syn_X += w on a spike [nA]
        v >= v_thresh: spike, v = v_reset for tau_refrac
    """

    parameters = (CM, TAU_M, _p("tau_syn_E", 5.0, "ms", "excitatory synaptic time constant", **_POS),
                  _p("tau_syn_I", 5.0, "ms", "inhibitory synaptic time constant", **_POS),
                  TAU_REFRAC, V_REST, V_RESET, V_THRESH, I_OFFSET)
    relations = _RESET_BELOW_THRESHOLD
    state_variables = (V, ISYN_EXC, ISYN_INH)
    recordable = ("spikes", "v", "isyn_exc", "isyn_inh")
    receptor_types = _RECEPTORS


class IF_curr_alpha(StandardCellType):
    """Leaky integrate-and-fire neuron, fixed threshold, alpha-function post-synaptic
    currents (NEST: iaf_psc_alpha). A weight w [nA] gives a current peaking at w after
    tau_syn: ``i(t) = w e t/tau_syn exp(-t/tau_syn)``."""

    parameters = (CM, TAU_M, _p("tau_syn_E", 0.5, "ms", "excitatory synaptic rise time", **_POS),
                  _p("tau_syn_I", 0.5, "ms", "inhibitory synaptic rise time", **_POS),
                  TAU_REFRAC, V_REST, V_RESET, V_THRESH, I_OFFSET)
    relations = _RESET_BELOW_THRESHOLD
    state_variables = (V, ISYN_EXC, ISYN_INH)
    recordable = ("spikes", "v", "isyn_exc", "isyn_inh")
    receptor_types = _RECEPTORS


class IF_curr_delta(StandardCellType):
    """Leaky integrate-and-fire neuron with delta synapses: a spike of weight w [mV]
    makes v jump by w (NEST: iaf_psc_delta). Input arriving during the refractory
    period is discarded."""

    parameters = (CM, TAU_M, _p("tau_refrac", 0.0, "ms", "duration of the refractory period",
                                **_NONNEG), V_REST, V_RESET, V_THRESH, I_OFFSET)
    relations = _RESET_BELOW_THRESHOLD
    state_variables = (V,)
    recordable = ("spikes", "v")
    receptor_types = _RECEPTORS
    weight_unit = "mV"


class IF_cond_exp(StandardCellType):
    """Leaky integrate-and-fire neuron, fixed threshold, exponentially decaying
    post-synaptic conductances (NEST: iaf_cond_exp).

    Equations::

        cm dv/dt = cm (v_rest - v)/tau_m + g_exc (e_rev_E - v) + g_inh (e_rev_I - v)
                   + i_offset + i_inj
        d g_X/dt = -g_X / tau_syn_X,   g_X += w on a spike [uS]
    """

    parameters = (CM, TAU_M, _p("tau_syn_E", 5.0, "ms", "excitatory synaptic time constant", **_POS),
                  _p("tau_syn_I", 5.0, "ms", "inhibitory synaptic time constant", **_POS),
                  TAU_REFRAC, V_REST, V_RESET, V_THRESH, I_OFFSET, E_REV_E, E_REV_I)
    relations = _RESET_BELOW_THRESHOLD
    state_variables = (V, GSYN_EXC, GSYN_INH)
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh")
    receptor_types = _RECEPTORS
    conductance_based = True
    weight_unit = "uS"


class IF_cond_alpha(StandardCellType):
    """Leaky integrate-and-fire neuron, fixed threshold, alpha-function post-synaptic
    conductances peaking at w [uS] after tau_syn (NEST: iaf_cond_alpha)."""

    parameters = (CM, TAU_M, _p("tau_syn_E", 0.3, "ms", "excitatory synaptic rise time", **_POS),
                  _p("tau_syn_I", 0.5, "ms", "inhibitory synaptic rise time", **_POS),
                  TAU_REFRAC, V_REST, V_RESET, V_THRESH, I_OFFSET, E_REV_E, E_REV_I)
    relations = _RESET_BELOW_THRESHOLD
    state_variables = (V, GSYN_EXC, GSYN_INH)
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh")
    receptor_types = _RECEPTORS
    conductance_based = True
    weight_unit = "uS"


class SpikeSourceArray(StandardCellType):
    """Emits spikes at given times [ms] (one sequence per cell). Times must be sorted;
    they are rounded to the time grid. A spike at t with delay d arrives at t + d."""

    parameters = (Parameter("spike_times", (), "ms", "spike times", kind="sequence"),)
    recordable = ("spikes",)
    injectable = False
    is_spike_source = True


class SpikeSourcePoisson(StandardCellType):
    """Emits a Poisson spike train of the given rate [Hz] from `start` for `duration`
    [ms]; each cell has an independent train."""

    parameters = (_p("rate", 1.0, "Hz", "mean firing rate", **_NONNEG),
                  _p("start", 0.0, "ms", "start time", **_NONNEG),
                  _p("duration", 1e10, "ms", "duration of the train", **_NONNEG))
    recordable = ("spikes",)
    injectable = False
    is_spike_source = True


ALL = (IF_curr_exp, IF_curr_alpha, IF_curr_delta, IF_cond_exp, IF_cond_alpha,
       SpikeSourceArray, SpikeSourcePoisson)
