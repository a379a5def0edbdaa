"""Right-hand sides of the models integrated by the generic adaptive RKF45
(`integrators.rk_ext`), with their state-vector layouts (numba, ``cache=True``).

The state vector ``y`` of a cell is copied from/to the ``state`` rows by `load`/`store`;
``st`` is a small scratch array: ``st[0]`` the refractory count (> 0: refractory),
``st[1]`` set to 1 when the cell spiked inside the step, ``st[2]`` the number of spikes.
Units are the engine's: mV, nA, uS (nS for g_s/g_r and the AdEx ``a``), nF, ms.
"""
from __future__ import annotations

import math

from numba import njit

from lamina.backends.engine.models import (K_AEIF_ALPHA, K_AEIF_EXP, K_GIF, K_HH, K_PN,
                                           K_SFA_RR, P_A, P_B, P_DELTA_T, P_E_K,
                                           P_E_LEAK, P_E_NA, P_E_REV_E, P_E_REV_I, P_E_RR,
                                           P_E_SFA, P_G_L, P_GK, P_GL_HH, P_GNA, P_INV_CM,
                                           P_INV_TAU_E, P_INV_TAU_I, P_INV_TAU_M,
                                           P_INV_TAU_RR, P_INV_TAU_SFA, P_INV_TAU_W,
                                           P_PN_ADEX, P_PN_R, P_PN_REC, P_REFR_STEPS,
                                           P_V_OFFSET, P_V_PEAK_EFF, P_V_RESET, P_V_REST,
                                           P_V_SPIKE, P_V_THRESH, PN_STRIDE, S_DSYN_E,
                                           S_DSYN_I, S_G_RR, S_G_SFA, S_HH_H, S_HH_M, S_HH_N,
                                           S_PN_SYN, S_SYN_E, S_SYN_I, S_V, S_W)

NY_MAX = 2 + 2 * 8


@njit(cache=True)
def load(kind, state, param, i, y):
    """Copy the integrated state of cell i into y; return its length."""
    y[0] = state[S_V, i]
    if kind == K_PN:
        y[1] = state[S_W, i]
        R = int(param[P_PN_R, i])
        for r in range(R):
            y[2 + 2 * r] = state[S_PN_SYN + 2 * r, i]
            y[3 + 2 * r] = state[S_PN_SYN + 2 * r + 1, i]
        return 2 + 2 * R
    y[1] = state[S_SYN_E, i]
    y[2] = state[S_SYN_I, i]
    if kind == K_GIF:
        return 3
    if kind == K_AEIF_EXP:
        y[3] = state[S_W, i]
        return 4
    if kind == K_AEIF_ALPHA:
        y[3] = state[S_W, i]
        y[4] = state[S_DSYN_E, i]
        y[5] = state[S_DSYN_I, i]
        return 6
    if kind == K_SFA_RR:
        y[3] = state[S_G_SFA, i]
        y[4] = state[S_G_RR, i]
        return 5
    # K_HH
    y[3] = state[S_HH_M, i]
    y[4] = state[S_HH_H, i]
    y[5] = state[S_HH_N, i]
    return 6


@njit(cache=True)
def store(kind, state, param, i, y):
    """Copy y back into the state rows of cell i."""
    state[S_V, i] = y[0]
    if kind == K_PN:
        state[S_W, i] = y[1]
        R = int(param[P_PN_R, i])
        for r in range(R):
            state[S_PN_SYN + 2 * r, i] = y[2 + 2 * r]
            state[S_PN_SYN + 2 * r + 1, i] = y[3 + 2 * r]
        return
    state[S_SYN_E, i] = y[1]
    state[S_SYN_I, i] = y[2]
    if kind == K_AEIF_EXP:
        state[S_W, i] = y[3]
    elif kind == K_AEIF_ALPHA:
        state[S_W, i] = y[3]
        state[S_DSYN_E, i] = y[4]
        state[S_DSYN_I, i] = y[5]
    elif kind == K_SFA_RR:
        state[S_G_SFA, i] = y[3]
        state[S_G_RR, i] = y[4]
    elif kind == K_HH:
        state[S_HH_M, i] = y[3]
        state[S_HH_H, i] = y[4]
        state[S_HH_N, i] = y[5]


@njit(cache=True)
def _i_spike(v, p, i):
    dT = p[P_DELTA_T, i]
    if dT == 0.0:
        return 0.0
    return p[P_G_L, i] * dT * math.exp((v - p[P_V_THRESH, i]) / dT)


@njit(cache=True)
def rhs(kind, y, f, p, i, cur, st):
    """f = dy/dt for cell i of `kind`; `cur` is the external current [nA]."""
    refractory = st[0] > 0.0
    if kind == K_SFA_RR:
        v = y[0]
        f[0] = ((p[P_V_REST, i] - v) * p[P_INV_TAU_M, i]
                + (y[1] * (p[P_E_REV_E, i] - v) + y[2] * (p[P_E_REV_I, i] - v)
                   + 1e-3 * y[3] * (p[P_E_SFA, i] - v) + 1e-3 * y[4] * (p[P_E_RR, i] - v)
                   + cur) * p[P_INV_CM, i])
        f[1] = -y[1] * p[P_INV_TAU_E, i]
        f[2] = -y[2] * p[P_INV_TAU_I, i]
        f[3] = -y[3] * p[P_INV_TAU_SFA, i]
        f[4] = -y[4] * p[P_INV_TAU_RR, i]
    elif kind == K_HH:
        v = y[0]
        m = y[3]
        h = y[4]
        n = y[5]
        i_na = p[P_GNA, i] * m * m * m * h * (v - p[P_E_NA, i])
        i_k = p[P_GK, i] * n * n * n * n * (v - p[P_E_K, i])
        i_l = p[P_GL_HH, i] * (v - p[P_E_LEAK, i])
        f[0] = (-i_na - i_k - i_l - y[1] * (v - p[P_E_REV_E, i]) - y[2] * (v - p[P_E_REV_I, i])
                + cur) * p[P_INV_CM, i]
        u = v - p[P_V_OFFSET, i]
        a_n = 0.032 * (15.0 - u) / (math.exp((15.0 - u) / 5.0) - 1.0)
        b_n = 0.5 * math.exp((10.0 - u) / 40.0)
        a_m = 0.32 * (13.0 - u) / (math.exp((13.0 - u) / 4.0) - 1.0)
        b_m = 0.28 * (u - 40.0) / (math.exp((u - 40.0) / 5.0) - 1.0)
        a_h = 0.128 * math.exp((17.0 - u) / 18.0)
        b_h = 4.0 / (1.0 + math.exp((40.0 - u) / 5.0))
        f[1] = -y[1] * p[P_INV_TAU_E, i]
        f[2] = -y[2] * p[P_INV_TAU_I, i]
        f[3] = a_m - (a_m + b_m) * m
        f[4] = a_h - (a_h + b_h) * h
        f[5] = a_n - (a_n + b_n) * n
    elif kind == K_AEIF_EXP or kind == K_AEIF_ALPHA:
        if refractory:
            v = p[P_V_RESET, i]
        else:
            v = min(y[0], p[P_V_SPIKE, i])
        el = p[P_V_REST, i]
        w = y[3]
        if refractory:
            f[0] = 0.0
        else:
            f[0] = (-p[P_G_L, i] * (v - el) + _i_spike(v, p, i) - y[1] * (v - p[P_E_REV_E, i])
                    - y[2] * (v - p[P_E_REV_I, i]) - w + cur) * p[P_INV_CM, i]
        f[3] = (1e-3 * p[P_A, i] * (v - el) - w) * p[P_INV_TAU_W, i]
        if kind == K_AEIF_EXP:
            f[1] = -y[1] * p[P_INV_TAU_E, i]
            f[2] = -y[2] * p[P_INV_TAU_I, i]
        else:
            f[1] = y[4] - y[1] * p[P_INV_TAU_E, i]
            f[2] = y[5] - y[2] * p[P_INV_TAU_I, i]
            f[4] = -y[4] * p[P_INV_TAU_E, i]
            f[5] = -y[5] * p[P_INV_TAU_I, i]
    elif kind == K_GIF:
        v = p[P_V_RESET, i] if refractory else y[0]
        if refractory:
            f[0] = 0.0
        else:
            f[0] = ((p[P_V_REST, i] - v) * p[P_INV_TAU_M, i]
                    + (y[1] * (p[P_E_REV_E, i] - v) + y[2] * (p[P_E_REV_I, i] - v) + cur)
                    * p[P_INV_CM, i])
        f[1] = -y[1] * p[P_INV_TAU_E, i]
        f[2] = -y[2] * p[P_INV_TAU_I, i]
    else:  # K_PN
        adex = p[P_PN_ADEX, i] > 0.5
        if refractory:
            v = p[P_V_RESET, i]
        elif adex:
            v = min(y[0], p[P_V_SPIKE, i])
        else:
            v = y[0]
        el = p[P_V_REST, i]
        isyn = 0.0
        R = int(p[P_PN_R, i])
        for r in range(R):
            b = P_PN_REC + PN_STRIDE * r
            g = y[2 + 2 * r]
            dg = y[3 + 2 * r]
            code = p[b, i]
            if code == 0.0:        # current
                isyn += g
            else:
                isyn += g * (p[b + 1, i] - v)
            if code <= 1.0:        # exponential
                f[2 + 2 * r] = -g * p[b + 4, i]
                f[3 + 2 * r] = 0.0
            else:                  # alpha / beta
                f[2 + 2 * r] = dg - g * p[b + 4, i]
                f[3 + 2 * r] = -dg * p[b + 5, i]
        w = y[1]
        if refractory:
            f[0] = 0.0
        else:
            ispk = _i_spike(v, p, i) if adex else 0.0
            f[0] = (p[P_G_L, i] * (el - v) + ispk - w + isyn + cur) * p[P_INV_CM, i]
        if adex:
            f[1] = (1e-3 * p[P_A, i] * (v - el) - w) * p[P_INV_TAU_W, i]
        else:
            f[1] = 0.0


@njit(cache=True)
def after_substep(kind, y, p, i, st):
    """Event handling after each accepted internal step (AdEx: spike at V_peak, reset,
    w += b, refractoriness, all inside the time step as NEST aeif_cond_*)."""
    if kind == K_AEIF_EXP or kind == K_AEIF_ALPHA or (kind == K_PN and p[P_PN_ADEX, i] > 0.5):
        iw = 1 if kind == K_PN else 3
        if st[0] > 0.0:
            y[0] = p[P_V_RESET, i]
        elif y[0] >= p[P_V_PEAK_EFF, i]:
            y[0] = p[P_V_RESET, i]
            y[iw] += p[P_B, i]
            ref = p[P_REFR_STEPS, i]
            st[0] = ref + 1.0 if ref > 0.0 else 0.0
            st[1] = 1.0
            st[2] += 1.0
