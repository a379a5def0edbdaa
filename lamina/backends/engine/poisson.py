"""SpikeSourcePoisson inside the compiled step loop: a counter-based Poisson generator.

Each Poisson cell has a 52-bit key (param row ``P_PKEY``, an integer held as a float64)
derived from ``(rng_seed, reset segment, cell ID)`` (`backend.EngineBackend._set_rng_keys`);
the generator reads the 64 bits of that float64 (``b``, a one-to-one function of the key).
In step ``n`` (emission step, spike stamp ``n+1``) an active cell (``round(start/dt) <= n <
round((start+duration)/dt)``) emits ``K ~ Poisson(rate dt / 1000)`` spikes. The uniforms of
that draw are

    ``x_j = splitmix64(b ^ splitmix64(n * C1 + j * C2 + 1)) >> 11``,  ``u_j = x_j / 2^53``

(53 bits, j = 0, 1, ...): one SplitMix64 round per uniform, the one of the counter shared
by all cells of a step. A realisation is a pure function of (key, step, j): it does not
depend on how a simulation is split into runs, on the chunk size, on the order of
evaluation, on threads, or on whether the cell's counts are delivered through the spike
buffer and the CSR or directly (`direct_deliver`).

Method: exact inversion of the Poisson CDF with one uniform for means up to
`INVERSION_MAX` (= 10): K is the number of partial sums ``f_k`` of the sequential search
(``p = exp(-lam); f = p``, then ``p *= lam / k; f += p``) below ``u_0``, i.e. the number of
integer thresholds ``floor(f_k 2^53)`` below ``x_0`` (the same comparison: ``x > floor(f
2^53)`` exactly when ``u = x / 2^53 > f``; branch-free and vectorised over cells for the
first 8 terms, which hold all but 0.1 % of the counts at lam = 2); above `INVERSION_MAX` Hörmann's PTRS transformed rejection (W. Hörmann 1993, "The
transformed rejection method for generating Poisson random variables", as in numpy's
``random_poisson_ptrs``), both exact in distribution.

Direct delivery (`direct_deliver`): a Poisson source whose only static synapse goes
one-to-one, with the weight and delay of its whole block of sources, onto a cell needs no
spike buffer nor CSR: in the delivery of its emission step, at the place of its row in the
canonical order (see `windows`), the thread that owns the target draws the count and adds
``K x weight`` to the target's ring slot. The sum is the same number, added at the same
place, as through the CSR (``float(K) * w``; K = 0 adds a zero, which leaves every ring value
unchanged: no ring value is ever -0.0), so results are bitwise those of the CSR path.
`inputs.direct_poisson_plan` chooses the blocks; their descriptors follow the table's
``meta`` (see `new_table`).
"""
from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from lamina.backends.engine.counter_rng import GOLDEN, MIX1, MIX2
from lamina.backends.engine.counter_rng import mix64 as _mix
from lamina.backends.engine.models import P_PKEY, P_PLAM, P_PSTART_STEP, P_PSTOP_STEP

INVERSION_MAX = 10.0

_C1 = np.uint64(GOLDEN)
_C2 = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(MIX1)
_M2 = np.uint64(MIX2)
_TWO53 = 9007199254740992.0


@njit(cache=True, inline="always")
def _counter(n, j):
    """The mixed counter of step n, draw j (shared by all cells)."""
    return _mix(np.uint64(n) * _C1 + np.uint64(j) * _C2 + np.uint64(1))


@njit(cache=True, inline="always")
def _bits53(b, c):
    """The 53-bit integer x of a cell with key bits `b` for the mixed counter `c`."""
    return np.int64(_mix(b ^ c) >> np.uint64(11))


@njit(cache=True, inline="always")
def _uniform(b, n, j):
    """Uniform in [0, 1) (53 bits) for (key bits b, step n, draw j)."""
    return float(_bits53(np.uint64(b), _counter(n, j))) * (1.0 / _TWO53)


@njit(cache=True)
def poisson_count(b, n, lam):
    """Poisson(lam) count for (key bits b, step n); see the module docstring."""
    if lam <= 0.0:
        return 0
    if lam <= INVERSION_MAX:
        u = _uniform(b, n, 0)
        p = math.exp(-lam)
        f = p
        k = 0
        while u > f and k < 1000:
            k += 1
            p *= lam / k
            f += p
        return k
    # PTRS (Hörmann 1993)
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b_ = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b_
    invalpha = 1.1239 + 1.1328 / (b_ - 3.4)
    vr = 0.9277 - 3.6224 / (b_ - 2.0)
    j = 0
    while True:
        U = _uniform(b, n, j) - 0.5
        V = _uniform(b, n, j + 1)
        j += 2
        us = 0.5 - abs(U)
        k = np.int64(math.floor((2.0 * a / us + b_) * U + lam + 0.43))
        if us >= 0.07 and V <= vr:
            return k
        if k < 0 or (us < 0.013 and V > us):
            continue
        if (math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b_)
                <= -lam + k * loglam - math.lgamma(k + 1.0)):
            return k


TABLE_SIZE = 1001   # the inversion stops at k = 1000 at the latest
#: ``meta`` of a table: [lam, last p, length, number of direct blocks, blocks ...]
META_BLOCKS = 3
#: fields of one direct block in ``meta`` (after ``META_BLOCKS + 1``): first and end source
#: row, target row of the first source, ring column of that target, delay [steps], weight,
#: mean count per step, first active and first inactive step
BLOCK_FIELDS = 9
_SRC0, _SRC1, _TGT0, _COL0, _DELAY, _W, _LAM, _START, _STOP = range(BLOCK_FIELDS)
#: cells per pass of `direct_deliver` (its scratch)
DIRECT_CHUNK = 256


def new_table(blocks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """An empty CDF table for `poisson_events`: (values, meta = [lam, last p, length,
    B, then the B direct blocks]). `blocks` (float64, shape (B, `BLOCK_FIELDS`), sorted by
    first source row, disjoint; `inputs.direct_poisson_plan`): the Poisson sources
    delivered by `direct_deliver`, which `poisson_events` then skips."""
    b = np.zeros((0, BLOCK_FIELDS)) if blocks is None else np.asarray(blocks, float)
    meta = np.concatenate(([np.nan, 0.0, 0.0, float(len(b))], b.ravel()))
    return np.empty(TABLE_SIZE), meta


@njit(cache=True, inline="always")
def direct_blocks(meta):
    """Number of direct blocks in `meta`."""
    return np.int64(meta[META_BLOCKS])


@njit(cache=True, inline="always")
def direct_field(meta, b, f):
    """Field `f` of direct block `b` in `meta`."""
    return meta[META_BLOCKS + 1 + BLOCK_FIELDS * b + f]


@njit(cache=True)
def _extend(u, k, lam, cdf, meta):
    """Continue the inversion past the table's end (k = its length), extending it."""
    p = meta[1]
    n_ok = k
    while k < 1000:
        if k == n_ok:
            p *= lam / k
            cdf[k] = cdf[k - 1] + p
            n_ok += 1
        if u <= cdf[k]:
            break
        k += 1
    meta[1] = p
    meta[2] = n_ok
    return k


_BLOCK = 8


@njit(cache=True, inline="always")
def _count(u, k0, lam, cdf, meta):
    """Number of table entries f_k < u, given that the first k0 (a multiple of 8, <= the
    table's length) all are; extends the table when u lies beyond it.

    The CDF is nondecreasing, so the first k with u <= f_k is the number of f_k < u:
    branch-free counts over blocks of 8 entries (SIMD), the next block only when all of
    the block's entries are below u."""
    t_n = np.int64(meta[2])
    c = np.int64(k0)
    while True:
        k1 = k0 + _BLOCK
        if k1 > t_n:
            k1 = t_n
        for k in range(k0, k1):
            c += u > cdf[k]
        if c < k1 or k1 == t_n:
            break
        k0 = k1
    if c == t_n:
        c = _extend(u, c, lam, cdf, meta)
    return c


@njit(cache=True, inline="always")
def _restart(lam, cdf, meta):
    """Start the table over for mean `lam` (one entry) if it holds another mean."""
    if lam != meta[0]:
        cdf[0] = math.exp(-lam)
        meta[0] = lam
        meta[1] = cdf[0]
        meta[2] = 1.0


@njit(cache=True, inline="always")
def _first_block(lam, cdf, meta):
    """The table of `lam` with at least `_BLOCK` entries (by the search's recurrence)."""
    _restart(lam, cdf, meta)
    t_n = np.int64(meta[2])
    if t_n < _BLOCK:
        p = meta[1]
        for k in range(t_n, _BLOCK):
            p *= lam / k
            cdf[k] = cdf[k - 1] + p
        meta[1] = p
        meta[2] = float(_BLOCK)


@njit(cache=True, inline="always")
def _threshold(f):
    """floor(f 2^53) for a table entry f >= 0: x > it exactly when x / 2^53 > f."""
    return np.int64(f * _TWO53)


@intrinsic
def _float_bits(typingctx, x):
    """The 64 bits of a float64 as a uint64 (what ``.view(np.uint64)`` gives, without
    compiling numba's array view for it)."""
    sig = types.uint64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return sig, codegen


@njit(cache=True, inline="always")
def _events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta, high_mean):
    """Append (row, count) of the Poisson cells i0..i1-1 spiking in step n, except the
    rows of the direct blocks of `meta` (those are drawn where they are delivered,
    `direct_deliver`); return the new fill level. Reads the derived rows
    ``P_PSTART_STEP``, ``P_PSTOP_STEP``, ``P_PLAM``. ``ev_row`` and ``ev_cnt`` must hold
    ``nev + (i1 - i0)`` entries: the tail of ``ev_row`` serves as scratch (the counts of a
    one-rate run of cells), and so does row 0 of the step loop's scratch ``work`` at the
    cells' columns (their uniforms; no model update uses the columns of Poisson cells).
    Counts of means above `INVERSION_MAX` come from ``high_mean(key bits, n, lam)``
    (`poisson_count`).

    Counts up to `INVERSION_MAX` come from inversion with one uniform, reading the CDF from
    the caller's table `cdf` (`new_table`; ``meta = [lam, last p, length, ...]``). The
    table holds the partial sums ``f_k`` of exactly the sequential search, is extended by
    that recurrence as far as needed and restarted when the mean changes: the count equals
    the search's bitwise, while a run of sources with one rate pays the exp and the
    divisions once. The uniforms of a run are drawn in one pass (SIMD); a run with one
    rate is counted across cells against the first `_BLOCK` table entries (SIMD; ``u > f``
    is exactly ``x > floor(f 2^53)`` for the 53-bit integer ``x = u 2^53``).

    Written as one function, with the helpers of `direct_deliver` spelled out: numba
    inlines ``inline="always"`` helpers call site by call site, and its compile time grew
    with each (one function here compiles in about half the time)."""
    nb = np.int64(meta[META_BLOCKS])
    # the mixed counter of step n, draw 0 (`_counter`)
    c0 = np.uint64(n) * _C1 + np.uint64(1)
    c0 = (c0 ^ (c0 >> np.uint64(30))) * _M1
    c0 = (c0 ^ (c0 >> np.uint64(27))) * _M2
    c0 = c0 ^ (c0 >> np.uint64(31))
    b = 0
    cur = i0
    while cur < i1:
        f0 = META_BLOCKS + 1 + BLOCK_FIELDS * b
        while b < nb and meta[f0 + _SRC1] <= cur:
            b += 1
            f0 += BLOCK_FIELDS
        if b < nb and meta[f0 + _SRC0] <= cur:
            cur = np.int64(meta[f0 + _SRC1])   # skip the direct rows
            continue
        end = i1
        if b < nb and meta[f0 + _SRC0] < end:
            end = np.int64(meta[f0 + _SRC0])
        m = end - cur
        # pass 1 (SIMD over cells, no branch): the uniform u_0 of every cell (`_bits53`);
        # inactive cells, and rates <= 0, get u = -1: no spike
        us = work[0, cur:end]
        keys = param[P_PKEY, cur:end]
        start = param[P_PSTART_STEP, cur:end]
        stop = param[P_PSTOP_STEP, cur:end]
        lams = param[P_PLAM, cur:end]
        for j in range(m):
            z = _float_bits(keys[j]) ^ c0
            z = (z ^ (z >> np.uint64(30))) * _M1
            z = (z ^ (z >> np.uint64(27))) * _M2
            z = z ^ (z >> np.uint64(31))
            u = float(np.int64(z >> np.uint64(11))) * (1.0 / _TWO53)
            off = n < start[j] or n >= stop[j] or lams[j] <= 0.0
            us[j] = -1.0 if off else u
        lam0 = lams[0]
        uniform = True
        for j in range(m):
            uniform &= lams[j] == lam0
        cnt = ev_row[nev:nev + m]   # free scratch too, read before written
        pre = 0   # table entries known to lie below u (one-rate pass)
        if uniform and 0.0 < lam0 <= INVERSION_MAX:
            # one rate: count f_k < u for k < 8 across the cells (SIMD over cells); the
            # loop below finishes the rare counts of 8
            _first_block(lam0, cdf, meta)
            for j in range(m):
                cnt[j] = 0
            # = _BLOCK, but not a constant: LLVM would unroll the loop into 8 vectorised
            # copies of the inner loop (a third of this function's compile time)
            nk = min(np.int64(meta[2]), _BLOCK)
            for k in range(nk):
                f = cdf[k]
                for j in range(m):
                    cnt[j] += us[j] > f
            pre = _BLOCK
        for j in range(m):
            u = us[j]
            lam = lams[j]
            c = np.int64(0)
            if u < 0.0:
                pass
            elif lam > INVERSION_MAX:
                c = high_mean(_float_bits(keys[j]), n, lam)
            elif pre > 0 and cnt[j] < pre:
                c = cnt[j]
            else:
                c = _count_from(u, pre, lam, cdf, meta)
            # branch-free append: the slot at nev (at or below cnt[j]'s) is free either way
            ev_row[nev] = cur + j
            ev_cnt[nev] = c
            nev += 1 if c > 0 else 0
        cur = end
    return nev


@njit(cache=True)
def _count_from(u, k0, lam, cdf, meta):
    """`_count` for the table of `lam` (restarted first if it holds another mean): the
    rare counts the one-rate pass of `_events` leaves, compiled once on its own."""
    _restart(lam, cdf, meta)
    return _count(u, k0, lam, cdf, meta)


@njit(cache=True)
def poisson_events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta):
    """`_events` with Hörmann's PTRS for means above `INVERSION_MAX`."""
    return _events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta, poisson_count)


@njit(cache=True)
def _no_high_mean(key, n, lam):
    """Stand-in for `poisson_count` in `poisson_events_low` (never called there)."""
    return np.int64(0)


@njit(cache=True)
def poisson_events_low(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta):
    """`_events` for networks whose Poisson means are all at most `INVERSION_MAX` (the
    step loop then uses this one, see `needs_ptrs`): PTRS is not compiled."""
    return _events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta, _no_high_mean)


@njit(cache=True)
def no_poisson_events(n, i0, i1, param, work, ev_row, ev_cnt, nev, cdf, meta):
    """Stand-in for `poisson_events` in step loops of networks without SpikeSourcePoisson
    cells (never called there)."""
    return nev


@njit(cache=True)
def direct_deliver(n, b, lo, hi, param, ring, cdf, meta, ks):
    """Draw the counts of direct block `b` (of `meta`) for emission step n and add
    ``K x weight`` to the ring slot of their targets among rows lo..hi-1 (the caller's
    part); `ks`: int64 scratch of `DIRECT_CHUNK` entries.

    The block's sources have one mean (0 < lam <= `INVERSION_MAX`) and one activity
    window; the counts are those of `poisson_events` for the same sources (the same x,
    the same table): first, per chunk of cells, the number of the 8 first thresholds
    below x (branch-free, SIMD), then the rare counts of 8 finished from the table."""
    if n < direct_field(meta, b, _START) or n >= direct_field(meta, b, _STOP):
        return
    src0 = np.int64(direct_field(meta, b, _SRC0))
    tgt0 = np.int64(direct_field(meta, b, _TGT0))
    r0 = max(tgt0, lo)
    r1 = min(tgt0 + np.int64(direct_field(meta, b, _SRC1)) - src0, hi)
    if r0 >= r1:
        return
    lam = direct_field(meta, b, _LAM)
    w = direct_field(meta, b, _W)
    _first_block(lam, cdf, meta)
    th = np.empty(_BLOCK, np.int64)
    for q in range(_BLOCK):
        th[q] = _threshold(cdf[q])
    L = ring.shape[0]
    slot = n % L + np.int64(direct_field(meta, b, _DELAY))   # delay < L: one wrap at most
    if slot >= L:
        slot -= L
    col = np.int64(direct_field(meta, b, _COL0)) - tgt0   # ring column = col + target row
    ring_row = ring[slot]
    kb = param[P_PKEY].view(np.uint64)
    c0 = _counter(n, 0)
    off = src0 - tgt0   # source row = off + target row
    for a in range(r0, r1, ks.shape[0]):
        e = min(a + ks.shape[0], r1)
        keys = kb[off + a:off + e]
        for q in range(e - a):   # SIMD: no branch
            x = _bits53(keys[q], c0)
            k = 0
            for z in range(_BLOCK):
                k += x > th[z]
            ks[q] = k
        out = ring_row[col + a:col + e]
        for q in range(e - a):
            k = ks[q]
            if k == _BLOCK:
                x = _bits53(keys[q], c0)
                k = _count(float(x) * (1.0 / _TWO53), _BLOCK, lam, cdf, meta)
            out[q] += k * w


@njit(cache=True)
def no_direct_deliver(n, b, lo, hi, param, ring, cdf, meta, ks):
    """Stand-in for `direct_deliver` in step loops of networks without SpikeSourcePoisson
    cells (never called there: their plans are empty), so that it is not compiled."""
    return


def needs_ptrs(param: np.ndarray, start: int, stop: int) -> bool:
    """Whether any Poisson cell of rows start..stop-1 has a mean count per step above
    `INVERSION_MAX` (then the step loop needs `poisson_events`, else
    `poisson_events_low` draws the same counts)."""
    return bool(np.any(param[P_PLAM, start:stop] > INVERSION_MAX))
