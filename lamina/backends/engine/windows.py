"""The windowed step loop of the engine: static synapses only, any number of threads.

A spike emitted in step n with a delay of d >= D steps (D: the smallest delay of the
static CSR) is read in step n + d >= n + D. So every cell can be advanced D steps without
seeing any spike of those D steps: the loop runs in *windows* of at most D steps. The
cells are cut into T parts (``bounds[t] .. bounds[t+1]``; thread t owns their ring
columns, and CSR part t holds the synapses onto them), and per window one parallel
region runs, in which thread t

1. delivers all spikes of the previous window (of every thread) to its own targets, in
   the canonical order: by emission step; within a step first the external events
   (``ext_*``), then the rows in ascending order (a Poisson row with K spikes adds K x
   weight). Every target sums its inputs in this order for any T, so results are bitwise
   the same for 1, 2, ... threads and for any split of a run;
2. advances its own cells through the window (current sources, Poisson draws, updates,
   analog samples of its rows), appending ``(row, count)`` of its spikes per step to its
   buffer for this window (buffers alternate by window parity: others still read the
   previous ones).

The spikes of the last window are delivered before the kernel returns, so the ring buffer
is complete between calls. `run_windows` runs the threads one after another in one
thread; `run_windows_par` runs them in a numba ``prange`` (one region per window: its
launch cost, tens of microseconds with the workqueue layer on a loaded machine, is paid
once per window); `run_windows_persistent` enters one region of T iterations per call
and separates the windows by a barrier (`atomics`). The barrier needs the T iterations
to run at once on T threads: an initial rendezvous with a timeout checks that before any
state is touched, and the driver returns -1 (the caller then uses `run_windows_par`) if
they did not meet.
"""
from __future__ import annotations

import numpy as np
from numba import get_thread_id, njit, prange

from lamina.backends.engine.atomics import (SYNC_SIZE, atomic_load, atomic_store, barrier,
                                           rendezvous)

from lamina.backends.engine.kernels import deliver, deliver_at, update_group
from lamina.backends.engine.models import K_POISSON
from lamina.backends.engine.poisson import poisson_events

__all__ = ["run_windows", "run_windows_par", "run_windows_persistent", "WINDOW_MAX"]

WINDOW_MAX = 32   # steps per window at most (bounds the per-thread spike buffers)


@njit(cache=True)
def _deliver_window(t, w0, w1, par, n_begin, chunk_base, L, ring, row_grp, grp_delay,
                    grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row, ext_emit, wb_row, wb_cnt,
                    wb_off):
    """Deliver the spikes emitted in steps w0..w1-1 (buffers `par`) to CSR part t."""
    T = wb_row.shape[1]
    for n in range(w0, w1):
        k = n - chunk_base
        for e in range(ext_ptr[k], ext_ptr[k + 1]):
            if ext_emit[e] >= n_begin:   # earlier stamps (t = 0) went before the windows
                deliver(t, ext_row[e], ext_emit[e], 1.0, L, ring, row_grp, grp_delay, grp_ptr,
                        syn_tgt, syn_w)
        s = n - w0
        base = n % L
        for u in range(T):
            for j in range(wb_off[par, u, s], wb_off[par, u, s + 1]):
                deliver_at(t, wb_row[par, u, j], base, float(wb_cnt[par, u, j]), L, ring,
                           row_grp, grp_delay, grp_ptr, syn_tgt, syn_w)


@njit(cache=True)
def _advance_window(t, w0, w1, par, chunk_base, dt, bounds, pc_kind, pc_start, pc_stop,
                    pc_ptr, state, param, refr, ring, cs_amp, cs_ptr, cs_tgt, iinj,
                    ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf, work,
                    wb_row, wb_cnt, wb_off, cdf, meta):
    """Advance the cells of part t through steps w0..w1-1, buffering their spikes."""
    N = state.shape[1]
    L = ring.shape[0]
    lo = bounds[t]
    hi = bounds[t + 1]
    n_src = cs_ptr.shape[0] - 1
    n_ch = ch_int.shape[0]
    rows = wb_row[par, t]
    cnts = wb_cnt[par, t]
    nb = 0
    for n in range(w0, w1):
        wb_off[par, t, n - w0] = nb
        k = n - chunk_base
        for s in range(n_src):   # current sources: this part's targets only
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                if lo <= cs_tgt[j] < hi:
                    iinj[cs_tgt[j]] = 0.0
        for s in range(n_src):
            a = cs_amp[s, k]
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                if lo <= cs_tgt[j] < hi:
                    iinj[cs_tgt[j]] += a
        for p in range(pc_ptr[t], pc_ptr[t + 1]):   # pieces in row order
            i0 = pc_start[p]
            i1 = pc_stop[p]
            nb0 = nb
            if pc_kind[p] == K_POISSON:
                nb = poisson_events(n, i0, i1, param, rows, cnts, nb, cdf[t], meta[t])
                slot = n % L
                for i in range(i0, i1):
                    ring[slot, i] = 0.0
                    ring[slot, N + i] = 0.0
            else:
                nb = update_group(pc_kind[p], i0, i1, n, N, L, dt, state, param, refr, ring,
                                  iinj, rows, nb, work)
                for j in range(nb0, nb):
                    cnts[j] = 1
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
    wb_off[par, t, w1 - w0] = nb


@njit(cache=True)
def _after_window(w0, w1, par, rec_spk, spk_step, spk_row, spk_cnt, spk_n, ch_int,
                  ch_phase, ch_count, wb_row, wb_cnt, wb_off):
    """Copy the window's spikes of recorded rows to the record buffer; count samples."""
    T = wb_row.shape[1]
    c = spk_n[0]
    for u in range(T):
        for s in range(w1 - w0):
            for j in range(wb_off[par, u, s], wb_off[par, u, s + 1]):
                row = wb_row[par, u, j]
                if rec_spk[row]:
                    spk_step[c] = w0 + s + 1
                    spk_row[c] = row
                    spk_cnt[c] = wb_cnt[par, u, j]
                    c += 1
    spk_n[0] = c
    for ch in range(ch_int.shape[0]):
        for n in range(w0, w1):
            if (n + 1 - ch_phase[ch]) % ch_int[ch] == 0:
                ch_count[ch] += 1


@njit(cache=True)
def _window_length(w0, n_end, D, wb_off, spk_n, n_rec_spk, cap):
    """Steps of the next window; 0 when the record buffer might overflow in it."""
    W = min(D, wb_off.shape[2] - 1, n_end - w0)
    if spk_n[0] + n_rec_spk * W > cap:
        return 0
    return W


def _window_driver(name: str, parallel: bool):
    """The window loop compiled serially (``prange`` runs as ``range``: the threads' work
    one after another) or with a parallel region per window. One source, two functions:
    numba caches one compiled variant per function, so each gets its own name (and cache
    file)."""
    def driver(n_begin, n_end, chunk_base, dt, D, bounds, pc_kind, pc_start, pc_stop,
               pc_ptr, state, param, refr, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
               syn_w, ext_ptr, ext_row, ext_emit, cs_amp, cs_ptr, cs_tgt, iinj, rec_spk,
               n_rec_spk, spk_step, spk_row, spk_cnt, spk_n, ch_int, ch_phase, ch_ptr,
               ch_row, ch_var, ch_base, ch_count, rbuf, work, wb_row, wb_cnt, wb_off, cdf,
               meta):
        """Advance steps n_begin..n_end-1 window by window; return the step reached
        (earlier when the spike record buffer might overflow)."""
        L = ring.shape[0]
        T = bounds.shape[0] - 1
        cap = spk_step.shape[0]
        if n_begin >= n_end or _window_length(n_begin, n_end, D, wb_off, spk_n, n_rec_spk,
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
        par = 0
        while w0 < n_end:
            W = _window_length(w0, n_end, D, wb_off, spk_n, n_rec_spk, cap)
            if W == 0:
                break
            w1 = w0 + W
            for t in prange(T):
                _deliver_window(t, p0, p1, 1 - par, n_begin, chunk_base, L, ring, row_grp,
                                grp_delay, grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row,
                                ext_emit, wb_row, wb_cnt, wb_off)
                _advance_window(t, w0, w1, par, chunk_base, dt, bounds, pc_kind, pc_start,
                                pc_stop, pc_ptr, state, param, refr, ring, cs_amp, cs_ptr,
                                cs_tgt, iinj, ch_int, ch_phase, ch_ptr, ch_row, ch_var,
                                ch_base, ch_count, rbuf, work, wb_row, wb_cnt, wb_off, cdf,
                                meta)
            _after_window(w0, w1, par, rec_spk, spk_step, spk_row, spk_cnt, spk_n, ch_int,
                          ch_phase, ch_count, wb_row, wb_cnt, wb_off)
            p0 = w0
            p1 = w1
            par = 1 - par
            w0 = w1
        for t in prange(T):
            _deliver_window(t, p0, p1, 1 - par, n_begin, chunk_base, L, ring, row_grp,
                            grp_delay, grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row, ext_emit,
                            wb_row, wb_cnt, wb_off)
        return w0
    driver.__name__ = driver.__qualname__ = name
    return njit(cache=True, parallel=parallel)(driver)


#: T = 1, or threads' work one after another
run_windows = _window_driver("run_windows", parallel=False)
#: one ``prange`` region per window
run_windows_par = _window_driver("run_windows_par", parallel=True)


RENDEZVOUS_CYCLES = 200_000_000   # about 0.05-0.1 s: the T iterations must meet by then


@njit(cache=True, parallel=True)
def run_windows_persistent(n_begin, n_end, chunk_base, dt, D, bounds, pc_kind, pc_start,
                           pc_stop, pc_ptr, state, param, refr, ring, row_grp, grp_delay,
                           grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row, ext_emit, cs_amp,
                           cs_ptr, cs_tgt, iinj, rec_spk, n_rec_spk, spk_step, spk_row,
                           spk_cnt, spk_n, ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base,
                           ch_count, rbuf, work, wb_row, wb_cnt, wb_off, cdf, meta,
                           thread_ids):
    """`run_windows` in ONE parallel region of T iterations that loop over the windows,
    one barrier per window; returns the step reached, or -1 (nothing changed) when the T
    iterations did not run at once on T threads (then use `run_windows_par`).

    Thread t delivers the previous window's spikes and advances its cells; after the
    window's barrier thread 0 alone runs `_after_window` (record buffer, sample counts)
    while the others go on: no buffer it reads is rewritten before the next barrier. So
    the threads need not wait for it, each keeps its own copy of the sample counts, and
    the record-buffer check of a window counts the previous window's spikes at their
    bound (n_rec_spk per step): a call may stop a window earlier than `run_windows`.
    `thread_ids[t]` receives the numba thread id of iteration t."""
    L = ring.shape[0]
    T = bounds.shape[0] - 1
    cap = spk_step.shape[0]
    if n_begin >= n_end or _window_length(n_begin, n_end, D, wb_off, spk_n, n_rec_spk,
                                          cap) == 0:
        return n_begin
    sync = np.zeros(SYNC_SIZE, np.int64)
    snap = np.zeros(2 * 8, np.int64)   # spk_n seen by thread 0 at the barrier, by parity
    chc = np.zeros((T, ch_count.shape[0]), np.int64)
    for t in range(T):
        chc[t] = ch_count
    res = np.zeros(2, np.int64)
    spk_n0 = spk_n[0]
    W_max = min(D, wb_off.shape[2] - 1)
    k0 = n_begin - chunk_base
    for t in prange(T):
        thread_ids[t] = get_thread_id()
        if rendezvous(sync, T, RENDEZVOUS_CYCLES):   # before any state is touched
            for e in range(ext_ptr[k0], ext_ptr[k0 + 1]):
                if ext_emit[e] < n_begin:
                    deliver(t, ext_row[e], ext_emit[e], 1.0, L, ring, row_grp, grp_delay,
                            grp_ptr, syn_tgt, syn_w)
            w0 = n_begin
            p0 = n_begin
            p1 = n_begin
            par = 0
            known = spk_n0   # spk_n after all windows but the previous one
            prev_w = 0       # steps of the previous window
            while w0 < n_end:
                W = min(W_max, n_end - w0)
                if known + n_rec_spk * (prev_w + W) > cap:
                    break
                w1 = w0 + W
                _deliver_window(t, p0, p1, 1 - par, n_begin, chunk_base, L, ring, row_grp,
                                grp_delay, grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row,
                                ext_emit, wb_row, wb_cnt, wb_off)
                _advance_window(t, w0, w1, par, chunk_base, dt, bounds, pc_kind, pc_start,
                                pc_stop, pc_ptr, state, param, refr, ring, cs_amp, cs_ptr,
                                cs_tgt, iinj, ch_int, ch_phase, ch_ptr, ch_row, ch_var,
                                ch_base, chc[t], rbuf, work, wb_row, wb_cnt, wb_off, cdf,
                                meta)
                for c in range(ch_int.shape[0]):
                    for n in range(w0, w1):
                        if (n + 1 - ch_phase[c]) % ch_int[c] == 0:
                            chc[t, c] += 1
                if t == 0:   # atomics: numba's parfor would hoist a plain spk_n[0] read
                    atomic_store(snap, 8 * par, atomic_load(spk_n, 0))
                barrier(sync, T)
                known = atomic_load(snap, 8 * par)
                if t == 0:
                    _after_window(w0, w1, par, rec_spk, spk_step, spk_row, spk_cnt, spk_n,
                                  ch_int, ch_phase, ch_count, wb_row, wb_cnt, wb_off)
                prev_w = W
                p0 = w0
                p1 = w1
                par = 1 - par
                w0 = w1
            _deliver_window(t, p0, p1, 1 - par, n_begin, chunk_base, L, ring, row_grp,
                            grp_delay, grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row, ext_emit,
                            wb_row, wb_cnt, wb_off)
            if t == 0:
                res[0] = w0
        else:
            res[1] = 1
    if res[1]:
        return -1
    return res[0]
