"""Standard neuron models as PyNN 0.13 defines them (names, defaults, units, initial
values): leaky integrate-and-fire with current- or conductance-based synapses, adaptive
and exponential integrate-and-fire, Hodgkin-Huxley, Izhikevich, GIF, and the composable
`PointNeuron` with its membrane components (LIF, AdExp) and receptors (PSRs)."""
from __future__ import annotations

import math
from typing import Any

from lamina.models import dynamics as dyn
from lamina.models.base import (Parameter, Relation, StandardCellType, StandardModelType,
                                StateVariable)

INF = math.inf


def _p(name: str, default: float, unit: str, doc: str, **rng) -> Parameter:
    return Parameter(name, default, unit, doc, **rng)


_POS: dict[str, Any] = {"low": 0.0, "low_open": True}
_NONNEG: dict[str, Any] = {"low": 0.0}

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

    dynamics = dyn.IF_CURR_EXP

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

    dynamics = dyn.IF_CURR_ALPHA

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

    dynamics = dyn.IF_CURR_DELTA

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

    dynamics = dyn.IF_COND_EXP

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

    dynamics = dyn.IF_COND_ALPHA

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
                  _p("duration", 1e10, "ms", "duration of the train (inf: forever)",
                     infinite=True, **_NONNEG))
    recordable = ("spikes",)
    injectable = False
    is_spike_source = True


ALL = (IF_curr_exp, IF_curr_alpha, IF_curr_delta, IF_cond_exp, IF_cond_alpha,
       SpikeSourceArray, SpikeSourcePoisson)


# ----------------------------------------------------------------------------------------
# Adaptive, Hodgkin-Huxley, quadratic and stochastic models (PyNN 0.13 names and defaults)
# ----------------------------------------------------------------------------------------
_TAU: dict[str, Any] = {"low": 0.0, "low_open": True}


def _tau(name: str, default: float, doc: str) -> Parameter:
    return Parameter(name, default, "ms", doc, **_TAU)


class IF_cond_exp_gsfa_grr(StandardCellType):
    """Leaky integrate-and-fire neuron with exponentially decaying synaptic conductances,
    a conductance-based spike-frequency adaptation (g_s) and a conductance-based relative
    refractory mechanism (g_r) (Muller et al. 2007; NEST: iaf_cond_exp_sfa_rr).

    Equations::

        cm dv/dt = cm (v_rest - v)/tau_m + g_exc (e_rev_E - v) + g_inh (e_rev_I - v)
                   + g_s (e_rev_sfa - v) + g_r (e_rev_rr - v) + i_offset + i_inj
        dg_s/dt = -g_s/tau_sfa,  dg_r/dt = -g_r/tau_rr          [nS]
        v >= v_thresh: spike, v = v_reset for tau_refrac, g_s += q_sfa, g_r += q_rr
    """

    dynamics = dyn.IF_COND_EXP_GSFA_GRR

    parameters = (CM, TAU_M, _tau("tau_syn_E", 5.0, "excitatory synaptic time constant"),
                  _tau("tau_syn_I", 5.0, "inhibitory synaptic time constant"),
                  TAU_REFRAC, V_REST, V_RESET, V_THRESH, I_OFFSET, E_REV_E, E_REV_I,
                  _tau("tau_sfa", 100.0, "time constant of spike-frequency adaptation"),
                  _p("e_rev_sfa", -75.0, "mV", "reversal potential of the adaptation conductance"),
                  _p("q_sfa", 15.0, "nS", "quantal increase of the adaptation conductance"),
                  _tau("tau_rr", 2.0, "time constant of the relative refractory mechanism"),
                  _p("e_rev_rr", -75.0, "mV", "reversal potential of the relative refractory "
                     "conductance"),
                  _p("q_rr", 3000.0, "nS", "quantal increase of the relative refractory "
                     "conductance"))
    relations = _RESET_BELOW_THRESHOLD
    state_variables = (V, StateVariable("g_r", 0.0, "nS", "relative refractory conductance"),
                       StateVariable("g_s", 0.0, "nS", "spike-frequency adaptation conductance"),
                       GSYN_EXC, GSYN_INH)
    recordable = ("spikes", "v", "g_r", "g_s", "gsyn_exc", "gsyn_inh")
    receptor_types = _RECEPTORS
    conductance_based = True
    weight_unit = "uS"


class IF_facets_hardware1(StandardCellType):
    """Leaky integrate-and-fire neuron with exponentially decaying conductances as in the
    FACETS hardware stage 1 (NEST: iaf_cond_exp with C_m = 200 pF, t_ref = 1 ms,
    E_ex = 0 mV fixed, as PyNN defines it). The membrane time constant is cm/g_leak."""

    dynamics = dyn.IF_FACETS_HARDWARE1

    #: values PyNN fixes for this model (not parameters)
    fixed = {"cm": 0.2, "tau_refrac": 1.0, "e_rev_E": 0.0, "i_offset": 0.0}
    parameters = (_p("g_leak", 40.0, "nS", "leak conductance", **_POS),
                  _tau("tau_syn_E", 30.0, "excitatory synaptic time constant"),
                  _tau("tau_syn_I", 30.0, "inhibitory synaptic time constant"),
                  _p("v_reset", -80.0, "mV", "reset potential after a spike"),
                  _p("e_rev_I", -80.0, "mV", "reversal potential of inhibitory synapses"),
                  _p("v_rest", -65.0, "mV", "resting membrane potential"),
                  _p("v_thresh", -55.0, "mV", "spike threshold"))
    relations = _RESET_BELOW_THRESHOLD
    state_variables = (V, GSYN_EXC, GSYN_INH)
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh")
    receptor_types = _RECEPTORS
    conductance_based = True
    weight_unit = "uS"


class HH_cond_exp(StandardCellType):
    """Single-compartment Hodgkin-Huxley neuron (Traub & Miles 1991) with exponentially
    decaying synaptic conductances (NEST: hh_cond_exp_traub, refractory period 2 ms).

    Equations (V' = v - v_offset)::

        cm dv/dt = -gbar_Na m^3 h (v - e_rev_Na) - gbar_K n^4 (v - e_rev_K)
                   - g_leak (v - e_rev_leak) + g_exc (e_rev_E - v) + g_inh (e_rev_I - v)
                   + i_offset + i_inj
        dm/dt = alpha_m (1 - m) - beta_m m  (same for h, n), with
        alpha_n = 0.032 (15 - V')/(exp((15 - V')/5) - 1),  beta_n = 0.5 exp((10 - V')/40)
        alpha_m = 0.32 (13 - V')/(exp((13 - V')/4) - 1),   beta_m = 0.28 (V' - 40)/(exp((V' - 40)/5) - 1)
        alpha_h = 0.128 exp((17 - V')/18),                 beta_h = 4/(1 + exp((40 - V')/5))
        spike: v >= v_offset + 30 mV and v falling, then 2 ms without spikes
    """

    dynamics = dyn.HH_COND_EXP

    parameters = (_p("gbar_Na", 20.0, "uS", "maximal sodium conductance", **_NONNEG),
                  _p("gbar_K", 6.0, "uS", "maximal potassium conductance", **_NONNEG),
                  _p("g_leak", 0.01, "uS", "leak conductance", **_NONNEG),
                  _p("cm", 0.2, "nF", "membrane capacitance", **_POS),
                  _p("v_offset", -63.0, "mV", "threshold offset V_T of the rate functions"),
                  _p("e_rev_Na", 50.0, "mV", "sodium reversal potential"),
                  _p("e_rev_K", -90.0, "mV", "potassium reversal potential"),
                  _p("e_rev_leak", -65.0, "mV", "leak reversal potential"),
                  E_REV_E, _p("e_rev_I", -80.0, "mV", "reversal potential of inhibitory synapses"),
                  _tau("tau_syn_E", 0.2, "excitatory synaptic time constant"),
                  _tau("tau_syn_I", 2.0, "inhibitory synaptic time constant"),
                  I_OFFSET)
    state_variables = (V, GSYN_EXC, GSYN_INH,
                       StateVariable("h", 1.0, "", "sodium inactivation"),
                       StateVariable("m", 0.0, "", "sodium activation"),
                       StateVariable("n", 0.0, "", "potassium activation"))
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh", "m", "h", "n")
    receptor_types = ("excitatory", "inhibitory", "source_section.gap")
    conductance_based = True
    weight_unit = "uS"


_ADEX_PARAMS = (
    _p("cm", 0.281, "nF", "membrane capacitance", **_POS),
    TAU_REFRAC,
    _p("v_spike", -40.0, "mV", "spike detection threshold (V_peak)"),
    _p("v_reset", -70.6, "mV", "reset potential after a spike"),
    _p("v_rest", -70.6, "mV", "resting (leak reversal) potential"),
    _p("tau_m", 9.3667, "ms", "membrane time constant", **_POS),
    I_OFFSET,
    _p("a", 4.0, "nS", "subthreshold adaptation conductance"),
    _p("b", 0.0805, "nA", "spike-triggered adaptation increment"),
    _p("delta_T", 2.0, "mV", "slope factor", **_NONNEG),
    _tau("tau_w", 144.0, "adaptation time constant"),
    _p("v_thresh", -50.4, "mV", "spike initiation threshold"),
)
_ADEX_RELATIONS = (Relation("v_reset", "<", "v_spike"), Relation("v_thresh", "<=", "v_spike"))
#: NEST's bound on (V_peak - V_th)/Delta_T: exp() of it must stay 1e20 below DBL_MAX
ADEX_MAX_EXP_ARG = math.log(1.7976931348623157e308 / 1e20)


def _check_adex_overflow(model: str, values: dict) -> None:
    import numpy as np

    from lamina.errors import InvalidParameterValueError
    if not all(k in values for k in ("v_spike", "v_thresh", "delta_T")):
        return
    vs, vt, dT = (np.asarray(values[k], float) for k in ("v_spike", "v_thresh", "delta_T"))
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = np.where(dT > 0, (vs - vt) / np.where(dT > 0, dT, 1.0), 0.0)
    if np.any(arg >= ADEX_MAX_EXP_ARG):
        raise InvalidParameterValueError(
            f"{model}: (v_spike - v_thresh)/delta_T = {float(np.max(arg)):g} would overflow the "
            f"exponential at the spike; allowed: < {ADEX_MAX_EXP_ARG:.4g} (raise delta_T or "
            "lower v_spike)")


class _AdExBase(StandardCellType):
    parameters = _ADEX_PARAMS + (
        E_REV_E, _tau("tau_syn_E", 5.0, "excitatory synaptic time constant"),
        _p("e_rev_I", -80.0, "mV", "reversal potential of inhibitory synapses"),
        _tau("tau_syn_I", 5.0, "inhibitory synaptic time constant"))
    relations = _ADEX_RELATIONS
    state_variables = (StateVariable("v", -70.6, "mV", "membrane potential"),
                       StateVariable("w", 0.0, "nA", "adaptation current"), GSYN_EXC, GSYN_INH)
    recordable = ("spikes", "v", "w", "gsyn_exc", "gsyn_inh")
    receptor_types = _RECEPTORS
    conductance_based = True
    weight_unit = "uS"

    def check_values(self, values: dict) -> None:
        super().check_values(values)
        _check_adex_overflow(type(self).__name__, values)


class EIF_cond_exp_isfa_ista(_AdExBase):
    """Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) with
    exponentially decaying synaptic conductances (NEST: aeif_cond_exp).

    Equations::

        cm dv/dt = cm/tau_m ((v_rest - v) + delta_T exp((v - v_thresh)/delta_T))
                   + g_exc (e_rev_E - v) + g_inh (e_rev_I - v) - w + i_offset + i_inj
        tau_w dw/dt = a (v - v_rest) - w
        v >= v_spike: spike, v = v_reset (held for tau_refrac), w += b
    """

    dynamics = dyn.EIF_COND_EXP_ISFA_ISTA


class EIF_cond_alpha_isfa_ista(_AdExBase):
    """Adaptive exponential integrate-and-fire neuron with alpha-function synaptic
    conductances peaking at w [uS] after tau_syn (NEST: aeif_cond_alpha); otherwise as
    `EIF_cond_exp_isfa_ista`."""

    dynamics = dyn.EIF_COND_ALPHA_ISFA_ISTA


class Izhikevich(StandardCellType):
    """Izhikevich (2003) quadratic integrate-and-fire neuron (NEST: izhikevich)::

        dv/dt = 0.04 v^2 + 5 v + 140 - u + I,   du/dt = a (b v - u)
        v >= 30 mV: spike, v = c, u += d

    I = 1000 (i_offset + i_inj) [mV/ms per nA, as NEST's I_e in pA with R = 1].
    Synapses are delta pulses: a weight w [mV] makes v jump by w (inhibitory w <= 0).
    """

    dynamics = dyn.IZHIKEVICH

    parameters = (_p("a", 0.02, "/ms", "time scale of the recovery variable u"),
                  _p("b", 0.2, "/ms", "sensitivity of u to v"),
                  _p("c", -65.0, "mV", "reset value of v after a spike"),
                  _p("d", 2.0, "mV/ms", "increment of u after a spike"),
                  I_OFFSET)
    state_variables = (StateVariable("v", -70.0, "mV", "membrane potential"),
                       StateVariable("u", -14.0, "mV/ms", "recovery variable"))
    recordable = ("spikes", "v", "u")
    receptor_types = _RECEPTORS
    conductance_based = False
    voltage_based_synapses = True
    weight_unit = "mV"


class GIF_cond_exp(StandardCellType):
    """Generalised integrate-and-fire neuron (Mensi et al. 2012; Pozzorini et al. 2015)
    with exponentially decaying synaptic conductances, a spike-triggered current eta(t),
    a moving threshold gamma(t) and stochastic spike emission (NEST: gif_cond_exp).

    Equations::

        cm dv/dt = cm (v_rest - v)/tau_m + g_exc (e_rev_E - v) + g_inh (e_rev_I - v)
                   - i_eta + i_offset + i_inj
        i_eta = sum_k eta_k,  eta_k decays with tau_eta[k], += a_eta[k] at each spike [nA]
        v_t = v_t_star + sum_k gamma_k, gamma_k decays with tau_gamma[k], += a_gamma[k] [mV]
        spike with probability 1 - exp(-lambda dt), lambda = lambda0 exp((v - v_t)/delta_v)
        after a spike v is held at v_reset for tau_refrac
    """

    parameters = (V_REST, CM, TAU_M, _p("tau_refrac", 4.0, "ms",
                                         "duration of the refractory period", **_NONNEG),
                  _tau("tau_syn_E", 5.0, "excitatory synaptic time constant"),
                  _tau("tau_syn_I", 5.0, "inhibitory synaptic time constant"),
                  E_REV_E, E_REV_I, V_RESET, I_OFFSET,
                  _p("delta_v", 0.5, "mV", "threshold sharpness", **_POS),
                  _p("v_t_star", -48.0, "mV", "threshold baseline"),
                  _p("lambda0", 1.0, "Hz", "firing intensity at threshold", **_NONNEG),
                  Parameter("tau_eta", (1.0, 10.0, 100.0), "ms",
                            "time constants of the spike-triggered current", kind="array", **_POS),
                  Parameter("tau_gamma", (1.0, 10.0, 100.0), "ms",
                            "time constants of the moving threshold", kind="array", **_POS),
                  Parameter("a_eta", (1.0, 1.0, 1.0), "nA",
                            "increments of the spike-triggered current", kind="array"),
                  Parameter("a_gamma", (1.0, 1.0, 1.0), "mV",
                            "increments of the moving threshold", kind="array"))
    state_variables = (V, StateVariable("v_t", -48.0, "mV", "moving threshold"),
                       StateVariable("i_eta", 0.0, "nA", "spike-triggered current"),
                       GSYN_EXC, GSYN_INH)
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh", "i_eta", "v_t")
    receptor_types = _RECEPTORS
    conductance_based = True
    weight_unit = "uS"

    def check_values(self, values: dict) -> None:
        super().check_values(values)
        import numpy as np

        from lamina.errors import InvalidParameterValueError
        for tau, amp in (("tau_eta", "a_eta"), ("tau_gamma", "a_gamma")):
            if tau in values and amp in values:
                ta, am = values[tau], values[amp]
                ta = [ta] if isinstance(ta, np.ndarray) and ta.ndim == 1 else ta
                am = [am] if isinstance(am, np.ndarray) and am.ndim == 1 else am
                for k, (x, y) in enumerate(zip(ta, am)):
                    if np.size(x) != np.size(y):
                        raise InvalidParameterValueError(
                            f"GIF_cond_exp: {tau} and {amp} of cell {k} must have the same "
                            f"length; got {np.size(x)} and {np.size(y)}")


# ----------------------------------------------------------------------------------------
# Composable point neurons: PointNeuron(LIF(...) or AdExp(...), NAME=PSR(...), ...)
# ----------------------------------------------------------------------------------------
class CellComponent(StandardModelType):
    """The membrane part of a `PointNeuron` (parameters, state variables, recordables)."""

    state_variables: tuple[StateVariable, ...] = ()
    recordable: tuple[str, ...] = ("spikes",)
    relations: tuple[Relation, ...] = ()


class LIF(CellComponent):
    """Leaky integrate-and-fire membrane with fixed threshold (PointNeuron component)."""

    parameters = (CM, TAU_REFRAC, V_RESET, V_REST, TAU_M, I_OFFSET, V_THRESH)
    relations = _RESET_BELOW_THRESHOLD
    state_variables = (StateVariable("v", -70.6, "mV", "membrane potential"),)
    recordable = ("spikes", "v")


class AdExp(CellComponent):
    """Adaptive exponential integrate-and-fire membrane (PointNeuron component); equations
    as `EIF_cond_exp_isfa_ista` without the synapses."""

    parameters = _ADEX_PARAMS
    relations = _ADEX_RELATIONS
    state_variables = (StateVariable("v", -70.6, "mV", "membrane potential"),
                       StateVariable("w", 0.0, "nA", "adaptation current"))
    recordable = ("spikes", "v", "w")


class PostSynapticResponse(StandardModelType):
    """A synaptic receptor of a `PointNeuron`: its parameters and its state variable."""

    state_variables: tuple[StateVariable, ...] = ()
    conductance_based: bool = True

    @property
    def recordable(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.state_variables)


_GSYN = StateVariable("gsyn", 0.0, "uS", "synaptic conductance")
_E_SYN = _p("e_syn", 0.0, "mV", "synaptic reversal potential")


class CurrExpPSR(PostSynapticResponse):
    """Current jumping by the weight [nA] at each spike, decaying with tau_syn."""

    parameters = (_tau("tau_syn", 5.0, "decay time constant of the synaptic current"),)
    state_variables = (StateVariable("isyn", 0.0, "nA", "synaptic current"),)
    conductance_based = False


class CondExpPSR(PostSynapticResponse):
    """Conductance jumping by the weight [uS] at each spike, decaying with tau_syn."""

    parameters = (_E_SYN, _tau("tau_syn", 5.0, "decay time constant of the conductance"))
    state_variables = (_GSYN,)


class CondAlphaPSR(PostSynapticResponse):
    """Alpha-function conductance ``w t/tau_syn exp(1 - t/tau_syn)`` peaking at the weight
    [uS] after tau_syn."""

    parameters = (_E_SYN, _tau("tau_syn", 5.0, "time to peak of the conductance"))
    state_variables = (_GSYN,)


class CondBetaPSR(PostSynapticResponse):
    """Beta-function (difference of exponentials) conductance with rise and decay time
    constants, normalised to peak at the weight [uS]."""

    parameters = (_E_SYN, _tau("tau_rise", 0.2, "rise time constant of the conductance"),
                  _tau("tau_decay", 1.7, "decay time constant of the conductance"))
    state_variables = (_GSYN,)


# PyNN's long names
CurrExpPostSynapticResponse = CurrExpPSR
CondExpPostSynapticResponse = CondExpPSR
CondAlphaPostSynapticResponse = CondAlphaPSR
CondBetaPostSynapticResponse = CondBetaPSR


class PointNeuron(StandardCellType):
    """A point neuron composed of a membrane model and named synaptic receptors::

        PointNeuron(AdExp(tau_m=10.0), AMPA=CondExpPSR(tau_syn=1.5),
                    GABAA=CondExpPSR(e_syn=-70.0, tau_syn=8.0))

    Parameters and state variables of a receptor are addressed as ``'AMPA.tau_syn'``,
    ``'AMPA.gsyn'``; `receptor_types` are the receptor names (sorted). All receptors must be
    either conductance-based (weights in uS) or current-based (weights in nA).
    """

    def __init__(self, neuron: CellComponent | None = None,
                 **post_synaptic_receptors: Any) -> None:
        from lamina.errors import InvalidModelError
        if neuron is None:
            neuron = LIF()
        if isinstance(neuron, type):
            neuron = neuron()
        if not isinstance(neuron, CellComponent):
            raise InvalidModelError(f"PointNeuron: {neuron!r} is not a neuron component "
                                    "(LIF or AdExp)")
        psrs = {}
        values: dict[str, Any] = {}
        for name, psr in post_synaptic_receptors.items():
            if isinstance(psr, type):
                psr = psr()
            if isinstance(psr, PostSynapticResponse):
                psrs[name] = psr
            else:  # a parameter value such as 'AMPA.tau_syn' given by keyword is impossible
                values[name] = psr
        if not psrs:
            raise InvalidModelError("PointNeuron needs at least one post-synaptic receptor, "
                                    "e.g. PointNeuron(LIF(), AMPA=CondExpPSR())")
        for name in psrs:
            if "." in name or not name:
                raise InvalidModelError(f"PointNeuron: bad receptor name {name!r}")
        kinds = {p.conductance_based for p in psrs.values()}
        if len(kinds) > 1:
            raise InvalidModelError("PointNeuron: cannot mix conductance-based and "
                                    "current-based synaptic receptors")
        self.neuron = neuron
        self.post_synaptic_receptors = psrs
        self.receptor_types = tuple(sorted(psrs))
        self.conductance_based = kinds.pop()
        self.weight_unit = "uS" if self.conductance_based else "nA"
        table = {p.name: p for p in neuron.parameters}
        space = dict(neuron.parameter_space)
        svars = list(neuron.state_variables)
        for name in self.receptor_types:
            psr = psrs[name]
            for p in psr.parameters:
                table[f"{name}.{p.name}"] = Parameter(f"{name}.{p.name}", p.default, p.unit,
                                                      p.doc, p.low, p.high, p.low_open,
                                                      p.high_open, p.kind)
                space[f"{name}.{p.name}"] = psr.parameter_space[p.name]
            for s in psr.state_variables:
                svars.append(StateVariable(f"{name}.{s.name}", s.initial, s.unit, s.doc))
        self._table = table
        self._state_vars = tuple(svars)
        self.state_variables = self._state_vars
        self.relations = neuron.relations
        self.recordable = tuple(neuron.recordable) + tuple(
            f"{name}.{v}" for name in self.receptor_types
            for v in psrs[name].recordable)
        self.default_parameters = {k: p.default for k, p in table.items()}
        self.default_initial_values = {s.name: s.initial for s in svars}
        self.units = {**{k: p.unit for k, p in table.items()},
                      **{s.name: s.unit for s in svars}}
        self.classic_initial_values = {}
        self.parameter_space = space
        if values:
            self.set_parameters(**values)

    # instance-level views of the (composed) declaration
    def parameter_table(self) -> dict[str, Parameter]:  # type: ignore[override]
        return dict(self._table)

    def has_parameter(self, name: str) -> bool:  # type: ignore[override]
        return name in self.parameter_table()

    def get_parameter_names(self) -> list[str]:  # type: ignore[override]
        return list(self._table)

    def state_variable_names(self) -> list[str]:  # type: ignore[override]
        return [s.name for s in self._state_vars]

    def variable_unit(self, variable: str) -> str:  # type: ignore[override]
        return self.units[variable]

    def check_values(self, values: dict) -> None:
        super().check_values(values)
        if isinstance(self.neuron, AdExp):
            _check_adex_overflow("PointNeuron", values)

    def describe(self) -> str:
        rec = ", ".join(f"{n}={type(p).__name__}({p.parameter_space})"
                        for n, p in self.post_synaptic_receptors.items())
        return f"PointNeuron({self.neuron.describe()}, {rec})"


CELLS = (IF_curr_exp, IF_curr_alpha, IF_curr_delta, IF_cond_exp, IF_cond_alpha,
         IF_cond_exp_gsfa_grr, IF_facets_hardware1, HH_cond_exp, EIF_cond_exp_isfa_ista,
         EIF_cond_alpha_isfa_ista, Izhikevich, GIF_cond_exp, PointNeuron)
COMPONENTS = (LIF, AdExp, CurrExpPSR, CondExpPSR, CondAlphaPSR, CondBetaPSR)
