"""Population, PopulationView, Assembly and ID through the public API."""
import numpy as np
import pytest

from lamina import errors


def test_create_with_class_instance_and_cellparams(sim):
    p1 = sim.Population(5, sim.IF_cond_exp, {"tau_m": 12.0}, label="a")
    p2 = sim.Population(3, sim.IF_cond_exp(tau_m=15.0))
    assert p1.get("tau_m") == 12.0 and p2.get("tau_m") == 15.0
    assert p1.label == "a" and len(p1) == p1.size == 5
    assert list(p2.all_ids) == [5, 6, 7]             # IDs handed out in creation order
    assert p2.first_id == 5 and p2.last_id == 7
    assert p1.local_size == 5


def test_setup_again_starts_from_scratch(sim):
    sim.Population(4, sim.IF_curr_exp)
    sim.run(5.0)
    sim.setup(timestep=0.05)
    assert sim.get_current_time() == 0.0 and sim.get_time_step() == 0.05
    assert sim.Population(2, sim.IF_curr_exp).first_id == 0


def test_views_slice_array_mask_and_view_of_view(sim):
    p = sim.Population(10, sim.IF_curr_exp, label="p")
    v1 = p[2:8]
    v2 = p[np.array([1, 3, 5])]
    v3 = p[np.arange(10) % 2 == 0]
    vv = v1[1:3]
    assert list(v1.all_ids) == list(range(2, 8))
    assert list(v2.all_ids) == [1, 3, 5]
    assert list(v3.all_ids) == [0, 2, 4, 6, 8]
    assert list(vv.all_ids) == [3, 4]
    assert vv.grandparent is p and vv.parent is v1
    assert vv.mask == slice(1, 3)   # PyNN keeps a slice selector as given
    vv.set(tau_m=7.0)
    assert p[3].tau_m == 7.0 and p[5].tau_m == 20.0
    assert v1.id_to_index(p[4]) == 2
    assert int(v2.index_to_id(1)) == 3


def test_set_with_array_distribution_and_functions(sim):
    p = sim.Population(6, sim.IF_curr_exp, structure=sim.Line(dx=2.0))
    p.set(tau_m=np.arange(10.0, 16.0))
    assert np.array_equal(p.get("tau_m"), np.arange(10.0, 16.0))
    p.set(cm=sim.RandomDistribution("uniform", low=0.5, high=1.5, rng=sim.NumpyRNG(seed=1)))
    cm = p.get("cm")
    assert cm.shape == (6,) and np.all((cm >= 0.5) & (cm <= 1.5)) and np.unique(cm).size == 6
    p.set(i_offset=lambda i: 0.1 * i)                       # function of the cell index
    assert np.allclose(p.get("i_offset"), 0.1 * np.arange(6))
    p.set(v_thresh=lambda x, y, z: -55.0 + x / 10.0)        # function of position
    assert np.allclose(p.get("v_thresh"), -55.0 + 0.2 * np.arange(6))
    assert p.get(["tau_m", "cm"])[0][0] == 10.0


def test_set_rejects_bad_values_and_keeps_old_ones(sim):
    p = sim.Population(4, sim.IF_curr_exp)
    with pytest.raises(errors.InvalidDimensionsError, match=r"expected one value per cell, shape \(4,\)"):
        p.set(tau_m=[1.0, 2.0])
    with pytest.raises(errors.InvalidParameterValueError, match="tau_m.*> 0"):
        p.set(tau_m=np.array([10.0, 10.0, -1.0, 10.0]))
    with pytest.raises(errors.InvalidParameterValueError, match="v_reset"):
        p.set(v_reset=-40.0)
    with pytest.raises(errors.NonExistentParameterError, match="did you mean `tau_m`"):
        p.set(tau_mm=3.0)
    assert p.get("tau_m") == 20.0 and p.get("v_reset") == -65.0


def test_id_attributes(sim):
    p = sim.Population(3, sim.IF_curr_exp)
    cell = p[1]
    assert cell.tau_m == 20.0
    cell.tau_m = 15.0
    assert cell.tau_m == 15.0 and p.get("tau_m")[1] == 15.0
    cell.set_parameters(cm=0.5, tau_refrac=2.0)
    assert cell.get_parameters()["cm"] == 0.5
    with pytest.raises(errors.NonExistentParameterError, match="did you mean `tau_m`"):
        cell.tau_mm = 5
    assert cell.celltype is p.celltype and cell.local
    cell.position = (1.0, 2.0, 3.0)
    assert np.array_equal(cell.position, [1.0, 2.0, 3.0])
    assert np.array_equal(p.positions[:, 1], [1.0, 2.0, 3.0])


def test_initialize_and_initial_values(sim):
    p = sim.Population(3, sim.IF_cond_exp)
    p.initialize(v=np.array([-60.0, -61.0, -62.0]))
    assert p[2].get_initial_value("v") == -62.0
    with pytest.raises(errors.NonExistentParameterError, match="state variables"):
        p.initialize(w=1.0)


def test_positions_and_structures(sim):
    p = sim.Population(9, sim.IF_curr_exp, structure=sim.Grid2D(dx=10.0, dy=10.0))
    assert p.positions.shape == (3, 9)
    assert int(p.nearest((10.0, 10.0, 0.0))) == int(p[4])
    s = p.sample(4, rng=sim.NumpyRNG(seed=3))
    assert s.size == 4 and set(s.all_ids) <= set(p.all_ids)


def test_negative_size_and_unknown_type(sim):
    with pytest.raises(errors.InvalidDimensionsError, match="-3"):
        sim.Population(-3, sim.IF_curr_exp)
    with pytest.raises(errors.InvalidModelError, match="IF_cond_exp"):
        sim.Population(3, "IF_cond_exq")


def test_assembly(sim):
    a = sim.Population(3, sim.IF_curr_exp, label="a")
    b = sim.Population(2, sim.IF_curr_exp, label="b")
    asm = a + b
    assert len(asm) == 5 and int(asm[3]) == int(b[0])
    assert list(asm.all_ids) == [0, 1, 2, 3, 4]
    asm.set(tau_m=11.0)
    assert b.get("tau_m") == 11.0
    asm.record("spikes")
    sim.run(10.0)
    block = asm.get_data()
    assert len(block.segments[0].spiketrains) == 5
    sub = asm[1:4]
    assert list(sub.all_ids) == [1, 2, 3]


def test_describe(sim):
    p = sim.Population(3, sim.IF_curr_exp, label="cells")
    text = p.describe()
    assert "cells" in text and "IF_curr_exp" in text
    ctx = p.describe(template=None)
    assert ctx["size"] == 3 and ctx["celltype"] == "IF_curr_exp"


def test_describe_template_file_and_bad_engine(sim, tmp_path):
    from lamina import errors
    p = sim.Population(2, sim.IF_cond_exp, label="tiny")
    path = tmp_path / "t.txt"
    path.write_text("$label has $size cells of $celltype")
    assert p.describe(template=str(path)) == "tiny has 2 cells of IF_cond_exp"
    with pytest.raises(errors.InvalidParameterValueError, match="engine='mako'"):
        p.describe(template=str(path), engine="mako")
    with pytest.raises(errors.InvalidParameterValueError, match="not a built-in template"):
        p.describe(template="nope.txt")
