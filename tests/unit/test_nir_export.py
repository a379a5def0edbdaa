"""NIR export: IF_curr_exp networks as CubaLIF + Linear nodes, read back with nir.read;
models NIR cannot express are refused."""
from __future__ import annotations

import numpy as np
import pytest

nir = pytest.importorskip("nir", reason="NIR export needs nir (pip install lamina[nir])")

import lamina as sim  # noqa: E402
from lamina.errors import InvalidModelError  # noqa: E402
from lamina.io import nir as lnir  # noqa: E402
from lamina.network import Network  # noqa: E402


@pytest.fixture
def net():
    sim.setup(timestep=0.1)
    rng = sim.NumpyRNG(seed=3)
    src = sim.Population(5, sim.SpikeSourceArray(spike_times=[1.0, 5.0]), label="src")
    tau_m = sim.RandomDistribution("uniform", (10.0, 20.0), rng=rng)
    exc = sim.Population(8, sim.IF_curr_exp(tau_m=tau_m, cm=0.5, tau_syn_E=3.0, tau_syn_I=3.0),
                         label="exc")
    p1 = sim.Projection(src, exc, sim.FixedProbabilityConnector(0.5, rng=rng),
                        sim.StaticSynapse(weight=0.7, delay=1.0), label="src→exc")
    p2 = sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.3, rng=rng),
                        sim.StaticSynapse(weight=-0.2, delay=0.5), receptor_type="inhibitory",
                        label="exc→exc")
    yield Network(src, exc, p1, p2)
    sim.end()


def test_round_trip_through_file(net, tmp_path):
    path = str(tmp_path / "net.nir")
    lnir.export(net, path)
    graph = nir.read(path)
    exc = net.get_component("exc")
    node = graph.nodes["exc"]
    assert type(node).__name__ == "CubaLIF"
    assert np.allclose(node.tau_mem, exc.get("tau_m"))
    assert np.allclose(node.r, exc.get("tau_m") / 0.5)          # MOhm = ms / nF
    assert np.allclose(node.tau_syn, 3.0)
    assert np.allclose(node.v_leak, -65.0) and np.allclose(node.v_threshold, -50.0)
    assert np.allclose(node.v_reset, -65.0)
    assert type(graph.nodes["src"]).__name__ == "Input"
    for k, label in enumerate(["src→exc", "exc→exc"]):
        prj = net.get_component(label)
        name = f"w{k}_{label.replace('→', '_')}"
        expected = np.nan_to_num(prj.get("weight", format="array"), nan=0.0).T
        assert graph.nodes[name].weight.shape == (8, prj.pre.size)
        assert np.allclose(graph.nodes[name].weight, expected)
    assert np.all(graph.nodes["w1_exc_exc"].weight <= 0.0)      # inhibitory: negative
    edges = set(map(tuple, graph.edges))
    assert {("src", "w0_src_exc"), ("w0_src_exc", "exc"), ("exc", "w1_exc_exc"),
            ("w1_exc_exc", "exc"), ("exc", "exc_output")} <= edges


def test_conductance_based_model_refused():
    sim.setup(timestep=0.1)
    try:
        pop = sim.Population(3, sim.IF_cond_exp(), label="cond")
        with pytest.raises(InvalidModelError, match=r"population 'cond' uses IF_cond_exp, which "
                                                    r"NIR cannot express"):
            lnir.export(Network(pop))
    finally:
        sim.end()


def test_two_synaptic_time_constants_refused():
    sim.setup(timestep=0.1)
    try:
        pop = sim.Population(3, sim.IF_curr_exp(tau_syn_E=2.0, tau_syn_I=5.0), label="p")
        with pytest.raises(InvalidModelError, match=r"'p' has tau_syn_E != tau_syn_I"):
            lnir.export(Network(pop))
        pop2 = sim.Population(3, sim.IF_curr_exp(i_offset=0.2), label="q")
        with pytest.raises(InvalidModelError, match=r"'q' has a non-zero i_offset"):
            lnir.export(Network(pop2))
    finally:
        sim.end()


def test_plastic_synapse_refused():
    sim.setup(timestep=0.1)
    try:
        a = sim.Population(3, sim.IF_curr_exp(), label="a")
        prj = sim.Projection(a, a, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.1),
                             label="tm")
        with pytest.raises(InvalidModelError, match=r"projection 'tm' uses TsodyksMarkramSynapse"):
            lnir.export(Network(a, prj))
    finally:
        sim.end()


def test_delta_synapse_cells_as_lif_with_charges(tmp_path):
    """IF_curr_delta -> nir.LIF; a weight w [mV] (the jump of v) becomes the charge cm*w,
    which NIR's LIF turns back into a jump r*q/tau = w."""
    sim.setup(timestep=0.1)
    try:
        src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="src")
        cells = sim.Population(3, sim.IF_curr_delta(cm=[0.5, 1.0, 2.0], tau_m=10.0), label="d")
        prj = sim.Projection(src, cells, sim.AllToAllConnector(),
                             sim.StaticSynapse(weight=1.5, delay=1.0), label="s")
        lnir.export(Network(src, cells, prj), str(tmp_path / "d.nir"))
        graph = nir.read(str(tmp_path / "d.nir"))
    finally:
        sim.end()
    lif = graph.nodes["d"]
    assert type(lif).__name__ == "LIF"
    assert np.allclose(lif.tau, 10.0) and np.allclose(lif.r, [20.0, 10.0, 5.0])
    charges = graph.nodes["w0_s"].weight
    assert np.allclose(charges, np.array([[0.75, 0.75], [1.5, 1.5], [3.0, 3.0]]))
    assert np.allclose(lif.r[:, None] * charges / lif.tau[:, None], 1.5)   # the jump [mV]


def test_exported_cubalif_equations_reproduce_lamina(tmp_path):
    """NIR's CubaLIF equations, solved in closed form with the exported parameters, weight
    and the delay from the metadata, give the membrane potential lamina computed (one
    input spike, no threshold crossing): the mapping r = tau_m / cm etc. is the model."""
    sim.setup(timestep=0.1)
    try:
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]), label="src")
        cell = sim.Population(1, sim.IF_curr_exp(tau_m=12.0, cm=0.4, tau_syn_E=3.0,
                                                 tau_syn_I=3.0, v_thresh=0.0), label="cell")
        prj = sim.Projection(src, cell, sim.OneToOneConnector(),
                             sim.StaticSynapse(weight=0.5, delay=1.0))
        lnir.export(Network(src, cell, prj), str(tmp_path / "one.nir"))
        cell.record("v")
        sim.run(30.0)
        v = np.asarray(cell.get_data().segments[0].analogsignals[0].magnitude)[:, 0]
    finally:
        sim.end()
    graph = nir.read(str(tmp_path / "one.nir"))
    node, linear = graph.nodes["cell"], graph.nodes["w0_src_cell"]
    delay = np.asarray(linear.metadata["delay"])[0, 0]
    tau_s, tau_m, r = node.tau_syn[0], node.tau_mem[0], node.r[0]
    t_since = np.clip(np.arange(v.size) * 0.1 - (1.0 + delay), 0.0, None)
    # tau_s dI/dt = -I + w S;  tau_m dv/dt = (v_leak - v) + r I  (I jumps by w at arrival)
    amplitude = r * linear.weight[0, 0] * tau_s / (tau_s - tau_m)
    expected = node.v_leak[0] + amplitude * (np.exp(-t_since / tau_s) - np.exp(-t_since / tau_m))
    assert np.abs(v - expected).max() < 1e-9          # mV; exact integration on both sides
    assert v.max() - node.v_leak[0] > 1.0             # the input did move v
