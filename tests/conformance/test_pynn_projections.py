"""Projection behaviour of PyNN 0.13: get/set formats and order, single connections,
save, and the initial state of dynamic synapses."""
import numpy as np
import pytest

from lamina import errors


@pytest.fixture
def net(sim):
    pre = sim.Population(3, sim.IF_curr_exp())
    post = sim.Population(2, sim.IF_curr_exp())
    rng = sim.NumpyRNG(seed=11)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=0.5, delay=sim.RandomDistribution(
                             "uniform", (1.0, 2.0), rng=rng)))
    return sim, pre, post, prj


def test_one_attribute_without_address_gives_numbers(net):
    sim, pre, post, prj = net
    delays = prj.get("delay", format="list", with_address=False)
    assert len(delays) == 6 and all(isinstance(d, float) for d in delays)
    assert all(1.0 <= d <= 2.0 for d in delays)
    rows = prj.get(["weight", "delay"], format="list", with_address=False)
    assert all(len(r) == 2 for r in rows)            # several attributes: tuples


def test_set_list_follows_get_list_order(net):
    sim, pre, post, prj = net
    order = [(i, j) for i, j, _ in prj.get("weight", format="list")]
    assert sorted(order) == order                     # PyNN's (pre, post) order
    new = [0.1 * (k + 1) for k in range(len(order))]
    prj.set(weight=new)
    got = prj.get("weight", format="list")
    assert [(i, j) for i, j, _ in got] == order
    assert np.allclose([w for _, _, w in got], new)
    matrix = prj.get("weight", format="array")
    for (i, j), w in zip(order, new):
        assert matrix[i, j] == pytest.approx(w)


def test_writing_one_connection_changes_the_projection(net):
    sim, pre, post, prj = net
    prj.connections[1].weight = 0.77
    prj[2].weight = 0.66
    weights = prj.get("weight", format="list", with_address=False)
    assert weights[:3] == pytest.approx([0.5, 0.77, 0.66])
    with pytest.raises(errors.InvalidWeightError, match="-1.0"):
        prj[0].weight = -1.0                        # excitatory current: >= 0


@pytest.mark.parametrize("what", ["connections", "all"])
def test_save_connections_reads_back(net, tmp_path, what):
    sim, pre, post, prj = net
    path = str(tmp_path / "conns.txt")
    prj.save(what, path)
    data = np.loadtxt(path)
    assert data.shape == (6, 4)                      # i, j, weight, delay
    again = sim.Projection(pre, post, sim.FromFileConnector(path))
    assert np.allclose(again.get(["weight", "delay"], format="list"),
                       prj.get(["weight", "delay"], format="list"))


def _peak_conductance(sim, initial):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    tgt = sim.Population(1, sim.IF_cond_exp(tau_syn_E=5.0))
    prj = sim.Projection(src, tgt, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.01, U=0.5, tau_rec=100.0,
                                                   tau_facil=50.0, delay=1.0))
    if initial:
        prj.initialize(**initial)
    tgt.record("gsyn_exc")
    sim.run(20.0)
    peak = float(np.max(tgt.get_data().segments[-1].analogsignals[0]))
    return prj, peak


def _release(u0, x0, h=10.0, U=0.5, tau_rec=100.0, tau_facil=50.0):
    """Fraction of the weight released by the first spike, h ms after t = 0 (NEST's
    tsodyks_synapse with y = 0): u decays, x recovers from z = 1 - x, then u += U (1 - u)
    and u x is released."""
    u = u0 * np.exp(-h / tau_facil)
    x = x0 + (1.0 - np.exp(-h / tau_rec)) * (1.0 - x0)
    u += U * (1.0 - u)
    return u * x


def test_initialize_tsodyks_markram_state(sim):
    """Peak conductances after the first spike are in the ratio of the released
    fractions from (u, x) = (0.3, 0.8) and from the default state (0, 1)."""
    _, default = _peak_conductance(sim, None)
    sim.setup(timestep=0.1)
    prj, changed = _peak_conductance(sim, {"u": 0.3, "x": 0.8})
    assert changed / default == pytest.approx(_release(0.3, 0.8) / _release(0.0, 1.0),
                                              rel=1e-9)
    sim.reset()                                      # reset restores the initialized state
    sim.run(20.0)
    again = float(np.max(prj.post.get_data().segments[-1].analogsignals[0]))
    assert again == pytest.approx(changed, rel=1e-12)


def test_initialize_multiquantal_sites(backend, sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    tgt = sim.Population(1, sim.IF_cond_exp())
    synapse = sim.MultiQuantalSynapse(weight=0.01, n=5, U=0.5, delay=1.0)
    if backend == "brian2":                          # no quantal release model there
        with pytest.raises(errors.NoModelAvailableError,
                           match=f"MultiQuantalSynapse is not available on the {backend} backend"):
            sim.Projection(src, tgt, sim.AllToAllConnector(), synapse)
        return
    prj = sim.Projection(src, tgt, sim.AllToAllConnector(), synapse)
    prj.initialize(a=5, u=0.5)                       # what multiquantal_synapses.py does
    if backend == "neuron":                          # no synaptic state recording there
        with pytest.raises(errors.NoModelAvailableError,
                           match="neuron backend cannot record synaptic state"):
            prj.record("a")
        return
    prj.record("a")
    sim.run(2.0)
    assert float(np.asarray(prj.get_data().segments[0].analogsignals[0])[0, 0]) == 5.0


def test_initialize_refuses_unknown_state(net):
    sim, pre, post, prj = net
    with pytest.raises(errors.NonExistentParameterError, match="u"):
        prj.initialize(u=0.5)                       # StaticSynapse has no state
