"""The classic PyNN 0.4-0.7 API (see lamina.classic): every construct works and warns."""
import numpy as np
import pytest

from lamina import errors


def test_create_connect_set_procedural(sim):
    cell = sim.create(sim.IF_curr_alpha)
    cells = sim.create(sim.IF_curr_alpha, cellparams={"tau_m": 15.0, "cm": 0.9}, n=10)
    assert len(cell) == 1 and len(cells) == 10 and cells[3].tau_m == 15.0
    src = sim.create(sim.SpikeSourceArray, {"spike_times": [10.0, 20.0, 30.0]})
    targets = sim.create(sim.IF_cond_exp, n=10)
    prj = sim.connect(src, targets)
    assert prj.size() == 10
    with pytest.warns(DeprecationWarning, match="receptor_type"):
        prj = sim.connect(cells, targets, weight=1.5, delay=1.0, synapse_type="inhibitory", p=0.5)
    assert prj.receptor_type == "inhibitory"
    prj2 = sim.connect(cells, targets, 1.5, 1.0, "inhibitory")     # positional, 0.7 order
    assert prj2.size() == 100
    with pytest.warns(DeprecationWarning, match=r"set\(cells, name=value\)"):
        sim.set(cells[0:5], param="v_init", val=-60.0)
    with pytest.warns(DeprecationWarning):
        assert cells[0].v_init == -60.0 and cells[5].v_init == -65.0
    with pytest.warns(DeprecationWarning):
        sim.set(cells, param={"tau_refrac": 2.0, "tau_syn_E": 5.0})
    assert cells.get("tau_refrac") == 2.0 and cells[9].tau_syn_E == 5.0


def test_v_init_as_parameter(sim):
    with pytest.warns(DeprecationWarning, match="v_init"):
        p = sim.Population(3, sim.IF_curr_exp, {"v_init": -58.0})
    p.record("v")
    sim.run(1.0)
    v = p.get_data().segments[0].analogsignals[0]
    assert np.allclose(v[0].magnitude, -58.0)
    with pytest.warns(DeprecationWarning):
        assert p.get("v_init") == -58.0
    with pytest.warns(DeprecationWarning):
        p[0].v_init = -61.0
    assert p[0].get_initial_value("v") == -61.0


def test_tuple_dimensions_grid_addressing(sim):
    sim.create(sim.IF_curr_exp, n=5)
    p1 = sim.Population((10, 10), sim.IF_curr_exp)
    with pytest.warns(DeprecationWarning, match="dims"):
        p3 = sim.Population(dims=(3, 4, 5), cellclass=sim.IF_cond_alpha,
                            cellparams={"v_thresh": -55, "tau_m": 10}, label="Column 1")
    with pytest.warns(DeprecationWarning, match="label"):
        p2 = sim.Population(100, sim.SpikeSourceArray, None, "Input Population")
    assert p1.dim == (10, 10) and p2.dim == (100,) and p3.dim == (3, 4, 5)
    assert (len(p1), len(p2), len(p3)) == (100, 100, 60)
    assert p2.label == "Input Population" and p3.label == "Column 1"
    assert int(p1[0, 0]) == int(p1.first_id) and int(p1[9, 9]) == int(p1.first_id) + 99
    addr = p3[2, 2, 0]
    assert int(addr) == int(p3.first_id) + 2 * 20 + 2 * 5
    assert p3.locate(addr) == (2, 2, 0)
    assert p3[2, 2, 0].tau_m == 10.0
    # default positions are grid addresses; positions can be set per cell
    assert np.array_equal(p1[3, 4].position, [3.0, 4.0, 0.0])
    p1[1, 0].position = (0.0, 0.1, 0.2)
    assert np.array_equal(p1[1, 0].position, [0.0, 0.1, 0.2])
    assert p1.positions.shape == (3, 100)
    # the modern meaning stays for populations without tuple dimensions: a two-cell view
    view = p2[1, 5]
    assert isinstance(view, sim.PopulationView) and list(view.all_ids - p2.first_id) == [1, 5]
    with pytest.raises(IndexError, match="outside the grid"):
        p1[10, 0]


def test_population_record_forms_and_print(sim, tmp_path):
    p = sim.Population((2, 3), sim.IF_curr_exp(i_offset=np.linspace(1.0, 2.0, 6)))
    with pytest.warns(DeprecationWarning):
        p.record()
    with pytest.warns(DeprecationWarning):
        p.record_v([p[0, 0], p[0, 1]])
    sim.run(100.0)
    with pytest.warns(DeprecationWarning):
        p.printSpikes(str(tmp_path / "spikes.dat"))
    with pytest.warns(DeprecationWarning):
        p.print_v(str(tmp_path / "v.dat"))
    text = (tmp_path / "spikes.dat").read_text().splitlines()
    assert text[0].startswith("# first_id") and any(l.startswith("# dimensions = [2, 3]") for l in text)
    rows = np.loadtxt(tmp_path / "spikes.dat")
    assert rows.shape[1] == 2 and np.all(np.diff(rows[:, 0]) >= 0) and set(rows[:, 1]) == set(range(6))
    v_rows = np.loadtxt(tmp_path / "v.dat")
    assert v_rows.shape == (2 * 1001, 2) and set(v_rows[:, 1]) == {0, 1}
    with pytest.warns(DeprecationWarning):
        spikes = p.getSpikes()
    assert spikes.shape == (rows.shape[0], 2) and set(spikes[:, 0]) == set(p.all_ids)
    with pytest.warns(DeprecationWarning):
        v = p.get_v()
    assert v.shape == (2 * 1001, 3) and v[0, 1] == 0.0 and v[0, 2] == -65.0
    with pytest.warns(DeprecationWarning):
        assert p.meanSpikeCount() == pytest.approx(len(rows) / 6)


def test_record_n_random_cells(sim):
    p = sim.Population(20, sim.IF_curr_exp)
    with pytest.warns(DeprecationWarning):
        p.record(5)
    sim.run(1.0)
    assert len(p.get_data().segments[0].spiketrains) == 5


def test_procedural_record_files_written_at_end(sim, tmp_path):
    cells = sim.create(sim.IF_cond_exp(i_offset=1.0), n=3)
    with pytest.warns(DeprecationWarning):
        sim.record(cells[0], str(tmp_path / "spikes.dat"))
    with pytest.warns(DeprecationWarning):
        sim.record_v(cells, str(tmp_path / "v.dat"))
    with pytest.warns(DeprecationWarning):
        sim.record_gsyn(cells, str(tmp_path / "g.dat"))
    sim.run(50.0)
    assert not (tmp_path / "v.dat").exists()
    sim.end(compatible_output=True)
    assert np.loadtxt(tmp_path / "v.dat").shape == (3 * 501, 2)
    assert np.loadtxt(tmp_path / "g.dat").shape == (3 * 501, 3)
    assert np.loadtxt(tmp_path / "spikes.dat", ndmin=2).shape[1] == 2
    sim.setup()


def test_classic_connector_weights_delays(sim):
    p1 = sim.Population(10, sim.IF_curr_exp)
    with pytest.warns(DeprecationWarning, match="weights"):
        conn = sim.AllToAllConnector(weights=0.7)
    prj = sim.Projection(p1, p1, conn)
    assert np.allclose(prj.get("weight", "list", with_address=False), 0.7)
    weights = np.arange(1.1, 2.0, 0.9 / len(p1))
    with pytest.warns(DeprecationWarning):
        conn = sim.OneToOneConnector(weights=weights, delays=2 * weights)
    prj = sim.Projection(p1, p1, conn)
    assert np.allclose(np.array(prj.get(["weight", "delay"], "list"))[:, 2], weights)
    assert np.allclose(np.array(prj.get("delay", "list"))[:, 2], np.round(2 * weights, 1))


def test_classic_delays_below_min_delay_are_clipped_with_a_warning(sim):
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=0.5)
    p2 = sim.Population(100, sim.SpikeSourceArray)
    p1 = sim.Population(100, sim.IF_curr_exp)
    distr = sim.RandomDistribution("gamma", [2.0, 0.1], rng=sim.NumpyRNG(seed=1))
    with pytest.warns(DeprecationWarning):
        conn = sim.FixedNumberPostConnector(n=20, delays=distr)
    with pytest.warns(UserWarning, match=r"delays .* below the minimum delay \(0\.0"):
        prj = sim.Projection(p2, p1, conn)
    d = np.array(prj.get("delay", "list", with_address=False)).ravel()
    assert d.min() == pytest.approx(0.1) and d.max() == pytest.approx(0.5)
    # the modern form refuses instead of changing the model
    with pytest.raises(errors.ConnectionError, match="below the minimum delay"):
        sim.Projection(p2, p1, sim.FixedNumberPostConnector(n=20), sim.StaticSynapse(delay=distr))


def test_random_distribution_positional(sim):
    d = sim.RandomDistribution("gamma", [2.0, 0.1], rng=sim.NumpyRNG(seed=4))
    assert d.parameters == {"k": 2.0, "theta": 0.1}
    assert np.mean(d.next(20000)) == pytest.approx(0.2, rel=0.03)     # k * theta
