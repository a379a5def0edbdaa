"""The extended model catalogue on the NEST backend (``lamina.nest``): every new cell type,
spike source and synapse type runs through NEST (create, set/get, record, connect), and
the deterministic ones agree with the engine (spike counts within 2 %, >= 90 % of spikes
within 0.5 ms; Tsodyks-Markram membrane traces and STDP weights to round-off).
What NEST cannot provide raises NoModelAvailableError."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nest") is None,
                                reason="NEST (PyNEST) is not installed")

import lamina as eng  # noqa: E402
from lamina.errors import NoModelAvailableError  # noqa: E402

DT = 0.1


@pytest.fixture
def nsim():
    import lamina.nest as sim
    sim.setup(timestep=DT, min_delay=DT, max_delay=10.0)
    yield sim
    sim.end()


def _celltypes(sim):
    return {
        "IF_cond_exp_gsfa_grr": sim.IF_cond_exp_gsfa_grr(i_offset=1.2),
        "IF_facets_hardware1": sim.IF_facets_hardware1(v_thresh=-60.0),
        "HH_cond_exp": sim.HH_cond_exp(i_offset=0.6),
        "EIF_cond_exp_isfa_ista": sim.EIF_cond_exp_isfa_ista(i_offset=0.6),
        "EIF_cond_alpha_isfa_ista": sim.EIF_cond_alpha_isfa_ista(i_offset=0.6, b=0.05),
        "Izhikevich": sim.Izhikevich(i_offset=0.01),
        "PN_AdExp_alpha": sim.PointNeuron(sim.AdExp(i_offset=1.5, tau_refrac=0.5, a=1.0),
                                          AMPA=sim.CondAlphaPSR(tau_syn=2.0),
                                          GABA=sim.CondAlphaPSR(e_syn=-80.0, tau_syn=6.0)),
        "PN_LIF_curr": sim.PointNeuron(sim.LIF(i_offset=0.3, tau_refrac=1.0, cm=0.25,
                                               v_thresh=-55.0),
                                       AMPA=sim.CurrExpPSR(tau_syn=2.0),
                                       GABA=sim.CurrExpPSR(tau_syn=6.0)),
        "PN_AdExp_exp": sim.PointNeuron(sim.AdExp(i_offset=1.5, tau_refrac=0.5, a=1.0),
                                        AMPA=sim.CondExpPSR(tau_syn=3.0),
                                        GABA=sim.CondExpPSR(e_syn=-80.0, tau_syn=8.0)),
        "PN_AdExp_beta": sim.PointNeuron(sim.AdExp(i_offset=1.5, tau_refrac=0.5, a=1.0),
                                         AMPA=sim.CondBetaPSR(tau_rise=0.5, tau_decay=3.0),
                                         NMDA=sim.CondAlphaPSR(tau_syn=10.0)),
        "PN_LIF_alpha": sim.PointNeuron(sim.LIF(i_offset=0.9, tau_refrac=1.0, cm=0.25),
                                        AMPA=sim.CondAlphaPSR(tau_syn=2.0),
                                        GABA=sim.CondAlphaPSR(e_syn=-80.0, tau_syn=6.0)),
        "GIF_cond_exp": sim.GIF_cond_exp(i_offset=0.3, tau_eta=(10.0, 50.0),
                                         a_eta=(0.02, 0.01), tau_gamma=(30.0,),
                                         a_gamma=(2.0,)),
    }


#: weight (excitatory receptor, inhibitory receptor) per cell type
WEIGHTS = {"Izhikevich": (3.0, -3.0), "PN_LIF_curr": (0.3, 0.2)}
DETERMINISTIC = ["IF_cond_exp_gsfa_grr", "IF_facets_hardware1", "HH_cond_exp",
                 "EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista", "Izhikevich",
                 "PN_AdExp_alpha", "PN_LIF_curr", "PN_LIF_alpha", "PN_AdExp_exp", "PN_AdExp_beta"]
T_STOP = 300.0


def _network(sim, name, record=("spikes",)):
    rng = np.random.default_rng(4)
    trains = [np.unique(np.round(rng.uniform(2.0, T_STOP - 5, 40), 1)) for _ in range(8)]
    src = sim.Population(8, sim.SpikeSourceArray(spike_times=trains))
    ct = _celltypes(sim)[name]
    cells = sim.Population(6, ct, label=name)
    receptors = ct.receptor_types
    w_e, w_i = WEIGHTS.get(name, (0.01, 0.02))
    conn = sim.FixedProbabilityConnector(0.4, rng=sim.NumpyRNG(seed=3))
    sim.Projection(src, cells, conn, sim.StaticSynapse(weight=w_e, delay=0.5),
                   receptor_type=receptors[0])
    sim.Projection(src, cells, conn, sim.StaticSynapse(weight=w_i, delay=1.2),
                   receptor_type=receptors[1])
    cells.record(list(record))
    return cells


def _spikes(module, name):
    module.setup(timestep=DT, min_delay=DT, max_delay=10.0)
    cells = _network(module, name)
    module.run(T_STOP)
    out = [np.asarray(st.magnitude) for st in cells.get_data().segments[0].spiketrains]
    module.end()
    return out


def _compare(a, b):
    n_a, n_b = sum(map(len, a)), sum(map(len, b))
    close = sum(int(np.sum(np.abs(x[:, None] - y[None, :]).min(axis=1) <= 0.5 + 1e-9))
                for x, y in zip(a, b) if len(x) and len(y))
    return n_a, n_b, close / max(n_a, 1)


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_cells_match_engine(name):
    import lamina.nest as nsim
    ref = _spikes(eng, name)
    got = _spikes(nsim, name)
    n_n, n_e, frac = _compare(got, ref)
    print(f"{name}: engine {n_e} spikes, NEST {n_n}, within 0.5 ms {100 * frac:.1f} %")
    assert n_e > 10, "the test network should make the cells fire"
    assert abs(n_e - n_n) <= 0.02 * n_e, (n_e, n_n)
    assert frac >= 0.9, frac


@pytest.mark.parametrize("name", sorted(_celltypes(eng)))
def test_cells_record_set_get_and_reset(nsim, name):
    ct = _celltypes(nsim)[name]
    cells = _network(nsim, name, record=ct.recordable)
    first = ct.get_parameter_names()[0]
    value = cells.get(first)
    cells.set(**{first: value})
    nsim.run(50.0)
    seg = cells.get_data().segments[-1]
    names = {sig.name for sig in seg.analogsignals}
    assert names == set(ct.recordable) - {"spikes"}
    for sig in seg.analogsignals:
        assert sig.shape == (501, 6), (sig.name, sig.shape)
        assert np.all(np.isfinite(np.asarray(sig)[:-1])), sig.name
    v = next(s for s in seg.analogsignals if s.name == "v")
    assert np.ptp(np.asarray(v)) > 1.0
    nsim.reset()
    nsim.run(10.0)
    assert len(cells.get_data().segments) == 2


def test_gif_v_t_and_stochastic_spiking(nsim):
    cells = nsim.Population(20, nsim.GIF_cond_exp(i_offset=0.8, lambda0=5.0, v_t_star=-52.0,
                                                 a_gamma=(2.0,), tau_gamma=(30.0,),
                                                 a_eta=(0.02,), tau_eta=(20.0,)))
    cells.record(["spikes", "v_t", "i_eta"])
    nsim.run(500.0)
    seg = cells.get_data().segments[0]
    assert sum(len(s) for s in seg.spiketrains) > 20
    v_t = np.asarray(next(s for s in seg.analogsignals if s.name == "v_t"))
    assert v_t[1:].min() >= -52.0 - 1e-9 and v_t.max() > -52.0 + 0.5   # moves up at spikes
    i_eta = np.asarray(next(s for s in seg.analogsignals if s.name == "i_eta"))
    assert i_eta.max() > 0.005


@pytest.mark.parametrize("model, kwargs, rate", [
    ("SpikeSourceGamma", dict(alpha=4, beta=200.0), 50.0),
    ("SpikeSourcePoissonRefractory", dict(rate=40.0, tau_refrac=8.0), 40.0),
    ("SpikeSourceInhGamma", dict(a=[1.0, 1.0], b=[0.05, 0.0125], tbins=[0.0, 500.0]), None),
])
def test_spike_sources(nsim, model, kwargs, rate):
    src = nsim.Population(100, getattr(nsim, model)(**kwargs))
    src.record("spikes")
    nsim.run(1000.0)
    trains = [np.asarray(st) for st in src.get_data().segments[0].spiketrains]
    counts = np.array([len(t) for t in trains])
    if rate is not None:
        assert abs(counts.mean() - rate) < 0.1 * rate
    else:   # 20 Hz then 80 Hz
        early = np.mean([np.sum(t < 500.0) for t in trains]) / 0.5
        late = np.mean([np.sum(t >= 500.0) for t in trains]) / 0.5
        assert abs(early - 20.0) < 3.0 and abs(late - 80.0) < 8.0, (early, late)
    if model == "SpikeSourcePoissonRefractory":
        assert min(np.diff(t).min() for t in trains if len(t) > 1) >= 8.0 - 1e-9
    # parameters change between runs
    src.set(start=2000.0)
    nsim.run(500.0)
    assert sum(len(np.asarray(t)[np.asarray(t) > 1000.5])   # (spikes in flight: <= 2 dt)
               for t in src.get_data().segments[0].spiketrains) == 0


def test_unavailable_sources_raise(nsim):
    with pytest.raises(NoModelAvailableError, match="inhomogeneous gamma"):
        nsim.Population(2, nsim.SpikeSourceInhGamma(a=[2.0], b=[0.1], tbins=[0.0]))
    with pytest.raises(NoModelAvailableError, match="whole shape"):
        nsim.Population(2, nsim.SpikeSourceGamma(alpha=2.5, beta=100.0))


# -- synapses ----------------------------------------------------------------------------
PRE = [10.0, 25.0, 33.0, 41.0, 60.0, 61.5, 90.0, 140.0, 141.0, 142.0, 200.0, 260.0]
CELL = dict(tau_m=15.0, cm=0.5, tau_syn_E=3.0, tau_syn_I=6.0, v_rest=-65.0, v_reset=-70.0,
            v_thresh=-50.0, tau_refrac=2.0)


def _tm_run(module, model, receptor, weight, params, record_state):
    module.setup(timestep=DT, min_delay=DT, max_delay=10.0)
    src = module.Population(1, module.SpikeSourceArray(spike_times=PRE))
    cell = module.Population(1, module.IF_curr_exp(**CELL))
    prj = module.Projection(src, cell, module.AllToAllConnector(),
                            getattr(module, model)(weight=weight, delay=1.5, **params),
                            receptor_type=receptor)
    cell.record("v")
    if record_state:
        prj.record("all", sampling_interval=1.0)
    module.run(150.0)
    module.run(150.0)
    v = np.asarray(cell.get_data().segments[0].analogsignals[0]).ravel()
    state = {s.name: np.asarray(s) for s in prj.get_data().segments[0].analogsignals} \
        if record_state else {}
    module.end()
    return v, state


@pytest.mark.parametrize("model, receptor, weight, params", [
    ("TsodyksMarkramSynapse", "excitatory", 2.0, dict(U=0.1, tau_rec=150.0, tau_facil=300.0)),
    ("TsodyksMarkramSynapse", "inhibitory", -3.0, dict(U=0.3, tau_rec=50.0, tau_facil=20.0)),
    ("Tsodyks2Synapse", "excitatory", 2.0, dict(U=0.1, tau_rec=150.0, tau_facil=300.0)),
])
def test_tsodyks_markram_matches_engine(model, receptor, weight, params):
    import lamina.nest as nsim
    v_e, s_e = _tm_run(eng, model, receptor, weight, params, True)
    v_n, s_n = _tm_run(nsim, model, receptor, weight, params, True)
    assert np.ptp(v_e) > 1.0
    dev = np.max(np.abs(v_e - v_n))
    print(f"{model} {receptor}: max |v_engine - v_nest| = {dev:.3g} mV")
    assert dev < 1e-9
    assert set(s_e) == set(s_n)
    for name in s_e:   # sampled synaptic state (u, x, y, weight) every 1 ms
        assert s_e[name].shape == s_n[name].shape == (301, 1)
        np.testing.assert_allclose(s_n[name], s_e[name], rtol=1e-9, atol=1e-12)


STDP_PRE = [5.0, 20.0, 42.0, 61.0, 80.0, 95.0, 130.0, 150.0, 171.0, 205.0, 222.0, 240.0]
STDP_KICK = [12.0, 17.0, 38.0, 64.0, 85.0, 86.0, 126.0, 160.0, 200.0, 230.0]


def _stdp_run(module, td, wd, weight, receptor):
    module.setup(timestep=DT, min_delay=DT, max_delay=10.0)
    src = module.Population(2, module.SpikeSourceArray(spike_times=[STDP_PRE, STDP_PRE[::2]]))
    kick = module.Population(1, module.SpikeSourceArray(spike_times=STDP_KICK))
    cell = module.Population(1, module.IF_curr_exp(**CELL))
    module.Projection(kick, cell, module.AllToAllConnector(),
                      module.StaticSynapse(weight=20.0, delay=0.1))
    prj = module.Projection(src, cell, module.AllToAllConnector(),
                            module.STDPMechanism(timing_dependence=td, weight_dependence=wd,
                                                 weight=weight, delay=2.3),
                            receptor_type=receptor)
    prj.record("weight", sampling_interval=5.0)
    module.run(260.0)
    w = np.asarray(prj.get_data().segments[0].analogsignals[0])
    final = np.asarray(prj.get("weight", "list", with_address=False)).ravel()
    module.reset()
    module.run(6.0)    # NEST delivers a spike emitted in a run's last step in the next run
    after_reset = np.asarray(prj.get("weight", "list", with_address=False)).ravel()
    module.end()
    return w, final, after_reset


@pytest.mark.parametrize("wd_name, receptor, w0", [
    ("AdditiveWeightDependence", "excitatory", 1.0),
    ("MultiplicativeWeightDependence", "excitatory", 1.0),
    ("AdditivePotentiationMultiplicativeDepression", "inhibitory", -1.0),
    ("GutigWeightDependence", "excitatory", 1.0),
    ("Vogels2011Rule", "inhibitory", -0.8),
])
def test_stdp_matches_engine(wd_name, receptor, w0):
    import lamina.nest as nsim
    out = []
    for module in (eng, nsim):
        if wd_name == "Vogels2011Rule":
            td = module.Vogels2011Rule(tau=15.0, eta=0.02, rho=20.0)
            wd = module.AdditiveWeightDependence(w_min=0.0, w_max=1.5)
        else:
            td = module.SpikePairRule(tau_plus=16.8, tau_minus=33.7, A_plus=0.05,
                                      A_minus=0.06)
            wd = getattr(module, wd_name)(w_min=0.0, w_max=2.0)
        out.append(_stdp_run(module, td, wd, w0, receptor))
    (w_e, f_e, r_e), (w_n, f_n, r_n) = out
    assert np.max(np.abs(f_e - w0)) > 0.01, "the weights should change"
    np.testing.assert_allclose(w_n, w_e, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(f_n, f_e, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(r_n, r_e, rtol=1e-9)    # reset: weights as set


def test_stochastic_synapses_run_and_get_set(nsim):
    src = nsim.Population(20, nsim.SpikeSourcePoisson(rate=50.0))
    post = nsim.Population(5, nsim.IF_cond_exp())
    syns = {"StochasticTsodyksMarkramSynapse": dict(U=0.4, tau_rec=200.0),
            "MultiQuantalSynapse": dict(U=0.4, n=4, tau_rec=200.0),
            "SimpleStochasticSynapse": dict(p=0.3)}
    prjs = {}
    for name, kw in syns.items():
        prjs[name] = nsim.Projection(src, post, nsim.AllToAllConnector(),
                                     getattr(nsim, name)(weight=0.002, delay=1.0, **kw))
        prjs[name].record("all", sampling_interval=10.0)
    post.record("gsyn_exc")
    nsim.run(200.0)
    assert np.asarray(post.get_data().segments[0].analogsignals[0]).max() > 0
    mq = prjs["MultiQuantalSynapse"]
    a = np.asarray(next(s for s in mq.get_data().segments[0].analogsignals if s.name == "a"))
    assert a[0].min() == 4 and a.min() < 4 and np.all(a == np.round(a))
    mq.set(n=2, U=0.2)
    assert set(mq.get("n", "list", with_address=False)) == {2.0}
    p = prjs["SimpleStochasticSynapse"]
    p.set(p=0.7)
    np.testing.assert_allclose(p.get("p", "array"), 0.7)
    nsim.run(50.0)


def test_gap_junctions_on_nest_gap_models(nsim):
    hh_gap = nsim.native_cell_type("hh_psc_alpha_gap")
    cells = nsim.Population(2, hh_gap(I_e=[400.0, 0.0]))
    prj = nsim.Projection(cells[0:1], cells[1:2], nsim.OneToOneConnector(),
                          nsim.ElectricalSynapse(weight=0.02))
    cells.record("V_m")
    nsim.run(50.0)
    v = np.asarray(cells.get_data().segments[0].analogsignals[0])
    assert v[:, 1].max() > -60.0     # coupled: the quiet cell follows
    np.testing.assert_allclose(prj.get("weight", "list", with_address=False), [0.02])
    prj.set(weight=0.0)
    nsim.reset()
    nsim.run(50.0)
    v = np.asarray(cells.get_data().segments[1].analogsignals[0])
    assert v[:, 1].max() < -60.0     # uncoupled


def test_unavailable_synapses_raise(nsim):
    src = nsim.Population(2, nsim.SpikeSourcePoisson(rate=10.0))
    cells = nsim.Population(2, nsim.HH_cond_exp())
    with pytest.raises(NoModelAvailableError, match="gap-junction"):
        nsim.Projection(cells, cells, nsim.OneToOneConnector(),
                        nsim.ElectricalSynapse(weight=0.01))
    with pytest.raises(NoModelAvailableError, match="dendritic_delay_fraction"):
        nsim.Projection(src, cells, nsim.AllToAllConnector(), nsim.STDPMechanism(
            timing_dependence=nsim.SpikePairRule(),
            weight_dependence=nsim.AdditiveWeightDependence(), dendritic_delay_fraction=0.5))
    with pytest.raises(NoModelAvailableError, match="w_min"):
        nsim.Projection(src, cells, nsim.AllToAllConnector(), nsim.STDPMechanism(
            timing_dependence=nsim.SpikePairRule(),
            weight_dependence=nsim.AdditiveWeightDependence(w_min=0.1, w_max=1.0),
            weight=0.5))
    with pytest.raises(NoModelAvailableError, match="tau_minus"):
        for tau in (20.0, 30.0):
            nsim.Projection(src, cells, nsim.AllToAllConnector(), nsim.STDPMechanism(
                timing_dependence=nsim.SpikePairRule(tau_minus=tau),
                weight_dependence=nsim.AdditiveWeightDependence(), weight=0.1))
    with pytest.raises(NoModelAvailableError, match="PointNeuron"):
        nsim.Population(1, nsim.PointNeuron(nsim.AdExp(), AMPA=nsim.CurrExpPSR()))
