"""Translation tables: how each standard model maps onto engine rows (pure data).

Every cell occupies one column of two float64 arrays, ``state[NSTATE, N]`` and
``param[NPARAM, N]``. The rows used by each model kind are declared here once; the
compiled kernels (:mod:`lamina.backends.engine.kernels`) read the same constants.

Units are PyNN's throughout (ms, mV, nA, uS, nF, Hz).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

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
        "Poisson counts per block of 1000 steps, uniform grid positions", True),
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
    if name not in TABLES:
        raise NoModelAvailableError(
            f"the engine backend has no model {name!r}; available: {', '.join(sorted(TABLES))}")
    return TABLES[name]
