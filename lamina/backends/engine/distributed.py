"""The engine over several MPI processes (mpi4py): each rank simulates its own cells.

Layout (`lamina.distribution.Distribution`): every population is cut into one contiguous
block per rank. Every rank keeps the state arrays of all cells (rows, IDs and groups are
the same on every rank) but advances only its own; it holds only the static synapses onto
its own cells (`EngineBackend.connect` drops the others) and the ring-buffer columns it
reads are its own cells'.

Per window of W <= D steps (D: the smallest delay of *any* rank, an ``allreduce``):

1. deliver the spikes of the previous window of **all** ranks into the local ring buffer,
   in the engine's canonical order (emission step; within a step the external events
   first, then the rows in ascending order, a Poisson row with K spikes adding K x weight:
   `deliver_spikes`). Every target sums its inputs in the same order as in one process,
   so spikes and signals are bitwise the same for any number of ranks and threads;
2. advance the local cells through the window: one call of the engine's windowed kernel
   (`step_loop.run_windows`, or a parallel driver for T threads) over *pieces* that cover
   the local rows only, given an empty synapse table (so the kernel delivers nothing
   itself); it buffers the window's spikes per thread (``wb_row``, ``wb_cnt``,
   ``wb_off``) and records those of recorded rows as usual;
3. exchange the window's spikes: ``Allgather`` of the counts (with whether every rank's
   record buffer has room for the next window) and ``Allgatherv`` of
   ``(row * 32 + step in window, count)`` pairs (16 bytes per spike and rank), sending
   only the spikes of rows that another rank holds synapses from (`wanted_elsewhere`,
   once per call); each rank merges the received spikes with all of its own.

External events (SpikeSourceArray, renewal sources) are computed on every rank from the
same seeds and delivered by every rank to its own targets; Poisson and GIF draws are
counter-based per cell, so they do not depend on which rank draws them. Dynamic synapses
and gap junctions are refused under MPI (`EngineBackend.connect`).
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any

import numpy as np
from numba import njit

from lamina.backends.engine import windows
from lamina.backends.engine.driver_choice import PARALLEL, SERIAL
from lamina.backends.engine.kernels import deliver, deliver_at

logger = logging.getLogger(__name__)

_I64 = np.int64
_SLOT_BITS = 5   # step within a window < WINDOW_MAX = 32
assert windows.WINDOW_MAX <= 1 << _SLOT_BITS


@njit(cache=True)
def deliver_spikes(p0, p1, n_begin, chunk_base, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
                   syn_w, ext_ptr, ext_row, ext_emit, g_step, g_row, g_cnt):
    """Deliver, in the canonical order, the spikes emitted in steps p0..p1-1: per step the
    external events (those stamped from `n_begin` on), then the gathered spikes
    ``(g_step, g_row, g_cnt)`` (sorted by step, then row) through CSR part 0."""
    L = ring.shape[0]
    j = 0
    m = g_step.shape[0]
    for n in range(p0, p1):
        k = n - chunk_base
        for e in range(ext_ptr[k], ext_ptr[k + 1]):
            if ext_emit[e] >= n_begin:
                deliver(0, ext_row[e], ext_emit[e], 1.0, L, ring, row_grp, grp_delay, grp_ptr,
                        syn_tgt, syn_w)
        base = n % L
        while j < m and g_step[j] == n:
            deliver_at(0, g_row[j], base, float(g_cnt[j]), L, ring, row_grp, grp_delay,
                       grp_ptr, syn_tgt, syn_w)
            j += 1


@njit(cache=True)
def deliver_early(n_begin, chunk_base, ring, row_grp, grp_delay, grp_ptr, syn_tgt, syn_w,
                  ext_ptr, ext_row, ext_emit):
    """External events stamped before `n_begin` (t = 0), first of all (as the kernel)."""
    L = ring.shape[0]
    k0 = n_begin - chunk_base
    for e in range(ext_ptr[k0], ext_ptr[k0 + 1]):
        if ext_emit[e] < n_begin:
            deliver(0, ext_row[e], ext_emit[e], 1.0, L, ring, row_grp, grp_delay, grp_ptr,
                    syn_tgt, syn_w)


class DistributedWindows:
    """Runs the engine's windowed kernel on this rank's cells and exchanges spikes per
    window (see the module docstring). One per `EngineBackend` under MPI."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.dist = backend.distribution
        self.comm = self.dist.comm
        #: statistics of the exchange: windows, spikes and bytes received, seconds spent
        self.stats = {"windows": 0, "spikes": 0, "bytes": 0, "seconds": 0.0}

    @staticmethod
    def max_op() -> Any:
        """``MPI.MAX`` (for the engine's collective interrupt check)."""
        return _mpi().MAX

    # -- layout -----------------------------------------------------------------------
    def local_rows(self) -> np.ndarray:
        """Rows (ascending) of the cells this rank simulates."""
        b = self.backend
        return np.flatnonzero(self.dist.is_local(b._ids)).astype(_I64)

    def pieces(self, T: int) -> tuple[np.ndarray, ...]:
        """(bounds, pc_kind, pc_start, pc_stop, pc_ptr) of T threads over the local rows:
        thread t owns the local rows in ``bounds[t] .. bounds[t+1]`` (other ranks' rows in
        between are not in its pieces: only current-source input, unread, is written
        there); pieces are runs of local rows of one group, in row order."""
        b = self.backend
        rows = self.local_rows()
        nl = len(rows)
        cuts = [(nl * t + T - 1) // T for t in range(T + 1)]
        end = int(rows[-1]) + 1 if nl else 0
        bounds = np.array([int(rows[c]) if c < nl else end for c in cuts], _I64)
        local = np.zeros(b._N + 1, bool)
        local[rows] = True
        pcs = []
        for t in range(T):
            lo, hi = int(bounds[t]), int(bounds[t + 1])
            for g in b._groups:
                a, z = max(g.start, lo), min(g.stop, hi)
                if z <= a:
                    continue
                seg = local[a:z]
                change = np.flatnonzero(np.diff(np.concatenate(([0], seg.view(np.int8), [0]))))
                for s, e in zip(change[::2], change[1::2]):
                    pcs.append((g.kind, a + int(s), a + int(e), t))
        pc_kind, pc_start, pc_stop = (np.array([p[i] for p in pcs], _I64) for i in range(3))
        pc_ptr = np.searchsorted(np.array([p[3] for p in pcs], _I64),
                                 np.arange(T + 1)).astype(_I64)
        return bounds, pc_kind, pc_start, pc_stop, pc_ptr

    def window_steps(self) -> int:
        """D: the smallest delay [steps] of the static synapses of every rank (collective)."""
        grp_delay = self.backend._csr[3][1]
        local = int(grp_delay.min()) if len(grp_delay) else windows.WINDOW_MAX
        return int(self.comm.allreduce(local, op=_mpi().MIN))

    # -- one call: windows from n to n1 ------------------------------------------------------
    def run(self, n: int, n1: int, n0: int, args: tuple, spk_step: np.ndarray,
            spk_row: np.ndarray, spk_cnt: np.ndarray, cdf: np.ndarray,
            meta: np.ndarray) -> int:
        """Advance steps n..n1-1 window by window, exchanging spikes after each; return
        the step reached (earlier when the spike record buffer is full). Collective: every
        rank calls it with the same steps."""
        b = self.backend
        (ext_ptr, ext_row, ext_emit, cs_amp, cs_ptr, cs_tgt, n_rec, spk_n, ch_int, ch_phase,
         ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf) = args
        _, syn_tgt, syn_w, (row_grp, grp_delay, grp_ptr) = b._csr
        D = self.window_steps()
        T = max(1, min(b._threads, len(self.local_rows()) or 1))
        bounds, pc_kind, pc_start, pc_stop, pc_ptr = self.pieces(T)
        W_max = min(D, windows.WINDOW_MAX)
        cap_t = max(int(np.diff(bounds).max()), 1) * W_max
        wb = (np.zeros((2, T, cap_t), _I64), np.zeros((2, T, cap_t), _I64),
              np.zeros((2, T, W_max + 1), _I64))
        empty = (np.zeros((T, b._N + 1), _I64), np.zeros(0, np.int32), np.zeros(1, _I64),
                 np.zeros(0, np.int32), np.zeros(0))
        cdf_t, meta_t = np.tile(cdf, (T, 1)), np.tile(meta, (T, 1))
        rest = (n0, b.dt, D, bounds, pc_kind, pc_start, pc_stop, pc_ptr, b.state, b.param,
                b.refr, b.ring, *empty, ext_ptr, ext_row, ext_emit, cs_amp, cs_ptr, cs_tgt,
                b.iinj, b.rec_spk, n_rec, spk_step, spk_row, spk_cnt, spk_n, ch_int, ch_phase,
                ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf, b._work, *wb, cdf_t, meta_t)
        loop = b._step_loop()
        csr = (b.ring, row_grp, grp_delay, grp_ptr, syn_tgt, syn_w)
        ext = (ext_ptr, ext_row, ext_emit)
        deliver_early(n, n0, *csr, *ext)
        wanted = self.wanted_elsewhere(row_grp)
        driver = self._driver(T)
        t_start = time.perf_counter()
        cap = len(spk_step)
        w0 = n
        pending = None
        # every rank runs a window or none does (a full record buffer stops all); the
        # answer for the next window travels with this window's spike counts
        room = self._all_agree(int(spk_n[0]) + n_rec * min(W_max, n1 - w0) <= cap)
        while w0 < n1:
            W = min(W_max, n1 - w0)
            if pending is not None:
                deliver_spikes(*pending, n, n0, *csr, *ext, *pending_spikes)
            pending = None
            if not room:
                break
            self._advance(loop, T, w0, w0 + W, rest, driver)
            W_next = min(W_max, n1 - w0 - W)
            pending_spikes, room = self._exchange(wb, T, w0, W, wanted,
                                                  int(spk_n[0]) + n_rec * W_next <= cap)
            pending = (w0, w0 + W)
            w0 += W
        if pending is not None:
            deliver_spikes(*pending, n, n0, *csr, *ext, *pending_spikes)
        if T > 1:
            b._choice.record(driver, time.perf_counter() - t_start, w0 - n)
        return w0

    def _driver(self, T: int) -> str:
        """The driver of this call's windows: the T parts one after another in this
        thread (`SERIAL`, bitwise the same results) when T = 1, when forced
        (``LAMINA_ENGINE_DRIVER=serial``), when the ranks' threads outnumber the cores
        (spinning barriers of unscheduled threads cost a time slice per window), or when
        the engine's `driver_choice` measured it faster; else `PARALLEL`."""
        forced = os.environ.get("LAMINA_ENGINE_DRIVER", "auto")
        if T == 1 or forced == "serial" or self.dist.size * T > (os.cpu_count() or 1):
            return SERIAL
        return self.backend._choice.pick() if forced == "auto" else PARALLEL

    def _advance(self, loop: Any, T: int, w0: int, w1: int, rest: tuple, driver: str) -> None:
        """One window of the local cells (the kernel with no synapses)."""
        from lamina.backends.engine import assemble
        kargs = (w0, w1, *rest)
        what = self.backend._combination_text()
        if driver == SERIAL:
            assemble.announce_compile(loop.run_windows, what)
            loop.run_windows(*kargs)
        else:
            forced = os.environ.get("LAMINA_ENGINE_DRIVER", "auto")
            self.backend._run_parallel(loop, what, forced, kargs)

    def _all_agree(self, ok: bool) -> bool:
        """Collective: whether `ok` holds on every rank."""
        return bool(self.comm.allreduce(int(ok), op=_mpi().MIN))

    def wanted_elsewhere(self, row_grp: np.ndarray) -> np.ndarray:
        """Collective: per row, whether another rank holds synapses from it (only those
        rows' spikes are sent; e.g. a Poisson source connected one-to-one to a cell of
        the same rank never is)."""
        has = np.packbits(row_grp[0, 1:] > row_grp[0, :-1])
        every = self.comm.allgather(has)
        other = np.zeros_like(has)
        for r, bits in enumerate(every):
            if r != self.dist.rank:
                other |= bits
        return np.unpackbits(other, count=len(row_grp[0]) - 1).astype(bool)

    def _exchange(self, wb: tuple[np.ndarray, ...], T: int, w0: int, W: int,
                  wanted: np.ndarray, room: bool) -> tuple[tuple[np.ndarray, ...], bool]:
        """All ranks' spikes of window w0..w0+W-1 that this rank may need (its own, and
        the others' from rows with synapses here), sorted by (step, row); and whether
        every rank has `room` for the next window."""
        wb_row, wb_cnt, wb_off = wb
        keys, cnts = [], []
        for t in range(T):
            off = wb_off[0, t, :W + 1]
            k = int(off[W])
            steps = np.repeat(np.arange(W, dtype=_I64), np.diff(off))
            keys.append((wb_row[0, t, :k] << _SLOT_BITS) | steps)
            cnts.append(wb_cnt[0, t, :k])
        local = np.empty((len(keys[0]) if T == 1 else sum(len(k) for k in keys), 2), _I64)
        local[:, 0] = np.concatenate(keys)
        local[:, 1] = np.concatenate(cnts)
        send = np.ascontiguousarray(local[wanted[local[:, 0] >> _SLOT_BITS]])
        t0 = time.perf_counter()
        MPI = _mpi()
        info = self.comm.allgather((len(send), bool(room)))
        counts = np.array([c for c, _ in info], _I64)
        room = all(r for _, r in info)
        total = int(counts.sum())
        got = np.empty((total, 2), _I64)
        if total:
            displs = np.concatenate(([0], np.cumsum(counts)[:-1]))
            self.comm.Allgatherv(send, [got, counts * 2, displs * 2, MPI.INT64_T])
            mine = displs[self.dist.rank]
            got = np.delete(got, np.s_[mine:mine + counts[self.dist.rank]], axis=0)
        flat = np.concatenate([local, got])
        st = self.stats
        st["windows"] += 1
        st["spikes"] += total
        st["bytes"] += 16 * total
        st["seconds"] += time.perf_counter() - t0
        rows = flat[:, 0] >> _SLOT_BITS
        steps = (flat[:, 0] & ((1 << _SLOT_BITS) - 1)) + w0
        order = np.lexsort((rows, steps))
        return (steps[order], rows[order], flat[order, 1]), room


def _mpi() -> Any:
    from mpi4py import MPI
    return MPI
