"""The compiled helpers of network construction give exactly what their numpy definitions
give: the FixedNumber sampler (`sampling_kernels`), the counting sort and run copies
(`table_kernels`), and the static store's CSR built from them."""
from __future__ import annotations

import numpy as np
import pytest

from lamina.backends import table_kernels as tk
from lamina.backends.engine import static_store as ss
from lamina.connectors import fixed_number as fn
from lamina.connectors import sampling_kernels as sk


@pytest.mark.parametrize("seed", range(4))
def test_first_distinct_matches_the_sorting_rule(seed):
    gen = np.random.default_rng(seed)
    n_rows = 60
    pool = gen.integers(1, 3000, n_rows)
    target = np.minimum(gen.integers(0, 400, n_rows), pool)
    target[:5] = pool[:5]                               # whole pools
    budget = fn._draw_budget(target, pool)
    budget[5:10] = target[5:10] // 2                    # rows that run short
    draws = gen.random(int(budget.sum()))
    vals, got = sk.first_distinct(draws, pool, target, budget)
    ref_rows, ref_vals = fn._first_distinct_sorting(draws, pool, target, budget)
    assert np.array_equal(got, np.bincount(ref_rows, minlength=n_rows))
    assert (got[5:10] < target[5:10]).any()
    rows = np.repeat(np.arange(n_rows), got)
    order = np.lexsort((ref_vals, ref_rows))
    assert np.array_equal(rows, ref_rows[order])
    assert np.array_equal(vals, ref_vals[order])        # each row ascending


def test_large_pools_take_the_sorting_path_with_the_same_result(monkeypatch):
    counts, pool = np.full(30, 40), np.full(30, 500)
    excluded = np.arange(30) * 7
    fast = fn.choose_per_row(counts, pool - 1, excluded, False, np.random.default_rng(3))
    monkeypatch.setattr(sk, "MAX_POOL", 10)
    slow = fn.choose_per_row(counts, pool - 1, excluded, False, np.random.default_rng(3))
    for a, b in zip(fast, slow):
        assert np.array_equal(a, b) and a.dtype == b.dtype
    rows, cols = fast
    assert np.array_equal(np.bincount(rows), counts)
    assert not np.any(cols == excluded[rows])


@pytest.mark.parametrize("spans", [(5, 3), (40, 1), (1, 1), (3000, 2), (70000, 3)])
def test_stable_order_is_lexsort(spans):
    gen = np.random.default_rng(sum(spans))
    keys = [gen.integers(10, 10 + s, 5000).astype(dt) for s, dt in zip(spans, (np.int32, np.int64))]
    assert np.array_equal(tk.stable_order(*keys), np.lexsort(keys[::-1]))


def test_counting_scatter_and_run_copies():
    gen = np.random.default_rng(5)
    key = gen.integers(0, 50, 4000).astype(np.int64)
    values = gen.integers(-100, 100, 4000).astype(np.int32)
    counts, out = tk.counting_scatter(key, 60, values)
    assert np.array_equal(counts, np.bincount(key, minlength=60))
    assert np.array_equal(out, values[np.argsort(key, kind="stable")])
    src = gen.random(100)
    dst = np.zeros(300)
    starts, lens, to = np.array([0, 10, 50]), np.array([5, 0, 20]), np.array([200, 3, 7])
    tk.copy_runs(src, starts, lens, dst, to)
    tk.fill_runs(dst, np.array([100]), np.array([4]), -2.5)
    ref = np.zeros(300)
    for s, n, d in zip(starts, lens, to):
        ref[d:d + n] = src[s:s + n]
    ref[100:104] = -2.5
    assert np.array_equal(dst, ref)


def _connections(gen, n, n_rows, delays, uniform):
    rows = gen.integers(0, n_rows, n).astype(np.int32)
    tgt = gen.integers(0, 2 * 700, n).astype(np.int32)
    w = np.full(n, 0.25) if uniform else gen.random(n)
    return rows, tgt, w, gen.choice(delays, n).astype(np.int32)


@pytest.mark.parametrize("uniform", [True, False])
def test_counted_pieces_equal_the_sorted_pieces(monkeypatch, uniform):
    gen = np.random.default_rng(11)
    args = _connections(gen, 6000, 900, [3, 4, 9], uniform)
    fast = ss.make_pieces(1, 1, 700, *args)
    monkeypatch.setattr(ss, "pack_keys", lambda *k: None)
    slow = ss.make_pieces(1, 1, 700, *args)
    assert len(fast) == len(slow) == 4
    for a, b in zip(fast, slow):
        for name in ("tgt", "w", "seg_row", "seg_delay", "seg_len"):
            x, y = getattr(a, name), getattr(b, name)
            assert np.array_equal(x, y) and x.dtype == y.dtype, name


def test_built_csr_is_sorted_by_row_delay_projection_insertion():
    """The CSR order against its definition, for several projections and additions, mixed
    delays and weights, and targets encoded for fewer cells than now exist."""
    gen = np.random.default_rng(2)
    store, N = ss.StaticStore(), 700
    added = []
    for k, (pid, n_enc) in enumerate([(0, 600), (1, 700), (0, 700), (2, 700)]):
        rows, tgt, w, delay = _connections(gen, 5000, N, [2, 5], uniform=k % 2 == 0)
        tgt %= 2 * n_enc
        store.add(pid, n_enc, rows, tgt, w, delay)
        new_tgt = (tgt // n_enc) * N + tgt % n_enc
        added.append((rows, delay, np.full(5000, pid), np.full(5000, k), np.arange(5000),
                      new_tgt, w))
    rows, delay, pid, k, pos, tgt, w = (np.concatenate(c) for c in zip(*added))
    order = np.lexsort((pos, k, pid, delay, rows))
    indptr, csr_tgt, kw = store.build(N, 1)
    assert np.array_equal(indptr, np.searchsorted(rows[order], np.arange(N + 1)))
    assert np.array_equal(csr_tgt, tgt[order])
    assert np.array_equal(store.synapse_weights(), w[order])
    row_grp, grp_delay, grp_ptr = store.delay_groups()
    lens = np.diff(grp_ptr)
    assert np.array_equal(np.repeat(grp_delay, lens), delay[order])
    _check_kernel_weights(kw, grp_ptr, w[order])


def _check_kernel_weights(kw, grp_ptr, w):
    """`kw` holds per group either its one weight (all of its synapses' weights equal) or
    NaN and then the per-synapse weights in front."""
    n_g = len(grp_ptr) - 1
    grp_w = kw[len(kw) - n_g:]
    assert len(kw) in (n_g, n_g + len(w))
    for g in range(n_g):
        ws = w[grp_ptr[g]:grp_ptr[g + 1]]
        if np.isnan(grp_w[g]):
            assert len(kw) == n_g + len(w)
            assert np.array_equal(kw[grp_ptr[g]:grp_ptr[g + 1]], ws)
        else:
            assert np.all(ws == grp_w[g])


@pytest.mark.parametrize("T", [1, 3])
def test_one_weight_per_projection_is_kept_per_group_only(T):
    """Projections with one weight each: the kernel weights are one per delay group (no
    per-synapse array), also when a projection was added in two calls."""
    gen = np.random.default_rng(4)
    store, N = ss.StaticStore(), 700
    expected = []
    for pid, weight in [(0, 0.5), (1, -2.0), (0, 0.5)]:
        rows, tgt, _, delay = _connections(gen, 4000, N, [2, 3, 7], uniform=True)
        store.add(pid, N, rows, tgt, np.full(4000, weight), delay)
        expected.append(weight)
    indptr, tgt, kw = store.build(N, T)
    row_grp, grp_delay, grp_ptr = store.delay_groups()
    assert len(kw) == len(grp_delay)
    _check_kernel_weights(kw, grp_ptr, store.synapse_weights())
    assert set(np.unique(kw)) == {0.5, -2.0}
    assert np.all(store.get(0, "weight", 0.1) == 0.5)
    assert np.all(store.get(1, "weight", 0.1) == -2.0)


def test_setting_built_weights_keeps_or_drops_the_group_weights():
    gen = np.random.default_rng(6)
    store, N = ss.StaticStore(), 300
    for pid in (0, 1):
        rows, tgt, _, delay = _connections(gen, 3000, N, [2, 5], uniform=True)
        store.add(pid, N, rows, tgt % (2 * N), np.full(3000, 1.0 + pid), delay)
    store.build(N, 1)
    store.set(0, "weight", np.full(3000, 3.0))          # one weight: kept in place
    assert not store.dirty
    assert np.all(store.get(0, "weight", 0.1) == 3.0)
    _check_kernel_weights(store.kernel_weights(), store.delay_groups()[2],
                          store.synapse_weights())
    new = gen.random(3000)                                # differing weights: unbuilt
    store.set(1, "weight", new)
    assert store.dirty
    assert np.array_equal(store.get(1, "weight", 0.1), new)
    indptr, tgt, kw = store.build(N, 1)
    grp_ptr = store.delay_groups()[2]
    assert len(kw) == len(grp_ptr) - 1 + len(tgt)
    _check_kernel_weights(kw, grp_ptr, store.synapse_weights())
    assert np.array_equal(store.get(1, "weight", 0.1), new)
    assert np.all(store.get(0, "weight", 0.1) == 3.0)
    store.set(1, "weight", new[::-1].copy())             # per-synapse weights: in place
    assert not store.dirty
    assert np.array_equal(store.get(1, "weight", 0.1), new[::-1])
    _check_kernel_weights(store.kernel_weights(), grp_ptr, store.synapse_weights())


@pytest.mark.parametrize("uniform", [True, False])
def test_delivery_adds_the_same_values_as_per_synapse_weights(uniform):
    """`kernels.deliver_at` with group weights (and NaN-marked groups that read their
    synapses' weights) adds exactly mult x weight per synapse, in CSR order."""
    from lamina.backends.engine.kernels import deliver_at
    gen = np.random.default_rng(8)
    store, N, L = ss.StaticStore(), 50, 8
    rows, tgt, _, delay = _connections(gen, 600, N, [1, 3], uniform=True)
    store.add(0, N, rows, tgt % (2 * N), np.full(600, 0.3), delay)
    rows, tgt, w, delay = _connections(gen, 600, N, [2, 3], uniform=uniform)
    store.add(1, N, rows, tgt % (2 * N), w * 7.0, delay)
    indptr, csr_tgt, kw = store.build(N, 1)
    row_grp, grp_delay, grp_ptr = store.delay_groups()
    row_grp = row_grp.reshape(1, -1)
    ws = store.synapse_weights()
    for row, base, mult in [(3, 0, 1.0), (17, 6, 3.0), (40, 7, 2.0)]:
        ring = gen.random((L, 2 * N))
        ref = ring.copy()
        deliver_at(0, row, base, mult, L, ring, row_grp, grp_delay, grp_ptr, csr_tgt, kw)
        for g in range(row_grp[0, row], row_grp[0, row + 1]):
            slot = (base + grp_delay[g]) % L
            for q in range(grp_ptr[g], grp_ptr[g + 1]):
                ref[slot, csr_tgt[q]] += mult * ws[q]
        assert np.array_equal(ring, ref)
