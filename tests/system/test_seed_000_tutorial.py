"""The classic PyNN tutorial (../shared/seeds/000_*.txt), step by step in Python 3, on every
installed backend. Numbers in comments are the tutorial's line numbers. Differences from the
tutorial's printed output, by design: IDs start at 0 on every backend (PyNN 0.7 on NEST
started at 1), and PyNN 0.13's IF_curr_alpha default tau_refrac is 0.1 ms (0.0 in 0.7)."""
import importlib.util
import warnings

import numpy
import pytest

BACKENDS = ["engine", pytest.param("nest", marks=pytest.mark.skipif(
    importlib.util.find_spec("nest") is None, reason="NEST is not installed")),
    pytest.param("neuron", marks=pytest.mark.skipif(
        importlib.util.find_spec("neuron") is None, reason="NEURON is not installed")),
    pytest.param("brian2", marks=pytest.mark.skipif(
        importlib.util.find_spec("brian2") is None, reason="Brian 2 is not installed"))]


@pytest.fixture(params=BACKENDS)
def sim(request):
    import importlib
    module = importlib.import_module("lamina" if request.param == "engine"
                                     else f"lamina.{request.param}")
    warnings.simplefilter("ignore", DeprecationWarning)     # each classic name warns once
    yield module
    module.end()


def test_tutorial_end_to_end(sim, tmp_path):
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=0.5, debug=False)                  # 15
    sim.setup(rngseeds=[12345, 67890], threads=2)                                        # 18
    sim.create(sim.IF_curr_alpha)                                                        # 24
    sim.create("iaf_neuron")                                                             # 28
    sim.create(sim.IF_curr_alpha, n=10)                                                  # 32
    defaults = sim.IF_curr_alpha.default_parameters                                      # 35
    assert defaults["tau_m"] == 20.0 and defaults["cm"] == 1.0 and defaults["v_rest"] == -65.0
    sim.create(sim.IF_curr_alpha, cellparams={"tau_m": 15.0, "cm": 0.9}, n=10)          # 38
    cell = sim.create(sim.IF_curr_alpha)                                                 # 40
    cell_list = sim.create(sim.IF_curr_alpha, n=10)                                      # 41
    times = [10., 20., 30.]                                                              # 47
    spike_source = sim.create(sim.SpikeSourceArray, {"spike_times": times})              # 48
    cell_list2 = sim.create(sim.IF_cond_exp, n=10)                                       # 50
    assert sim.connect(spike_source, cell_list2).size() == 10                            # 51
    assert sim.connect(source=spike_source, target=cell_list2).size() == 10              # 56
    source_list, target_list = cell_list, cell_list2                                     # 58-59
    assert 0 < sim.connect(source_list, target_list, p=0.5).size() < 100                 # 60
    prj = sim.connect(source_list, target_list, weight=1.5, delay=1.0)                   # 63
    assert prj.get(["weight", "delay"], "list")[0][2:] == (1.5, 1.0)
    prj = sim.connect(source_list, target_list, weight=1.5, delay=1.0,
                      synapse_type="inhibitory")                                         # 68
    assert prj.receptor_type == "inhibitory"
    cells = sim.create(sim.IF_curr_exp, n=10)                                            # 73
    assert cells[0].tau_m == 20.0                                                        # 74
    cells[0].tau_m = 15                                                                  # 75
    assert cells[0].tau_m == 15.0                                                        # 76
    cells[1].set_parameters(tau_m=10.0, cm=0.5)                                          # 79
    assert cells[1].tau_m == 10.0 and cells[1].cm == 0.5                                 # 80-82
    sim.set(cells[0:5], param="v_init", val=-65.0)                                       # 84
    assert cells[0].v_init == -65.0 and cells[5].v_init == -65.0                         # 85-87
    sim.set(cells, param={"tau_refrac": 2.0, "tau_syn_E": 5.0})                          # 90
    assert cells.get("tau_refrac") == 2.0
    cells[0].position = (75, 456, 56)                                                    # 95
    assert list(cells[0].position) == [75.0, 456.0, 56.0]
    sim.record(cell, str(tmp_path / "spikes.dat"))                                       # 106
    sim.record_v(cell_list, str(tmp_path / "v.dat"))
    assert sim.run(1000.0) == pytest.approx(1000.0)                                      # 113
    sim.end()                                                                            # 117
    assert numpy.loadtxt(tmp_path / "v.dat").shape == (10 * 10001, 2)
    assert (tmp_path / "spikes.dat").read_text().startswith("# first_id")
    assert "IF_cond_alpha" in sim.list_standard_models()                                 # 123

    # "Larger networks": the tutorial goes on after end(); a new simulation starts
    with pytest.warns(UserWarning, match="starting a new one"):
        p1 = sim.Population((10, 10), sim.IF_curr_exp)                                   # 137
    p2 = sim.Population(100, sim.SpikeSourceArray, label="Input Population")            # 138
    p3 = sim.Population(dims=(3, 4, 5), cellclass=sim.IF_cond_alpha,
                        cellparams={"v_thresh": -55, "tau_m": 10}, label="Column 1")    # 139
    assert (p1.dim, p2.dim, p3.dim) == ((10, 10), (100,), (3, 4, 5))                     # 143
    assert (len(p1), len(p2), len(p3)) == (100, 100, 60)                                 # 146
    p4 = sim.Population(20, "iaf_neuron")                                                # 149
    assert int(p1[0, 0]) == int(p1.first_id) and int(p1[9, 9]) == int(p1.first_id) + 99  # 153-155
    assert int(p3[2, 2, 0]) == int(p3.first_id) + 50                                     # 157
    assert p3.locate(p3[2, 2, 0]) == (2, 2, 0)                                           # 159
    p1[1, 0].position = (0.0, 0.1, 0.2)                                                  # 161
    assert list(p1[1, 0].position) == [0.0, 0.1, 0.2]                                    # 162
    assert p1.positions.shape == (3, 100)
    p1.record()                                                                          # 175
    p1.record(10)                                                                        # 178
    p1.record([p1[0, 0], p1[0, 1], p1[0, 2]])                                            # 181
    prj = sim.Projection(p2, p1, sim.AllToAllConnector())                                # 190
    assert prj.size() == 10000
    prj = sim.Projection(p1, p1, sim.OneToOneConnector())                                # 193
    assert prj.size() == 100
    prj = sim.Projection(p2, p3, sim.FixedProbabilityConnector(0.2))                     # 196
    assert 900 < prj.size() < 1500
    connector = sim.AllToAllConnector(weights=0.7)                                       # 201
    prj = sim.Projection(p1, p3, connector)                                              # 202
    assert numpy.allclose(prj.get("weight", "list", with_address=False), 0.7)
    distr = sim.RandomDistribution("gamma", [2., 0.1])                                   # 205
    conn = sim.FixedNumberPostConnector(n=20, delays=distr)                              # 206
    with pytest.warns(UserWarning, match="below the minimum delay"):
        prj = sim.Projection(p2, p1, conn)                                               # 207
    d = numpy.array(prj.get("delay", "list", with_address=False)).ravel()
    assert prj.size() == 2000 and d.min() >= 0.1 - 1e-12
    weights = numpy.arange(1.1, 2.0, 0.9 / len(p1))                                      # 210
    delays = 2 * weights                                                                 # 211
    connector = sim.OneToOneConnector(weights=weights, delays=delays)                    # 212
    prj = sim.Projection(p1, p1, connector)                                              # 213
    assert numpy.allclose(numpy.array(prj.get("weight", "list"))[:, 2], weights)
    depressing_syn = sim.TsodyksMarkramMechanism()                                       # 219
    syn_dyn = sim.SynapseDynamics(fast=depressing_syn)                                   # 220
    prj = sim.Projection(p4, p4, sim.AllToAllConnector(), synapse_dynamics=syn_dyn)      # 221
    assert prj.size() == 400 and prj.synapse_dynamics is not None
    assert prj.get("U", "list", with_address=False)[0] == 0.5
    sim.run(50.0)
    p1.printSpikes(str(tmp_path / "spikefile.dat"))                                      # 184
    assert (tmp_path / "spikefile.dat").exists()
