"""Poisson sources delivered directly (`poisson.direct_deliver`): which sources qualify,
that spikes and V are bitwise those of the spike-buffer + CSR path for any thread count and
run split, and that the counts of both paths are Poisson(lam) (chi-square at lam = 2)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import lamina as sim
from lamina.backends.engine import inputs, poisson
from lamina.backends.engine import models as m
from lamina.backends.engine.static_store import StaticStore


# -- which sources are direct ------------------------------------------------------------------
def _store(N: int) -> StaticStore:
    """Rows 0..39 Poisson-like sources: 0..29 one-to-one onto 50..79 (receptor 0, delay 3,
    weight 0.5), 30..39 onto 80..89 with two weights (one run each), row 5 also onto 90."""
    st = StaticStore()
    rows = np.arange(30, dtype=np.int32)
    st.add(0, N, rows, (50 + rows).astype(np.int32), np.full(30, 0.5), np.full(30, 3, np.int32))
    rows = np.arange(30, 40, dtype=np.int32)
    w = np.where(rows < 35, 0.25, 0.75)
    st.add(1, N, rows, (N + 50 + rows).astype(np.int32), w, np.full(10, 2, np.int32))
    st.add(2, N, np.array([5], np.int32), np.array([90], np.int32), np.array([1.0]),
           np.array([3], np.int32))
    return st


@pytest.mark.parametrize("T", [1, 2])
def test_one_to_one_runs_split_where_targets_delay_or_weight_change(T: int) -> None:
    N = 100
    st = _store(N)
    st.build(N, T)
    src0, src1, tgt0, delay, w = st.one_to_one_runs()
    got = sorted(zip(src0.tolist(), src1.tolist(), tgt0.tolist(), delay.tolist(), w.tolist()))
    # rows 0..29 in one run; 30..34 and 35..39 (weights differ); the single synapse 5->90
    # (all targets lie in part 1 of 2: the runs are the same for T = 1 and 2)
    assert got == [(0, 30, 50, 3, 0.5), (5, 6, 90, 3, 1.0), (30, 35, N + 80, 2, 0.25),
                   (35, 40, N + 85, 2, 0.75)]
    spr = st.synapses_per_row()
    assert spr[5] == 2 and spr[4] == 1 and spr[40:].sum() == 0


def test_plan_skips_recorded_shared_short_and_high_mean_sources() -> None:
    N = 100
    st = _store(N)
    st.build(N, 1)
    param = np.zeros((m.NPARAM, N))
    param[m.P_PLAM, :40] = 2.0
    param[m.P_PLAM, 36] = 3.0                 # another mean: a block ends there
    param[m.P_PSTOP_STEP, :40] = 1e9
    poisson_rows = np.zeros(N, bool)
    poisson_rows[:40] = True
    recorded = np.zeros(N, np.int64)
    recorded[20] = 1
    old = inputs.DIRECT_MIN
    try:
        inputs.DIRECT_MIN = 4
        plan = inputs.direct_poisson_plan(st.one_to_one_runs(), st.synapses_per_row(), param,
                                          poisson_rows, recorded, N)
    finally:
        inputs.DIRECT_MIN = old
    blocks = [tuple(int(x) for x in b[:5]) for b in plan]
    # 0..4 (5 has two synapses), 6..19 (20 is recorded), 21..29, 30..34 (weight 0.25);
    # 35 alone (mean 2, then 36 with mean 3, then 37..39 with mean 2): too short
    assert blocks == [(0, 5, 50, 50, 3), (6, 20, 56, 56, 3), (21, 30, 71, 71, 3),
                      (30, 35, 80, N + 80, 2)]
    assert plan[3, 5] == 0.25 and np.all(plan[:, 6] == 2.0)
    param[m.P_PLAM, :40] = 11.0   # above poisson.INVERSION_MAX: drawn in the step loop
    assert len(inputs.direct_poisson_plan(st.one_to_one_runs(), st.synapses_per_row(), param,
                                          poisson_rows, recorded, N)) == 0
    meta = poisson.new_table(plan)[1]
    assert meta[poisson.META_BLOCKS] == 4 and len(meta) == 4 + 4 * poisson.BLOCK_FIELDS


# -- bitwise the CSR path -------------------------------------------------------------------
def _network(threads: int, splits: tuple[float, ...], direct: bool, monkeypatch):
    """Alpha cells driven one-to-one by Poisson sources: one block cut by recorded sources,
    one whose sources also project elsewhere (not direct), one with an activity window and
    a high mean, a rate changed between runs; recurrent synapses with mixed delays and a
    synchronous population."""
    monkeypatch.setattr(inputs, "DIRECT_MIN", 16 if direct else 10**9)
    plans: list[int] = []
    plan = inputs.direct_poisson_plan

    def counting(*args):
        out = plan(*args)
        plans.append(len(out))
        return out

    monkeypatch.setattr(inputs, "direct_poisson_plan", counting)
    sim.setup(timestep=0.1, threads=threads, min_delay=0.1, max_delay=4.0, rng_seed=3)
    # rows before the cells' (a direct block before buffered rows in the canonical order);
    # mean 4 per step: 5 % of the counts are 8 or more (the table's tail)
    extra = sim.Population(60, sim.SpikeSourcePoisson(rate=40000.0, start=12.0, duration=40.0))
    cells = sim.Population(200, sim.IF_curr_alpha(tau_m=20.0, v_thresh=-50.0, v_reset=-60.0,
                                                  v_rest=-60.0, tau_refrac=2.0))
    cells.initialize(v=sim.RandomDistribution("uniform", (-60, -50), rng=sim.NumpyRNG(4)))
    drive = sim.Population(200, sim.SpikeSourcePoisson(rate=8000.0))
    shared = sim.Population(40, sim.SpikeSourcePoisson(rate=5000.0))
    # 20 cells firing in the same steps: many inputs in one ring slot, whose sum depends
    # on the order (a sum of two does not)
    pace = sim.Population(20, sim.IF_curr_alpha(i_offset=2.0))
    sim.Projection(pace, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.013,
                                                                         delay=0.3))
    sim.Projection(drive, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.09, delay=0.3))
    sim.Projection(extra, cells[100:160], sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=-0.03, delay=0.2), receptor_type="inhibitory")
    sim.Projection(shared, cells[:40], sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.05, delay=0.5))
    sim.Projection(shared[:10], cells[150:], sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.01, delay=0.4))
    delays = sim.RandomDistribution("uniform", (0.3, 2.0), rng=sim.NumpyRNG(5))
    sim.Projection(cells[:160], cells, sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(6)),
                   sim.StaticSynapse(weight=0.08, delay=delays))
    sim.Projection(cells[160:], cells, sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(7)),
                   sim.StaticSynapse(weight=-0.4, delay=0.3), receptor_type="inhibitory")
    cells.record(["spikes", "v"])
    drive[90:95].record("spikes")
    for k, t in enumerate(splits):
        if k == 1:
            drive[:50].set(rate=12000.0)
        sim.run(t)
    seg = cells.get_data().segments[0]
    sp = [np.asarray(s) for s in seg.spiketrains]
    v = np.asarray(seg.analogsignals[0])
    src = [np.asarray(s) for s in drive[90:95].get_data().segments[0].spiketrains]
    sim.end()
    return sp, v, src, plans


def test_direct_poisson_is_bitwise_the_csr_path_for_threads_and_splits(monkeypatch) -> None:
    ref_sp, ref_v, ref_src, plans = _network(1, (30.0, 50.0), False, monkeypatch)
    assert plans and max(plans) == 0
    assert sum(len(s) for s in ref_sp) > 100 and min(len(s) for s in ref_src) > 50
    for threads, splits in ((1, (30.0, 50.0)), (2, (30.0, 50.0)), (2, (30.0, 17.3, 32.7)),
                            (3, (30.0, 50.0))):
        sp, v, src, plans = _network(threads, splits, True, monkeypatch)
        # drive 0..89 (0..49 and 50..89 after the rate change) and 95..199, extra, shared
        # 10..39 (0..9 project twice)
        assert plans[0] == 4 and plans[-1] == 5, plans
        for a, b in zip(ref_sp + ref_src, sp + src):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(v, ref_v)


# -- the counts are Poisson -------------------------------------------------------------------
def _chi2_poisson(counts: np.ndarray, lam: float, k_max: int = 7) -> float:
    """p-value of the chi-square test of `counts` against Poisson(lam), counts >= k_max
    pooled (every expected bin count here is above 200)."""
    obs = np.bincount(np.minimum(counts, k_max), minlength=k_max + 1)
    pmf = stats.poisson.pmf(np.arange(k_max), lam)
    exp = len(counts) * np.append(pmf, 1.0 - pmf.sum())
    return float(stats.chisquare(obs, exp).pvalue)


def test_direct_and_buffered_counts_are_poisson_at_mean_two() -> None:
    """200 sources at 20 kHz (mean 2 per 0.1 ms step) for 50 ms, 100,000 counts per path:
    the direct path's counts read from the jumps of V of IF_curr_delta targets (tau_m 1e9
    ms: V decays by at most 1e-7 mV per step; weight 1 mV), the buffered path's from the recorded
    spikes of 200 other sources. Chi-square p > 1e-3 for each path; the correlation of
    neighbouring cells' counts and of consecutive counts within 4/sqrt(n) (4 standard errors)."""
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=1.0, rng_seed=11)
    tgt = sim.Population(200, sim.IF_curr_delta(tau_m=1e9, v_rest=0.0, v_thresh=1e9,
                                                v_reset=0.0, tau_refrac=0.1))
    tgt.initialize(v=0.0)
    direct = sim.Population(200, sim.SpikeSourcePoisson(rate=20000.0))
    buffered = sim.Population(200, sim.SpikeSourcePoisson(rate=20000.0))
    sim.Projection(direct, tgt, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=0.1))
    tgt.record("v")
    buffered.record("spikes")
    sim.run(50.0)
    v = np.asarray(tgt.get_data().segments[0].analogsignals[0])
    trains = buffered.get_data().segments[0].spiketrains
    sim.end()
    k_direct = np.rint(np.diff(v, axis=0)).astype(np.int64)[1:]   # step 0: no input yet
    assert np.abs(np.diff(v, axis=0) - np.rint(np.diff(v, axis=0))).max() < 1e-6
    k_buf = np.stack([np.bincount(np.rint(np.asarray(s) / 0.1).astype(int) - 1,
                                  minlength=500)[:500] for s in trains], axis=1)
    for k in (k_direct, k_buf):
        n = k.size
        assert abs(k.mean() - 2.0) < 4 * np.sqrt(2.0 / n)
        assert _chi2_poisson(k.ravel(), 2.0) > 1e-3
        z = (k - k.mean()) / k.std()
        assert abs(np.mean(z[:, 1:] * z[:, :-1])) < 4 / np.sqrt(n)
        assert abs(np.mean(z[1:] * z[:-1])) < 4 / np.sqrt(n)
