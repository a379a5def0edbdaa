"""Compiled kernels of the engine (numba, ``cache=True``): one call advances many steps.

`run_steps` advances the network from step ``n_begin`` to ``n_end`` (time
``n*dt -> (n+1)*dt`` per step). Per step it

1. sums the current-source amplitudes for the step into ``iinj`` (per-target CSR);
2. delivers spikes of external sources emitted in this step (and stamp-0 spikes at
   step 0) into the ring buffer, then draws the spike counts K of the SpikeSourcePoisson
   cells for this step (`poisson`) and delivers K x weight through their synapses (a
   dynamic synapse sees K spikes; a recorded source records the stamp K times);
3. updates every group of cells, dispatching on the group's kind code (exact
   propagators for the current-based models, RKF45 with error control for the
   conductance-based ones), reading and clearing ring slot ``n % L``;
4. delivers the spikes emitted in this step in ascending row order (deterministic sums),
   a spike with delay ``D`` steps landing in slot ``(n + D) % L`` (`deliver`: the static
   CSR grouped by delay within each source);
5. records spikes and analog samples (state at ``t_{n+1}``).

`run_steps` serves networks with dynamic synapses or gap junctions; static networks run in
the windowed kernel of `windows`, which shares `update_group` and `deliver`. The function
returns the step it reached; it stops early (before a step) when the spike
record buffer might overflow, and the caller then empties the buffer and calls again.
"""
from __future__ import annotations

import logging
import os

import numba
import numpy as np
from numba import njit

# numba's default OpenMP threading layer clashes with NEST's OpenMP runtime in one process
# (a later nest.ResetKernel() crashed); the workqueue layer does not. Set before any
# parallel kernel is compiled or loaded, unless the user chose a layer explicitly.
if not os.environ.get("NUMBA_THREADING_LAYER"):
    numba.config.THREADING_LAYER = "workqueue"

from lamina.backends.engine.cells_ext import update_ext
from lamina.backends.engine.poisson import poisson_events
from lamina.backends.engine.synapses import (deliver_plastic, gap_currents,
                                             record_post_spike)
from lamina.backends.engine.integrators import (RK_ATOL, fallback_cond_alpha,
                                                fallback_cond_exp, full_step_cond_alpha,
                                                full_step_cond_exp)
from lamina.backends.engine.models import (K_POISSON,
                                           K_COND_ALPHA, K_COND_EXP, K_CURR_ALPHA, K_FIRST_EXT,
                                           K_CURR_DELTA, K_CURR_EXP, P_E_REV_E, P_E_REV_I,
                                           P_I_OFFSET, P_INV_CM, P_INV_TAU_E, P_INV_TAU_I,
                                           P_INV_TAU_M, P_P11E, P_P11I, P_P20, P_P21E,
                                           P_P21I, P_P22, P_P31E, P_P31I, P_PSC_INIT_E,
                                           P_PSC_INIT_I, P_REFR_STEPS, P_V_REST, P_V_RESET,
                                           P_V_THRESH, S_DSYN_E, S_DSYN_I, S_H, S_SYN_E,
                                           S_SYN_I, S_V)

logger = logging.getLogger(__name__)

__all__ = ["run_steps", "deliver", "deliver_at", "update_group", "RK_ATOL"]


@njit(cache=True, inline="always")
def deliver_at(t, row, base, mult, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt, syn_w):
    """Add `mult` x the weights of `row`'s synapses in CSR part `t` to the ring, for a
    spike emitted in a step with ring slot `base` (= step % L, computed once per step by
    the caller: no division per spike).

    The part's synapses of one row are grouped by delay (``row_grp[t, row]`` ..
    ``row_grp[t, row + 1]`` index the groups, ``grp_ptr`` their synapses): the ring slot is
    computed once per group (1 <= delay < L, so one wrap at most) and the inner loop is a
    plain gather-add. ``mult * w`` is ``w`` exactly for mult = 1, so there is no branch.
    """
    for g in range(row_grp[t, row], row_grp[t, row + 1]):
        slot = base + grp_delay[g]
        if slot >= L:
            slot -= L
        for q in range(grp_ptr[g], grp_ptr[g + 1]):
            ring[slot, syn_tgt[q]] += mult * syn_w[q]


@njit(cache=True, inline="always")
def deliver(t, row, emit_step, mult, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt, syn_w):
    """`deliver_at` for a spike emitted in step `emit_step` (any integer)."""
    deliver_at(t, row, emit_step % L, mult, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
               syn_w)


@njit(cache=True)
def _threshold(i0, i1, state, param, refr, spiked, nspk):
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
        in_e = in_e_[j]
        in_i = in_i_[j]
        in_e_[j] = 0.0
        in_i_[j] = 0.0
        v = wv[j]
        r = rf[j]
        ref = r > 0
        spk = (not ref) and v >= vth[j]
        rf[j] = r - 1 if ref else (np.int64(rsteps[j]) if spk else r)
        v_[j] = vreset[j] if (ref or spk) else v
        mark[j] = 1.0 if spk else 0.0
        ge_[j] = we[j] + in_e
        gi_[j] = wi[j] + in_i
        h_[j] = dt if ok[j] != 0.0 else wh[j]
    for j in range(i1 - i0):
        if mark[j] != 0.0:
            spiked[nspk] = i0 + j
            nspk += 1
    return nspk


@njit(cache=True)
def update_group(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked, nspk,
                  work):
    """Advance cells i0..i1-1 (one kind) by one step; append spiking rows to `spiked`."""
    slot = n % L
    if kind == K_CURR_EXP:
        _curr_exp(i0, i1, slot, N, state, param, refr, ring, iinj)
        nspk = _threshold(i0, i1, state, param, refr, spiked, nspk)
    elif kind == K_CURR_ALPHA:
        _curr_alpha(i0, i1, slot, N, dt, state, param, refr, ring, iinj)
        nspk = _threshold(i0, i1, state, param, refr, spiked, nspk)
    elif kind == K_CURR_DELTA:
        _curr_delta(i0, i1, slot, N, state, param, refr, ring, iinj)
        nspk = _threshold(i0, i1, state, param, refr, spiked, nspk)
    elif kind == K_COND_EXP:
        rejected = full_step_cond_exp(
            i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_SYN_I, i0:i1],
            state[S_H, i0:i1], refr[i0:i1], param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1],
            param[P_E_REV_I, i0:i1], param[P_I_OFFSET, i0:i1], iinj[i0:i1],
            param[P_INV_TAU_M, i0:i1], param[P_INV_CM, i0:i1], param[P_INV_TAU_E, i0:i1],
            param[P_INV_TAU_I, i0:i1], work[0, i0:i1], work[1, i0:i1], work[2, i0:i1],
            work[5, i0:i1])
        if rejected:
            fallback_cond_exp(i0, i1, dt, state, param, refr, iinj, work)
        nspk = _post_cond_exp(i0, i1, slot, N, dt, state, param, refr, ring, work, spiked,
                              nspk)
    elif kind == K_COND_ALPHA:
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
    elif kind >= K_FIRST_EXT:
        nspk = update_ext(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked,
                          nspk)
    else:
        # spike sources: nothing to integrate; keep their ring columns clean
        for i in range(i0, i1):
            ring[slot, i] = 0.0
            ring[slot, N + i] = 0.0
    return nspk


@njit(cache=True)
def run_steps(n_begin, n_end, chunk_base, dt,
              g_kind, g_start, g_stop,
              state, param, refr, ring,
              row_grp, grp_delay, grp_ptr, syn_tgt, syn_w,
              ext_ptr, ext_row, ext_emit,
              cs_amp, cs_ptr, cs_tgt, iinj,
              spiked, rec_spk, n_rec_spk, spk_step, spk_row, spk_cnt, spk_n,
              ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf, work,
              p_indptr, p_tgt, p_post, p_d, p_kind, p_w, p_par, p_st, p_key, p_seed,
              h_idx, h_t, h_head, h_cnt, h_full,
              g_a, g_b, g_w, g_rows, ev_row, ev_cnt, cdf, meta):
    """Advance steps ``n_begin .. n_end-1``; return the step reached.

    Dynamic synapses (``p_*``, CSR by source row, see `synapses`) are processed after the
    static ones of the same spike by `synapses.deliver_plastic`; spikes of cells with a
    postsynaptic history (``h_idx >= 0``) are archived for STDP; gap junctions (``g_*``)
    add currents computed from the voltages at the start of the step. The loop also stops
    before a step when a postsynaptic history is full (``h_full[0] > 0``).

    Per-step inputs (``ext_ptr``, ``cs_amp``) are indexed by ``n - chunk_base``. Spikes of
    recorded neurons are appended to ``spk_step`` (time stamp, = n+1) / ``spk_row`` /
    ``spk_cnt`` (spikes with this stamp: a Poisson source's K) with ``spk_n[0]`` the fill
    level; analog channel ``c`` samples ``state[ch_var, ch_row]``
    (entries ``ch_ptr[c]..ch_ptr[c+1]``) after step n when ``(n + 1 - ch_phase[c])`` is a
    multiple of ``ch_int[c]``, writing sample ``ch_count[c]`` at
    ``rbuf[ch_base[c] + k * width]``.
    """
    N = state.shape[1]
    L = ring.shape[0]
    n_groups = g_kind.shape[0]
    n_src = cs_ptr.shape[0] - 1
    n_ch = ch_int.shape[0]
    cap = spk_step.shape[0]
    for n in range(n_begin, n_end):
        if spk_n[0] + n_rec_spk > cap or h_full[0] > 0:
            return n
        # Poisson sources of this step (counter-based: recomputing them is harmless)
        nev = 0
        for g in range(n_groups):
            if g_kind[g] == K_POISSON:
                nev = poisson_events(n, g_start[g], g_stop[g], param, ev_row, ev_cnt, nev,
                                     cdf, meta)
        k = n - chunk_base
        # 1. injected currents for this step (current sources, gap junctions)
        for s in range(n_src):
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                iinj[cs_tgt[j]] = 0.0
        for j in range(g_rows.shape[0]):
            iinj[g_rows[j]] = 0.0
        for s in range(n_src):
            a = cs_amp[s, k]
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                iinj[cs_tgt[j]] += a
        if g_a.shape[0] > 0:
            gap_currents(g_a, g_b, g_w, state[S_V], iinj)
        # 2. spikes of external sources
        for e in range(ext_ptr[k], ext_ptr[k + 1]):
            row = ext_row[e]
            deliver(0, row, ext_emit[e], 1.0, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
                    syn_w)
            if p_indptr[row + 1] > p_indptr[row]:
                deliver_plastic(row, ext_emit[e], dt, L, ring, p_indptr, p_tgt, p_post, p_d,
                                p_kind, p_w, p_par, p_st, p_key, p_seed, h_idx, h_t,
                                h_head, h_cnt)
        for e in range(nev):
            row = ev_row[e]
            cnt = ev_cnt[e]
            deliver_at(0, row, n % L, float(cnt), L, ring, row_grp, grp_delay, grp_ptr,
                       syn_tgt, syn_w)
            if p_indptr[row + 1] > p_indptr[row]:
                for _ in range(cnt):
                    deliver_plastic(row, n, dt, L, ring, p_indptr, p_tgt, p_post, p_d,
                                    p_kind, p_w, p_par, p_st, p_key, p_seed, h_idx, h_t,
                                    h_head, h_cnt)
            if rec_spk[row]:
                c = spk_n[0]
                spk_step[c] = n + 1
                spk_row[c] = row
                spk_cnt[c] = cnt
                spk_n[0] = c + 1
        # 3. neuron updates
        nspk = 0
        for g in range(n_groups):
            nspk = update_group(g_kind[g], g_start[g], g_stop[g], n, N, L, dt, state, param,
                                 refr, ring, iinj, spiked, nspk, work)
        # 4. deliver and record spikes
        for s in range(nspk):
            row = spiked[s]
            deliver_at(0, row, n % L, 1.0, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
                       syn_w)
            if p_indptr[row + 1] > p_indptr[row]:
                deliver_plastic(row, n, dt, L, ring, p_indptr, p_tgt, p_post, p_d, p_kind,
                                p_w, p_par, p_st, p_key, p_seed, h_idx, h_t, h_head, h_cnt)
            if h_idx[row] >= 0:
                record_post_spike(row, n + 1, h_idx, h_t, h_head, h_cnt, h_full)
            if rec_spk[row]:
                c = spk_n[0]
                spk_step[c] = n + 1
                spk_row[c] = row
                spk_cnt[c] = 1
                spk_n[0] = c + 1
        # 5. analog recording
        for c in range(n_ch):
            if (n + 1 - ch_phase[c]) % ch_int[c] == 0:
                p0 = ch_ptr[c]
                width = ch_ptr[c + 1] - p0
                base = ch_base[c] + ch_count[c] * width
                for j in range(width):
                    rbuf[base + j] = state[ch_var[p0 + j], ch_row[p0 + j]]
                ch_count[c] += 1
    return n_end
