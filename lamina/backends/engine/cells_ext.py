"""Per-step updates of the further cell models (numba, ``cache=True``), dispatched from
`families.extended` for kinds >= `models.K_FIRST_EXT`.

Every function advances cells i0..i1-1 of one kind by one step (``t_n -> t_{n+1}``), reads
and clears ring slot ``n % L`` (receptor r at column ``r*N + i``), appends spiking rows to
`spiked` and returns the new spike count. The update order is NEST's for the matching
model (see each function).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from lamina.backends.engine.counter_rng import GOLDEN, mix64, unit_float
from lamina.backends.engine.integrators import rk_ext
from lamina.backends.engine.models import (K_AEIF_ALPHA, K_AEIF_EXP,
                                           K_GIF, K_HH, K_PN, K_SFA_RR, P_DELTA_V,
                                           P_GIF_N, P_GIF_Q_SFA, P_GIF_Q_STC,
                                           P_GIF_SFA_DECAY, P_GIF_STC_DECAY, P_I_OFFSET,
                                           P_LAMBDA0,
                                           P_PN_ADEX, P_PN_R, P_PN_REC, P_PSC_INIT_E,
                                           P_PSC_INIT_I, P_Q_RR, P_Q_SFA, P_REFR_STEPS,
                                           P_RNG_KEY, P_V_OFFSET, P_V_RESET, P_V_THRESH,
                                           P_VT_STAR, PN_STRIDE, S_DSYN_E, S_DSYN_I,
                                           S_G_RR, S_G_SFA, S_GIF_ETA, S_GIF_GAMMA,
                                           S_GIF_IETA, S_GIF_VT, S_H, S_PN_SYN, S_SYN_E,
                                           S_SYN_I, S_V)
from lamina.backends.engine.rhs import NY_MAX, load, store

#: absolute tolerance of the adaptive integrator for these models
ATOL_EXT = 1e-6


@njit(cache=True)
def _emit(i, spiked, nspk):
    spiked[nspk] = i
    return nspk + 1


@njit(cache=True)
def uniform01(key, step):
    """Counter-based uniform number in [0, 1) for (key, step) (SplitMix64 finaliser): the
    same whatever the run splitting, thread count or order of evaluation."""
    z = np.uint64(key) + np.uint64(step + 1) * np.uint64(GOLDEN)
    return unit_float(mix64(z))


@njit(cache=True)
def update_ext(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked, nspk):
    """Dispatch one step of cells i0..i1-1 of `kind` (>= K_FIRST_EXT)."""
    slot = n % L
    y = np.empty(NY_MAX)
    yt = np.empty(NY_MAX)
    k = np.empty((6, NY_MAX))
    st = np.zeros(3)
    for i in range(i0, i1):
        cur = param[P_I_OFFSET, i] + iinj[i]
        v_old = state[S_V, i]
        st[0] = 0.0
        st[1] = 0.0
        st[2] = 0.0
        if kind == K_GIF:
            cur -= _gif_decay(state, param, i)
            st[0] = refr[i]
        elif kind == K_AEIF_EXP or kind == K_AEIF_ALPHA or kind == K_PN:
            st[0] = refr[i]
        ny = load(kind, state, param, i, y)
        state[S_H, i] = rk_ext(kind, y, ny, dt, state[S_H, i], param, i, cur, st, ATOL_EXT,
                               k, yt)
        store(kind, state, param, i, y)
        if kind == K_PN:
            nspk = _post_point_neuron(i, N, slot, state, param, refr, ring, st, spiked, nspk)
            continue
        in_e = ring[slot, i]
        in_i = ring[slot, N + i]
        ring[slot, i] = 0.0
        ring[slot, N + i] = 0.0
        if kind == K_AEIF_EXP or kind == K_AEIF_ALPHA:
            # spikes were handled inside the step (rk_ext/after_substep)
            r = np.int64(st[0])
            refr[i] = r - 1 if r > 0 else 0
            if st[1] > 0.0:
                nspk = _emit(i, spiked, nspk)
            if kind == K_AEIF_EXP:
                state[S_SYN_E, i] += in_e
                state[S_SYN_I, i] += in_i
            else:
                state[S_DSYN_E, i] += param[P_PSC_INIT_E, i] * in_e
                state[S_DSYN_I, i] += param[P_PSC_INIT_I, i] * in_i
        elif kind == K_SFA_RR:
            state[S_SYN_E, i] += in_e
            state[S_SYN_I, i] += in_i
            if refr[i] > 0:
                refr[i] -= 1
                state[S_V, i] = param[P_V_RESET, i]
            elif state[S_V, i] >= param[P_V_THRESH, i]:
                refr[i] = np.int64(param[P_REFR_STEPS, i])
                state[S_V, i] = param[P_V_RESET, i]
                state[S_G_SFA, i] += param[P_Q_SFA, i]
                state[S_G_RR, i] += param[P_Q_RR, i]
                nspk = _emit(i, spiked, nspk)
        elif kind == K_HH:
            state[S_SYN_E, i] += in_e
            state[S_SYN_I, i] += in_i
            if refr[i] > 0:
                refr[i] -= 1
            elif state[S_V, i] >= param[P_V_OFFSET, i] + 30.0 and v_old > state[S_V, i]:
                refr[i] = np.int64(param[P_REFR_STEPS, i])
                nspk = _emit(i, spiked, nspk)
        elif kind == K_GIF:
            state[S_SYN_E, i] += in_e
            state[S_SYN_I, i] += in_i
            if refr[i] == 0:
                lam = param[P_LAMBDA0, i] * 1e-3 * math.exp(
                    (state[S_V, i] - state[S_GIF_VT, i]) / param[P_DELTA_V, i])
                if lam > 0.0:
                    if uniform01(np.int64(param[P_RNG_KEY, i]), n) < -math.expm1(-lam * dt):
                        for q in range(int(param[P_GIF_N, i])):
                            state[S_GIF_ETA + q, i] += param[P_GIF_Q_STC + q, i]
                        for q in range(int(param[P_GIF_N + 1, i])):
                            state[S_GIF_GAMMA + q, i] += param[P_GIF_Q_SFA + q, i]
                        refr[i] = np.int64(param[P_REFR_STEPS, i])
                        nspk = _emit(i, spiked, nspk)
            else:
                refr[i] -= 1
                state[S_V, i] = param[P_V_RESET, i]
    return nspk


@njit(cache=True)
def _gif_decay(state, param, i):
    """NEST gif_cond_exp: the step uses the sums before decay; then the elements decay.
    Records v_t and i_eta; returns the spike-triggered current [nA]."""
    stc = 0.0
    for q in range(int(param[P_GIF_N, i])):
        stc += state[S_GIF_ETA + q, i]
        state[S_GIF_ETA + q, i] *= param[P_GIF_STC_DECAY + q, i]
    sfa = param[P_VT_STAR, i]
    for q in range(int(param[P_GIF_N + 1, i])):
        sfa += state[S_GIF_GAMMA + q, i]
        state[S_GIF_GAMMA + q, i] *= param[P_GIF_SFA_DECAY + q, i]
    state[S_GIF_IETA, i] = stc
    state[S_GIF_VT, i] = sfa
    return stc


@njit(cache=True)
def _post_point_neuron(i, N, slot, state, param, refr, ring, st, spiked, nspk):
    if param[P_PN_ADEX, i] > 0.5:
        r = np.int64(st[0])
        refr[i] = r - 1 if r > 0 else 0
        if st[1] > 0.0:
            nspk = _emit(i, spiked, nspk)
    elif refr[i] > 0:
        refr[i] -= 1
        state[S_V, i] = param[P_V_RESET, i]
    elif state[S_V, i] >= param[P_V_THRESH, i]:
        refr[i] = np.int64(param[P_REFR_STEPS, i])
        state[S_V, i] = param[P_V_RESET, i]
        nspk = _emit(i, spiked, nspk)
    for r in range(int(param[P_PN_R, i])):
        w = ring[slot, r * N + i]
        ring[slot, r * N + i] = 0.0
        b = P_PN_REC + PN_STRIDE * r
        if param[b, i] <= 1.0:     # current / exponential conductance: jump
            state[S_PN_SYN + 2 * r, i] += w
        else:                      # alpha / beta: kick the derivative
            state[S_PN_SYN + 2 * r + 1, i] += param[b + 6, i] * w
    return nspk
