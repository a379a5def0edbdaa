"""Parameter rows derived from the PyNN rows, for every model kind (vectorised numpy).

`prepare` is what the backend calls after writing PyNN values into ``param[:, cols]``:
it sets the values PyNN fixes for a model (`ExtTable.fixed`), computes the rows a model
derives from several parameters, and fills the propagators (`propagators.derive`).
"""
from __future__ import annotations

import math

import numpy as np

from lamina.backends.engine import models as m
from lamina.backends.engine.propagators import derive


def prepare(table: m.ModelTable, param: np.ndarray, cols: slice | np.ndarray, dt: float) -> None:
    """Fill fixed and derived rows of ``param[:, cols]`` for cells of `table`."""
    for row, value in getattr(table, "fixed", {}).items():
        param[row, cols] = value
    if table.name == "IF_facets_hardware1":   # tau_m = cm/g_leak (0.2 nF, g_leak in nS)
        param[m.P_TAU_M, cols] = param[m.P_CM, cols] / (1e-3 * param[m.P_G_LEAK_FACETS, cols])
    if table.kind == m.K_POISSON:
        _poisson_rows(param, cols, dt)
    if table.kind in m.SOURCE_KINDS:
        return
    if table.kind < m.K_FIRST_EXT:
        derive(table.kind, param, cols, dt)
        return
    derive_ext(table.kind, param, cols, dt)


def uniform_runs(table: m.ModelTable, param: np.ndarray, start: int, stop: int) -> None:
    """Row `models.P_PSC_RUN` of the IF_curr_* cells ``start .. stop-1`` (one whole group:
    call it again after any of their parameters changed): for each cell, how many cells
    from it on up to `stop` have all their `models.PSC_ROWS` bitwise equal to its own.
    Where the cells a step loop piece updates lie in one such run, `families.lif_psc`
    reads their parameters once instead of streaming a row per parameter (a network's
    populations are mostly uniform: Brunel's update then runs about 3 x faster)."""
    if table.kind not in m.PSC_KINDS or stop <= start:
        return
    n = stop - start
    p = param[list(m.PSC_ROWS), start:stop]
    same = np.all(p[:, 1:] == p[:, :-1], axis=0)   # cell c equal to cell c + 1 (NaN: not)
    ends = np.append(np.flatnonzero(~same) + 1, n)   # one past the end of each run
    c = np.arange(n)
    param[m.P_PSC_RUN, start:stop] = ends[np.searchsorted(ends, c, side="right")] - c


def _poisson_rows(param: np.ndarray, cols, dt: float) -> None:
    """Active steps and mean count per step of SpikeSourcePoisson cells, computed once
    here (the same operations the step loop used to repeat per step and cell)."""
    start = param[m.P_START, cols]
    param[m.P_PSTART_STEP, cols] = np.floor(start / dt + 0.5)
    param[m.P_PSTOP_STEP, cols] = np.floor((start + param[m.P_DURATION, cols]) / dt + 0.5)
    param[m.P_PLAM, cols] = param[m.P_RATE, cols] * dt / 1000.0


def _refr_steps(param: np.ndarray, cols, dt: float) -> None:
    param[m.P_REFR_STEPS, cols] = np.floor(param[m.P_TAU_REFRAC, cols] / dt + 0.5)


def _syn_rates(param: np.ndarray, cols) -> None:
    te, ti = param[m.P_TAU_SYN_E, cols], param[m.P_TAU_SYN_I, cols]
    param[m.P_INV_TAU_E, cols] = 1.0 / te
    param[m.P_INV_TAU_I, cols] = 1.0 / ti
    param[m.P_PSC_INIT_E, cols] = math.e / te
    param[m.P_PSC_INIT_I, cols] = math.e / ti


def derive_ext(kind: int, p: np.ndarray, cols, dt: float) -> None:
    """Derived rows of the models updated by `cells_ext`."""
    if kind == m.K_IZH:
        return
    _refr_steps(p, cols, dt)
    p[m.P_INV_CM, cols] = 1.0 / p[m.P_CM, cols]
    if kind == m.K_PN:
        _derive_point_neuron(p, cols)
        return
    _syn_rates(p, cols)
    if kind == m.K_HH:
        return
    p[m.P_INV_TAU_M, cols] = 1.0 / p[m.P_TAU_M, cols]
    if kind == m.K_SFA_RR:
        p[m.P_INV_TAU_SFA, cols] = 1.0 / p[m.P_TAU_SFA, cols]
        p[m.P_INV_TAU_RR, cols] = 1.0 / p[m.P_TAU_RR, cols]
    elif kind in (m.K_AEIF_EXP, m.K_AEIF_ALPHA):
        _derive_adex(p, cols)
    elif kind == m.K_GIF:
        for k in range(m.GIF_KMAX):
            for tau_row, decay_row, n_row in ((m.P_GIF_TAU_STC, m.P_GIF_STC_DECAY, m.P_GIF_N),
                                             (m.P_GIF_TAU_SFA, m.P_GIF_SFA_DECAY,
                                              m.P_GIF_N + 1)):
                tau = p[tau_row + k, cols]
                used = k < p[n_row, cols]
                p[decay_row + k, cols] = np.where(
                    used, np.exp(-dt / np.where(used, tau, 1.0)), 0.0)


def _derive_adex(p: np.ndarray, cols) -> None:
    p[m.P_G_L, cols] = p[m.P_CM, cols] / p[m.P_TAU_M, cols]           # uS
    p[m.P_INV_TAU_W, cols] = 1.0 / p[m.P_TAU_W, cols]
    # spikes are detected at V_peak, or at V_th when delta_T == 0 (as NEST)
    p[m.P_V_PEAK_EFF, cols] = np.where(p[m.P_DELTA_T, cols] > 0.0, p[m.P_V_SPIKE, cols],
                                       p[m.P_V_THRESH, cols])


def _derive_point_neuron(p: np.ndarray, cols) -> None:
    p[m.P_INV_TAU_M, cols] = 1.0 / p[m.P_TAU_M, cols]
    adex = p[m.P_PN_ADEX, cols] > 0.5
    if np.any(adex):
        _derive_adex(p, cols)
    else:
        p[m.P_G_L, cols] = p[m.P_CM, cols] / p[m.P_TAU_M, cols]
        p[m.P_V_PEAK_EFF, cols] = p[m.P_V_THRESH, cols]
    R = int(np.max(p[m.P_PN_R, cols])) if np.size(p[m.P_PN_R, cols]) else 0
    for r in range(R):
        b = m.P_PN_REC + m.PN_STRIDE * r
        code = p[b, cols]
        td = p[b + 2, cols]
        tr = np.where(code == m.PN_COND_BETA, p[b + 3, cols], td)
        p[b + 3, cols] = tr
        p[b + 4, cols] = 1.0 / td
        p[b + 5, cols] = 1.0 / tr
        p[b + 6, cols] = _beta_factor(tr, td)


def _beta_factor(tr: np.ndarray, td: np.ndarray) -> np.ndarray:
    """Increment of dg per unit weight so that the conductance peaks at the weight:
    e/tau for tau_rise == tau_decay (alpha function), else
    (1/tr - 1/td)/(exp(-tp/td) - exp(-tp/tr)) with tp = td tr ln(td/tr)/(td - tr)."""
    tr, td = np.broadcast_arrays(np.asarray(tr, float), np.asarray(td, float))
    out = np.e / td
    diff = np.abs(td - tr) > 1e-12 * np.maximum(td, tr)
    if np.any(diff):
        a, b = tr[diff], td[diff]
        tp = a * b * np.log(b / a) / (b - a)
        out = out.copy()
        out[diff] = (1.0 / a - 1.0 / b) / (np.exp(-tp / b) - np.exp(-tp / a))
    return out
