"""Recording and Neo output, structured as PyNN structures it."""
import pickle

import numpy as np
import pytest
import quantities as pq

from lamina import errors


def _driven(sim, n=4):
    p = sim.Population(n, sim.IF_cond_exp(i_offset=np.linspace(1.0, 2.0, n), tau_refrac=2.0),
                       label="driven")
    return p


def test_block_structure(sim):
    p = _driven(sim)
    p.record(["spikes", "v", "gsyn_exc"])
    p.annotate(experiment="x")
    sim.run(100.0)
    block = p.get_data()
    assert block.name == "driven" and block.annotations["size"] == 4
    assert block.annotations["experiment"] == "x"
    assert block.annotations["simulator"] == "lamina.engine"
    seg = block.segments[0]
    assert seg.name == "segment000"
    assert len(seg.spiketrains) == 4
    st = seg.spiketrains[3]
    assert st.annotations["source_population"] == "driven"
    assert st.annotations["source_index"] == 3 and st.annotations["channel_id"] == int(p[3])
    assert st.units == pq.ms and st.t_stop == 100.0 * pq.ms and len(st) > 0
    names = {s.name: s for s in seg.analogsignals}
    v = names["v"]
    assert v.shape == (1001, 4) and v.units == pq.mV
    assert v.sampling_period == 0.1 * pq.ms and v.t_start == 0.0 * pq.ms
    assert float(v[0, 0]) == -65.0                      # includes the initial value at t = 0
    assert list(v.array_annotations["channel_index"]) == [0, 1, 2, 3]
    assert names["gsyn_exc"].units == pq.uS


def test_sampling_interval_and_subset(sim):
    p = _driven(sim)
    p[1:3].record("v", sampling_interval=1.0)
    sim.run(50.0)
    v = p.get_data().segments[0].analogsignals[0]
    assert v.shape == (51, 2) and v.sampling_period == 1.0 * pq.ms
    with pytest.raises(errors.InvalidParameterValueError, match="multiple of the time step"):
        p.record("v", sampling_interval=0.25)


def test_view_get_data_filters_cells(sim):
    p = _driven(sim)
    p.record("spikes")
    sim.run(50.0)
    block = p[2:].get_data()
    assert [st.annotations["source_index"] for st in block.segments[0].spiketrains] == [2, 3]


def test_clear_and_spike_counts(sim):
    p = _driven(sim)
    p.record("spikes")
    sim.run(100.0)
    counts = p.get_spike_counts()
    assert set(counts) == set(p.all_ids) and counts[p[3]] > counts[p[0]] >= 1
    assert p.mean_spike_count() == pytest.approx(np.mean(list(counts.values())))
    p.get_data(clear=True)
    sim.run(10.0)
    st = p.get_data().segments[0].spiketrains
    assert all(len(s) == 0 or s.min() >= 100.0 for s in st)


def test_segment_start_follows_clear_and_reset_as_pynn(sim):
    """As PyNN 0.13: after get_data(clear=True) at t the next segment's spike trains start
    at t, and after a reset at 0. The samples after the clear are those of an uncleared
    recording from t + dt on (PyNN on NEST labels them one sample early: not copied)."""
    p = _driven(sim)
    p.record(["spikes", "v"])
    sim.run(50.0)
    v_first = p.get_data(clear=True).segments[0].analogsignals[0]
    assert float(v_first.t_start) == 0.0 and v_first.shape[0] == 501
    sim.run(50.0)
    seg = p.get_data().segments[0]
    assert {float(st.t_start) for st in seg.spiketrains} == {50.0}
    assert {float(st.t_stop) for st in seg.spiketrains} == {100.0}
    assert all(len(st) > 0 and st.min() > 50.0 for st in seg.spiketrains)
    v = seg.analogsignals[0]
    assert float(v.t_start) == pytest.approx(50.1) and v.shape[0] == 500
    assert float(seg.t_start) == 50.0
    sim.reset()
    sim.run(100.0)
    whole = p.get_data().segments[-1]
    assert {float(st.t_start) for st in whole.spiketrains} == {0.0}
    assert np.array_equal(whole.analogsignals[0].magnitude[501:], v.magnitude)


def test_reset_makes_new_segment_and_reproduces(sim):
    p = _driven(sim)
    p.record(["spikes", "v"])
    sim.run(60.0)
    sim.reset(annotations={"trial": 1})
    sim.run(60.0)
    block = p.get_data()
    assert [s.name for s in block.segments] == ["segment000", "segment001"]
    assert block.segments[0].annotations["trial"] == 1
    v0, v1 = (seg.analogsignals[0].magnitude for seg in block.segments)
    assert np.array_equal(v0, v1)
    s0, s1 = ([np.asarray(t) for t in seg.spiketrains] for seg in block.segments)
    assert all(np.array_equal(a, b) for a, b in zip(s0, s1))


def test_run_split_gives_identical_data(sim):
    def trial(splits):
        sim.setup(timestep=0.1)
        src = sim.Population(5, sim.SpikeSourcePoisson(rate=200.0))
        p = sim.Population(5, sim.IF_curr_alpha)
        sim.Projection(src, p, sim.OneToOneConnector(), sim.StaticSynapse(weight=2.0, delay=1.0))
        p.record(["spikes", "v"])
        for t in splits:
            sim.run(t)
        seg = p.get_data().segments[0]
        return seg.analogsignals[0].magnitude, [np.asarray(s) for s in seg.spiketrains]
    v_a, s_a = trial([100.0])
    v_b, s_b = trial([30.0, 0.5, 69.5])
    assert np.array_equal(v_a, v_b)
    assert all(np.array_equal(a, b) for a, b in zip(s_a, s_b))
    assert sum(len(s) for s in s_a) > 0


def test_write_data_pickle_nix_and_to_file(sim, tmp_path):
    p = _driven(sim)
    target = tmp_path / "at_end.pkl"
    p.record(["spikes", "v"], to_file=str(target))
    sim.run(20.0)
    p.write_data(str(tmp_path / "d.pkl"))
    with open(tmp_path / "d.pkl", "rb") as fh:
        block = pickle.load(fh)
    assert block.segments[0].analogsignals[0].shape == (201, 4)
    pytest.importorskip("nixio")
    p.write_data(str(tmp_path / "d.nix"))
    assert (tmp_path / "d.nix").stat().st_size > 0
    assert not target.exists()
    sim.end()
    assert target.exists()
    sim.setup()


def test_recording_errors(sim):
    p = sim.Population(2, sim.IF_curr_exp)
    with pytest.raises(errors.RecordingError, match="gsyn_exc.*recordable variables are"):
        p.record("gsyn_exc")
    with pytest.raises(errors.NothingToWriteError):
        p.write_data("never.pkl")
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0, 2.0]))
    with pytest.raises(errors.RecordingError, match="'v'"):
        src.record("v")


def test_spike_source_array_spikes_recorded(sim):
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 5.0], [2.5]]))
    src.record("spikes")
    sim.run(10.0)
    trains = src.get_data().segments[0].spiketrains
    assert np.allclose(trains[0].magnitude, [1.0, 5.0]) and np.allclose(trains[1].magnitude, [2.5])
    with pytest.raises(errors.InvalidParameterValueError, match="sorted"):
        src.set(spike_times=sim.Sequence([3.0, 1.0]))


def test_current_source_recording_and_start(sim):
    p = sim.Population(1, sim.IF_curr_exp(tau_refrac=2.0, v_thresh=0.0))
    dc = sim.DCSource(amplitude=1.0, start=10.0, stop=20.0)
    p.inject(dc)
    dc.record()
    p.record("v")
    sim.run(30.0)
    i = dc.get_data()
    assert i.units == pq.nA
    i_mag = np.asarray(i.magnitude).ravel()
    t = np.asarray(i.times)
    assert np.all(i_mag[(t >= 10.0 - 1e-9) & (t < 20.0 - 1e-9)] == 1.0)
    assert np.all(i_mag[(t < 10.0 - 1e-9) | (t >= 20.0 - 1e-9)] == 0.0)
    v = np.asarray(p.get_data().segments[0].analogsignals[0]).ravel()
    assert v[100] == -65.0 and v[101] > -65.0            # v rises in the step that starts at 10 ms
