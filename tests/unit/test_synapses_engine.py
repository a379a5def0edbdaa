"""Dynamic synapses and gap junctions on the engine: storage, determinism, algorithms."""
from __future__ import annotations

import math

import numpy as np
import pytest

import lamina as sim
from lamina import errors
from lamina.models.base import Parameter, StandardSynapseType


@pytest.fixture
def setup():
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    yield sim
    sim.end()


def test_unknown_synapse_type_names_the_backend(setup):
    class Exotic(StandardSynapseType):
        parameters = (Parameter("weight", 0.0, "nA", "w"), Parameter("delay", None, "ms", "d"))

    a, b = sim.Population(1, sim.IF_curr_exp()), sim.Population(1, sim.IF_curr_exp())
    with pytest.raises(errors.NoModelAvailableError, match="engine backend .*'Exotic'"):
        sim.Projection(a, b, sim.AllToAllConnector(), Exotic(weight=0.1))
    half = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.AdditiveWeightDependence(),
                             dendritic_delay_fraction=0.5)
    with pytest.raises(errors.NoModelAvailableError, match="engine backend .*dendritic"):
        sim.Projection(a, b, sim.AllToAllConnector(), half)


def test_every_parameter_is_a_connection_attribute(setup):
    pre, post = sim.Population(3, sim.IF_curr_exp()), sim.Population(2, sim.IF_curr_exp())
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.GutigWeightDependence(), weight=0.2)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    names = prj.attribute_names
    for k, name in enumerate(names):
        if name == "delay":
            continue
        vals = np.linspace(0.1, 0.6, prj.size()) + (k if name.startswith("tau") else 0)
        prj.set(**{name: vals})
        got = np.asarray(prj.get(name, "list", with_address=False)).ravel()
        np.testing.assert_allclose(got, vals)
    tm = sim.Projection(pre[:2], post, sim.OneToOneConnector(),
                        sim.MultiQuantalSynapse(weight=0.1, n=3))
    assert tm.get(["U", "n", "tau_rec", "tau_facil"], "list")[0] == (0, 0, 0.5, 3.0, 800.0, 0.0)
    sim.run(5.0)
    tm.set(n=[4, 5])
    assert tm.get("n", "list", with_address=False) == [4.0, 5.0]


def _delta_net(synapse, seed=42, n_src=40, rate_times=None):
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0, rng_seed=seed)
    times = rate_times if rate_times is not None else [
        list(np.arange(1.0 + 0.3 * i, 200.0, 7.0)) for i in range(n_src)]
    src = sim.Population(n_src, sim.SpikeSourceArray(spike_times=times))
    cell = sim.Population(1, sim.IF_curr_delta(tau_m=1e9, v_thresh=1e9, v_rest=0.0,
                                               v_reset=0.0, tau_refrac=0.0))
    cell.initialize(v=0.0)
    sim.Projection(src, cell, sim.AllToAllConnector(), synapse)
    cell.record("v")
    return cell, sum(len(t) for t in times)


def _v(cell, chunks):
    for t in chunks:
        sim.run_until(t)
    v = np.asarray(cell.get_data().segments[0].analogsignals[0]).ravel()
    sim.end()
    return v


def test_bernoulli_rate_and_independence_of_run_splitting():
    syn = lambda: sim.SimpleStochasticSynapse(weight=1.0, delay=1.0, p=0.3)  # noqa: E731
    cell, n_spikes = _delta_net(syn())
    v1 = _v(cell, [205.0])
    cell, _ = _delta_net(syn())
    v2 = _v(cell, [3.3, 50.0, 50.1, 120.0, 205.0])
    np.testing.assert_array_equal(v1, v2)
    frac = v1[-1] / n_spikes
    assert abs(frac - 0.3) < 4 * math.sqrt(0.3 * 0.7 / n_spikes)
    cell, _ = _delta_net(syn(), seed=7)
    assert not np.array_equal(_v(cell, [205.0]), v1)


def test_quantal_release_statistics():
    """Spikes 200 ms apart with tau_rec = 1 ms: every site is back; mean release n U."""
    times = [list(np.arange(5.0 + i, 4000.0, 200.0)) for i in range(50)]
    cell, n_spikes = _delta_net(sim.MultiQuantalSynapse(weight=1.0, delay=1.0, n=4, U=0.25,
                                                        tau_rec=1.0), rate_times=times,
                                n_src=50)
    v = _v(cell, [4005.0])
    mean = v[-1] / n_spikes
    assert abs(mean - 1.0) < 4 * math.sqrt(4 * 0.25 * 0.75 / n_spikes)
    # fast spikes deplete the single site of the stochastic Tsodyks-Markram synapse
    times = [list(np.arange(5.0 + 0.1 * i, 1000.0, 2.0)) for i in range(50)]
    cell, n_spikes = _delta_net(sim.StochasticTsodyksMarkramSynapse(
        weight=1.0, delay=1.0, U=0.5, tau_rec=50.0), rate_times=times, n_src=50)
    v = _v(cell, [1005.0])
    # stationary release probability per spike for a 1-site synapse: U r / (1 - (1 - U) ... )
    p_rec = 1.0 - math.exp(-2.0 / 50.0)
    stationary = 0.5 * p_rec / (p_rec + 0.5 - 0.5 * p_rec)
    assert abs(v[-1] / n_spikes - stationary) < 0.2 * stationary


def _nest_stdp_reference(pre, post, d, w, tau_plus, tau_minus, lam, alpha, mu_p, mu_m, wmax):
    """NEST's stdp_synapse algorithm with the full postsynaptic history (times in ms)."""
    post = np.asarray(post)
    kminus_at = []  # K- after each post spike
    k, last = 0.0, None
    for t in post:
        k = (k * math.exp((last - t) / tau_minus) if last is not None else 0.0) + 1.0
        kminus_at.append(k)
        last = t
    kplus, t_last, out = 0.0, 0.0, []
    for t in pre:
        for tp in post[(post > t_last - d + 1e-9) & (post <= t - d + 1e-9)]:
            x = w / wmax + lam * (1 - w / wmax) ** mu_p * kplus * math.exp(
                (t_last - (tp + d)) / tau_plus)
            w = min(x, 1.0) * wmax
        before = np.flatnonzero(post < t - d - 1e-9)
        km = kminus_at[before[-1]] * math.exp((post[before[-1]] - (t - d)) / tau_minus) \
            if len(before) else 0.0
        x = w / wmax - alpha * lam * (w / wmax) ** mu_m * km
        w = max(x, 0.0) * wmax
        out.append(w)
        kplus = kplus * math.exp((t_last - t) / tau_plus) + 1.0
        t_last = t
    return np.array(out)


@pytest.mark.parametrize("chunks", [[1000.0], [137.3, 400.0, 400.1, 777.0, 1000.0]])
def test_stdp_long_post_history_matches_reference(chunks):
    """Many postsynaptic spikes between rare presynaptic ones (the history ring grows)."""
    pre_t = [50.0, 400.0, 410.0, 900.0]
    post_t = list(np.round(np.arange(52.0, 390.0, 3.0), 1)) + [405.0, 600.0, 601.0]
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=pre_t))
    kick = sim.Population(1, sim.SpikeSourceArray(spike_times=[t - 0.1 for t in post_t]))
    cell = sim.Population(1, sim.IF_curr_exp(tau_refrac=0.1, v_reset=-70.0))
    sim.Projection(kick, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=50.0, delay=0.1))
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=30.0, A_plus=0.01,
                                            A_minus=0.012),
        weight_dependence=sim.MultiplicativeWeightDependence(w_max=1.0), weight=0.5, delay=2.0)
    prj = sim.Projection(src, cell, sim.AllToAllConnector(), stdp)
    # a second rule onto the same cell with another tau_minus (per connection on the engine)
    prj2 = sim.Projection(src, cell, sim.AllToAllConnector(), sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=10.0, tau_minus=7.0, A_plus=0.02,
                                            A_minus=0.03),
        weight_dependence=sim.AdditiveWeightDependence(w_max=1.0), weight=0.5, delay=4.5))
    cell.record("spikes")
    prj.record("weight", sampling_interval=1.0)
    prj2.record("weight", sampling_interval=1.0)
    for t in chunks:
        sim.run_until(t)
    spikes = np.asarray(cell.get_data().segments[0].spiketrains[0].magnitude)
    w = np.asarray(prj.get_data().segments[0].analogsignals[0]).ravel()
    w2 = np.asarray(prj2.get_data().segments[0].analogsignals[0]).ravel()
    sim.end()
    assert len(spikes) > 100
    ref = _nest_stdp_reference(pre_t, spikes, 2.0, 0.5, 20.0, 30.0, 0.01, 1.2, 1.0, 1.0, 1.0)
    after = np.array([w[int(round(t)) + 1] for t in pre_t])
    np.testing.assert_allclose(after, ref, rtol=1e-12)
    ref2 = _nest_stdp_reference(pre_t, spikes, 4.5, 0.5, 10.0, 7.0, 0.02, 1.5, 0.0, 0.0, 1.0)
    np.testing.assert_allclose([w2[int(round(t)) + 1] for t in pre_t], ref2, rtol=1e-12)


def test_reset_restores_weights_and_synaptic_state(setup):
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[5.0, 15.0, 25.0]] * 2))
    cell = sim.Population(1, sim.IF_curr_exp())
    kick = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 20.0]))
    sim.Projection(kick, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=20.0))
    stdp = sim.Projection(src, cell, sim.AllToAllConnector(), sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(A_plus=0.2), weight=0.4, delay=1.0,
        weight_dependence=sim.AdditiveWeightDependence(w_max=1.0)))
    tm = sim.Projection(src, cell, sim.AllToAllConnector(),
                        sim.TsodyksMarkramSynapse(weight=0.3, U=0.6))
    cell.record("v")
    sim.run(40.0)
    w1 = stdp.get("weight", "list", with_address=False)
    assert w1 != [(0.4,), (0.4,)]
    sim.reset()
    assert stdp.get("weight", "list", with_address=False) == [0.4, 0.4]
    sim.run(40.0)
    assert stdp.get("weight", "list", with_address=False) == w1
    segs = cell.get_data().segments
    np.testing.assert_array_equal(np.asarray(segs[0].analogsignals[0]),
                                  np.asarray(segs[1].analogsignals[0]))
    assert tm.get("weight", "list", with_address=False) == [0.3, 0.3]


def _coupled_exact(g, dt, t_stop, cm, tau_m, i_a, v0):
    """Two passive membranes coupled by conductance g: exact solution on the grid."""
    A = np.array([[-1 / tau_m - g / cm, g / cm], [g / cm, -1 / tau_m - g / cm]])
    b = np.array([i_a / cm, 0.0])
    lam, V = np.linalg.eig(A)
    v_inf = -np.linalg.solve(A, b)
    c = np.linalg.solve(V, np.asarray(v0) - v_inf)
    ts = np.arange(0.0, t_stop + dt / 2, dt)
    return ts, (V @ (c[:, None] * np.exp(lam[:, None] * ts[None, :]))).T.real + v_inf


@pytest.mark.parametrize("dt", [0.1, 0.05])
def test_gap_junction_against_exact_solution(dt):
    """Explicit coupling: error O(dt) (here < 0.02 mV at dt = 0.1 ms, halves with dt)."""
    cm, tau_m, g, i_a, t_stop = 0.5, 10.0, 0.05, 1.0, 100.0
    sim.setup(timestep=dt, min_delay=dt)
    cells = sim.Population(2, sim.IF_curr_exp(cm=cm, tau_m=tau_m, v_rest=0.0,
                                               v_thresh=1e9, i_offset=0.0))
    cells.initialize(v=0.0)
    cells[0:1].set(i_offset=i_a)
    prj = sim.Projection(cells[0:1], cells[1:2], sim.AllToAllConnector(),
                         sim.ElectricalSynapse(weight=g))
    assert prj.get("weight", "list") == [(0, 0, g)]
    cells.record("v")
    sim.run(t_stop)
    v = np.asarray(cells.get_data().segments[0].analogsignals[0])
    sim.end()
    ts, exact = _coupled_exact(g, dt, t_stop, cm, tau_m, i_a, [0.0, 0.0])
    err = np.max(np.abs(v - exact[:len(v)]))
    assert exact[-1, 1] > 0.5  # the coupled cell is driven
    assert err < 0.2 * dt
