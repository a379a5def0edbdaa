"""Recording synaptic state over time: ``prj.record(...)`` / ``prj.get_data()`` (engine)."""
from __future__ import annotations

import numpy as np
import pytest
import quantities as pq

from lamina import errors


def _stdp_net(sim):
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[[5.0, 25.0, 45.0, 65.0]] * 3))
    kick = sim.Population(1, sim.SpikeSourceArray(spike_times=[8.0, 28.0, 48.0]))
    post = sim.Population(2, sim.IF_curr_exp())
    sim.Projection(kick, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=20.0))
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=0.1, A_minus=0.05),
                             weight_dependence=sim.AdditiveWeightDependence(w_max=2.0),
                             weight=0.5, delay=1.0)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="plastic")
    return pre, post, prj


def test_weight_recording_shape_units_annotations(sim):
    pre, post, prj = _stdp_net(sim)
    prj.record("weight", sampling_interval=1.0)
    sim.run(80.0)
    block = prj.get_data()
    assert len(block.segments) == 1
    sig = block.segments[0].analogsignals[0]
    assert sig.name == "weight" and sig.units == pq.nA
    assert sig.shape == (81, prj.size())
    assert float(sig.sampling_period.rescale(pq.ms)) == pytest.approx(1.0)
    pre_i, post_i = prj.connection_indices()
    np.testing.assert_array_equal(sig.array_annotations["presynaptic_index"], pre_i)
    np.testing.assert_array_equal(sig.array_annotations["postsynaptic_index"], post_i)
    w = np.asarray(sig)
    assert np.all(w[0] == 0.5)
    final = np.asarray(prj.get("weight", "list", with_address=False)).ravel()
    np.testing.assert_allclose(w[-1], final)
    assert np.any(np.abs(final - 0.5) > 1e-3), "weights should have changed"
    # the weight changes at presynaptic spikes only (stamps 5, 25, 45, 65 ms)
    changes = np.flatnonzero(np.any(np.diff(w, axis=0) != 0, axis=1)) + 1
    assert set(changes.tolist()) <= {25, 45, 65}


def test_run_splitting_does_not_change_samples(sim):
    def run(chunks):
        sim.setup(timestep=0.1)
        pre, post, prj = _stdp_net(sim)
        prj.record("weight", sampling_interval=2.5)
        for t in chunks:
            sim.run_until(t)
        return np.asarray(prj.get_data().segments[0].analogsignals[0])
    a = run([80.0])
    b = run([13.3, 40.0, 41.1, 80.0])
    np.testing.assert_array_equal(a, b)


def test_tsodyks_state_and_segments_per_reset(sim):
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 20.0, 30.0]))
    post = sim.Population(1, sim.IF_curr_exp())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.5, U=0.4, tau_rec=50.0))
    prj.record(["u", "x", "weight"], sampling_interval=5.0)
    sim.run(40.0)
    sim.reset()
    sim.run(15.0)
    block = prj.get_data()
    assert len(block.segments) == 2
    sigs = {s.name: s for s in block.segments[0].analogsignals}
    assert set(sigs) == {"u", "x", "weight"}
    u, x = np.asarray(sigs["u"]).ravel(), np.asarray(sigs["x"]).ravel()
    assert u[0] == 0.0 and x[0] == 1.0
    assert u[-1] == pytest.approx(0.4) and x[-1] < 0.5  # three uses with little recovery
    assert sigs["u"].units == pq.dimensionless
    seg2 = {s.name: s for s in block.segments[1].analogsignals}
    assert seg2["u"].shape == (4, 1) and np.asarray(seg2["x"])[0, 0] == 1.0


def test_static_weight_recording_and_clear(sim):
    pre = sim.Population(2, sim.IF_cond_exp())
    post = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    prj.record("weight", sampling_interval=1.0)
    sim.run(3.0)
    sig = prj.get_data(clear=True).segments[0].analogsignals[0]
    assert sig.units == pq.uS and sig.shape == (4, 4)
    sim.run(2.0)
    sig = prj.get_data().segments[0].analogsignals[0]
    assert sig.shape == (2, 4) and float(sig.t_start.rescale(pq.ms)) == pytest.approx(4.0)


def test_bad_recording_requests(sim):
    pre, post, prj = _stdp_net(sim)
    with pytest.raises(errors.RecordingError, match="'u'"):
        prj.record("u")
    with pytest.raises(errors.InvalidParameterValueError, match="sampling_interval"):
        prj.record("weight", sampling_interval=0.05)
    with pytest.raises(errors.RecordingError):
        prj.get_data("weight")
