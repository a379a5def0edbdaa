"""The windowed scheme of the engine's step loop (static synapses only, any number of
threads) and its helpers; the drivers themselves are in `step_loop`.

A spike emitted in step n with a delay of d >= D steps (D: the smallest delay of the
static CSR) is read in step n + d >= n + D. So every cell can be advanced D steps without
seeing any spike of those D steps: the loop runs in *windows* of at most D steps. The
cells are cut into T parts (``bounds[t] .. bounds[t+1]``; CSR part t holds the synapses
onto them), and per window the task of part t

1. delivers all spikes of the previous window (of every part) to its own targets, in
   the canonical order: by emission step; within a step first the external events
   (``ext_*``), then the rows in ascending order (a Poisson row with K spikes adds K x
   weight; the rows of a direct Poisson block, `poisson.direct_deliver`, are drawn here,
   at their place in that order, by the thread of their targets). Every target sums its
   inputs in this order for any T, so results are bitwise the same for 1, 2, ... threads
   and for any split of a run;
2. advances its own cells through the window (current sources, Poisson draws, updates,
   analog samples of its rows), appending ``(row, count)`` of its spikes per step to its
   buffer for this window (buffers alternate by window parity: others still read the
   previous ones).

The spikes of the last window are delivered before the kernel returns, so the ring buffer
is complete between calls. `step_loop.run_windows` runs the parts one after another in one
thread; `run_windows_par` runs them in a numba ``prange`` (one region per window: its
launch cost, tens of microseconds with the workqueue layer on a loaded machine, is paid
once per window); `run_windows_persistent` enters one region per call, whose workers take
the parts of the open window as tasks (each its own parts first, by compare-and-swap,
`atomics`); the worker that completes a window's last task records its spikes and opens
the next window. Nobody waits for a particular worker, so a worker the system does not
schedule (a busy machine) leaves its parts to the others instead of stalling every
window.

The helpers here are inlined (numba ``inline="always"``) into the drivers, which
`assemble` compiles per combination of model families.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from lamina.backends.engine.kernels import deliver, deliver_at
from lamina.backends.engine.poisson import DIRECT_CHUNK, direct_blocks, direct_field

__all__ = ["WINDOW_MAX", "deliver_window", "after_window", "window_length"]

WINDOW_MAX = 32   # steps per window at most (bounds the per-thread spike buffers)


@njit(cache=True, inline="always")
def deliver_window(t, w0, w1, par, n_begin, chunk_base, L, ring, row_grp, grp_delay,
                    grp_ptr, syn_tgt, syn_w, ext_ptr, ext_row, ext_emit, wb_row, wb_cnt,
                    wb_off, param, cdf, meta, direct, bounds):
    """Deliver the spikes emitted in steps w0..w1-1 (buffers `par`) to CSR part t, and
    the counts of the direct Poisson blocks of `meta` (thread t's Poisson table ``cdf``,
    ``meta``: `poisson.new_table`) to part t's targets, rows ``bounds[t] ..
    bounds[t+1]-1`` (the cuts the CSR was built with), by `direct`
    (`poisson.direct_deliver`, or its stand-in where the network has no Poisson cells).

    First a pass that only reads, for every spike, the first delay group of its row in
    part t (group bounds, delay, weight, first target): these look-ups are chains of
    dependent cache misses (~2.5 us per part and window in CUBA, however few synapses the
    part holds), and here the chains of all spikes are in flight at once, whereas in the
    delivery loop each spike's additions keep the next spike's loads from starting. The
    pass changes nothing (its sum only guards a branch that is never taken)."""
    T = wb_row.shape[1]
    g0 = syn_w.shape[0] - grp_delay.shape[0]
    touched = np.int64(0)
    for n in range(w0, w1):
        s = n - w0
        for u in range(T):
            for j in range(wb_off[par, u, s], wb_off[par, u, s + 1]):
                row = wb_row[par, u, j]
                g = row_grp[t, row]
                if g < row_grp[t, row + 1]:
                    touched += grp_delay[g] + grp_ptr[g] + syn_tgt[grp_ptr[g]]
                    touched += syn_w[g0 + g] != 0.0
    if touched < 0:   # never: indices and delays are >= 0 (keeps the reads)
        ring[0, 0] = 0.0
    n_blk = direct_blocks(meta)
    lo = bounds[t]
    hi = bounds[t + 1]
    ks = np.empty(DIRECT_CHUNK if n_blk > 0 else 0, np.int64)
    for n in range(w0, w1):
        k = n - chunk_base
        for e in range(ext_ptr[k], ext_ptr[k + 1]):
            if ext_emit[e] >= n_begin:   # earlier stamps (t = 0) went before the windows
                deliver(t, ext_row[e], ext_emit[e], 1.0, L, ring, row_grp, grp_delay, grp_ptr,
                        syn_tgt, syn_w)
        s = n - w0
        base = n % L
        b = 0   # the next direct block in row order
        for u in range(T):
            for j in range(wb_off[par, u, s], wb_off[par, u, s + 1]):
                row = wb_row[par, u, j]
                while b < n_blk and direct_field(meta, b, 0) < row:   # its place in row order
                    direct(n, b, lo, hi, param, ring, cdf, meta, ks)
                    b += 1
                deliver_at(t, row, base, float(wb_cnt[par, u, j]), L, ring, row_grp,
                           grp_delay, grp_ptr, syn_tgt, syn_w)
        while b < n_blk:   # the blocks after the last spiking row
            direct(n, b, lo, hi, param, ring, cdf, meta, ks)
            b += 1


@njit(cache=True, inline="always")
def after_window(w0, w1, par, rec_spk, spk_step, spk_row, spk_cnt, spk_n, ch_int,
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


@njit(cache=True, inline="always")
def window_length(w0, n_end, D, wb_off, spk_n, n_rec_spk, cap):
    """Steps of the next window; 0 when the record buffer might overflow in it."""
    W = n_end - w0   # min(D, buffer length, steps left), without numba's min overload
    if D < W:
        W = D
    if wb_off.shape[2] - 1 < W:
        W = wb_off.shape[2] - 1
    if spk_n[0] + n_rec_spk * W > cap:
        return 0
    return W


