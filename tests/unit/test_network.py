"""`lamina.network.Network` (``pyNN.network``): membership, counts, filter, record."""
from __future__ import annotations

import pytest

import lamina as sim
from lamina.errors import InvalidParameterValueError
from lamina.network import Network


def test_network_collects_and_counts():
    sim.setup(timestep=0.1)
    try:
        a = sim.Population(4, sim.IF_curr_exp(), label="a")
        b = sim.Population(3, sim.IF_cond_exp(), label="b")
        s = sim.Population(2, sim.SpikeSourcePoisson(rate=5.0), label="s")
        prj = sim.Projection(s, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
        net = Network(sim.Assembly(a, b, label="ab"), s[0:1], prj)
        assert net.populations == frozenset([a, b, s])
        assert net.ordered_populations() == [a, b, s]
        assert net.count_neurons() == 9 and net.count_connections() == 8
        assert net.get_component("ab").size == 7 and net.get_component("zz") is None
        assert net.filter([sim.IF_cond_exp]).populations == [b]
        assert [p.label for p in net.filter("all").populations] == ["a", "b"]
        net.record("spikes", include_spike_source=False)
        sim.run(10.0)
        blocks = net.get_data()
        assert len(blocks) == 1 and blocks[0].name == "ab"
        assert net.sim is sim
        with pytest.raises(InvalidParameterValueError, match=r"Network.add\(3\): expected"):
            net.add(3)
    finally:
        sim.end()
