"""The equations of the standard cell types, as simulator-neutral data.

Each standard cell type that obeys ordinary differential equations has one `Dynamics`
(the ``dynamics`` class attribute of the cell type): the right-hand sides of its ODEs, named
sub-expressions, the spike condition, the reset, the refractory rule and, per receptor
type, what an incoming spike of weight ``weight`` does. Backends that generate code from
equations (Brian 2; NMODL) translate from here; nothing else restates the equations.

Notation
--------
* Expressions use the model's parameter and state-variable names (PyNN names), the input
  current ``i_inj`` [nA] of current sources, the synaptic ``weight`` (in the receptor's
  weight unit: nA, uS or mV), ``exp``, ``**`` and the unit names ``mV``, ``ms``, ``nA``,
  ``pA``, ``uS``, ``nS``, ``nF``, ``Hz``. Every expression is dimensionally consistent: a
  backend either binds each unit name to its unit object (Brian 2), or, solving in PyNN
  units, binds ``mV = ms = nA = uS = nF = 1`` and ``pA = nS = Hz = 1e-3`` (see `PYNN_UNIT`).
* ``X_last`` names the value state variable ``X`` had at the start of the time step (for
  spike conditions on a falling edge, `Dynamics.previous`).
* In a spike condition only: ``rand()`` is a uniform draw in [0, 1) per cell and step and
  ``dt`` the time step (stochastic spike emission, `gif_cond_exp`).
* ``linear`` says the subthreshold system is linear with constant coefficients between
  input events (exact integration applies).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: value of each unit name in the PyNN unit system (ms, mV, nA, uS, nF)
PYNN_UNIT = {"mV": 1.0, "ms": 1.0, "nA": 1.0, "uS": 1.0, "nF": 1.0, "pA": 1e-3, "nS": 1e-3,
             "Hz": 1e-3}


@dataclass(frozen=True)
class Ode:
    """``d variable/dt = rhs`` [unit/ms]; `unit` is the variable's (PyNN) unit."""

    variable: str
    rhs: str
    unit: str


@dataclass(frozen=True)
class Expression:
    """A named sub-expression ``name = expression`` [unit]."""

    name: str
    expression: str
    unit: str


@dataclass(frozen=True)
class HiddenState:
    """A state variable of the equations that is not a declared (recordable) state
    variable of the model, e.g. the second variable of an alpha-function synapse."""

    name: str
    unit: str
    initial: float = 0.0


@dataclass(frozen=True)
class Dynamics:
    """Machine-readable equations of one cell type.

    Attributes
    ----------
    odes : the differential equations, one per state variable (declared or hidden)
    expressions : named sub-expressions the ODEs use
    hidden : state variables of the equations beyond the model's ``state_variables``
    threshold : spike condition, e.g. ``'v >= v_thresh'``
    reset : statements executed at a spike, e.g. ``('v = v_reset',)``
    refractory : expression of the refractory duration [ms] ('' for none): no spike is
        emitted during it
    clamped : state variables held (not integrated) while refractory
    jumps : receptor type -> statements executed on an incoming spike of ``weight``
    jumps_when_refractory : whether input arriving during the refractory period acts
        (False: it is discarded, as for delta synapses)
    previous : state variables whose value at the start of the step is needed (``X_last``)
    linear : whether the subthreshold system is linear with constant coefficients
    scheme : how the model is meant to be integrated where it is not linear: '' any
        accurate ODE solver; 'euler': the model is defined by its forward-Euler
        discretisation at the time step (Izhikevich 2003, as NEST integrates it);
        'exponential': stiff gating kinetics, for an exponential (or implicit) integrator
    """

    odes: tuple[Ode, ...]
    threshold: str
    reset: tuple[str, ...] = ()
    refractory: str = ""
    clamped: tuple[str, ...] = ()
    jumps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    jumps_when_refractory: bool = True
    expressions: tuple[Expression, ...] = ()
    hidden: tuple[HiddenState, ...] = ()
    previous: tuple[str, ...] = ()
    linear: bool = False
    scheme: str = ""


# -- building blocks ----------------------------------------------------------------------
_LIF_V = "(v_rest - v)/tau_m + (i_syn + i_offset + i_inj)/cm"
_EXP_CURR = (Ode("isyn_exc", "-isyn_exc/tau_syn_E", "nA"),
             Ode("isyn_inh", "-isyn_inh/tau_syn_I", "nA"))
_ALPHA_CURR = (Ode("isyn_exc", "(y_exc - isyn_exc)/tau_syn_E", "nA"),
               Ode("y_exc", "-y_exc/tau_syn_E", "nA"),
               Ode("isyn_inh", "(y_inh - isyn_inh)/tau_syn_I", "nA"),
               Ode("y_inh", "-y_inh/tau_syn_I", "nA"))
_EXP_COND = (Ode("gsyn_exc", "-gsyn_exc/tau_syn_E", "uS"),
             Ode("gsyn_inh", "-gsyn_inh/tau_syn_I", "uS"))
_ALPHA_COND = (Ode("gsyn_exc", "(y_exc - gsyn_exc)/tau_syn_E", "uS"),
               Ode("y_exc", "-y_exc/tau_syn_E", "uS"),
               Ode("gsyn_inh", "(y_inh - gsyn_inh)/tau_syn_I", "uS"),
               Ode("y_inh", "-y_inh/tau_syn_I", "uS"))
_CURR_SUM = (Expression("i_syn", "isyn_exc + isyn_inh", "nA"),)
_COND_SUM = (Expression("i_syn", "gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v)", "nA"),)
#: an alpha kernel y' = -y/tau, x' = (y - x)/tau started with y = w e peaks at x = w
_E = "2.718281828459045"
_EXP_JUMPS = {"excitatory": ("isyn_exc += weight",), "inhibitory": ("isyn_inh += weight",)}
_ALPHA_JUMPS = {"excitatory": (f"y_exc += {_E}*weight",),
                "inhibitory": (f"y_inh += {_E}*weight",)}
_EXP_GJUMPS = {"excitatory": ("gsyn_exc += weight",), "inhibitory": ("gsyn_inh += weight",)}
_LIF: dict[str, Any] = {"threshold": "v >= v_thresh", "reset": ("v = v_reset",), "refractory": "tau_refrac",
        "clamped": ("v",)}
_ALPHA_HIDDEN: dict[str, Any] = {"hidden": (HiddenState("y_exc", "nA"), HiddenState("y_inh", "nA"))}
_ALPHA_GHIDDEN: dict[str, Any] = {"hidden": (HiddenState("y_exc", "uS"), HiddenState("y_inh", "uS"))}

IF_CURR_EXP = Dynamics(odes=(Ode("v", _LIF_V, "mV"), *_EXP_CURR), expressions=_CURR_SUM,
                       jumps=_EXP_JUMPS, linear=True, **_LIF)
IF_CURR_ALPHA = Dynamics(odes=(Ode("v", _LIF_V, "mV"), *_ALPHA_CURR), expressions=_CURR_SUM,
                         jumps=_ALPHA_JUMPS, linear=True, **_ALPHA_HIDDEN, **_LIF)
IF_CURR_DELTA = Dynamics(odes=(Ode("v", "(v_rest - v)/tau_m + (i_offset + i_inj)/cm", "mV"),),
                         jumps={"excitatory": ("v += weight",), "inhibitory": ("v += weight",)},
                         jumps_when_refractory=False, linear=True, **_LIF)
IF_COND_EXP = Dynamics(odes=(Ode("v", _LIF_V, "mV"), *_EXP_COND), expressions=_COND_SUM,
                       jumps=_EXP_GJUMPS, **_LIF)
IF_COND_ALPHA = Dynamics(odes=(Ode("v", _LIF_V, "mV"), *_ALPHA_COND), expressions=_COND_SUM,
                         jumps={"excitatory": (f"y_exc += {_E}*weight",),
                                "inhibitory": (f"y_inh += {_E}*weight",)},
                         **_ALPHA_GHIDDEN, **_LIF)
IF_COND_EXP_GSFA_GRR = Dynamics(
    odes=(Ode("v", "(v_rest - v)/tau_m + (i_syn + g_s*(e_rev_sfa - v) + g_r*(e_rev_rr - v)"
                   " + i_offset + i_inj)/cm", "mV"),
          *_EXP_COND, Ode("g_s", "-g_s/tau_sfa", "nS"), Ode("g_r", "-g_r/tau_rr", "nS")),
    expressions=_COND_SUM, jumps=_EXP_GJUMPS, threshold="v >= v_thresh",
    reset=("v = v_reset", "g_s += q_sfa", "g_r += q_rr"), refractory="tau_refrac",
    clamped=("v",))
IF_FACETS_HARDWARE1 = Dynamics(
    odes=(Ode("v", "(g_leak*(v_rest - v) + gsyn_exc*(0*mV - v) + gsyn_inh*(e_rev_I - v))"
                   "/(0.2*nF)", "mV"), *_EXP_COND),
    jumps=_EXP_GJUMPS, threshold="v >= v_thresh", reset=("v = v_reset",),
    refractory="1*ms", clamped=("v",))

_ADEX_V = ("((v_rest - v) + delta_T*exp((v - v_thresh)/delta_T))/tau_m"
           " + (i_syn - w + i_offset + i_inj)/cm")
_ADEX: dict[str, Any] = {"threshold": "v >= v_spike", "reset": ("v = v_reset", "w += b"),
         "refractory": "tau_refrac", "clamped": ("v",), "expressions": _COND_SUM}
EIF_COND_EXP_ISFA_ISTA = Dynamics(
    odes=(Ode("v", _ADEX_V, "mV"), Ode("w", "(a*(v - v_rest) - w)/tau_w", "nA"), *_EXP_COND),
    jumps=_EXP_GJUMPS, **_ADEX)
EIF_COND_ALPHA_ISFA_ISTA = Dynamics(
    odes=(Ode("v", _ADEX_V, "mV"), Ode("w", "(a*(v - v_rest) - w)/tau_w", "nA"),
          *_ALPHA_COND),
    jumps={"excitatory": (f"y_exc += {_E}*weight",), "inhibitory": (f"y_inh += {_E}*weight",)},
    **_ALPHA_GHIDDEN, **_ADEX)

IZHIKEVICH = Dynamics(
    odes=(Ode("v", "0.04*v**2/(mV*ms) + 5*v/ms + 140*mV/ms - u"
                   " + (i_offset + i_inj)*mV/(ms*pA)", "mV"),
          Ode("u", "a*(b*v - u)", "mV/ms")),
    threshold="v >= 30*mV", reset=("v = c", "u += d"), scheme="euler",
    jumps={"excitatory": ("v += weight",), "inhibitory": ("v += weight",)})

#: Traub & Miles rate functions [1/ms] of the shifted potential vs = v - v_offset [mV]
_HH_EXPR = (
    Expression("vs", "v - v_offset", "mV"),
    Expression("alpha_m", "0.32/(mV*ms)*(13*mV - vs)/(exp((13*mV - vs)/(4*mV)) - 1)", "/ms"),
    Expression("beta_m", "0.28/(mV*ms)*(vs - 40*mV)/(exp((vs - 40*mV)/(5*mV)) - 1)", "/ms"),
    Expression("alpha_h", "0.128/ms*exp((17*mV - vs)/(18*mV))", "/ms"),
    Expression("beta_h", "4/ms/(1 + exp((40*mV - vs)/(5*mV)))", "/ms"),
    Expression("alpha_n", "0.032/(mV*ms)*(15*mV - vs)/(exp((15*mV - vs)/(5*mV)) - 1)", "/ms"),
    Expression("beta_n", "0.5/ms*exp((10*mV - vs)/(40*mV))", "/ms"),
    *_COND_SUM)
HH_COND_EXP = Dynamics(
    odes=(Ode("v", "(-gbar_Na*m**3*h*(v - e_rev_Na) - gbar_K*n**4*(v - e_rev_K)"
                   " - g_leak*(v - e_rev_leak) + i_syn + i_offset + i_inj)/cm", "mV"),
          Ode("m", "alpha_m*(1 - m) - beta_m*m", ""),
          Ode("h", "alpha_h*(1 - h) - beta_h*h", ""),
          Ode("n", "alpha_n*(1 - n) - beta_n*n", ""), *_EXP_COND),
    expressions=_HH_EXPR, jumps=_EXP_GJUMPS,
    threshold="v >= v_offset + 30*mV and v < v_last", refractory="2*ms", previous=("v",),
    scheme="exponential")


def gif_cond_exp(n_eta: int, n_gamma: int) -> Dynamics:
    """The equations of GIF_cond_exp with `n_eta` spike-triggered current elements and
    `n_gamma` threshold elements (the lengths of its array parameters, which differ
    between networks: no fixed `Dynamics`). Element k has the scalar parameters
    ``tau_eta_k``, ``a_eta_k`` (``tau_gamma_k``, ``a_gamma_k``); a backend splits the
    arrays into them, padding shorter arrays with ``a = 0``.

    As NEST's gif_cond_exp: the spike-triggered current ``i_eta`` and the threshold ``v_t``
    hold, through a step, the sums of the elements at its start (``eta_k_last``); the
    elements decay exponentially and are raised by ``a_*_k`` at a spike; a cell that is
    not refractory fires in a step with probability ``1 - exp(-lambda dt)``,
    ``lambda = lambda0 exp((v - v_t)/delta_v)``, v at the end of the step."""
    eta = [Ode(f"eta_{k}", f"-eta_{k}/tau_eta_{k}", "nA") for k in range(n_eta)]
    gamma = [Ode(f"gamma_{k}", f"-gamma_{k}/tau_gamma_{k}", "mV") for k in range(n_gamma)]
    i_eta = " + ".join(f"eta_{k}_last" for k in range(n_eta)) or "0*nA"
    v_t = " + ".join(["v_t_star", *(f"gamma_{k}_last" for k in range(n_gamma))])
    return Dynamics(
        odes=(Ode("v", "(v_rest - v)/tau_m + (i_syn - i_eta + i_offset + i_inj)/cm", "mV"),
              *_EXP_COND, *eta, *gamma),
        expressions=(*_COND_SUM, Expression("i_eta", i_eta, "nA"),
                     Expression("v_t", v_t, "mV")),
        hidden=tuple(HiddenState(o.variable, o.unit) for o in (*eta, *gamma)),
        threshold="rand() < 1 - exp(-lambda0*exp((v - v_t)/delta_v)*dt)",
        reset=("v = v_reset", *(f"eta_{k} += a_eta_{k}" for k in range(n_eta)),
               *(f"gamma_{k} += a_gamma_{k}" for k in range(n_gamma))),
        refractory="tau_refrac", clamped=("v",), jumps=_EXP_GJUMPS,
        previous=tuple(o.variable for o in (*eta, *gamma)))


# -- composed point neurons (PointNeuron: a membrane and named receptors) -----------------
def _receptor_odes(name: str, kind: str) -> tuple[tuple[Ode, ...], tuple[HiddenState, ...],
                                                  tuple[str, ...]]:
    """(ODEs, hidden states, jump statements) of receptor `name` of class `kind`; variables
    are named ``'<name>.<variable>'``. A beta conductance is ``g' = y - g/tau_decay``,
    ``y' = -y/tau_rise`` with y raised by ``weight * k`` at a spike, k [1/ms] chosen so that
    g peaks at the weight: ``k = (1/tau_rise - 1/tau_decay)/(exp(-t_p/tau_decay) -
    exp(-t_p/tau_rise))``, ``t_p = tau_rise tau_decay ln(tau_decay/tau_rise)/(tau_decay -
    tau_rise)``, the time of the peak."""
    v = f"{name}."
    if kind == "CurrExpPSR":
        return ((Ode(v + "isyn", f"-{v}isyn/{v}tau_syn", "nA"),), (), (f"{v}isyn += weight",))
    if kind == "CondExpPSR":
        return ((Ode(v + "gsyn", f"-{v}gsyn/{v}tau_syn", "uS"),), (), (f"{v}gsyn += weight",))
    if kind == "CondAlphaPSR":
        return ((Ode(v + "gsyn", f"({v}y - {v}gsyn)/{v}tau_syn", "uS"),
                 Ode(v + "y", f"-{v}y/{v}tau_syn", "uS")),
                (HiddenState(v + "y", "uS"),), (f"{v}y += {_E}*weight",))
    if kind == "CondBetaPSR":
        tr, td = v + "tau_rise", v + "tau_decay"
        peak = f"({tr}*{td}*log({td}/{tr})/({td} - {tr}))"
        k = f"((1/{tr} - 1/{td})/(exp(-{peak}/{td}) - exp(-{peak}/{tr})))"
        return ((Ode(v + "gsyn", f"{v}y - {v}gsyn/{td}", "uS"),
                 Ode(v + "y", f"-{v}y/{tr}", "uS/ms")),
                (HiddenState(v + "y", "uS/ms"),), (f"{v}y += weight*{k}",))
    raise KeyError(kind)


def point_neuron(membrane: str, receptors: Mapping[str, str]) -> Dynamics:
    """The equations of a `PointNeuron`: membrane ``'LIF'`` or ``'AdExp'`` (the equations
    of IF_cond_exp / EIF_cond_exp_isfa_ista without their synapses) and `receptors`
    (receptor name -> PSR class name). The synaptic current ``i_syn`` is the sum of the
    receptors' currents ``isyn`` or ``gsyn*(e_syn - v)``.

    Raises
    ------
    KeyError
        for a membrane or receptor class without equations here.
    """
    odes: list[Ode] = []
    hidden: list[HiddenState] = []
    jumps: dict[str, tuple[str, ...]] = {}
    currents = []
    for name, kind in receptors.items():
        o, h, j = _receptor_odes(name, kind)
        odes += o
        hidden += h
        jumps[name] = j
        currents.append(f"{name}.isyn" if kind == "CurrExpPSR"
                        else f"{name}.gsyn*({name}.e_syn - v)")
    i_syn = Expression("i_syn", " + ".join(currents) or "0*nA", "nA")
    if membrane == "LIF":
        linear = all(kind == "CurrExpPSR" for kind in receptors.values())
        return Dynamics(odes=(Ode("v", _LIF_V, "mV"), *odes), expressions=(i_syn,),
                        hidden=tuple(hidden), jumps=jumps, linear=linear, **_LIF)
    if membrane == "AdExp":
        return Dynamics(odes=(Ode("v", _ADEX_V, "mV"),
                              Ode("w", "(a*(v - v_rest) - w)/tau_w", "nA"), *odes),
                        hidden=tuple(hidden), jumps=jumps,
                        **{**_ADEX, "expressions": (i_syn,)})
    raise KeyError(membrane)


def of(celltype: Any) -> Dynamics | None:
    """The equations of a standard cell type instance, None where the catalogue has none
    (composed point neurons are assembled by `point_neuron`)."""
    found = getattr(type(celltype), "dynamics", None)
    if found is not None or type(celltype).__name__ != "PointNeuron":
        return found
    try:
        return point_neuron(type(celltype.neuron).__name__,
                            {name: type(psr).__name__
                             for name, psr in celltype.post_synaptic_receptors.items()})
    except KeyError:
        return None
