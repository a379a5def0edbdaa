"""Assemblies of populations of different cell types as projection sources and targets,
and recording from them (PyNN 0.13's monolith_vs_composed.py does this)."""
import numpy as np
import pytest

from lamina import errors


def _build(sim, as_assembly):
    mono = sim.Population(1, sim.IF_curr_exp(tau_m=10.0, tau_syn_E=1.0, tau_syn_I=2.0))
    comp = sim.Population(1, sim.PointNeuron(
        sim.LIF(tau_m=10.0), excitatory=sim.CurrExpPostSynapticResponse(tau_syn=1.0),
        inhibitory=sim.CurrExpPostSynapticResponse(tau_syn=2.0)))
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[5.0], [12.0]]))
    mono.record("v")
    comp.record("v")
    targets = [mono + comp] if as_assembly else [mono, comp]
    for post in targets:
        sim.Projection(src[0:1], post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.5, delay=1.0), receptor_type="excitatory")
        sim.Projection(src[1:2], post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.2, delay=1.0), receptor_type="inhibitory")
    sim.run(30.0)
    return [np.asarray(p.get_data().segments[0].analogsignals[0]).ravel() for p in (mono, comp)]


def test_mixed_assembly_as_target_equals_separate_projections(sim):
    together = _build(sim, as_assembly=True)
    sim.setup(timestep=0.1)
    apart = _build(sim, as_assembly=False)
    for a, b in zip(together, apart):
        assert np.array_equal(a, b)
    v = together[0]                                           # both inputs arrived
    assert v.max() > -65.0 + 0.1 and v[140:].min() < -65.0 - 0.01


def test_mixed_assembly_as_source_and_recording(sim):
    a = sim.Population(2, sim.IF_curr_exp(i_offset=2.0))
    b = sim.Population(2, sim.IF_cond_exp(i_offset=2.0))
    both = a + b
    target = sim.Population(1, sim.IF_cond_exp())
    prj = sim.Projection(both, target, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=0.01, delay=1.0))
    assert prj.size() == 4
    both.record(["spikes", "v"])
    sim.run(50.0)
    seg = both.get_data().segments[0]
    assert len(seg.spiketrains) == 4 and sum(len(st) for st in seg.spiketrains) > 0
    assert sum(sig.shape[1] for sig in seg.filter(name="v")) == 4


def test_weights_checked_per_member(sim):
    curr = sim.Population(1, sim.IF_curr_exp())
    cond = sim.Population(1, sim.IF_cond_exp())
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    with pytest.raises(errors.InvalidWeightError, match="conductance"):
        sim.Projection(src, curr + cond, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.1), receptor_type="inhibitory")
