"""IF_curr_* cells whose parameters are equal over a piece of cells are updated with each
parameter read once (`derived.uniform_runs`, `families.lif_psc`): the runs of equal
parameter columns, and that spikes and V are bitwise those of the per-cell path for every
IF_curr_* model, thread count, run split and parameter change between runs."""
from __future__ import annotations

import numpy as np
import pytest

import lamina as sim
import lamina.core.simulation as simulation
from lamina.backends.engine import backend as engine_backend
from lamina.backends.engine import derived
from lamina.backends.engine import models as m


def _runs(values: list[float], start: int = 0, stop: int | None = None) -> np.ndarray:
    """P_PSC_RUN of IF_curr_alpha cells whose tau_m are `values` (group start..stop)."""
    n = len(values)
    param = np.ones((m.NPARAM, n))
    param[m.P_TAU_M] = values
    derived.prepare(m.TABLES["IF_curr_alpha"], param, slice(0, n), 0.1)
    derived.uniform_runs(m.TABLES["IF_curr_alpha"], param, start, n if stop is None else stop)
    return param[m.P_PSC_RUN]


def test_runs_count_the_equal_columns_from_each_cell_to_the_group_end() -> None:
    np.testing.assert_array_equal(_runs([10, 10, 20, 20, 20]), [2, 1, 3, 2, 1])
    np.testing.assert_array_equal(_runs([10.0] * 4), [4, 3, 2, 1])
    # a NaN equals nothing, not even itself: such a cell is a run of its own
    np.testing.assert_array_equal(_runs([10, np.nan, np.nan, 10]), [1, 1, 1, 1])
    # only the group's own columns: the cells outside it keep their row
    np.testing.assert_array_equal(_runs([10.0] * 5, 1, 4), [1, 3, 2, 1, 1])


def test_runs_are_left_alone_for_other_models() -> None:
    param = np.zeros((m.NPARAM, 3))
    param[m.P_E_REV_I] = -80.0   # the same row means e_rev_I for conductance cells
    derived.uniform_runs(m.TABLES["IF_cond_exp"], param, 0, 3)
    np.testing.assert_array_equal(param[m.P_E_REV_I], -80.0)


def _network(threads: int, splits: tuple[float, ...], uniform: bool, monkeypatch):
    """One population of each IF_curr_* model, driven one-to-one by Poisson sources and
    coupled at random; a piece of each gets another tau_m and v_thresh after the first
    run (its population is uniform before and not after; the other pieces still are).
    `uniform` False: the runs are never marked, every update streams its rows."""
    if not uniform:
        monkeypatch.setattr(engine_backend, "uniform_runs", lambda *args: None)
    sim.setup(timestep=0.1, threads=threads, min_delay=0.1, max_delay=4.0, rng_seed=3)
    pops = []
    for k, celltype in enumerate((sim.IF_curr_alpha, sim.IF_curr_exp, sim.IF_curr_delta)):
        cells = sim.Population(150, celltype(tau_m=20.0, v_thresh=-50.0, v_reset=-60.0,
                                             v_rest=-60.0, tau_refrac=2.0, i_offset=0.1))
        cells.initialize(v=sim.RandomDistribution("uniform", (-60, -50),
                                                  rng=sim.NumpyRNG(4 + k)))
        drive = sim.Population(150, sim.SpikeSourcePoisson(rate=8000.0))
        w = 0.09 if celltype is not sim.IF_curr_delta else 0.6
        sim.Projection(drive, cells, sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=w, delay=0.3))
        sim.Projection(cells[:120], cells,
                       sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(10 + k)),
                       sim.StaticSynapse(weight=w, delay=0.5))
        sim.Projection(cells[120:], cells,
                       sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(20 + k)),
                       sim.StaticSynapse(weight=-4 * w, delay=0.3),
                       receptor_type="inhibitory")
        cells.record(["spikes", "v"])
        pops.append(cells)
    backend = simulation.current().backend
    for i, t in enumerate(splits):
        if i == 1:
            for cells in pops:
                cells[40:70].set(tau_m=12.0, v_thresh=-52.0)
            if uniform:   # the changed cells end the runs of the cells before them
                g = backend.param[m.P_PSC_RUN, :150]
                np.testing.assert_array_equal(g[:40], np.arange(40, 0, -1))
                np.testing.assert_array_equal(g[40:70], np.arange(30, 0, -1))
                np.testing.assert_array_equal(g[70:], np.arange(80, 0, -1))
        sim.run(t)
    out = []
    for cells in pops:
        seg = cells.get_data().segments[0]
        out.append(([np.asarray(s) for s in seg.spiketrains], np.asarray(seg.analogsignals[0])))
    sim.end()
    return out


@pytest.mark.slow
def test_uniform_updates_are_bitwise_the_per_cell_path(monkeypatch) -> None:
    ref = _network(1, (30.0, 50.0), False, monkeypatch)
    monkeypatch.undo()
    assert all(sum(len(s) for s in sp) > 100 for sp, _ in ref)
    for threads, splits in ((1, (30.0, 50.0)), (2, (30.0, 50.0)), (3, (30.0, 17.3, 32.7))):
        got = _network(threads, splits, True, monkeypatch)
        for (ref_sp, ref_v), (sp, v) in zip(ref, got):
            for a, b in zip(ref_sp, sp):
                np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(v, ref_v)
