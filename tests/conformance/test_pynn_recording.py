"""Recording as PyNN 0.13 defines it: files per cell, data after end(), spike sources
updated between runs."""
import neo
import numpy as np

from lamina.parameters import Sequence


def test_record_one_cell_to_a_file(sim, tmp_path):
    cells = sim.Population(3, sim.IF_curr_exp(i_offset=0.5))
    path = str(tmp_path / "cell1.pkl")
    sim.record("v", cells[1], path)
    sim.run(5.0)
    sim.end()
    block = neo.get_io(path).read()[0]
    signal = block.segments[0].analogsignals[0]
    assert signal.shape == (51, 1)                   # only that cell
    assert list(signal.array_annotations["channel_index"]) == [1]


def test_data_survive_end(sim):
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    cells.record(["spikes", "v"])
    dc = sim.DCSource(amplitude=0.2)
    dc.inject_into(cells)
    dc.record()
    sim.run(50.0)
    before = cells.get_data().segments[0]
    n_spikes = sum(len(st) for st in before.spiketrains)
    sim.end()
    after = cells.get_data().segments[0]
    assert sum(len(st) for st in after.spiketrains) == n_spikes > 0
    assert np.array_equal(after.analogsignals[0], before.analogsignals[0])
    assert np.asarray(dc.get_data()).shape == (501, 1)
    for st in after.spiketrains:
        assert float(st.max()) <= 50.0 if len(st) else True


def test_spike_source_array_updated_between_runs(sim):
    """Every spike later than the current time is emitted, on every backend; a spike at
    exactly the current time is in the past (PyNN on NEST drops it too)."""
    cells = sim.Population(4, sim.SpikeSourceArray())
    cells.record("spikes")
    phases = np.array([0.0, 0.25, 0.5, 0.999])
    sim.run(1.0)                 # NEST's spike generators cannot emit at t = 0
    expected = 0
    for k in range(4):
        t = sim.get_current_time()
        isi = 1000.0 / (20.0 * (k + 1))
        times = [Sequence(t + np.arange(0, 200.0, isi) + ph * isi) for ph in phases]
        cells.set(spike_times=times)
        expected += sum(int(np.count_nonzero(np.round(s.value / 0.1) > round(t / 0.1)))
                        for s in times)
        sim.run(200.0)
    counted = sum(len(st) for st in cells.get_data().segments[0].spiketrains)
    assert counted == expected


def test_pynn_text_io_for_scripts_that_use_it(sim, tmp_path):
    """Neo 0.14 dropped PyNNTextIO; PyNN scripts run through lamina.compat find it."""
    from lamina import compat
    compat.install()
    try:
        from neo.io import PyNNTextIO
        cells = sim.Population(3, sim.SpikeSourceArray(spike_times=[[2.0], [1.0, 3.0], []]))
        cells.record("spikes")
        sim.run(5.0)
        path = str(tmp_path / "spikes.txt")
        PyNNTextIO(filename=path).write_segment(cells.get_data("spikes").segments[0])
        assert np.loadtxt(path).tolist() == [[1.0, 1.0], [2.0, 0.0], [3.0, 1.0]]
    finally:
        compat.uninstall()


def test_block_and_signal_annotations_as_pynn(sim):
    """As PyNN 0.13: the Block carries first/last id and index of the population, and an
    AnalogSignal the ids of its channels (`channel_ids`)."""
    p = sim.Population(3, sim.IF_curr_exp(i_offset=[0.0, 1.0, 2.0]), label="cells")
    p.record(["spikes", "v"])
    sim.run(20.0)
    block = p[1:].get_data()
    first = int(p[0])
    assert {k: block.annotations[k] for k in
            ("first_id", "last_id", "first_index", "last_index", "size")} == {
        "first_id": first, "last_id": first + 2, "first_index": 0, "last_index": 3, "size": 3}
    sig = block.segments[0].analogsignals[0]
    assert list(sig.annotations["channel_ids"]) == [first + 1, first + 2]
    train = block.segments[0].spiketrains[0]
    assert (train.annotations["channel_id"], train.annotations["source_index"]) == (first + 1, 1)
