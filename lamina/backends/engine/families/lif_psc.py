"""Current-based leaky integrate-and-fire cells: IF_curr_exp, IF_curr_alpha, IF_curr_delta.

Exact integration with precomputed propagators (param rows from `models`, computed by
`propagators` / `derived`), in the order of operations of NEST's iaf_psc_exp,
iaf_psc_alpha and iaf_psc_delta, so spike times match NEST's to the step and V to
round-off. Each ``update_*`` has the engine's family signature (see `families`).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from lamina.backends.engine.models import (P_I_OFFSET, P_P11E, P_P11I, P_P20, P_P21E, P_P21I,
                                           P_P22, P_P31E, P_P31I, P_PSC_INIT_E, P_PSC_INIT_I,
                                           P_REFR_STEPS, P_V_REST, P_V_RESET, P_V_THRESH,
                                           S_DSYN_E, S_DSYN_I, S_SYN_E, S_SYN_I, S_V)

__all__ = ["update_curr_exp", "update_curr_alpha", "update_curr_delta", "threshold"]


@njit(cache=True)
def threshold(i0, i1, state, param, refr, spiked, nspk):
    """Reset cells i0..i1-1 at or above threshold, start their refractory period and append
    their rows to `spiked` (a scan apart from the update loop, which then has no branch)."""
    v_ = state[S_V, i0:i1]
    vth = param[P_V_THRESH, i0:i1]
    for j in range(i1 - i0):
        if v_[j] >= vth[j]:
            i = i0 + j
            refr[i] = np.int64(param[P_REFR_STEPS, i])
            v_[j] = param[P_V_RESET, i]
            spiked[nspk] = i
            nspk += 1
    return nspk


# The update loops below index 1-D row slices with a counter from 0: numba then needs no
# negative-index wraparound and LLVM vectorises the loops (2-D indexing with i0 <= i < i1
# kept them scalar, about 3x slower). The arithmetic is unchanged: results are bitwise
# those of the plain loops.

@njit(cache=True)
def _curr_exp(i0, i1, slot, N, state, param, refr, ring, iinj):
    """One exact step of IF_curr_exp cells (NEST iaf_psc_exp order of operations)."""
    in_e_ = ring[slot, i0:i1]
    in_i_ = ring[slot, N + i0:N + i1]
    v_ = state[S_V, i0:i1]
    ie_ = state[S_SYN_E, i0:i1]
    ii_ = state[S_SYN_I, i0:i1]
    vr_ = param[P_V_REST, i0:i1]
    p22 = param[P_P22, i0:i1]
    p21e = param[P_P21E, i0:i1]
    p21i = param[P_P21I, i0:i1]
    p20 = param[P_P20, i0:i1]
    ioff = param[P_I_OFFSET, i0:i1]
    p11e = param[P_P11E, i0:i1]
    p11i = param[P_P11I, i0:i1]
    inj = iinj[i0:i1]
    rf = refr[i0:i1]
    for j in range(i1 - i0):
        in_e = in_e_[j]
        in_i = in_i_[j]
        in_e_[j] = 0.0
        in_i_[j] = 0.0
        v = v_[j]
        ie = ie_[j]
        ii = ii_[j]
        vr = vr_[j]
        vn = vr + (p22[j] * (v - vr) + p21e[j] * ie + p21i[j] * ii
                   + p20[j] * (ioff[j] + inj[j]))
        r = rf[j]
        v_[j] = vn if r == 0 else v
        rf[j] = r - 1 if r != 0 else r
        ie_[j] = ie * p11e[j] + in_e
        ii_[j] = ii * p11i[j] + in_i


@njit(cache=True)
def _curr_alpha(i0, i1, slot, N, dt, state, param, refr, ring, iinj):
    """One exact step of IF_curr_alpha cells (NEST iaf_psc_alpha order of operations)."""
    in_e_ = ring[slot, i0:i1]
    in_i_ = ring[slot, N + i0:N + i1]
    v_ = state[S_V, i0:i1]
    ie_ = state[S_SYN_E, i0:i1]
    ii_ = state[S_SYN_I, i0:i1]
    die_ = state[S_DSYN_E, i0:i1]
    dii_ = state[S_DSYN_I, i0:i1]
    vr_ = param[P_V_REST, i0:i1]
    p20 = param[P_P20, i0:i1]
    ioff = param[P_I_OFFSET, i0:i1]
    p31e = param[P_P31E, i0:i1]
    p21e = param[P_P21E, i0:i1]
    p31i = param[P_P31I, i0:i1]
    p21i = param[P_P21I, i0:i1]
    p22 = param[P_P22, i0:i1]
    p11e_ = param[P_P11E, i0:i1]
    p11i_ = param[P_P11I, i0:i1]
    pie = param[P_PSC_INIT_E, i0:i1]
    pii = param[P_PSC_INIT_I, i0:i1]
    inj = iinj[i0:i1]
    rf = refr[i0:i1]
    for j in range(i1 - i0):
        in_e = in_e_[j]
        in_i = in_i_[j]
        in_e_[j] = 0.0
        in_i_[j] = 0.0
        v = v_[j]
        ie = ie_[j]
        ii = ii_[j]
        die = die_[j]
        dii = dii_[j]
        vr = vr_[j]
        vn = vr + (p20[j] * (ioff[j] + inj[j])
                   + p31e[j] * die + p21e[j] * ie
                   + p31i[j] * dii + p21i[j] * ii
                   + p22[j] * (v - vr))
        r = rf[j]
        v_[j] = vn if r == 0 else v
        rf[j] = r - 1 if r != 0 else r
        p11e = p11e_[j]
        p11i = p11i_[j]
        ie_[j] = dt * p11e * die + p11e * ie
        ii_[j] = dt * p11i * dii + p11i * ii
        die_[j] = die * p11e + pie[j] * in_e
        dii_[j] = dii * p11i + pii[j] * in_i


@njit(cache=True)
def _curr_delta(i0, i1, slot, N, state, param, refr, ring, iinj):
    """One exact step of IF_curr_delta cells (input jumps V directly)."""
    in_e_ = ring[slot, i0:i1]
    in_i_ = ring[slot, N + i0:N + i1]
    v_ = state[S_V, i0:i1]
    vr_ = param[P_V_REST, i0:i1]
    p22 = param[P_P22, i0:i1]
    p20 = param[P_P20, i0:i1]
    ioff = param[P_I_OFFSET, i0:i1]
    inj = iinj[i0:i1]
    rf = refr[i0:i1]
    for j in range(i1 - i0):
        inp = in_e_[j] + in_i_[j]
        in_e_[j] = 0.0
        in_i_[j] = 0.0
        v = v_[j]
        vr = vr_[j]
        vn = vr + (p22[j] * (v - vr) + p20[j] * (ioff[j] + inj[j]) + inp)
        r = rf[j]
        v_[j] = vn if r == 0 else v
        rf[j] = r - 1 if r != 0 else r


@njit(cache=True, inline="always")
def update_curr_exp(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked, nspk,
                    work):
    """One step of IF_curr_exp cells i0..i1-1; returns the new spike count."""
    _curr_exp(i0, i1, n % L, N, state, param, refr, ring, iinj)
    return threshold(i0, i1, state, param, refr, spiked, nspk)


@njit(cache=True, inline="always")
def update_curr_alpha(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked,
                      nspk, work):
    """One step of IF_curr_alpha cells i0..i1-1; returns the new spike count."""
    _curr_alpha(i0, i1, n % L, N, dt, state, param, refr, ring, iinj)
    return threshold(i0, i1, state, param, refr, spiked, nspk)


@njit(cache=True, inline="always")
def update_curr_delta(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked,
                      nspk, work):
    """One step of IF_curr_delta cells i0..i1-1; returns the new spike count."""
    _curr_delta(i0, i1, n % L, N, state, param, refr, ring, iinj)
    return threshold(i0, i1, state, param, refr, spiked, nspk)
