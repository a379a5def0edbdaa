"""Current-based leaky integrate-and-fire cells: IF_curr_exp, IF_curr_alpha, IF_curr_delta.

Exact integration with precomputed propagators (param rows from `models`, computed by
`propagators` / `derived`), in the order of operations of NEST's iaf_psc_exp,
iaf_psc_alpha and iaf_psc_delta, so spike times match NEST's to the step and V to
round-off. Each ``update_*`` has the engine's family signature (see `families`).
"""
from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

from lamina.backends.engine.models import (P_I_OFFSET, P_P11E, P_P11I, P_P20, P_P21E, P_P21I,
                                           P_P22, P_P31E, P_P31I, P_PSC_INIT_E, P_PSC_INIT_I,
                                           P_PSC_RUN, P_REFR_STEPS, P_V_REST, P_V_RESET,
                                           P_V_THRESH, S_DSYN_E, S_DSYN_I, S_SYN_E, S_SYN_I,
                                           S_V)

__all__ = ["update_curr_exp", "update_curr_alpha", "update_curr_delta", "threshold"]


def _at(x, j):
    """``x[j]`` of a parameter row, or `x` itself where the parameter is one number."""
    raise NotImplementedError   # only the compiled overload below is used


@overload(_at, inline="always")
def _at_impl(x, j):
    if isinstance(x, types.Array):
        return lambda x, j: x[j]
    return lambda x, j: x


@njit(cache=True, inline="always")
def _uniform(i0, i1, param):
    """Whether cells i0..i1-1 share every parameter (`derived.uniform_runs`): their update
    then reads each parameter once, as a number, instead of streaming its row."""
    return param[P_PSC_RUN, i0] >= i1 - i0


@njit(cache=True, inline="always")
def _threshold_cells(i0, i1, v_, vth, param, refr, spiked, nspk):
    for j in range(i1 - i0):
        if v_[j] >= _at(vth, j):
            i = i0 + j
            refr[i] = np.int64(param[P_REFR_STEPS, i])
            v_[j] = param[P_V_RESET, i]
            spiked[nspk] = i
            nspk += 1
    return nspk


@njit(cache=True)
def threshold(i0, i1, state, param, refr, spiked, nspk):
    """Reset cells i0..i1-1 at or above threshold, start their refractory period and append
    their rows to `spiked` (a scan apart from the update loop, which then has no branch)."""
    if i1 <= i0:
        return nspk
    v_ = state[S_V, i0:i1]
    if _uniform(i0, i1, param):
        return _threshold_cells(i0, i1, v_, param[P_V_THRESH, i0], param, refr, spiked, nspk)
    return _threshold_cells(i0, i1, v_, param[P_V_THRESH, i0:i1], param, refr, spiked, nspk)


# The update loops below index 1-D row slices with a counter from 0: numba then needs no
# negative-index wraparound and LLVM vectorises the loops (2-D indexing with i0 <= i < i1
# kept them scalar, about 3x slower). Each loop is compiled twice: with parameter rows
# (``_at(p, j)`` is ``p[j]``) and, for a piece of cells with equal parameters, with one
# number per parameter (``_at(p, j)`` is ``p``), which streams ~100 B less per cell and
# step. The arithmetic is the same in both: results are bitwise those of the plain loops.

@njit(cache=True, inline="always")
def _exp_cells(cells, prm):
    m, in_e_, in_i_, v_, ie_, ii_, inj, rf = cells
    vr_, p22, p21e, p21i, p20, ioff, p11e, p11i = prm
    for j in range(m):
        in_e = in_e_[j]
        in_i = in_i_[j]
        in_e_[j] = 0.0
        in_i_[j] = 0.0
        v = v_[j]
        ie = ie_[j]
        ii = ii_[j]
        vr = _at(vr_, j)
        vn = vr + (_at(p22, j) * (v - vr) + _at(p21e, j) * ie + _at(p21i, j) * ii
                   + _at(p20, j) * (_at(ioff, j) + inj[j]))
        r = rf[j]
        v_[j] = vn if r == 0 else v
        rf[j] = r - 1 if r != 0 else r
        ie_[j] = ie * _at(p11e, j) + in_e
        ii_[j] = ii * _at(p11i, j) + in_i


@njit(cache=True, inline="always")
def _exp_params(param, a, b):
    return (param[P_V_REST, a:b], param[P_P22, a:b], param[P_P21E, a:b], param[P_P21I, a:b],
            param[P_P20, a:b], param[P_I_OFFSET, a:b], param[P_P11E, a:b], param[P_P11I, a:b])


@njit(cache=True, inline="always")
def _exp_numbers(param, i):
    return (param[P_V_REST, i], param[P_P22, i], param[P_P21E, i], param[P_P21I, i],
            param[P_P20, i], param[P_I_OFFSET, i], param[P_P11E, i], param[P_P11I, i])


@njit(cache=True)
def _curr_exp(i0, i1, slot, N, state, param, refr, ring, iinj):
    """One exact step of IF_curr_exp cells (NEST iaf_psc_exp order of operations)."""
    if i1 <= i0:
        return
    cells = (i1 - i0, ring[slot, i0:i1], ring[slot, N + i0:N + i1], state[S_V, i0:i1],
             state[S_SYN_E, i0:i1], state[S_SYN_I, i0:i1], iinj[i0:i1], refr[i0:i1])
    if _uniform(i0, i1, param):
        _exp_cells(cells, _exp_numbers(param, i0))
    else:
        _exp_cells(cells, _exp_params(param, i0, i1))


@njit(cache=True, inline="always")
def _alpha_cells(cells, prm):
    m, dt, in_e_, in_i_, v_, ie_, ii_, die_, dii_, inj, rf = cells
    vr_, p20, ioff, p31e, p21e, p31i, p21i, p22, p11e_, p11i_, pie, pii = prm
    for j in range(m):
        in_e = in_e_[j]
        in_i = in_i_[j]
        in_e_[j] = 0.0
        in_i_[j] = 0.0
        v = v_[j]
        ie = ie_[j]
        ii = ii_[j]
        die = die_[j]
        dii = dii_[j]
        vr = _at(vr_, j)
        vn = vr + (_at(p20, j) * (_at(ioff, j) + inj[j])
                   + _at(p31e, j) * die + _at(p21e, j) * ie
                   + _at(p31i, j) * dii + _at(p21i, j) * ii
                   + _at(p22, j) * (v - vr))
        r = rf[j]
        v_[j] = vn if r == 0 else v
        rf[j] = r - 1 if r != 0 else r
        p11e = _at(p11e_, j)
        p11i = _at(p11i_, j)
        ie_[j] = dt * p11e * die + p11e * ie
        ii_[j] = dt * p11i * dii + p11i * ii
        die_[j] = die * p11e + _at(pie, j) * in_e
        dii_[j] = dii * p11i + _at(pii, j) * in_i


@njit(cache=True, inline="always")
def _alpha_params(param, a, b):
    return (param[P_V_REST, a:b], param[P_P20, a:b], param[P_I_OFFSET, a:b],
            param[P_P31E, a:b], param[P_P21E, a:b], param[P_P31I, a:b], param[P_P21I, a:b],
            param[P_P22, a:b], param[P_P11E, a:b], param[P_P11I, a:b],
            param[P_PSC_INIT_E, a:b], param[P_PSC_INIT_I, a:b])


@njit(cache=True, inline="always")
def _alpha_numbers(param, i):
    return (param[P_V_REST, i], param[P_P20, i], param[P_I_OFFSET, i], param[P_P31E, i],
            param[P_P21E, i], param[P_P31I, i], param[P_P21I, i], param[P_P22, i],
            param[P_P11E, i], param[P_P11I, i], param[P_PSC_INIT_E, i],
            param[P_PSC_INIT_I, i])


@njit(cache=True)
def _curr_alpha(i0, i1, slot, N, dt, state, param, refr, ring, iinj):
    """One exact step of IF_curr_alpha cells (NEST iaf_psc_alpha order of operations)."""
    if i1 <= i0:
        return
    cells = (i1 - i0, dt, ring[slot, i0:i1], ring[slot, N + i0:N + i1], state[S_V, i0:i1],
             state[S_SYN_E, i0:i1], state[S_SYN_I, i0:i1], state[S_DSYN_E, i0:i1],
             state[S_DSYN_I, i0:i1], iinj[i0:i1], refr[i0:i1])
    if _uniform(i0, i1, param):
        _alpha_cells(cells, _alpha_numbers(param, i0))
    else:
        _alpha_cells(cells, _alpha_params(param, i0, i1))


@njit(cache=True, inline="always")
def _delta_cells(cells, prm):
    m, in_e_, in_i_, v_, inj, rf = cells
    vr_, p22, p20, ioff = prm
    for j in range(m):
        inp = in_e_[j] + in_i_[j]
        in_e_[j] = 0.0
        in_i_[j] = 0.0
        v = v_[j]
        vr = _at(vr_, j)
        vn = vr + (_at(p22, j) * (v - vr) + _at(p20, j) * (_at(ioff, j) + inj[j]) + inp)
        r = rf[j]
        v_[j] = vn if r == 0 else v
        rf[j] = r - 1 if r != 0 else r


@njit(cache=True, inline="always")
def _delta_params(param, a, b):
    return (param[P_V_REST, a:b], param[P_P22, a:b], param[P_P20, a:b],
            param[P_I_OFFSET, a:b])


@njit(cache=True, inline="always")
def _delta_numbers(param, i):
    return param[P_V_REST, i], param[P_P22, i], param[P_P20, i], param[P_I_OFFSET, i]


@njit(cache=True)
def _curr_delta(i0, i1, slot, N, state, param, refr, ring, iinj):
    """One exact step of IF_curr_delta cells (input jumps V directly)."""
    if i1 <= i0:
        return
    cells = (i1 - i0, ring[slot, i0:i1], ring[slot, N + i0:N + i1], state[S_V, i0:i1],
             iinj[i0:i1], refr[i0:i1])
    if _uniform(i0, i1, param):
        _delta_cells(cells, _delta_numbers(param, i0))
    else:
        _delta_cells(cells, _delta_params(param, i0, i1))


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
