"""The Projection interface of seed 003, on the engine and on Brian 2."""
import importlib
import importlib.util

import numpy as np
import pytest

from lamina import errors


@pytest.fixture(params=["engine", pytest.param("brian2", marks=pytest.mark.skipif(
    importlib.util.find_spec("brian2") is None, reason="Brian 2 is not installed"))])
def sim(request):
    """The lamina namespace on each backend, set up with dt = 0.1 ms."""
    module = importlib.import_module("lamina" if request.param == "engine"
                                     else f"lamina.{request.param}")
    module.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    yield module
    module.end()


@pytest.fixture
def net(sim):
    pre = sim.Population(4, sim.IF_curr_exp, label="pre")
    post = sim.Population(3, sim.IF_curr_exp, label="post")
    conn = [(0, 0, 0.1, 0.5), (0, 2, 0.2, 1.0), (1, 1, 0.3, 1.5), (3, 2, 0.4, 2.0)]
    prj = sim.Projection(pre, post, sim.FromListConnector(conn), sim.StaticSynapse(),
                         label="p1")
    return sim, pre, post, prj


def test_get_list_and_array(net):
    sim, pre, post, prj = net
    rows = prj.get(["weight", "delay"], format="list")
    assert rows == [(0, 0, 0.1, 0.5), (0, 2, 0.2, 1.0), (1, 1, 0.3, 1.5), (3, 2, 0.4, 2.0)]
    assert prj.get("weight", format="list", with_address=False) == [0.1, 0.2, 0.3, 0.4]  # PyNN: numbers
    w, d = prj.get(["weight", "delay"], format="array")
    assert w.shape == (4, 3) and np.isnan(w[2, 0]) and w[3, 2] == 0.4 and d[1, 1] == 1.5
    assert prj.size() == len(prj) == 4 and prj.shape == (4, 3)


def test_multiple_synapses(sim):
    pre = sim.Population(2, sim.IF_curr_exp)
    post = sim.Population(2, sim.IF_curr_exp)
    prj = sim.Projection(pre, post, sim.FromListConnector(
        [(0, 1, 0.1, 1.0), (0, 1, 0.3, 1.0), (0, 1, 0.2, 1.0)]), sim.StaticSynapse())
    assert set(sim.Projection.MULTI_SYNAPSE_OPERATIONS) == {"sum", "first", "last", "min", "max"}
    get = lambda op: prj.get("weight", "array", multiple_synapses=op)[0, 1]  # noqa: E731
    assert get("sum") == pytest.approx(0.6)
    assert (get("first"), get("last"), get("min"), get("max")) == (0.1, 0.2, 0.1, 0.3)


def test_set_number_distribution_array_function_expression(net):
    sim, pre, post, prj = net
    prj.set(weight=0.7)
    assert np.allclose(prj.get("weight", "list", with_address=False), 0.7)
    prj.set(weight=sim.RandomDistribution("uniform", low=0.1, high=0.2, rng=sim.NumpyRNG(5)))
    w = np.array(prj.get("weight", "list", with_address=False)).ravel()
    assert np.all((w >= 0.1) & (w <= 0.2)) and np.unique(w).size == 4
    matrix = np.arange(12.0).reshape(4, 3) / 10
    prj.set(weight=matrix)
    assert prj.get("weight", "array")[3, 2] == pytest.approx(1.1)
    prj.set(delay=lambda d: 0.1 + d)            # pre and post both on Line(): d = |i - j|
    assert np.allclose(np.array(prj.get("delay", "list"))[:, 2], [0.1, 2.1, 0.1, 1.1])
    prj.set(delay="0.5 + d")
    assert np.allclose(np.array(prj.get("delay", "list"))[:, 2], [0.5, 2.5, 0.5, 1.5])


def test_iteration_and_indexing(net):
    sim, pre, post, prj = net
    conns = list(prj)
    assert len(conns) == 4 and prj[1].as_tuple("weight") == (0, 2, 0.2)
    assert prj[2].presynaptic_index == 1 and prj[2].postsynaptic_index == 1
    assert prj[-1].weight == 0.4
    assert len(prj.connections) == 4


def test_save_list_roundtrip_and_array(net, tmp_path):
    sim, pre, post, prj = net
    path = tmp_path / "conn.txt"
    prj.save("all", str(path), format="list")
    prj2 = sim.Projection(pre, post, sim.FromFileConnector(str(path)))
    assert prj2.get(["weight", "delay"], "list") == prj.get(["weight", "delay"], "list")
    apath = tmp_path / "w.txt"
    prj.save("weight", str(apath), format="array")
    arr = np.loadtxt(apath)
    assert arr.shape == (4, 3) and arr[2, 0] == 0.0 and arr[3, 2] == 0.4


def test_deprecated_aliases_warn(net, tmp_path):
    sim, pre, post, prj = net
    with pytest.warns(DeprecationWarning, match=r"get\('weight'"):
        assert prj.getWeights() == [0.1, 0.2, 0.3, 0.4]        # PyNN: plain numbers
    with pytest.warns(DeprecationWarning):
        prj.setWeights(0.25)
    assert prj[0].weight == 0.25
    with pytest.warns(DeprecationWarning):
        prj.randomizeDelays(sim.RandomDistribution("uniform", (1.0, 2.0), rng=sim.NumpyRNG(2)))
    d = np.array(prj.get("delay", "list", with_address=False)).ravel()
    assert np.all((d >= 1.0) & (d <= 2.0))
    with pytest.warns(DeprecationWarning):
        prj.setDelays(1.0)
    with pytest.warns(DeprecationWarning):
        assert prj.getDelays(format="array")[0, 0] == 1.0
    with pytest.warns(DeprecationWarning):
        prj.printWeights(str(tmp_path / "w.txt"))
    with pytest.warns(DeprecationWarning):
        prj.saveConnections(str(tmp_path / "c.txt"))
    with pytest.warns(DeprecationWarning):
        counts, edges = prj.weightHistogram(min=0.0, max=1.0, nbins=4)
    assert counts.sum() == 4 and counts[1] == 4
    with pytest.warns(DeprecationWarning):
        assert prj.getSynapseDynamics("weight") == [0.25] * 4
    with pytest.warns(DeprecationWarning):
        prj.setSynapseDynamics("weight", 0.5)
    with pytest.warns(DeprecationWarning):
        prj.randomizeWeights(sim.RandomDistribution("uniform", (0.0, 0.1)))
    with pytest.warns(DeprecationWarning):
        prj.randomizeSynapseDynamics("weight", sim.RandomDistribution("uniform", (0.0, 0.1)))
    with pytest.warns(DeprecationWarning):
        prj.printDelays(str(tmp_path / "d.txt"))


def test_describe(net):
    sim, pre, post, prj = net
    assert "FromListConnector" in prj.describe() and "p1" in prj.describe()
    ctx = prj.describe(template=None)
    assert ctx["size"] == 4 and ctx["receptor_type"] == "excitatory"


def test_attributes(net):
    sim, pre, post, prj = net
    assert prj.pre is pre and prj.post is post and prj.label == "p1"
    assert prj.receptor_type == prj.target == "excitatory" and prj.synapse_dynamics is None


def test_procedural_connect(sim):
    a = sim.Population(20, sim.IF_curr_exp)
    b = sim.Population(20, sim.IF_curr_exp)
    prj = sim.connect(a, b, weight=0.5, delay=1.0, receptor_type="excitatory", p=0.5,
                      rng=sim.NumpyRNG(seed=7))
    assert 100 < prj.size() < 300
    one = sim.connect(a[0], b[1], weight=-0.2, receptor_type="inhibitory")
    assert one.get(["weight", "delay"], "list") == [(0, 0, -0.2, 0.1)]


def test_bad_connections(sim):
    a = sim.Population(3, sim.IF_curr_exp)
    c = sim.Population(3, sim.IF_cond_exp)
    with pytest.raises(errors.ConnectionError, match="receptor_type='NMDA'.*excitatory, inhibitory"):
        sim.Projection(a, a, sim.AllToAllConnector(), receptor_type="NMDA")
    with pytest.raises(errors.InvalidWeightError, match=r"inhibitory weights.*<= 0"):
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5),
                       receptor_type="inhibitory")
    with pytest.raises(errors.InvalidWeightError, match=">= 0"):
        sim.Projection(a, c, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.5),
                       receptor_type="inhibitory")
    with pytest.raises(errors.ConnectionError, match="below the minimum delay"):
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.01))
    with pytest.raises(errors.ConnectionError, match="above max_delay"):
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=50.0))
    with pytest.raises(errors.InvalidDimensionsError, match="3.*5|5.*3"):
        sim.Projection(a, sim.Population(5, sim.IF_curr_exp), sim.OneToOneConnector())
    with pytest.raises(errors.ConnectionError, match=r"row 0 has j=7.*\[0, 3\)"):
        sim.Projection(a, a, sim.FromListConnector([(0, 7, 0.1, 1.0)]))
    prj = sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    with pytest.raises(errors.ConnectionError, match="below the minimum delay"):
        prj.set(delay=0.0)
    assert np.allclose(prj.get("delay", "list", with_address=False), 0.1)   # nothing lost
    assert len(sim.state.backend.get_connection_values(prj._id, "weight")) == 9
