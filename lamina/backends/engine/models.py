"""Translation tables: how each standard model maps onto engine rows (pure data).

Every cell occupies one column of two float64 arrays, ``state[NSTATE, N]`` and
``param[NPARAM, N]``. The rows used by each model kind are declared here once; the
compiled kernels (:mod:`lamina.backends.engine.kernels`) read the same constants.

Units are PyNN's throughout (ms, mV, nA, uS, nF, Hz).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from lamina.errors import NoModelAvailableError

logger = logging.getLogger(__name__)

# -- kind codes (one per model) ------------------------------------------------------
K_SPIKE_ARRAY = 0
K_POISSON = 1
K_CURR_EXP = 2
K_CURR_ALPHA = 3
K_CURR_DELTA = 4
K_COND_EXP = 5
K_COND_ALPHA = 6

# -- state rows -----------------------------------------------------------------------
S_V = 0          # membrane potential [mV]
S_SYN_E = 1      # isyn_exc [nA] or gsyn_exc [uS]
S_SYN_I = 2      # isyn_inh [nA] or gsyn_inh [uS]
S_DSYN_E = 3     # alpha kernels: derivative state dI_exc [nA/ms] / dg_exc [uS/ms]
S_DSYN_I = 4     # alpha kernels: derivative state of the inhibitory synapse
S_H = 5          # conductance models: last accepted internal RK step [ms]
NSTATE = 6

# -- parameter rows: PyNN parameters ---------------------------------------------------
P_CM = 0
P_TAU_M = 1
P_TAU_SYN_E = 2
P_TAU_SYN_I = 3
P_TAU_REFRAC = 4
P_V_REST = 5
P_V_RESET = 6
P_V_THRESH = 7
P_I_OFFSET = 8
P_E_REV_E = 9
P_E_REV_I = 10
# Poisson sources reuse the first rows
P_RATE = 0
P_START = 1
P_DURATION = 2
P_PKEY = 3           # SpikeSourcePoisson: 52-bit key of its counter-based generator
P_PSTART_STEP = 4    # SpikeSourcePoisson, derived: first active step round(start/dt)
P_PSTOP_STEP = 5     # SpikeSourcePoisson, derived: first inactive step
P_PLAM = 6           # SpikeSourcePoisson, derived: mean count per step rate*dt/1000
# -- parameter rows: derived (propagators etc.), computed in propagators.py -----------
P_REFR_STEPS = 11   # round(tau_refrac/dt)
P_P22 = 12          # exp(-h/tau_m)                              (psc models: P22/P33)
P_P20 = 13          # tau_m/cm (1 - exp(-h/tau_m))  [mV/nA]       (psc models: P20/P30)
P_P11E = 14         # exp(-h/tau_syn_E)
P_P11I = 15         # exp(-h/tau_syn_I)
P_P21E = 16         # psc_exp: current -> V ; psc_alpha: I -> V   [mV/nA]
P_P21I = 17
P_P31E = 18         # psc_alpha: dI -> V  [mV ms/nA]
P_P31I = 19
P_PSC_INIT_E = 20   # alpha: e/tau_syn_E  [1/ms]
P_PSC_INIT_I = 21
P_INV_TAU_M = 22    # cond models: 1/tau_m
P_INV_CM = 23       # cond models: 1/cm
P_INV_TAU_E = 24    # cond models: 1/tau_syn_E
P_INV_TAU_I = 25
NPARAM = 26
# -- IF_curr_* only (rows 9-10 are conductance-model parameters) ------------------------
P_PSC_RUN = 10      # cells from this one on, in its group, whose `PSC_ROWS` are equal
                    # (`derived.uniform_runs`; 0 = not known): a piece of cells that lies
                    # in one run is updated with its parameters read once (`lif_psc`)
PSC_KINDS = (K_CURR_EXP, K_CURR_ALPHA, K_CURR_DELTA)
#: the parameter rows the IF_curr_* updates and their threshold read
PSC_ROWS = (P_V_REST, P_V_RESET, P_V_THRESH, P_I_OFFSET, P_REFR_STEPS, P_P22, P_P20, P_P11E,
            P_P11I, P_P21E, P_P21I, P_P31E, P_P31I, P_PSC_INIT_E, P_PSC_INIT_I)

_LIF = ("cm", "tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac", "v_rest", "v_reset",
        "v_thresh", "i_offset")
_PARAM_ROWS_LIF = {name: i for i, name in enumerate(_LIF)}


@dataclass(frozen=True)
class ModelTable:
    """How one standard model lives in the engine.

    Attributes
    ----------
    name : str — PyNN model name
    kind : int — kind code dispatched on by the kernel
    params : dict — PyNN parameter name -> param row
    state : dict — PyNN state-variable name -> state row (what can be initialised/recorded)
    method : str — integration method (for ``describe()``)
    is_source : bool — spike source (no dynamics in the kernel)
    """

    name: str
    kind: int
    params: dict[str, int]
    state: dict[str, int] = field(default_factory=dict)
    method: str = ""
    is_source: bool = False


_PSC_STATE = {"v": S_V, "isyn_exc": S_SYN_E, "isyn_inh": S_SYN_I}
_COND_STATE = {"v": S_V, "gsyn_exc": S_SYN_E, "gsyn_inh": S_SYN_I}
_COND_PARAMS = {**_PARAM_ROWS_LIF, "e_rev_E": P_E_REV_E, "e_rev_I": P_E_REV_I}
_RK = ("adaptive Runge-Kutta-Fehlberg 4(5) with absolute error control (tol 1e-6 on V "
       "[mV] and g [uS]), internal step size carried across time steps; V clamped at "
       "v_reset while refractory; spikes and threshold checked on the grid")

TABLES: dict[str, ModelTable] = {
    "SpikeSourceArray": ModelTable("SpikeSourceArray", K_SPIKE_ARRAY, {}, {},
                                   "spike times rounded to the grid", True),
    "SpikeSourcePoisson": ModelTable(
        "SpikeSourcePoisson", K_POISSON,
        {"rate": P_RATE, "start": P_START, "duration": P_DURATION}, {},
        "Poisson count per step from a counter-based generator (inversion, PTRS above mean 10)", True),
    "IF_curr_exp": ModelTable("IF_curr_exp", K_CURR_EXP, dict(_PARAM_ROWS_LIF), _PSC_STATE,
                              "exact integration (NEST iaf_psc_exp propagators)"),
    "IF_curr_alpha": ModelTable("IF_curr_alpha", K_CURR_ALPHA, dict(_PARAM_ROWS_LIF),
                                _PSC_STATE,
                                "exact integration (NEST iaf_psc_alpha propagators)"),
    "IF_curr_delta": ModelTable(
        "IF_curr_delta", K_CURR_DELTA,
        {k: v for k, v in _PARAM_ROWS_LIF.items() if k not in ("tau_syn_E", "tau_syn_I")},
        {"v": S_V}, "exact integration (NEST iaf_psc_delta), input dropped while refractory"),
    "IF_cond_exp": ModelTable("IF_cond_exp", K_COND_EXP, dict(_COND_PARAMS), _COND_STATE,
                              _RK + " (NEST iaf_cond_exp)"),
    "IF_cond_alpha": ModelTable("IF_cond_alpha", K_COND_ALPHA, dict(_COND_PARAMS),
                                _COND_STATE, _RK + " (NEST iaf_cond_alpha)"),
}

KIND_NAMES = {t.kind: t.name for t in TABLES.values()}


def table_for(celltype: object) -> ModelTable:
    """Return the table of a model instance or class (by class name)."""
    name = celltype.__name__ if isinstance(celltype, type) else type(celltype).__name__
    if name == "PointNeuron" and not isinstance(celltype, type):
        return point_neuron_table(celltype)
    if name not in TABLES:
        raise NoModelAvailableError(
            f"the engine backend has no model {name!r}; available: {', '.join(sorted(TABLES))}")
    return TABLES[name]


# =====================================================================================
# Further standard models. Rows above the LIF block are shared: a cell belongs to one
# model, so each model kind gives rows 6.. (state) and 26.. (param) its own meaning.
# The arrays get only as many rows as the models present need (`nstate`, `nparam`).
# =====================================================================================
K_GAMMA = 7          # SpikeSourceGamma
K_PPD = 8            # SpikeSourcePoissonRefractory
K_INH_GAMMA = 9      # SpikeSourceInhGamma
K_FIRST_EXT = 11     # kinds >= this are updated by `cells_ext.update_ext`
K_SFA_RR = 11        # IF_cond_exp_gsfa_grr
K_HH = 12            # HH_cond_exp
K_AEIF_EXP = 13      # EIF_cond_exp_isfa_ista
K_AEIF_ALPHA = 14    # EIF_cond_alpha_isfa_ista
K_IZH = 15           # Izhikevich (table and rows in `families.izhikevich`)
K_GIF = 16           # GIF_cond_exp
K_PN = 17            # PointNeuron
SOURCE_KINDS = (K_SPIKE_ARRAY, K_POISSON, K_GAMMA, K_PPD, K_INH_GAMMA)
RENEWAL_KINDS = (K_GAMMA, K_PPD, K_INH_GAMMA)

S_X = 6              # first model-specific state row
# IF_cond_exp_gsfa_grr
S_G_SFA = 6          # g_s [nS]
S_G_RR = 7           # g_r [nS]
# HH_cond_exp
S_HH_M = 6
S_HH_H = 7
S_HH_N = 8
# adaptive exponential (and PointNeuron)
S_W = 6              # w [nA]
# GIF_cond_exp: recorded threshold and spike-triggered current, then the elements
S_GIF_VT = 6         # v_t [mV]
S_GIF_IETA = 7       # i_eta [nA]
GIF_KMAX = 4         # at most this many eta and gamma elements each
S_GIF_ETA = 8        # eta_k [nA], k < GIF_KMAX
S_GIF_GAMMA = 8 + GIF_KMAX   # gamma_k [mV]
# PointNeuron: receptor r has conductance/current row S_PN_SYN + 2r, derivative +1
S_PN_SYN = 7
PN_RMAX = 8

P_X = 26             # first model-specific param row
# IF_cond_exp_gsfa_grr
P_TAU_SFA, P_E_SFA, P_Q_SFA, P_TAU_RR, P_E_RR, P_Q_RR = 26, 27, 28, 29, 30, 31
P_INV_TAU_SFA, P_INV_TAU_RR = 32, 33
# IF_facets_hardware1
P_G_LEAK_FACETS = 26
# HH_cond_exp
P_GNA, P_GK, P_GL_HH, P_V_OFFSET, P_E_NA, P_E_K, P_E_LEAK = 26, 27, 28, 29, 30, 31, 32
HH_T_REF = 2.0       # NEST hh_cond_exp_traub's refractory period [ms] (not a PyNN parameter)
# adaptive exponential
P_V_SPIKE, P_A, P_B, P_DELTA_T, P_TAU_W = 26, 27, 28, 29, 30
P_G_L, P_INV_TAU_W, P_V_PEAK_EFF = 31, 32, 33
# GIF_cond_exp
P_DELTA_V, P_VT_STAR, P_LAMBDA0, P_RNG_KEY = 26, 27, 28, 29
P_GIF_STC_DECAY = 30                  # + k
P_GIF_Q_STC = 30 + GIF_KMAX           # + k
P_GIF_SFA_DECAY = 30 + 2 * GIF_KMAX   # + k
P_GIF_Q_SFA = 30 + 3 * GIF_KMAX       # + k
P_GIF_TAU_STC = 30 + 4 * GIF_KMAX     # + k
P_GIF_TAU_SFA = 30 + 5 * GIF_KMAX     # + k
P_GIF_N = 30 + 6 * GIF_KMAX           # two rows: number of eta, gamma elements
# PointNeuron: membrane as AdEx rows (P_V_SPIKE .. P_V_PEAK_EFF), then
P_PN_ADEX = 34       # 1.0 for an AdExp membrane, 0.0 for LIF
P_PN_R = 35          # number of receptors
P_PN_REC = 36        # receptor r uses rows P_PN_REC + PN_STRIDE*r + (type, e_syn, tau_decay,
PN_STRIDE = 8        #   tau_rise, 1/tau_decay, 1/tau_rise, increment factor of dg)
PN_CURR_EXP, PN_COND_EXP, PN_COND_ALPHA, PN_COND_BETA = 0.0, 1.0, 2.0, 3.0

#: absolute error tolerances of the adaptive RKF45 per kind (units of the state variables)
RK_ATOL_EXT = {K_SFA_RR: 1e-6, K_HH: 1e-6, K_AEIF_EXP: 1e-6, K_AEIF_ALPHA: 1e-6,
               K_GIF: 1e-6, K_PN: 1e-6}


@dataclass(frozen=True)
class ExtTable(ModelTable):
    """A `ModelTable` with the extras some models need.

    Attributes (besides `ModelTable`'s)
    ----------
    receptors : tuple — receptor names; receptor r reads ring columns ``r*N ..``
    recordable : tuple — what can be recorded ('spikes' and the names in `state`)
    arrays : dict — array parameter -> (first param row, max length, count row)
    sequences : tuple — parameters kept per cell in Python (not in param rows)
    fixed : dict — param row -> value set at creation (values PyNN fixes for the model)
    nstate, nparam : int — rows the model needs
    """

    receptors: tuple = ("excitatory", "inhibitory")
    recordable: tuple = ()
    arrays: dict = field(default_factory=dict)
    sequences: tuple = ()
    fixed: dict = field(default_factory=dict)
    nstate: int = NSTATE
    nparam: int = NPARAM


_RK_EXT = ("adaptive Runge-Kutta-Fehlberg 4(5) with absolute error control (tol 1e-6 in "
           "the units of each state variable), internal step carried across time steps")
_AEIF_PARAMS = {"cm": P_CM, "tau_refrac": P_TAU_REFRAC, "v_spike": P_V_SPIKE,
                "v_reset": P_V_RESET, "v_rest": P_V_REST, "tau_m": P_TAU_M,
                "i_offset": P_I_OFFSET, "a": P_A, "b": P_B, "delta_T": P_DELTA_T,
                "tau_w": P_TAU_W, "v_thresh": P_V_THRESH}
_AEIF_METHOD = (_RK_EXT + "; spike when v >= v_spike after any internal step (v reset, "
                "w += b, v held at v_reset for tau_refrac); exponential evaluated at "
                "min(v, v_spike) as NEST aeif_cond_*")


def _ext(name, kind, params, state, method, **kw) -> ExtTable:
    rec = kw.pop("recordable", None)
    return ExtTable(name, kind, params, state, method, False,
                    recordable=rec if rec is not None else ("spikes", *state), **kw)


_SRC: dict[str, Any] = dict(receptors=(), recordable=("spikes",))
TABLES.update({
    "SpikeSourceGamma": ExtTable(
        "SpikeSourceGamma", K_GAMMA, {"alpha": 0, "beta": 1, "start": 2, "duration": 3}, {},
        "gamma renewal process: gamma-distributed intervals (numpy, per block of 1000 "
        "steps, state carried across blocks), equilibrium start, times rounded to the grid",
        True, **_SRC),
    "SpikeSourcePoissonRefractory": ExtTable(
        "SpikeSourcePoissonRefractory", K_PPD,
        {"rate": 0, "tau_refrac": 1, "start": 2, "duration": 3}, {},
        "Poisson process with dead time (intervals tau_refrac + exponential), equilibrium "
        "start, per block of 1000 steps, times rounded to the grid", True, **_SRC),
    "SpikeSourceInhGamma": ExtTable(
        "SpikeSourceInhGamma", K_INH_GAMMA, {"start": 2, "duration": 3}, {},
        "inhomogeneous gamma process by time rescaling (unit-mean gamma intervals in "
        "operational time), times rounded to the grid", True,
        sequences=("a", "b", "tbins"), **_SRC),
    "IF_facets_hardware1": ExtTable(
        "IF_facets_hardware1", K_COND_EXP,
        {"g_leak": P_G_LEAK_FACETS, "tau_syn_E": P_TAU_SYN_E, "tau_syn_I": P_TAU_SYN_I,
         "v_reset": P_V_RESET, "e_rev_I": P_E_REV_I, "v_rest": P_V_REST,
         "v_thresh": P_V_THRESH}, dict(_COND_STATE),
        _RK + " (NEST iaf_cond_exp with C_m = 200 pF, t_ref = 1 ms, E_ex = 0 mV)",
        recordable=("spikes", *_COND_STATE),
        fixed={P_CM: 0.2, P_TAU_REFRAC: 1.0, P_E_REV_E: 0.0, P_I_OFFSET: 0.0},
        nparam=P_G_LEAK_FACETS + 1),
    "IF_cond_exp_gsfa_grr": _ext(
        "IF_cond_exp_gsfa_grr", K_SFA_RR,
        {**_COND_PARAMS, "tau_sfa": P_TAU_SFA, "e_rev_sfa": P_E_SFA, "q_sfa": P_Q_SFA,
         "tau_rr": P_TAU_RR, "e_rev_rr": P_E_RR, "q_rr": P_Q_RR},
        {**_COND_STATE, "g_s": S_G_SFA, "g_r": S_G_RR},
        _RK_EXT + "; threshold, reset and refractoriness checked on the grid after each step, "
        "v not clamped during integration (NEST iaf_cond_exp_sfa_rr)",
        nstate=S_G_RR + 1, nparam=P_INV_TAU_RR + 1),
    "HH_cond_exp": _ext(
        "HH_cond_exp", K_HH,
        {"gbar_Na": P_GNA, "gbar_K": P_GK, "g_leak": P_GL_HH, "cm": P_CM,
         "v_offset": P_V_OFFSET, "e_rev_Na": P_E_NA, "e_rev_K": P_E_K,
         "e_rev_leak": P_E_LEAK, "e_rev_E": P_E_REV_E, "e_rev_I": P_E_REV_I,
         "tau_syn_E": P_TAU_SYN_E, "tau_syn_I": P_TAU_SYN_I, "i_offset": P_I_OFFSET},
        {**_COND_STATE, "m": S_HH_M, "h": S_HH_H, "n": S_HH_N},
        _RK_EXT + "; spike when v >= v_offset + 30 mV and v fell during the step, then "
        "2 ms without spikes (NEST hh_cond_exp_traub)",
        fixed={P_TAU_REFRAC: HH_T_REF}, nstate=S_HH_N + 1, nparam=P_E_LEAK + 1),
    "EIF_cond_exp_isfa_ista": _ext(
        "EIF_cond_exp_isfa_ista", K_AEIF_EXP,
        {**_AEIF_PARAMS, "e_rev_E": P_E_REV_E, "tau_syn_E": P_TAU_SYN_E,
         "e_rev_I": P_E_REV_I, "tau_syn_I": P_TAU_SYN_I},
        {**_COND_STATE, "w": S_W}, _AEIF_METHOD + "_exp", nstate=S_W + 1,
        nparam=P_V_PEAK_EFF + 1),
    "EIF_cond_alpha_isfa_ista": _ext(
        "EIF_cond_alpha_isfa_ista", K_AEIF_ALPHA,
        {**_AEIF_PARAMS, "e_rev_E": P_E_REV_E, "tau_syn_E": P_TAU_SYN_E,
         "e_rev_I": P_E_REV_I, "tau_syn_I": P_TAU_SYN_I},
        {**_COND_STATE, "w": S_W}, _AEIF_METHOD + "_alpha", nstate=S_W + 1,
        nparam=P_V_PEAK_EFF + 1),
    "GIF_cond_exp": _ext(
        "GIF_cond_exp", K_GIF,
        {"v_rest": P_V_REST, "cm": P_CM, "tau_m": P_TAU_M, "tau_refrac": P_TAU_REFRAC,
         "tau_syn_E": P_TAU_SYN_E, "tau_syn_I": P_TAU_SYN_I, "e_rev_E": P_E_REV_E,
         "e_rev_I": P_E_REV_I, "v_reset": P_V_RESET, "i_offset": P_I_OFFSET,
         "delta_v": P_DELTA_V, "v_t_star": P_VT_STAR, "lambda0": P_LAMBDA0},
        {**_COND_STATE, "v_t": S_GIF_VT, "i_eta": S_GIF_IETA},
        _RK_EXT + "; eta and gamma elements decay exactly (exp(-dt/tau)); spike with "
        "probability 1 - exp(-lambda dt) using a counter-based random number per "
        "(seed, reset segment, cell, step), as NEST gif_cond_exp",
        arrays={"tau_eta": (P_GIF_TAU_STC, GIF_KMAX, P_GIF_N),
                "a_eta": (P_GIF_Q_STC, GIF_KMAX, -1),
                "tau_gamma": (P_GIF_TAU_SFA, GIF_KMAX, P_GIF_N + 1),
                "a_gamma": (P_GIF_Q_SFA, GIF_KMAX, -1)},
        nstate=S_GIF_GAMMA + GIF_KMAX, nparam=P_GIF_N + 2),
})
KIND_NAMES.update({t.kind: t.name for t in TABLES.values() if t.name != "IF_facets_hardware1"})
_BASE_NAMES = ("SpikeSourceArray", "SpikeSourcePoisson", "IF_curr_exp", "IF_curr_alpha",
               "IF_curr_delta", "IF_cond_exp", "IF_cond_alpha")


def receptors_of(table: ModelTable) -> tuple:
    """Receptor names of a table, in ring-buffer order."""
    if isinstance(table, ExtTable):
        return table.receptors
    return () if table.is_source else ("excitatory", "inhibitory")


def recordable_of(table: ModelTable) -> tuple:
    """What can be recorded from cells of a table."""
    if isinstance(table, ExtTable):
        return table.recordable
    return ("spikes", *table.state)


def point_neuron_table(celltype: Any) -> ExtTable:
    """The (instance-specific) table of a `PointNeuron`: membrane rows as AdEx, receptor r
    at param rows ``P_PN_REC + PN_STRIDE*r`` and state rows ``S_PN_SYN + 2r (+1)``."""
    from lamina.models.cells import AdExp, CondAlphaPSR, CondBetaPSR, CondExpPSR, CurrExpPSR
    neuron = celltype.neuron
    names = celltype.receptor_types
    if len(names) > PN_RMAX:
        raise NoModelAvailableError(f"the engine's PointNeuron takes at most {PN_RMAX} "
                                    f"receptors; got {len(names)}")
    params = {k: v for k, v in _AEIF_PARAMS.items() if k in neuron.parameter_space}
    adex = isinstance(neuron, AdExp)
    state = {"v": S_V}
    if adex:
        state["w"] = S_W
    fixed = {P_PN_ADEX: 1.0 if adex else 0.0, P_PN_R: float(len(names))}
    for r, name in enumerate(names):
        psr = celltype.post_synaptic_receptors[name]
        base = P_PN_REC + PN_STRIDE * r
        code = {CurrExpPSR: PN_CURR_EXP, CondExpPSR: PN_COND_EXP, CondAlphaPSR: PN_COND_ALPHA,
                CondBetaPSR: PN_COND_BETA}.get(type(psr))
        if code is None:
            raise NoModelAvailableError(f"the engine has no receptor model {type(psr).__name__}")
        fixed[base] = code
        if code != PN_CURR_EXP:
            params[f"{name}.e_syn"] = base + 1
        if code == PN_COND_BETA:
            params[f"{name}.tau_decay"] = base + 2
            params[f"{name}.tau_rise"] = base + 3
        else:
            params[f"{name}.tau_syn"] = base + 2
        var = "isyn" if code == PN_CURR_EXP else "gsyn"
        state[f"{name}.{var}"] = S_PN_SYN + 2 * r
    R = len(names)
    return ExtTable(
        "PointNeuron", K_PN, params, state,
        ("PointNeuron(" + type(neuron).__name__ + ", ...): " + _RK_EXT
         + ("; AdExp spikes as EIF_cond_*" if adex else "; LIF: v held at v_reset while "
            "refractory, threshold checked on the grid")),
        receptors=tuple(names), recordable=("spikes", *state), fixed=fixed,
        nstate=S_PN_SYN + 2 * R, nparam=P_PN_REC + PN_STRIDE * R)
