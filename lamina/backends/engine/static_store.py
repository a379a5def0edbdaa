"""Static synapses of the engine: compact storage and the CSR the kernels read.

Per synapse only the target (``receptor * N + row``: int32, in the built CSR uint16 where
every target is below 2^16, see `TARGETS_16`) and, where the weights of a
segment differ, the weight (float64) are kept; source rows, delays and a weight shared by
all of a segment's synapses are kept per *segment* (a run of synapses with one source
row, delay and projection), which costs little because a source row has few delays.
The kernels read the segments as *delay groups* (`delay_groups`): one ring slot per
segment and spike instead of a delay per synapse, and one weight per group where all of
its weights are equal (see `kernel_weights`: 4 B per synapse instead of 12 for a network
with one weight per projection, as Brunel's).

New connections become *pieces*: sorted by (source row, delay), insertion order kept
among equals, cut into buckets of `BUCKET` source rows. `StaticStore.build` merges the
pieces bucket by bucket into the CSR, sorted by (target part, source row, delay,
projection, insertion) and freeing each bucket's pieces as it goes, so the peak memory
stays close to the final size. Both sorts are linear: counting sorts over the small key
ranges (`lamina.backends.table_kernels`; `numpy.lexsort` where a range is large), and for
one target part the merge moves whole segments (each one copied run), never single
synapses through an index array. `unbuild` turns the CSR back into pieces (connections
added after a run, delays changed, cells added: rare).

A projection's connection order (what get/set and `ids` use) is canonical: by source row,
target row and delay, ties in insertion order. It depends neither on the number of
target parts (threads) nor on whether the CSR is built.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lamina.backends.table_kernels import (copy_runs, counting_scatter, fill_runs,
                                          pack_keys, stable_order)

BUCKET = 256        # source rows per piece
#: the CSR holds its targets as uint16 when all encoded targets are below this (a ring
#: buffer of at most 65,536 columns: e.g. 32,768 cells with two receptors), else int32
TARGETS_16 = 1 << 16
_RELEASE = 1 << 16  # buckets of at least this many synapses give memory back when placed
_I64 = np.int64
_I32 = np.int32


@dataclass(eq=False)
class Piece:
    """Connections of one projection from the source rows of one bucket."""
    pid: int
    seq: int                 # insertion rank among the projection's pieces
    n_enc: int               # cell count the targets are encoded with
    tgt: np.ndarray          # int32 receptor * n_enc + target row
    w: np.ndarray            # float64 weight (a read-only broadcast if all are equal)
    seg_row: np.ndarray      # int32 source row of each segment
    seg_delay: np.ndarray    # int32 delay [steps] of each segment
    seg_len: np.ndarray      # int64 synapses in each segment

    def rows(self) -> np.ndarray:
        return np.repeat(self.seg_row, self.seg_len)

    def delays(self) -> np.ndarray:
        return np.repeat(self.seg_delay, self.seg_len)


def _runs(*keys: np.ndarray) -> np.ndarray:
    """Start index of every run of equal consecutive keys (sorted arrays)."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, _I64)
    change = np.zeros(n, bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    return np.flatnonzero(change)


def make_pieces(pid: int, seq: int, n_enc: int, rows: np.ndarray, tgt: np.ndarray,
                w: np.ndarray, delay: np.ndarray) -> list[Piece]:
    """Pieces of connections given in insertion order (rows, targets, weights, delay steps)."""
    w = np.asarray(w, dtype=float)
    one = _uniform(w)
    packed = pack_keys(rows, delay)
    if packed is not None:
        return _counted_pieces(pid, seq, n_enc, packed, tgt, w, one)
    order = np.lexsort((delay, rows))      # stable: insertion order among equals
    rows, tgt, delay = rows[order], tgt[order].astype(_I32, copy=False), delay[order]
    if one is None:
        w = w[order]
    del order
    out = []
    cuts = _runs(rows // BUCKET)
    for a, b in zip(cuts, [*cuts[1:], len(rows)]):
        r, d = rows[a:b], delay[a:b]
        starts = _runs(r, d)
        piece_w = (np.broadcast_to(one, (b - a,)) if one is not None
                   else _compact(w[a:b]))
        out.append(Piece(pid, seq, n_enc, tgt[a:b].copy(), piece_w,
                         r[starts].astype(_I32), d[starts].astype(_I32),
                         np.diff(np.append(starts, b - a)).astype(_I64)))
    return out


def _counted_pieces(pid: int, seq: int, n_enc: int,
                    packed: tuple[np.ndarray, list[tuple[int, int]]], tgt: np.ndarray,
                    w: np.ndarray, one: np.ndarray | None) -> list[Piece]:
    """`make_pieces` by counting sort, for (source row, delay) keys of a small range:
    one pass counts the keys, one writes the targets (and weights) in sorted order."""
    key, ((r_lo, n_r), (d_lo, n_d)) = packed
    counts, tgt = counting_scatter(key, n_r * n_d, tgt.astype(_I32, copy=False))
    if one is None:
        w = counting_scatter(key, n_r * n_d, np.ascontiguousarray(w))[1]
    del key
    seg_key = np.flatnonzero(counts)
    seg_len = counts[seg_key]
    seg_row = (seg_key // n_d + r_lo).astype(_I32)
    seg_delay = (seg_key % n_d + d_lo).astype(_I32)
    del counts, seg_key
    ends = np.cumsum(seg_len)
    out = []
    cuts = _runs(seg_row // BUCKET)
    for s0, s1 in zip(cuts, [*cuts[1:], len(seg_row)]):
        a, b = int(ends[s0] - seg_len[s0]), int(ends[s1 - 1])
        piece_w = np.broadcast_to(one, (b - a,)) if one is not None else _compact(w[a:b])
        out.append(Piece(pid, seq, n_enc, tgt[a:b].copy(), piece_w, seg_row[s0:s1].copy(),
                         seg_delay[s0:s1].copy(), seg_len[s0:s1].copy()))
    return out


def _uniform(w: np.ndarray) -> np.ndarray | None:
    """The one value (a float64 array of length 1) of `w` if all its values are
    bit-for-bit equal (a broadcast is recognised without reading it), else None."""
    if len(w) == 0:
        return None
    if w.ndim == 1 and w.strides[0] == 0:
        return w[:1].copy()
    bits = w.view(_I64)
    return w[:1].copy() if np.all(bits == bits[0]) else None


def _compact(w: np.ndarray) -> np.ndarray:
    """`w` as float64: a read-only broadcast of one value if all are bit-for-bit equal
    (common: one weight per projection), costing nothing per synapse; else a copy."""
    w = np.asarray(w, dtype=float)
    if len(w) > 1:
        one = _uniform(w)
        if one is not None:
            return np.broadcast_to(one, w.shape)
    return w.copy()


def _lookup(values: dict[int, float], keys: np.ndarray) -> np.ndarray:
    """``values[k]`` for every k of `keys` (float64)."""
    if not values:
        return np.zeros(len(keys))
    k = np.array(sorted(values), _I64)
    v = np.array([values[int(x)] for x in k])
    return v[np.searchsorted(k, keys)]


def _run_weights(w: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Per run of `lens` consecutive entries of `w` (all lens > 0): its value where all are
    bit-for-bit equal and not NaN, else NaN."""
    if len(lens) == 0:
        return np.zeros(0)
    s = np.cumsum(lens) - lens
    bits = np.ascontiguousarray(w).view(_I64)
    first = w[s]
    same = (np.minimum.reduceat(bits, s) == np.maximum.reduceat(bits, s)) & ~np.isnan(first)
    return np.where(same, first, np.nan)


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + l)`` for every (s, l)."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, _I64)
    first = np.cumsum(lens) - lens
    return np.repeat(starts - first, lens) + np.arange(total, dtype=_I64)


class StaticStore:
    """All static connections of an `EngineBackend` (see the module docstring)."""

    def __init__(self) -> None:
        self.pending: dict[int, list[Piece]] = {}   # bucket -> pieces
        self.n: dict[int, int] = {}                  # projection -> number of connections
        self._seq = 0
        self._old = -1                               # seq of unbuilt pieces: before all new
        self.dirty = True
        self.csr: tuple[np.ndarray, ...] | None = None   # indptr, tgt, kernel weights
        self.n0 = 0                                  # cell count the CSR targets encode
        self.seg: dict[str, np.ndarray] = {}         # row, delay, proj, start, len
        self._runs: tuple[np.ndarray, ...] | None = None   # `one_to_one_runs`, cached
        self._bounds: np.ndarray | None = None        # row cuts of the target parts (`build`)

    # -- adding ----------------------------------------------------------------------
    def add(self, pid: int, n_enc: int, rows: np.ndarray, tgt: np.ndarray, w: np.ndarray,
            delay: np.ndarray) -> None:
        """Append connections to projection `pid` (arrays in insertion order)."""
        self.n[pid] = self.n.get(pid, 0) + len(rows)
        self._seq += 1
        self._keep(make_pieces(pid, self._seq, n_enc, rows, tgt, w, delay))
        self.dirty = True

    def _keep(self, pieces: list[Piece]) -> None:
        for p in pieces:
            self.pending.setdefault(int(p.seg_row[0]) // BUCKET, []).append(p)

    # -- the CSR ---------------------------------------------------------------------
    def unbuild(self) -> None:
        """Turn the CSR back into pieces (keeps every projection's order)."""
        if self.csr is None:
            return
        seq, self._old = self._old, self._old - 1
        for pid in np.unique(self.seg["proj"]).tolist():
            pos, rows, delay, w = self._built_positions(pid)
            self._keep(make_pieces(pid, seq, self.n0, rows, self.csr[1][pos], w, delay))
            del pos, rows, delay, w
        self.csr, self.seg, self._runs = None, {}, None
        self.dirty = True

    def build(self, N: int, T: int,
              release: Callable[[], None] = lambda: None,
              bounds: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """The CSR for `N` cells in `T` target parts: (indptr, tgt, w). indptr has shape
        (N + 1,) for T == 1, else (T, N + 1) with global positions. Part t holds the
        synapses onto rows ``bounds[t] .. bounds[t+1]-1`` (int64, T + 1 cuts; default:
        equal row counts, ``ceil(N t / T)``). `release` is called after each large bucket
        (to give the freed pieces back to the system)."""
        self.unbuild()
        self._bounds = bounds
        counts = np.zeros((T, N), _I64)
        for b, plist in self.pending.items():
            r0 = b * BUCKET
            r1 = min(r0 + BUCKET, N)
            for p in plist:
                if T == 1:   # from the segments, without expanding them per synapse
                    counts[0, r0:r1] += np.bincount(p.seg_row - r0, weights=p.seg_len,
                                                    minlength=r1 - r0).astype(_I64)
                    continue
                key = p.rows().astype(_I64) - r0
                key += self._part(p.tgt % p.n_enc, N, T) * (r1 - r0)
                counts[:, r0:r1] += np.bincount(key, minlength=T * (r1 - r0)).reshape(T, -1)
        flat = np.cumsum(counts.ravel()).reshape(T, N)
        del counts
        indptr = np.zeros((T, N + 1), _I64)
        if N:
            indptr[:, 1:] = flat
            indptr[1:, 0] = flat[:-1, -1]
        nnz = int(flat[-1, -1]) if N else 0
        del flat
        one_w = self._projection_weights()
        # per-synapse weights only where a projection's weights differ; room behind them
        # for the group weights (at most T per piece segment), so that `kernel_weights`
        # is a view, not a copy
        g_max = T * sum(len(p.seg_row) for plist in self.pending.values() for p in plist)
        buf = np.empty(0 if one_w is not None else nnz + g_max)
        tgt, w = np.empty(nnz, _I32), (None if one_w is not None else buf[:nnz])
        segs: dict[str, list[np.ndarray]] = {k: [] for k in ("row", "delay", "proj", "start")}
        for b in sorted(self.pending):
            plist = self.pending.pop(b)
            big = sum(len(p.tgt) for p in plist) >= _RELEASE
            self._place(b, plist, N, T, indptr, tgt, w, segs)
            del plist
            if big:
                release()
        self.seg = {k: np.concatenate(v) if v else np.zeros(0, _I64) for k, v in segs.items()}
        self.seg["len"] = self._segment_lengths(indptr, nnz)
        self.seg["w"] = (self._segment_weights(w) if w is not None
                         else _lookup(one_w or {}, self.seg["proj"]))
        order = np.argsort(self.seg["start"], kind="stable")
        n_g = len(order)
        kw = np.empty(n_g) if w is None else buf[:nnz + n_g]
        kw[len(kw) - n_g:] = self.seg["w"][order]
        if nnz and int(tgt.max()) < TARGETS_16:   # compact: 2 B per synapse streamed
            tgt = tgt.astype(np.uint16)
        self.csr = (indptr if T > 1 else indptr[0].copy(), tgt, kw)
        self.n0, self.dirty, self._runs = N, False, None
        return self.csr

    def _projection_weights(self) -> dict[int, float] | None:
        """The one weight of each projection when every pending piece holds one weight (a
        broadcast) and all pieces of a projection the same one, bit for bit, and none is
        NaN (the kernels' mark of a group without one weight); else None."""
        first: dict[int, np.ndarray] = {}
        for plist in self.pending.values():
            for p in plist:
                if len(p.w) > 1 and p.w.strides[0] != 0:
                    return None
                v = first.setdefault(p.pid, p.w[:1])
                if np.isnan(v[0]) or v.view(_I64)[0] != p.w[:1].view(_I64)[0]:
                    return None
        return {pid: float(v[0]) for pid, v in first.items()}

    def _segment_weights(self, w: np.ndarray) -> np.ndarray:
        """Per segment: its weight where all of its weights are bit-for-bit equal (and not
        NaN), else NaN (the kernels then read the per-synapse weights)."""
        order = np.argsort(self.seg["start"], kind="stable")
        out = np.empty(len(order))
        out[order] = _run_weights(w, self.seg["len"][order])   # segments tile the CSR
        return out

    def kernel_weights(self) -> np.ndarray:
        """The weights as the kernels read them (see `kernels.deliver_at`): the per-synapse
        weights in CSR order (none when every group has one weight), followed by one entry
        per delay group (in `delay_groups` order): the group's weight, or NaN where its
        synapses' weights differ."""
        return self._built_csr()[2]

    def _per_synapse(self) -> np.ndarray | None:
        """The per-synapse part of the kernel weights, None where every group has one."""
        kw, tgt = self._built_csr()[2], self._built_csr()[1]
        return kw[:len(tgt)] if len(kw) > len(self.seg["start"]) else None

    def synapse_weights(self) -> np.ndarray:
        """The weight of every synapse, in CSR order (a new array)."""
        w = self._per_synapse()
        if w is not None:
            return w.copy()
        order = np.argsort(self.seg["start"], kind="stable")
        return np.repeat(self.seg["w"][order], self.seg["len"][order])

    def _built_csr(self) -> tuple[np.ndarray, ...]:
        """The built CSR ``(indptr, tgt, w)``; only called while it is built."""
        if self.csr is None:
            raise RuntimeError("the static CSR is not built")
        return self.csr

    def delay_groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The built CSR's segments in CSR order as the kernels' delay groups: ``row_grp``
        (T, N + 1: the groups of row r in part t are ``row_grp[t, r] ..
        row_grp[t, r+1]``), ``grp_delay`` [steps, int32] and ``grp_ptr`` (CSR positions,
        int64, one more than groups)."""
        indptr = self._built_csr()[0].reshape(-1, self._built_csr()[0].shape[-1])   # (T, N + 1)
        start = self.seg["start"]
        order = np.argsort(start, kind="stable")
        starts = start[order]
        grp_ptr = np.append(starts, len(self._built_csr()[1])).astype(_I64)
        grp_delay = self.seg["delay"][order].astype(_I32)
        row_grp = np.searchsorted(starts, indptr, side="left").astype(_I64)
        return row_grp, grp_delay, grp_ptr

    def synapses_from(self, N: int) -> np.ndarray:
        """Static synapses from each of the `N` source rows (int64), built or not."""
        if self.csr is not None:
            return self.synapses_per_row()
        out = np.zeros(N, _I64)
        for plist in self.pending.values():
            for p in plist:
                out += np.bincount(p.seg_row, weights=p.seg_len, minlength=N).astype(_I64)
        return out

    def synapses_per_row(self) -> np.ndarray:
        """Static synapses from each source row in the built CSR (int64, all parts)."""
        indptr = self._built_csr()[0].reshape(-1, self._built_csr()[0].shape[-1])
        return np.diff(indptr, axis=1).sum(axis=0)

    def one_to_one_runs(self) -> tuple[np.ndarray, ...]:
        """Runs of consecutive source rows of one projection whose segments in the built
        CSR hold one synapse each, onto consecutive targets of one receptor, with one delay
        and one weight (bit for bit; a OneToOneConnector with one weight and delay gives one
        run per projection): ``(src0, src1, tgt0, delay, w)``, the rows src0..src1-1 going
        to encoded targets (``receptor * N + row``) tgt0, tgt0 + 1, ... Cached until the CSR
        or a weight changes. Other synapses from the same rows are not excluded (see
        `synapses_per_row`)."""
        if self._runs is None:
            self._runs = self._find_runs()
        return self._runs

    def _find_runs(self) -> tuple[np.ndarray, ...]:
        seg = self.seg
        one = np.flatnonzero(seg["len"] == 1) if "len" in seg else np.zeros(0, _I64)
        if len(one) == 0:
            z = np.zeros(0, _I64)
            return z, z, z, z, np.zeros(0)
        row, proj = seg["row"][one].astype(_I64), seg["proj"][one].astype(_I64)
        order = np.lexsort((row, proj))
        one, row, proj = one[order], row[order], proj[order]
        tgt = self._built_csr()[1][seg["start"][one]].astype(_I64)
        delay, w = seg["delay"][one].astype(_I64), seg["w"][one]
        new = np.ones(len(one), bool)
        if len(one) > 1:
            bits = w.view(_I64)
            new[1:] = ((proj[1:] != proj[:-1]) | (row[1:] != row[:-1] + 1)
                       | (tgt[1:] != tgt[:-1] + 1) | (tgt[1:] // self.n0 != tgt[:-1] // self.n0)
                       | (delay[1:] != delay[:-1]) | (bits[1:] != bits[:-1]))
        first = np.flatnonzero(new)
        last = np.append(first[1:], len(one)) - 1
        keep = ~np.isnan(w[first])   # NaN: the mark of no one weight (never a run's)
        first, last = first[keep], last[keep]
        return (row[first], row[last] + 1, tgt[first], delay[first], w[first].copy())

    def _part(self, post: np.ndarray, N: int, T: int) -> np.ndarray:
        """The target part of each target row in `post` (see `build`'s `bounds`)."""
        if self._bounds is None:
            return (post.astype(_I64) * T) // N
        return np.searchsorted(self._bounds, post, side="right").astype(_I64) - 1

    def _place(self, b: int, plist: list[Piece], N: int, T: int, indptr: np.ndarray,
               tgt: np.ndarray, w: np.ndarray | None,
               segs: dict[str, list[np.ndarray]]) -> None:
        """Write the pieces of bucket `b` into the CSR arrays and note their segments."""
        plist.sort(key=lambda p: (p.pid, p.seq))
        if T == 1:
            self._place_segments(b, plist, N, indptr, tgt, w, segs)
            return
        rows = np.concatenate([p.rows() for p in plist])
        delay = np.concatenate([p.delays() for p in plist])
        t_new = np.concatenate([p.tgt if p.n_enc == N else
                                ((p.tgt // p.n_enc) * _I32(N) + p.tgt % p.n_enc).astype(_I32)
                                for p in plist])
        ws = np.concatenate([p.w for p in plist]) if w is not None else None
        proj = np.concatenate([np.full(len(p.tgt), p.pid, _I32) for p in plist])
        del plist[:]
        part = (self._part(t_new % _I32(N), N, T) if T > 1
                else np.zeros(len(rows), _I64))
        order = stable_order(part, rows, delay)   # stable: projection, insertion
        rows, delay, proj, part = (a[order] for a in (rows, delay, proj, part))
        r0, r1 = b * BUCKET, min(b * BUCKET + BUCKET, N)
        lo = np.searchsorted(part, np.arange(T))
        hi = np.searchsorted(part, np.arange(T), side="right")
        shift = indptr[:, r0] - lo          # local sorted index -> CSR position, per part
        for t in range(T):
            a, e = int(indptr[t, r0]), int(indptr[t, r1])
            sel = order[lo[t]:hi[t]]
            np.take(t_new, sel, out=tgt[a:e])
            if w is not None and ws is not None:
                np.take(ws, sel, out=w[a:e])
        del order, t_new, ws
        starts = _runs(part, rows, delay, proj)
        segs["row"].append(rows[starts].astype(_I32))
        segs["delay"].append(delay[starts].astype(_I32))
        segs["proj"].append(proj[starts])
        segs["start"].append(starts + shift[part[starts]])

    @staticmethod
    def _place_segments(b: int, plist: list[Piece], N: int, indptr: np.ndarray,
                        tgt: np.ndarray, w: np.ndarray | None,
                        segs: dict[str, list[np.ndarray]]) -> None:
        """`_place` for one target part, by whole segments: the pieces' segments (in
        (projection, insertion) order) sorted stably by (source row, delay) give the CSR
        order, and each is copied as one run; adjacent ones of one projection merge."""
        n_seg = [len(p.seg_row) for p in plist]
        row = np.concatenate([p.seg_row for p in plist])
        delay = np.concatenate([p.seg_delay for p in plist])
        lens = np.concatenate([p.seg_len for p in plist])
        proj = np.repeat(np.array([p.pid for p in plist], _I32), n_seg)
        order = stable_order(row, delay)
        row, delay, proj = row[order], delay[order], proj[order]
        dst = np.empty(len(order), _I64)
        sorted_lens = lens[order]
        dst[order] = int(indptr[0, b * BUCKET]) + np.cumsum(sorted_lens) - sorted_lens
        a = 0
        for p, k in zip(plist, n_seg):
            sl = slice(a, a + k)
            a += k
            src = np.cumsum(p.seg_len) - p.seg_len
            ptgt = p.tgt if p.n_enc == N else (
                (p.tgt // p.n_enc) * _I32(N) + p.tgt % p.n_enc).astype(_I32)
            copy_runs(ptgt, src, p.seg_len, tgt, dst[sl])
            if w is None:
                continue
            if len(p.w) > 1 and p.w.strides[0] == 0:
                fill_runs(w, dst[sl], p.seg_len, float(p.w[0]))
            else:
                copy_runs(np.ascontiguousarray(p.w), src, p.seg_len, w, dst[sl])
        del plist[:]
        starts = _runs(row, delay, proj)
        segs["row"].append(row[starts])
        segs["delay"].append(delay[starts])
        segs["proj"].append(proj[starts])
        segs["start"].append(dst[order][starts])

    def _segment_lengths(self, indptr: np.ndarray, nnz: int) -> np.ndarray:
        """Length of every segment: up to the next segment's start in CSR order."""
        start = self.seg["start"]
        order = np.argsort(start, kind="stable")
        ends = np.empty_like(start)
        ends[order[:-1]] = start[order[1:]]
        if len(order):
            ends[order[-1]] = nnz
        return ends - start

    def _built_segments(self, pid: int) -> np.ndarray:
        """Indices of a projection's segments, in CSR order."""
        sel = np.flatnonzero(self.seg["proj"] == pid)
        return sel[np.argsort(self.seg["start"][sel], kind="stable")]

    def _built_positions(self, pid: int) -> tuple[np.ndarray, ...]:
        """(CSR positions, source rows, delay steps, weights) of a projection's
        connections, in CSR order; the weights are a broadcast where all are equal."""
        sel = self._built_segments(pid)
        lens = self.seg["len"][sel]
        pos = _ranges(self.seg["start"][sel], lens)
        per_syn, seg_w = self._per_synapse(), self.seg["w"][sel]
        if per_syn is not None:
            w = per_syn[pos]
        elif len(seg_w) and np.all(seg_w.view(_I64) == seg_w[:1].view(_I64)):
            w = np.broadcast_to(seg_w[:1], pos.shape)
        else:
            w = np.repeat(seg_w, lens)
        return (pos, np.repeat(self.seg["row"][sel], lens),
                np.repeat(self.seg["delay"][sel], lens), w)

    def _set_built_weights(self, pid: int, pos: np.ndarray, w: np.ndarray) -> bool:
        """Set the weights (CSR order) of a built projection in place; False (nothing
        changed) where that needs per-synapse weights the CSR does not hold."""
        sel = self._built_segments(pid)
        seg_w = _run_weights(w, self.seg["len"][sel])
        per_syn = self._per_synapse()
        if per_syn is None and np.isnan(seg_w).any():
            return False
        if per_syn is not None:
            per_syn[pos] = w
        self.seg["w"][sel] = seg_w
        self._runs = None
        kw = self._built_csr()[2]
        n_g = len(self.seg["start"])
        group = np.empty(n_g, _I64)
        group[np.argsort(self.seg["start"], kind="stable")] = np.arange(n_g)
        kw[len(kw) - n_g + group[sel]] = seg_w
        return True

    # -- one projection in connection order ------------------------------------------
    def _pieces_of(self, pid: int) -> list[Piece]:
        return sorted((p for b in sorted(self.pending) for p in self.pending[b] if p.pid == pid),
                      key=lambda p: p.seq)   # stable: buckets in order within a seq

    def _gather(self, pid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                         list[Piece] | np.ndarray]:
        """(source rows, target rows, delay steps, weights, where) of a projection in
        storage order; `where` is the CSR positions or the list of pieces. A projection
        held partly in the CSR and partly in pieces is first moved wholly into pieces."""
        in_csr = self.csr is not None and bool(np.any(self.seg["proj"] == pid))
        pieces = self._pieces_of(pid)
        if in_csr and pieces:
            self.unbuild()
            in_csr, pieces = False, self._pieces_of(pid)
        if in_csr:
            pos, rows, delay, w = self._built_positions(pid)
            tgt = self._built_csr()[1][pos]
            return rows, tgt % self.n0, delay, np.ascontiguousarray(w), pos
        if not pieces:
            z = np.zeros(0, _I32)
            return z, z, z, np.zeros(0), []
        return (np.concatenate([p.rows() for p in pieces]),
                np.concatenate([p.tgt % p.n_enc for p in pieces]),
                np.concatenate([p.delays() for p in pieces]),
                np.concatenate([p.w for p in pieces]), pieces)

    @staticmethod
    def _order(rows: np.ndarray, post: np.ndarray, delay: np.ndarray) -> np.ndarray:
        """Storage order -> connection order: by source, target, delay; ties as stored."""
        return np.lexsort((delay, post, rows))

    def rows(self, pid: int) -> tuple[np.ndarray, np.ndarray]:
        """(source rows, target rows) in connection order."""
        rows, post, delay, _, _ = self._gather(pid)
        order = self._order(rows, post, delay)
        return rows[order], post[order]

    def get(self, pid: int, name: str, dt: float) -> np.ndarray:
        """'weight' or 'delay' [ms] of every connection, in connection order."""
        rows, post, delay, w, _ = self._gather(pid)
        order = self._order(rows, post, delay)
        return w[order] if name == "weight" else delay[order] * dt

    def set(self, pid: int, name: str, values: np.ndarray) -> None:
        """Set 'weight' (float64) or 'delay' (int32 steps), given in connection order."""
        rows, post, delay, w, where = self._gather(pid)
        if name == "delay" and isinstance(where, np.ndarray):
            # delays of built connections regroup them: back to pieces, whose storage
            # order differs from the CSR's, then set there
            del rows, post, delay, w, where
            self.unbuild()
            return self.set(pid, name, values)
        stored = np.empty(len(rows), values.dtype)
        stored[self._order(rows, post, delay)] = values
        del rows, post, delay, w
        if isinstance(where, np.ndarray):
            if not self._set_built_weights(pid, where, stored):
                # weights that differ within a group the CSR keeps one weight for: back
                # to pieces, which hold them per synapse
                del stored
                self.unbuild()
                return self.set(pid, name, values)
            return
        off = 0
        for p in where:
            k = len(p.tgt)
            if name == "weight":
                p.w = _compact(stored[off:off + k])
            else:
                self.pending[int(p.seg_row[0]) // BUCKET].remove(p)
                self._keep(make_pieces(pid, p.seq, p.n_enc, p.rows(), p.tgt, p.w,
                                       stored[off:off + k]))
                self.dirty = True
            off += k
