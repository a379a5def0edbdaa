"""Engine: further cell models and spike sources (integration order, events, errors,
independence of run splitting, parameter changes between runs, > 2 receptors)."""
from __future__ import annotations

import numpy as np
import pytest

import lamina as sim
from lamina import errors
from lamina.backends.base import BackendConfig
from lamina.backends.engine import EngineBackend
from lamina.backends.engine import models as m
from lamina.backends.engine.integrators import rk_fixed
from lamina.backends.engine.rhs import NY_MAX, load
from lamina.models import (EIF_cond_exp_isfa_ista, GIF_cond_exp, IF_cond_exp_gsfa_grr, Izhikevich,
                           SpikeSourceGamma, SpikeSourcePoissonRefractory)


def _backend(dt=0.1, seed=1):
    return EngineBackend(BackendConfig(dt=dt, min_delay=dt, max_delay=10.0, rng_seed=seed))


def _slope(hs, errs):
    return np.polyfit(np.log(hs), np.log(errs), 1)[0]


def test_izhikevich_euler_is_first_order():
    def v_at(dt, t=20.0):
        b = _backend(dt)
        b.create_cells(Izhikevich(i_offset=0.004), np.array([0]),
                       dict(Izhikevich().parameter_space, i_offset=0.004), {"v": -70., "u": -14.})
        b.set_recording(np.array([0]), "v", t)
        b.run_until(t)
        return b.get_signal(np.array([0]), "v").values[-1, 0]
    ref = v_at(0.0005)
    hs = [0.1, 0.05, 0.025, 0.0125]
    slope = _slope(hs, [abs(v_at(h) - ref) for h in hs])
    assert 0.85 < slope < 1.15, slope


def test_rkf45_fifth_order_on_adex():
    b = _backend()
    ct = EIF_cond_exp_isfa_ista(i_offset=0.6)
    b.create_cells(ct, np.array([0]), dict(ct.parameter_space),
                   {"v": -60.0, "w": 0.05, "gsyn_exc": 0.02, "gsyn_inh": 0.01})
    p = b.param

    def solve(h, T=4.0):
        y = np.zeros(NY_MAX)
        ny = load(m.K_AEIF_EXP, b.state, p, 0, y)
        rk_fixed(m.K_AEIF_EXP, y, ny, h, int(round(T / h)), p, 0, 0.6, np.zeros(3),
                 np.zeros((6, NY_MAX)), np.zeros(NY_MAX))
        return y[:ny].copy()
    ref = solve(0.002)
    hs = [0.4, 0.2, 0.1, 0.05]
    errs = [np.abs(solve(h) - ref).max() for h in hs]
    slope = _slope(hs, errs)
    assert 4.3 < slope < 5.7, (slope, errs)


def test_non_finite_state_raises_numerical_error():
    b = _backend()
    ct = IF_cond_exp_gsfa_grr()
    b.create_cells(ct, np.array([5]), dict(ct.parameter_space), {"v": np.nan})
    with pytest.raises(errors.NumericalError, match="IF_cond_exp_gsfa_grr.*'v'.*cell ID 5"):
        b.run_until(10.0)


@pytest.mark.parametrize("model", [GIF_cond_exp(i_offset=1.0, lambda0=50.0),
                                   SpikeSourceGamma(alpha=3, beta=150.0),
                                   SpikeSourcePoissonRefractory(rate=60.0, tau_refrac=3.0)])
def test_realisation_independent_of_run_splitting(model):
    def spikes(stops):
        b = _backend(seed=9)
        ids = np.arange(20)
        b.create_cells(model, ids, dict(model.parameter_space),
                       {"v": np.full(20, -65.0)} if isinstance(model, GIF_cond_exp) else {})
        b.set_recording(ids, "spikes", 0.1)
        for t in stops:
            b.run_until(t)
        return b.get_spikes(ids)
    a = spikes([1500.0])
    c = spikes([13.3, 999.9, 1000.0, 1234.5, 1500.0])
    assert sum(map(len, a)) > 30
    for x, y in zip(a, c):
        np.testing.assert_array_equal(x, y)


def test_source_rates_change_between_runs(sim_setup):
    for model in (sim.SpikeSourceGamma(alpha=2, beta=20.0),
                  sim.SpikeSourcePoissonRefractory(rate=10.0, tau_refrac=2.0)):
        sim.reset()
        pop = sim.Population(100, model)
        pop.record("spikes")
        sim.run(1000.0)
        if isinstance(model, sim.SpikeSourceGamma):
            pop.set(beta=200.0)
        else:
            pop.set(rate=100.0)
        sim.run(1000.0)
        st = pop.get_data().segments[0].spiketrains
        t = np.concatenate([np.asarray(s) for s in st])
        first, second = np.sum(t <= 1000.0), np.sum(t > 1000.0)
        assert 700 < first < 1300 and 8000 < second < 12000, (first, second)


@pytest.fixture
def sim_setup():
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    yield
    sim.end()


def test_point_neuron_three_receptors_and_recording(sim_setup):
    cell = sim.PointNeuron(sim.LIF(tau_m=15.0),
                           AMPA=sim.CondExpPSR(tau_syn=2.0),
                           NMDA=sim.CondAlphaPSR(tau_syn=20.0),
                           GABAA=sim.CondExpPSR(e_syn=-75.0, tau_syn=6.0))
    assert cell.receptor_types == ("AMPA", "GABAA", "NMDA")
    post = sim.Population(2, cell)
    other = sim.Population(2, sim.IF_cond_exp())
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    sim.Projection(src, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0),
                   receptor_type="NMDA")
    sim.Projection(src, other, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.01, delay=1.0), receptor_type="inhibitory")
    with pytest.raises(errors.ConnectionError):
        sim.Projection(src, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01),
                       receptor_type="excitatory")
    post.record(["NMDA.gsyn", "AMPA.gsyn", "v"])
    other.record("gsyn_inh")
    post.set(**{"NMDA.tau_syn": 10.0})
    sim.run(50.0)
    seg = post.get_data().segments[0]
    g = seg.filter(name="NMDA.gsyn")[0]
    gmax = float(np.max(np.asarray(g)))
    assert abs(gmax - 0.01) < 2e-4          # alpha conductance peaks at the weight
    t_peak = float(g.times[np.argmax(np.asarray(g)[:, 0])])
    assert abs(t_peak - (11.0 + 10.0)) < 0.25
    assert float(np.max(np.asarray(seg.filter(name="AMPA.gsyn")[0]))) == 0.0
    gi = np.asarray(other.get_data().segments[0].filter(name="gsyn_inh")[0])
    assert abs(gi.max() - 0.01) < 1e-12


def test_gif_records_threshold_and_eta(sim_setup):
    pop = sim.Population(5, sim.GIF_cond_exp(i_offset=1.0, lambda0=50.0),
                         initial_values={"v": -60.0})
    pop.record(["spikes", "v_t", "i_eta"])
    sim.run(300.0)
    seg = pop.get_data().segments[0]
    assert sum(len(s) for s in seg.spiketrains) > 0
    vt = np.asarray(seg.filter(name="v_t")[0])
    eta = np.asarray(seg.filter(name="i_eta")[0])
    assert vt.max() > -48.0 + 0.5 and eta.max() > 0.5
