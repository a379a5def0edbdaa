"""Conductance-based leaky integrate-and-fire cells: IF_cond_exp (and IF_facets_hardware1,
which is IF_cond_exp with fixed values), IF_cond_alpha.

The default "taylor" scheme of `fixed_step` (``update_*_taylor``: a Taylor series of V per
cell and step, adaptive RKF45 for the cells whose error estimate is too large), adaptive
Runge-Kutta-Fehlberg 4(5) per cell and step with absolute error tolerance 1e-6
(`integrators`, ``update_cond_exp``/``update_cond_alpha``: a vectorised full step, a
per-cell fallback where it is rejected), or ``update_*_rk4``, ``update_*_expeuler`` (the
variants `families.family_of` picks for ``setup(integrator=...)``); then
refractory clamp, threshold and reset on the grid and the ring input added to g, as NEST's
iaf_cond_exp / iaf_cond_alpha. Each ``update_*`` has the engine's family signature (see
`families`).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from lamina.backends.engine.fixed_step import (expeuler_step_cond_alpha,
                                               expeuler_step_cond_exp, rk4_step_cond_alpha,
                                               rk4_step_cond_exp, taylor_step_cond_alpha,
                                               taylor_step_cond_exp)
from lamina.backends.engine.integrators import (fallback_cond_alpha, fallback_cond_exp,
                                                full_step_cond_alpha, full_step_cond_exp)
from lamina.backends.engine.models import (P_E_REV_E, P_E_REV_I, P_I_OFFSET, P_INV_CM,
                                           P_INV_TAU_E, P_INV_TAU_I, P_INV_TAU_M, P_P11E,
                                           P_P11I, P_PSC_INIT_E, P_PSC_INIT_I, P_REFR_STEPS,
                                           P_V_REST, P_V_RESET, P_V_THRESH, S_DSYN_E,
                                           S_DSYN_I, S_H, S_SYN_E, S_SYN_I, S_V)

__all__ = ["update_cond_exp", "update_cond_alpha", "update_cond_exp_rk4",
           "update_cond_alpha_rk4", "update_cond_exp_expeuler", "update_cond_alpha_expeuler",
           "update_cond_exp_taylor", "update_cond_alpha_taylor"]


@njit(cache=True)
def _post_cond_exp(i0, i1, slot, N, dt, state, param, refr, ring, work, spiked, nspk):
    """Finish a step of IF_cond_exp cells i0..i1-1 from the integrator's results (work rows
    0-2, 5, 6): refractory clamp, threshold and reset, ring input added to g.

    A branch-free pass over row slices (SIMD) marks the spiking cells in work row 7; a
    scan of the marks appends them to `spiked` in row order."""
    in_e_ = ring[slot, i0:i1]
    in_i_ = ring[slot, N + i0:N + i1]
    v_ = state[S_V, i0:i1]
    ge_ = state[S_SYN_E, i0:i1]
    gi_ = state[S_SYN_I, i0:i1]
    h_ = state[S_H, i0:i1]
    wv = work[0, i0:i1]
    we = work[1, i0:i1]
    wi = work[2, i0:i1]
    ok = work[5, i0:i1]
    wh = work[6, i0:i1]
    mark = work[7, i0:i1]
    vth = param[P_V_THRESH, i0:i1]
    vreset = param[P_V_RESET, i0:i1]
    rsteps = param[P_REFR_STEPS, i0:i1]
    rf = refr[i0:i1]
    for j in range(i1 - i0):
        # unconditional loads, & | on booleans, no float-to-integer conversion: selects
        # only, so the loop compiles to SIMD (the refractory count starts in the scan)
        in_e = in_e_[j]
        in_i = in_i_[j]
        in_e_[j] = 0.0
        in_i_[j] = 0.0
        v = wv[j]
        r = rf[j]
        th = vth[j]
        reset = vreset[j]
        ref = r > 0
        spk = (r <= 0) & (v >= th)
        rf[j] = r - 1 if ref else r
        v_[j] = reset if (ref | spk) else v
        mark[j] = 1.0 if spk else 0.0
        ge_[j] = we[j] + in_e
        gi_[j] = wi[j] + in_i
        h_[j] = dt if ok[j] != 0.0 else wh[j]
    for j in range(i1 - i0):
        if mark[j] != 0.0:
            rf[j] = np.int64(rsteps[j])
            spiked[nspk] = i0 + j
            nspk += 1
    return nspk


@njit(cache=True)
def _post_cond_alpha(i0, i1, slot, N, dt, state, param, refr, ring, work, spiked, nspk):
    """As `_post_cond_exp` for IF_cond_alpha (work rows 0-6; the ring input goes to dg)."""
    for i in range(i0, i1):
        in_e = ring[slot, i]
        in_i = ring[slot, N + i]
        ring[slot, i] = 0.0
        ring[slot, N + i] = 0.0
        v = work[0, i]
        if refr[i] > 0:
            refr[i] -= 1
            v = param[P_V_RESET, i]
        elif v >= param[P_V_THRESH, i]:
            refr[i] = np.int64(param[P_REFR_STEPS, i])
            v = param[P_V_RESET, i]
            spiked[nspk] = i
            nspk += 1
        state[S_V, i] = v
        state[S_SYN_E, i] = work[1, i]
        state[S_SYN_I, i] = work[2, i]
        state[S_DSYN_E, i] = work[3, i] + param[P_PSC_INIT_E, i] * in_e
        state[S_DSYN_I, i] = work[4, i] + param[P_PSC_INIT_I, i] * in_i
        state[S_H, i] = dt if work[5, i] != 0.0 else work[6, i]
    return nspk


@njit(cache=True, inline="always")
def update_cond_exp(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked, nspk,
                    work):
    """One step of IF_cond_exp cells i0..i1-1; returns the new spike count."""
    slot = n % L
    rejected = full_step_cond_exp(
        i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_SYN_I, i0:i1],
        state[S_H, i0:i1], refr[i0:i1], param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1],
        param[P_E_REV_I, i0:i1], param[P_I_OFFSET, i0:i1], iinj[i0:i1],
        param[P_INV_TAU_M, i0:i1], param[P_INV_CM, i0:i1], param[P_INV_TAU_E, i0:i1],
        param[P_INV_TAU_I, i0:i1], work[0, i0:i1], work[1, i0:i1], work[2, i0:i1],
        work[5, i0:i1])
    nspk = _post_cond_exp(i0, i1, slot, N, dt, state, param, refr, ring, work, spiked,
                          nspk)
    return nspk


@njit(cache=True, inline="always")
def update_cond_alpha(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked,
                      nspk, work):
    """One step of IF_cond_alpha cells i0..i1-1; returns the new spike count."""
    slot = n % L
    rejected = full_step_cond_alpha(
        i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_DSYN_E, i0:i1],
        state[S_SYN_I, i0:i1], state[S_DSYN_I, i0:i1], state[S_H, i0:i1], refr[i0:i1],
        param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1], param[P_E_REV_I, i0:i1],
        param[P_I_OFFSET, i0:i1], iinj[i0:i1], param[P_INV_TAU_M, i0:i1],
        param[P_INV_CM, i0:i1], param[P_INV_TAU_E, i0:i1], param[P_INV_TAU_I, i0:i1],
        work[0, i0:i1], work[1, i0:i1], work[3, i0:i1], work[2, i0:i1], work[4, i0:i1],
        work[5, i0:i1])
    if rejected:
        fallback_cond_alpha(i0, i1, dt, state, param, refr, iinj, work)
    return _post_cond_alpha(i0, i1, slot, N, dt, state, param, refr, ring, work, spiked,
                            nspk)


@njit(cache=True, inline="always")
def update_cond_exp_rk4(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked,
                        nspk, work):
    """One "rk4" step of IF_cond_exp cells i0..i1-1 (`fixed_step`; the cells it leaves
    undone by adaptive RKF45); returns the new spike count."""
    rejected = rk4_step_cond_exp(
        i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_SYN_I, i0:i1],
        refr[i0:i1], param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1],
        param[P_E_REV_I, i0:i1], param[P_I_OFFSET, i0:i1], iinj[i0:i1],
        param[P_INV_TAU_M, i0:i1], param[P_INV_CM, i0:i1], param[P_P11E, i0:i1],
        param[P_P11I, i0:i1], work[0, i0:i1], work[1, i0:i1], work[2, i0:i1],
        work[5, i0:i1])
    if rejected:
        fallback_cond_exp(i0, i1, dt, state, param, refr, iinj, work)
    return _post_cond_exp(i0, i1, n % L, N, dt, state, param, refr, ring, work, spiked,
                          nspk)


@njit(cache=True, inline="always")
def update_cond_exp_expeuler(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj,
                             spiked, nspk, work):
    """One "exponential_euler" step of IF_cond_exp cells i0..i1-1 (`fixed_step`);
    returns the new spike count."""
    expeuler_step_cond_exp(
        i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_SYN_I, i0:i1],
        refr[i0:i1], param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1],
        param[P_E_REV_I, i0:i1], param[P_I_OFFSET, i0:i1], iinj[i0:i1],
        param[P_INV_TAU_M, i0:i1], param[P_INV_CM, i0:i1], param[P_P11E, i0:i1],
        param[P_P11I, i0:i1], work[0, i0:i1], work[1, i0:i1], work[2, i0:i1],
        work[5, i0:i1])
    return _post_cond_exp(i0, i1, n % L, N, dt, state, param, refr, ring, work, spiked,
                          nspk)


@njit(cache=True, inline="always")
def update_cond_alpha_rk4(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj,
                          spiked, nspk, work):
    """One "rk4" step of IF_cond_alpha cells i0..i1-1 (`fixed_step`; the cells it leaves
    undone by adaptive RKF45); returns the new spike count."""
    rejected = rk4_step_cond_alpha(
        i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_DSYN_E, i0:i1],
        state[S_SYN_I, i0:i1], state[S_DSYN_I, i0:i1], refr[i0:i1],
        param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1], param[P_E_REV_I, i0:i1],
        param[P_I_OFFSET, i0:i1], iinj[i0:i1], param[P_INV_TAU_M, i0:i1],
        param[P_INV_CM, i0:i1], param[P_P11E, i0:i1], param[P_P11I, i0:i1],
        work[0, i0:i1], work[1, i0:i1], work[3, i0:i1], work[2, i0:i1], work[4, i0:i1],
        work[5, i0:i1])
    if rejected:
        fallback_cond_alpha(i0, i1, dt, state, param, refr, iinj, work)
    return _post_cond_alpha(i0, i1, n % L, N, dt, state, param, refr, ring, work, spiked,
                            nspk)


@njit(cache=True, inline="always")
def update_cond_alpha_expeuler(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj,
                               spiked, nspk, work):
    """One "exponential_euler" step of IF_cond_alpha cells i0..i1-1 (`fixed_step`);
    returns the new spike count."""
    expeuler_step_cond_alpha(
        i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_DSYN_E, i0:i1],
        state[S_SYN_I, i0:i1], state[S_DSYN_I, i0:i1], refr[i0:i1],
        param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1], param[P_E_REV_I, i0:i1],
        param[P_I_OFFSET, i0:i1], iinj[i0:i1], param[P_INV_TAU_M, i0:i1],
        param[P_INV_CM, i0:i1], param[P_P11E, i0:i1], param[P_P11I, i0:i1],
        work[0, i0:i1], work[1, i0:i1], work[3, i0:i1], work[2, i0:i1], work[4, i0:i1],
        work[5, i0:i1])
    return _post_cond_alpha(i0, i1, n % L, N, dt, state, param, refr, ring, work, spiked,
                            nspk)


@njit(cache=True, inline="always")
def update_cond_exp_taylor(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj,
                           spiked, nspk, work):
    """One "taylor" step of IF_cond_exp cells i0..i1-1 (`fixed_step`; the cells it leaves
    undone by adaptive RKF45); returns the new spike count."""
    rejected = taylor_step_cond_exp(
        i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_SYN_I, i0:i1],
        refr[i0:i1], param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1],
        param[P_E_REV_I, i0:i1], param[P_I_OFFSET, i0:i1], iinj[i0:i1],
        param[P_INV_TAU_M, i0:i1], param[P_INV_CM, i0:i1], param[P_P11E, i0:i1],
        param[P_P11I, i0:i1], param[P_INV_TAU_E, i0:i1], param[P_INV_TAU_I, i0:i1],
        work[0, i0:i1], work[1, i0:i1], work[2, i0:i1], work[5, i0:i1])
    if rejected:
        fallback_cond_exp(i0, i1, dt, state, param, refr, iinj, work)
    return _post_cond_exp(i0, i1, n % L, N, dt, state, param, refr, ring, work, spiked,
                          nspk)


@njit(cache=True, inline="always")
def update_cond_alpha_taylor(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj,
                             spiked, nspk, work):
    """One "taylor" step of IF_cond_alpha cells i0..i1-1 (`fixed_step`; the cells it leaves
    undone by adaptive RKF45); returns the new spike count."""
    rejected = taylor_step_cond_alpha(
        i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_DSYN_E, i0:i1],
        state[S_SYN_I, i0:i1], state[S_DSYN_I, i0:i1], refr[i0:i1],
        param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1], param[P_E_REV_I, i0:i1],
        param[P_I_OFFSET, i0:i1], iinj[i0:i1], param[P_INV_TAU_M, i0:i1],
        param[P_INV_CM, i0:i1], param[P_P11E, i0:i1], param[P_P11I, i0:i1],
        param[P_INV_TAU_E, i0:i1], param[P_INV_TAU_I, i0:i1], work[0, i0:i1],
        work[1, i0:i1], work[3, i0:i1], work[2, i0:i1], work[4, i0:i1], work[5, i0:i1])
    if rejected:
        fallback_cond_alpha(i0, i1, dt, state, param, refr, iinj, work)
    return _post_cond_alpha(i0, i1, n % L, N, dt, state, param, refr, ring, work, spiked,
                            nspk)
