"""The engine's step loops, as a template: `assemble` generates one module per combination
of model families from this source, with the dispatch ``update_group`` over the families
present and ``poisson_events`` (or a stand-in when the network has no SpikeSourcePoisson)
appended; numba then compiles only what the network uses, and caches it per combination.

Drivers (see `windows` for the windowed scheme, `kernels` for the delivery):

* `run_windows` — static synapses, T = 1 or the threads' work one after another;
* `run_windows_par` — static synapses, one ``prange`` region per window;
* `run_windows_persistent` — static synapses, one parallel region per call, the parts of
  each window taken as tasks by the workers;
* `run_steps` — the serial step loop for networks with dynamic synapses or gap junctions.

Every driver takes as its last argument ``fns``, the pointers to the functions the
generated ``update_group`` and ``poisson_events`` call (`callees`); `assemble.step_loop`
returns the drivers with it bound. Importing this module directly gives the drivers
without a dispatch (the placeholders below): use `assemble.step_loop` instead.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numba import get_thread_id, njit, prange

from lamina.backends.engine.atomics import (SYNC_SIZE, atomic_add, atomic_cas, atomic_load,
                                           atomic_store, cycles, wait_change)
from lamina.backends.engine.kernels import deliver, deliver_at
from lamina.backends.engine.models import K_POISSON, S_V
from lamina.backends.engine.synapses import deliver_plastic, gap_currents, record_post_spike
from lamina.backends.engine.windows import after_window, deliver_window, window_length

__all__ = ["run_windows", "run_windows_par", "run_windows_persistent", "run_steps",
           "PROF_FIELDS"]

#: the columns of the persistent driver's per-thread profile (cycle counts, counts)
PROF_FIELDS = ("deliver", "advance", "wait", "after_window", "tasks", "windows_closed",
               "region", "calls")
_DONE = 40
_OPEN = 48            # the open window's number, -1 at the end (what idle workers watch)

#: filled in by the generated module: the dispatch over the families present
update_group: Any = None
#: filled in by the generated module: `poisson.poisson_events` or `poisson.no_poisson_events`
poisson_events: Any = None
#: filled in by the generated module: `poisson.direct_deliver` or `poisson.no_direct_deliver`
direct_deliver: Any = None
#: filled in by the generated module: `_advance_window` compiled on its own (not inlined),
#: shared by the parallel drivers (whose parallel regions then stay small to compile)
_advance_window_shared: Any = None


@njit(cache=True, inline="always")
def _advance_window(t, w0, w1, par, chunk_base, dt, pieces, state, param, refr, ring,
                    currents, iinj, channels, work, wbuf, cdf, meta, fns):
    """Advance the cells of part t through steps w0..w1-1, buffering their spikes.
    Inlined into the serial `run_windows` (one compiled function: the shortest cold
    compilation); the parallel drivers call the copy ``_advance_window_shared``.

    Grouped arguments (tuples: under 30 arguments, so numba can inline the call):
    ``pieces = (bounds, pc_kind, pc_start, pc_stop, pc_ptr)``, ``currents = (cs_amp,
    cs_ptr, cs_tgt)``, ``channels = (ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base,
    ch_count, rbuf)``, ``wbuf = (wb_row, wb_cnt, wb_off)``."""
    bounds, pc_kind, pc_start, pc_stop, pc_ptr = pieces
    cs_amp, cs_ptr, cs_tgt = currents
    ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf = channels
    wb_row, wb_cnt, wb_off = wbuf
    N = state.shape[1]
    L = ring.shape[0]
    lo = bounds[t]
    hi = bounds[t + 1]
    n_src = cs_ptr.shape[0] - 1
    n_ch = ch_int.shape[0]
    rows = wb_row[par, t]
    cnts = wb_cnt[par, t]
    nb = np.int64(0)   # not a literal: see the note in `families`
    for n in range(w0, w1):
        wb_off[par, t, n - w0] = nb
        k = n - chunk_base
        #: begin sources
        for s in range(n_src):   # current sources: this part's targets only
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                if lo <= cs_tgt[j] < hi:
                    iinj[cs_tgt[j]] = 0.0
        for s in range(n_src):
            a = cs_amp[s, k]
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                if lo <= cs_tgt[j] < hi:
                    iinj[cs_tgt[j]] += a
        #: end sources
        for p in range(pc_ptr[t], pc_ptr[t + 1]):   # pieces in row order
            i0 = pc_start[p]
            i1 = pc_stop[p]
            nb0 = nb
            if pc_kind[p] == K_POISSON:   # (no synapse ends on a spike source: its ring
                # columns stay zero, nothing to clear)
                nb = poisson_events(n, i0, i1, param, work, rows, cnts, nb, cdf[t], meta[t],
                                    fns)
            else:
                nb = update_group(pc_kind[p], i0, i1, n, N, L, dt, state, param, refr, ring,
                                  iinj, rows, nb, work, fns)
                for j in range(nb0, nb):
                    cnts[j] = 1
        #: begin channels
        for c in range(n_ch):   # analog samples of this part's rows
            if (n + 1 - ch_phase[c]) % ch_int[c] == 0:
                done = 0   # samples of channel c taken earlier in this window
                for m in range(w0, n):
                    if (m + 1 - ch_phase[c]) % ch_int[c] == 0:
                        done += 1
                p0 = ch_ptr[c]
                width = ch_ptr[c + 1] - p0
                base = ch_base[c] + (ch_count[c] + done) * width
                for j in range(width):
                    r = ch_row[p0 + j]
                    if lo <= r < hi:
                        rbuf[base + j] = state[ch_var[p0 + j], r]
        #: end channels
    wb_off[par, t, w1 - w0] = nb


@njit(cache=True)
def run_windows(n_begin, n_end, chunk_base, dt, D, bounds, pc_kind, pc_start, pc_stop,
                pc_ptr, state, param, refr, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
                syn_w, ext_ptr, ext_row, ext_emit, cs_amp, cs_ptr, cs_tgt, iinj, rec_spk,
                n_rec_spk, spk_step, spk_row, spk_cnt, spk_n, ch_int, ch_phase, ch_ptr,
                ch_row, ch_var, ch_base, ch_count, rbuf, work, wb_row, wb_cnt, wb_off, cdf,
                meta, fns):
    """Advance steps n_begin..n_end-1 window by window; return the step reached
    (earlier when the spike record buffer might overflow). Compiled serially here
    (``prange`` runs as ``range``: the threads' work one after another); `assemble` adds
    a copy named ``run_windows_par`` compiled with a parallel region per window (one
    source, two functions: numba caches one compiled variant per function)."""
    L = ring.shape[0]
    T = bounds.shape[0] - 1
    cap = spk_step.shape[0]
    if n_begin >= n_end or window_length(n_begin, n_end, D, wb_off, spk_n, n_rec_spk,
                                          cap) == 0:
        return n_begin
    k0 = n_begin - chunk_base
    for t in prange(T):   # external spikes stamped before n_begin (t = 0) first
        for e in range(ext_ptr[k0], ext_ptr[k0 + 1]):
            if ext_emit[e] < n_begin:
                deliver(t, ext_row[e], ext_emit[e], 1.0, L, ring, row_grp, grp_delay,
                        grp_ptr, syn_tgt, syn_w)
    w0 = n_begin
    p0 = p1 = n_begin   # the previous window (empty at first)
    par = np.int64(0)
    while True:   # the last pass only delivers the previous window (W = 0)
        W = window_length(w0, n_end, D, wb_off, spk_n, n_rec_spk, cap) if w0 < n_end else 0
        w1 = w0 + W
        for t in prange(T):   # one call site per helper: each is compiled once
            deliver_window(t, p0, p1, 1 - par, n_begin, chunk_base, L, ring, row_grp,
                            grp_delay, grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row,
                            ext_emit, wb_row, wb_cnt, wb_off, param, cdf[t], meta[t],
                            direct_deliver, bounds)
            if W > 0:
                _advance_window(t, w0, w1, par, chunk_base, dt,
                                (bounds, pc_kind, pc_start, pc_stop, pc_ptr), state, param,
                                refr, ring, (cs_amp, cs_ptr, cs_tgt), iinj,
                                (ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base,
                                 ch_count, rbuf), work, (wb_row, wb_cnt, wb_off), cdf, meta,
                                fns)
        if W == 0:
            break
        after_window(w0, w1, par, rec_spk, spk_step, spk_row, spk_cnt, spk_n, ch_int,
                      ch_phase, ch_count, wb_row, wb_cnt, wb_off)
        p0 = w0
        p1 = w1
        par = 1 - par
        w0 = w1
    return w0


#: one ``prange`` region per window: generated by `assemble` from `run_windows`
run_windows_par: Any = None


@njit(cache=True, inline="always")
def _preferred(k, it, n_threads, P):
    """The k-th part worker `it` of `n_threads` tries to take: first its own parts (it,
    it + n_threads, ...), so that a part stays on one core from window to window, with its
    cells, ring columns and synapses in that core's cache; then the others' parts, from
    the next worker's on (a worker that falls behind leaves its parts to the others)."""
    own = (P - it + n_threads - 1) // n_threads   # parts it, it + n_threads, ... < P
    if k < own:
        return it + k * n_threads
    k -= own
    # the others' parts: worker it+1's, it+2's, ... in turn
    for d in range(1, n_threads):
        w = (it + d) % n_threads
        m = (P - w + n_threads - 1) // n_threads
        if k < m:
            return w + k * n_threads
        k -= m
    return -1


@njit(cache=True, parallel=True)
def run_windows_persistent(n_begin, n_end, chunk_base, dt, D, bounds, pc_kind, pc_start,
                           pc_stop, pc_ptr, state, param, refr, ring, row_grp, grp_delay,
                           grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row, ext_emit, cs_amp,
                           cs_ptr, cs_tgt, iinj, rec_spk, n_rec_spk, spk_step, spk_row,
                           spk_cnt, spk_n, ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base,
                           ch_count, rbuf, work, wb_row, wb_cnt, wb_off, cdf, meta,
                           n_threads, prof, fns):
    """`run_windows` in ONE parallel region of `n_threads` workers per call, which take
    the P parts (``bounds``; P >= n_threads) of each window as tasks: task p of a window
    delivers the previous window's spikes to part p and advances part p's cells. A worker
    takes its own parts first (`_preferred`), so that each part stays on one core and its
    data in that core's cache (taken from a shared counter, a part changed cores from
    window to window, and its cells, ring columns and synapses with it); then the parts
    no other worker has taken yet. The worker that completes a window's last task runs
    the serial bookkeeping (`after_window`, the next window's length) and opens the next
    window. No worker waits for a particular other one: a worker the system does not
    schedule simply takes fewer tasks (a busy machine, or numba running the workers one
    after another), and the parts share out unequal costs.
    Returns the step reached, as `run_windows` does; results are bitwise those of
    `run_windows` (same parts, same order of delivery within each part).

    Shared words (`atomics`, each on its own cache line): ``claim[8 p]`` = the last window
    in which part p was taken (a worker takes it by compare-and-swap from the window
    before), ``sync[_DONE]`` = tasks of the window completed, ``sync[_OPEN]`` = the open
    window (-1 at the end); ``win[8 * (window & 1):]`` = (w0, w1, previous w0, previous
    w1, buffer parity), written before the window is opened. ``prof[w]`` accumulates
    worker w's cycle counts per phase (`PROF_FIELDS`; rows of 8 int64, written once per
    call)."""
    L = ring.shape[0]
    P = bounds.shape[0] - 1
    cap = spk_step.shape[0]
    W = window_length(n_begin, n_end, D, wb_off, spk_n, n_rec_spk, cap)
    if n_begin >= n_end or W == 0:
        return n_begin
    sync = np.zeros(SYNC_SIZE, np.int64)   # sync[_OPEN] = 0: window 0 is open
    claim = np.full(8 * P, -1, np.int64)   # claim[8 p]: the last window part p was taken in
    win = np.zeros(16, np.int64)
    win[0] = n_begin
    win[1] = n_begin + W
    win[2] = n_begin
    win[3] = n_begin
    res = np.zeros(8, np.int64)
    k0 = n_begin - chunk_base
    for it in prange(n_threads):
        c_in = cycles()
        c_dl = np.int64(0)
        c_adv = np.int64(0)
        c_wait = np.int64(0)
        c_aft = np.int64(0)
        ntask = np.int64(0)
        nwin = np.int64(0)
        while True:
            g = atomic_load(sync, _OPEN)
            if g < 0:
                break
            p = -1   # take a part of window g: this worker's own first, then the others'
            for k in range(P):
                q = _preferred(k, it, n_threads, P)
                if atomic_load(claim, 8 * q) == g - 1 and \
                        atomic_cas(claim, 8 * q, g - 1, g) == g - 1:
                    p = q
                    break
            if p < 0:   # all taken: wait for the next window (or the end)
                ca = cycles()
                wait_change(sync, _OPEN, g)
                c_wait += cycles() - ca
                continue
            s = 8 * (g & 1)
            w0 = atomic_load(win, s)
            w1 = atomic_load(win, s + 1)
            q0 = atomic_load(win, s + 2)
            q1 = atomic_load(win, s + 3)
            par = atomic_load(win, s + 4)
            ca = cycles()
            if g == 0:   # external spikes stamped before n_begin (t = 0) first
                for e in range(ext_ptr[k0], ext_ptr[k0 + 1]):
                    if ext_emit[e] < n_begin:
                        deliver(p, ext_row[e], ext_emit[e], 1.0, L, ring, row_grp,
                                grp_delay, grp_ptr, syn_tgt, syn_w)
            deliver_window(p, q0, q1, 1 - par, n_begin, chunk_base, L, ring, row_grp,
                            grp_delay, grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row,
                            ext_emit, wb_row, wb_cnt, wb_off, param, cdf[p], meta[p],
                            direct_deliver, bounds)
            cb = cycles()
            if w1 > w0:
                _advance_window_shared(p, w0, w1, par, chunk_base, dt,
                                (bounds, pc_kind, pc_start, pc_stop, pc_ptr), state, param,
                                refr, ring, (cs_amp, cs_ptr, cs_tgt), iinj,
                                (ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base, ch_count,
                                 rbuf), work, (wb_row, wb_cnt, wb_off), cdf, meta, fns)
            cc = cycles()
            c_dl += cb - ca
            c_adv += cc - cb
            ntask += 1
            if atomic_add(sync, _DONE, 1) == P - 1:   # the window's last task: close it
                nwin += 1
                if w1 == w0:   # that was the final delivery
                    res[0] = w0
                    atomic_store(sync, _OPEN, -1)
                    continue
                after_window(w0, w1, par, rec_spk, spk_step, spk_row, spk_cnt, spk_n,
                              ch_int, ch_phase, ch_count, wb_row, wb_cnt, wb_off)
                W = window_length(w1, n_end, D, wb_off, spk_n, n_rec_spk, cap) \
                    if w1 < n_end else 0
                s = 8 - s
                atomic_store(win, s, w1)
                atomic_store(win, s + 1, w1 + W)
                atomic_store(win, s + 2, w0)
                atomic_store(win, s + 3, w1)
                atomic_store(win, s + 4, 1 - par)
                atomic_store(sync, _DONE, 0)
                atomic_store(sync, _OPEN, g + 1)
                c_aft += cycles() - cc
        prof[it, 0] += c_dl
        prof[it, 1] += c_adv
        prof[it, 2] += c_wait
        prof[it, 3] += c_aft
        prof[it, 4] += ntask
        prof[it, 5] += nwin
        prof[it, 6] += cycles() - c_in
        prof[it, 7] += 1
    return res[0]


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
              g_a, g_b, g_w, g_rows, ev_row, ev_cnt, cdf, meta, fns):
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
        # (no synapse ends on a spike source: their ring columns stay zero)
        nev = np.int64(0)
        for g in range(n_groups):
            if g_kind[g] == K_POISSON:
                nev = poisson_events(n, g_start[g], g_stop[g], param, work, ev_row, ev_cnt,
                                     nev, cdf, meta, fns)
        k = n - chunk_base
        # 1. injected currents for this step (current sources, gap junctions)
        #: begin sources
        for s in range(n_src):
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                iinj[cs_tgt[j]] = 0.0
        #: end sources
        #: begin gap
        for j in range(g_rows.shape[0]):
            iinj[g_rows[j]] = 0.0
        #: end gap
        #: begin sources
        for s in range(n_src):
            a = cs_amp[s, k]
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                iinj[cs_tgt[j]] += a
        #: end sources
        #: begin gap
        if g_a.shape[0] > 0:
            gap_currents(g_a, g_b, g_w, state[S_V], iinj)
        #: end gap
        # 2. spikes of external sources
        for e in range(ext_ptr[k], ext_ptr[k + 1]):
            row = ext_row[e]
            deliver(0, row, ext_emit[e], 1.0, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
                    syn_w)
            #: begin plastic
            if p_indptr[row + 1] > p_indptr[row]:
                deliver_plastic(row, ext_emit[e], dt, L, ring, p_indptr, p_tgt, p_post, p_d,
                                p_kind, p_w, p_par, p_st, p_key, p_seed, h_idx, h_t,
                                h_head, h_cnt)
            #: end plastic
        for e in range(nev):
            row = ev_row[e]
            cnt = ev_cnt[e]
            deliver_at(0, row, n % L, float(cnt), L, ring, row_grp, grp_delay, grp_ptr,
                       syn_tgt, syn_w)
            #: begin plastic
            if p_indptr[row + 1] > p_indptr[row]:
                for _ in range(cnt):
                    deliver_plastic(row, n, dt, L, ring, p_indptr, p_tgt, p_post, p_d,
                                    p_kind, p_w, p_par, p_st, p_key, p_seed, h_idx, h_t,
                                    h_head, h_cnt)
            #: end plastic
            if rec_spk[row]:
                c = spk_n[0]
                spk_step[c] = n + 1
                spk_row[c] = row
                spk_cnt[c] = cnt
                spk_n[0] = c + 1
        # 3. neuron updates
        nspk = np.int64(0)
        for g in range(n_groups):
            nspk = update_group(g_kind[g], g_start[g], g_stop[g], n, N, L, dt, state, param,
                                 refr, ring, iinj, spiked, nspk, work, fns)
        # 4. deliver and record spikes
        for s in range(nspk):
            row = spiked[s]
            deliver_at(0, row, n % L, 1.0, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
                       syn_w)
            #: begin plastic
            if p_indptr[row + 1] > p_indptr[row]:
                deliver_plastic(row, n, dt, L, ring, p_indptr, p_tgt, p_post, p_d, p_kind,
                                p_w, p_par, p_st, p_key, p_seed, h_idx, h_t, h_head, h_cnt)
            if h_idx[row] >= 0:
                record_post_spike(row, n + 1, h_idx, h_t, h_head, h_cnt, h_full)
            #: end plastic
            if rec_spk[row]:
                c = spk_n[0]
                spk_step[c] = n + 1
                spk_row[c] = row
                spk_cnt[c] = 1
                spk_n[0] = c + 1
        #: begin channels
        # 5. analog recording
        for c in range(n_ch):
            if (n + 1 - ch_phase[c]) % ch_int[c] == 0:
                p0 = ch_ptr[c]
                width = ch_ptr[c + 1] - p0
                base = ch_base[c] + ch_count[c] * width
                for j in range(width):
                    rbuf[base + j] = state[ch_var[p0 + j], ch_row[p0 + j]]
                ch_count[c] += 1
        #: end channels
    return n_end
