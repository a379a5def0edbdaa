"""PopulationView and `initial_values` behave as in PyNN 0.13 (checked against PyNN 0.13 +
NEST 3.10): a slice selector is kept as given (so a view of a view keeps its slice), index
arrays are sorted and deduplicated, a boolean mask becomes indices; labels, repr, describe,
first/last ID, equality and the initial-values dict follow PyNN."""
import logging

import numpy as np
import pytest

from lamina.compat.parameters import LazyArray
from lamina.parameters import Sequence
from lamina.errors import InvalidDimensionsError, NonExistentParameterError, UnknownCellError
from lamina.random import NumpyRNG, RandomDistribution


def _root(view):
    return [int(i) - int(view.grandparent.first_id) for i in view.all_cells]


def test_slice_selectors_are_kept_in_views_of_views(sim):
    p = sim.Population(20, sim.IF_cond_exp(), label="P")
    v = p[2:18]
    vv = v[1:10:2]
    assert v.mask == slice(2, 18) and vv.mask == slice(1, 10, 2)
    assert vv.parent is v and vv.grandparent is p
    assert _root(vv) == [3, 5, 7, 9, 11]
    assert list(vv.index_in_grandparent([0, 4])) == [3, 11]
    assert list(vv.positions[0]) == [3.0, 5.0, 7.0, 9.0, 11.0]
    ss = p[::2][::3]
    assert ss.mask == slice(None, None, 3) and _root(ss) == [0, 6, 12, 18]


def test_negative_step_reverses_and_first_last_id_are_min_max(sim):
    p = sim.Population(20, sim.IF_cond_exp(), label="P")
    r = p[2:18][::-2]
    assert r.mask == slice(None, None, -2)
    assert _root(r) == [17, 15, 13, 11, 9, 7, 5, 3]
    assert int(r.first_id) == int(p.first_id) + 3      # the smallest ID, not the first cell's
    assert int(r.last_id) == int(p.first_id) + 17
    assert r.id_to_index(r.all_cells[-1]) == 7
    assert list(r.id_to_index(r.all_cells[::-1][:3])) == [7, 6, 5]


def test_index_arrays_are_sorted_and_deduplicated(sim, caplog):
    p = sim.Population(20, sim.IF_cond_exp(), label="P")
    given = np.array([5, 3, 9, 1])
    v = p[given]
    assert isinstance(v.mask, np.ndarray) and list(v.mask) == [1, 3, 5, 9]
    assert list(given) == [5, 3, 9, 1]                      # the caller's array is untouched
    assert _root(v[[0, 2]]) == [1, 5]
    assert _root(v[1:3]) == [3, 5]
    assert list(p[2:18][[4, 1, 2]].mask) == [1, 2, 4]
    with caplog.at_level(logging.WARNING):
        d = p[[3, 3, 1]]
    assert list(d.mask) == [1, 3]
    assert "PopulationView can contain each ID only once, duplicates are removed" in caplog.text
    neg = p[[-1, 2]]                                         # sorted as given: -1 before 2
    assert list(neg.mask) == [-1, 2] and _root(neg) == [19, 2]
    assert list(p[1, 2].mask) == [1, 2]                      # a tuple is an index list


def test_boolean_masks_become_indices(sim):
    p = sim.Population(20, sim.IF_cond_exp(), label="P")
    v = p[2:18]
    m = np.zeros(16, bool)
    m[[0, 3, 5]] = True
    mv = v[m]
    assert mv.mask.dtype == np.int64 and list(mv.mask) == [0, 3, 5]
    assert _root(mv) == [2, 5, 7]
    with pytest.raises(InvalidDimensionsError,
                       match="boolean mask of length 3 for a population of size 20: "
                             "expected length 20"):
        p[np.ones(3, bool)]
    with pytest.raises(IndexError, match="index 25 out of range"):
        p[[25]]


def test_labels_repr_and_describe(sim):
    p = sim.Population(20, sim.IF_cond_exp(), label="P")
    v = p[2:18]
    vv = v[1:10:2]
    assert v.label == "view of 'P' with size 16"
    assert vv.label == "view of 'view of 'P' with size 16' with size 5"
    assert sim.PopulationView(v, slice(0, 3), label="mine").label == "mine"
    assert repr(p) == ("Population(20, IF_cond_exp(<parameters>), "
                       "structure=Line(dx=1.0, x0=0.0, y=0.0, z=0.0), label='P')")
    assert repr(vv) == (f"PopulationView(parent={v!r}, selector=slice(1, 10, 2), "
                        f"label={vv.label!r})")
    assert vv.describe() == ('PopulationView "view of \'view of \'P\' with size 16\' with size 5"\n'
                             '    parent : "view of \'P\' with size 16"\n'
                             '    size   : 5\n'
                             '    mask   : slice(1, 10, 2)\n'
                             '    \n')
    assert "    mask   : [1 3]\n" in p[[3, 1]].describe()
    vv.annotate(bar=2)
    assert vv.describe(template=None) == {"label": vv.label, "parent": v.label,
                                          "mask": slice(1, 10, 2), "size": 5, "bar": 2}
    assert vv.structure is p.structure


def test_view_equality_is_by_parent_and_cells(sim):
    p = sim.Population(5, sim.IF_cond_exp())
    q = sim.Population(5, sim.IF_cond_exp())
    assert p[1:3] == p[[1, 2]] and not p[1:3] != p[[1, 2]]
    assert p[:] == p and p == p[:]
    assert p[1:3] != q[1:3] and p[1:3] != p[1:4] and p[1:3] != "p"
    assert p[::-1] != p[:]                                   # same cells, other order
    assert len({p[1:3], p[[1, 2]], p[2:4]}) == 2             # hashable, hash agrees with ==


def test_index_from_parent_index(sim):
    p = sim.Population(10, sim.IF_cond_exp())
    v = p[2:9:2]
    assert v.index_from_parent_index(6) == 2
    assert list(v.index_from_parent_index(np.array([8, 2]))) == [3, 0]
    assert p[[7, 1, 4]].index_from_parent_index(7) == 2
    with pytest.raises(UnknownCellError, match="index 3 of 'population.*' is not in"):
        v.index_from_parent_index(3)


def test_empty_view_has_no_first_id(sim):
    p = sim.Population(10, sim.IF_cond_exp(), label="P")
    e = p[5:5]
    assert e.size == 0 and e.label == "view of 'P' with size 0"
    with pytest.raises(UnknownCellError, match="is empty: it has no first or last cell"):
        e.first_id


def test_initial_values_dict_of_lazy_arrays(sim):
    p = sim.Population(5, sim.IF_cond_exp(), label="P")
    iv = p.initial_values
    assert type(iv) is dict and set(iv) == {"v", "gsyn_exc", "gsyn_inh"}
    assert all(isinstance(a, LazyArray) and a.shape == (5,) for a in iv.values())
    assert iv["v"].base_value == -65.0 and iv["gsyn_exc"].base_value == 0.0
    p.initialize(v=-70.0)
    assert p.initial_values["v"].base_value == -70.0
    assert iv["v"].base_value == -65.0                       # a fresh dict on each access
    p.initialize(v=np.array([-60.0, -61.0, -62.0, -63.0, -64.0]))
    assert list(p.initial_values["v"].evaluate()) == [-60.0, -61.0, -62.0, -63.0, -64.0]
    p[1:3].initialize(gsyn_exc=0.5)
    assert list(p.initial_values["gsyn_exc"].evaluate()) == [0.0, 0.5, 0.5, 0.0, 0.0]
    assert list(p[1:4].initial_values["gsyn_exc"].evaluate()) == [0.5, 0.5, 0.0]
    assert p[1:4].initial_values["v"].shape == (3,)
    c = sim.Population(3, sim.IF_curr_exp(), initial_values={"v": -55.0})
    assert set(c.initial_values) == {"v", "isyn_exc", "isyn_inh"}
    assert c.initial_values["v"].evaluate(simplify=True) == -55.0
    assert sim.Population(3, sim.SpikeSourcePoisson()).initial_values == {}
    with pytest.raises(AttributeError):
        (p + c).initial_values                               # as in PyNN: not on an Assembly


def test_random_initial_values_are_the_values_drawn(sim):
    p = sim.Population(5, sim.IF_cond_exp(), label="P")
    p.initialize(v=RandomDistribution("uniform", low=-70.0, high=-60.0, rng=NumpyRNG(seed=1)))
    drawn = p.initial_values["v"].evaluate()
    assert np.all((drawn >= -70.0) & (drawn < -60.0)) and np.unique(drawn).size == 5
    assert np.array_equal(p.initial_values["v"].evaluate(), drawn)   # not redrawn
    assert [p[i].get_initial_value("v") for i in range(5)] == list(drawn)
    p.record("v")
    sim.run(0.2)
    v0 = np.asarray(p.get_data().segments[0].filter(name="v")[0])[0]
    assert np.allclose(v0, drawn)


def test_save_positions_text_file_and_file_object(sim, tmp_path):
    p = sim.Population(4, sim.IF_cond_exp(), structure=sim.Grid2D(dx=2.0), label="P")
    p.save_positions(str(tmp_path / "p.txt"))
    lines = (tmp_path / "p.txt").read_text().splitlines()
    assert lines[0] == "# population = P"
    rows = np.loadtxt(tmp_path / "p.txt")
    assert rows.shape == (4, 4) and list(rows[:, 0]) == [0.0, 1.0, 2.0, 3.0]
    assert np.array_equal(rows[:, 1:], p.positions.T)
    assert "\t" in lines[1]
    v = p[[2, 0]]
    v.save_positions(tmp_path / "v.txt")
    rows = np.loadtxt(tmp_path / "v.txt")
    assert list(rows[:, 0]) == [0.0, 1.0] and np.array_equal(rows[:, 1:], p.positions.T[[0, 2]])

    class Sink:
        def write(self, data, metadata):
            self.data, self.metadata = data, metadata

        def close(self):
            self.closed = True
    sink = Sink()
    a = p + sim.Population(2, sim.IF_curr_exp())
    a.save_positions(sink)
    assert sink.closed and sink.metadata == {"assembly": a.label} and sink.data.shape == (6, 4)
    assert list(sink.data[:, 0]) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_assembly_repr_lists_its_populations(sim):
    p = sim.Population(2, sim.IF_cond_exp(), label="P")
    q = sim.Population(1, sim.IF_curr_exp(), label="Q")
    a = sim.Assembly(p, q, label="A")
    assert repr(a) == f"Assembly(*[{p!r}, {q!r}], label='A')"


def test_sequence_parameters_and_projection_arrays_as_pynn(sim):
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 5.0], [3.0]]))
    times = src.get("spike_times")
    assert isinstance(times, np.ndarray) and times.dtype == object and times.shape == (2,)
    assert list(times[0]) == [1.0, 5.0] and list(times[1]) == [3.0]
    same = sim.Population(2, sim.SpikeSourceArray(spike_times=[2.0, 4.0]))
    assert list(same.get("spike_times")) == [2.0, 4.0]                 # one Sequence
    assert same.get("spike_times", simplify=False).shape == (2,)
    p = sim.Population(3, sim.IF_cond_exp())
    prj = sim.Projection(src, p, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=0.01, delay=1.5))
    both = prj.get(["weight", "delay"], format="array")
    assert isinstance(both, list) and len(both) == 2
    assert np.all(both[0] == 0.01) and np.all(both[1] == 1.5) and both[0].shape == (2, 3)


def test_assembly_membership_ids_and_get_as_pynn(sim, caplog):
    p = sim.Population(4, sim.IF_cond_exp(), label="P")
    q = sim.Population(3, sim.IF_cond_exp(tau_m=12.0), label="Q")
    with caplog.at_level(logging.WARNING):
        a = p + p[1:2]                                       # the parent is already there
    assert a.size == 4 and "its parent 'P' is a member" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        b = sim.Assembly(p[0:3], p[2:4], q, q)               # overlapping view, repeated pop
    assert [m.label for m in b.populations] == ["view of 'P' with size 3", "Q"]
    assert "shares cells with member" in caplog.text and "not added twice" in caplog.text
    c = q + p
    assert int(c.first_id) == int(p.first_id) and int(c.last_id) == int(q.last_id)
    assert [int(i) for i in c.local_cells] == [int(i) for i in c.all_cells]
    assert c.get(["tau_m", "cm"]) == [pytest.approx(c.get("tau_m")), 1.0]
    assert list(c.get(["tau_m", "cm"])[0]) == [12.0] * 3 + [20.0] * 4
    assert c.get(["cm"], simplify=False)[0].shape == (7,)
    assert c[1:5].label.startswith("assembly")


def test_population_helpers_all_units_injectable_receptors(sim):
    p = sim.Population(4, sim.IF_cond_exp(), label="P")
    q = sim.Population(2, sim.SpikeSourcePoisson(), label="Q")
    assert [int(i) for i in p.all()] == [int(i) for i in p.all_cells]
    assert [int(i) for i in p[1:3].all()] == [int(p[1]), int(p[2])]
    assert [int(i) for i in (p + q).all()] == [int(i) for i in (p + q).all_cells]
    assert p.id_to_local_index(p[2]) == 2 and list(p.id_to_local_index(p.all_cells[[3, 1]])) == [3, 1]
    with pytest.raises(UnknownCellError, match="is not a local cell of 'P'"):
        p.id_to_local_index(q[0])
    assert (p.injectable, q.injectable, p[1:2].injectable, (p + q).injectable) == \
        (True, False, True, False)
    assert p.receptor_types == ("excitatory", "inhibitory") == p[0:1].receptor_types
    assert (p + q).receptor_types == [] and (p + p[0:0]).receptor_types == ["excitatory",
                                                                            "inhibitory"]
    assert (p.find_units("v"), p.find_units("gsyn_exc"), p.find_units("tau_m"),
            p.find_units("cm"), q.find_units("rate")) == ("mV", "uS", "ms", "nF", "Hz")
    with pytest.raises(NonExistentParameterError, match="IF_cond_exp has no parameter 'foo'"):
        p.find_units("foo")
    assert list(p.position_generator(2)) == [2.0, 0.0, 0.0]
    assert list(p[1:3].position_generator(0)) == [1.0, 0.0, 0.0]
    assert p[0].is_standard_cell


def test_annotations_of_assemblies_and_projections(sim):
    p = sim.Population(2, sim.IF_cond_exp())
    a = p + sim.Population(1, sim.IF_cond_exp())
    assert a.annotations == {}
    a.annotate(x=1)
    assert a.annotations == {"x": 1}
    prj = sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    assert prj.annotations == {} and prj.initial_values == {}
    prj.annotate(y=2)
    assert prj.annotations == {"y": 2}
    tm = sim.Projection(p, p, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(U=0.5))
    tm.initialize(u=0.3)
    assert tm.initial_values["u"].evaluate(simplify=True) == 0.3
    assert tm.initial_values["u"].shape == (4,)


def test_spike_counts_only_of_cells_recording_spikes(sim):
    p = sim.Population(4, sim.IF_cond_exp(i_offset=np.array([1.0, 0.0, 1.5, 0.0])))
    p[1:3].record("spikes")
    sim.run(50.0)
    counts = p.get_spike_counts()
    assert set(counts) == {p[1], p[2]}
    assert counts[p[1]] == 0 and counts[p[2]] >= 1                 # driven above threshold
    assert set(p[2:4].get_spike_counts()) == {p[2]}
    assert set((p[0:1] + p[2:4]).get_spike_counts()) == {p[2]}
    assert p.mean_spike_count() == pytest.approx(counts[p[2]] / 2)


def test_population_describe_context_as_pynn(sim):
    p = sim.Population(3, sim.IF_cond_exp(), label="P")
    p.annotate(foo=1)
    ctx = p.describe(template=None)
    assert ctx["size_local"] == 3 and ctx["local_first_id"] == int(p.first_id)
    assert ctx["foo"] == 1 and ctx["label"] == "P"
    assert "    Local cells : 3\n" in p.describe()


def test_connection_source_target_parent(sim):
    a = sim.Population(3, sim.IF_cond_exp())
    b = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(a, b, sim.FromListConnector([(0, 1, 0.1, 1.0), (2, 0, 0.2, 2.0)]),
                         sim.StaticSynapse())
    c = prj[1]
    assert (c.source, c.target) == (int(a[2]), int(b[0])) and c.parent is prj
    assert (c.weight, c.delay) == (0.2, 2.0)


def test_functions_of_the_index_get_view_indices(sim):
    p = sim.Population(6, sim.IF_cond_exp())
    p[2:5].set(tau_m=lambda i: 10.0 + i)                     # i = 0, 1, 2 within the view
    assert p.get("tau_m").tolist() == [20.0, 20.0, 10.0, 11.0, 12.0, 20.0]
    p[1:6][::2].set(v_thresh=lambda i: -50.0 + i)            # cells 1, 3, 5
    assert p.get("v_thresh").tolist() == [-50.0, -50.0, -50.0, -49.0, -50.0, -48.0]
    p[::-2].set(cm=lambda i: 1.0 + i)                        # cells 5, 3, 1 get 1, 2, 3
    assert p.get("cm").tolist() == [1.0, 3.0, 1.0, 2.0, 1.0, 1.0]
    p[3:5].initialize(v=lambda i: -60.0 - i)
    assert p.initial_values["v"].evaluate().tolist() == [-65.0] * 3 + [-60.0, -61.0, -65.0]
    p.set(tau_refrac=lambda i: 1.0 + i)                      # on the Population: its indices
    assert p.get("tau_refrac").tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    p[4:6].set(i_offset=lambda x, y, z: x / 10.0)            # functions of position unchanged
    assert p.get("i_offset").tolist() == [0.0] * 4 + [0.4, 0.5]
    s = sim.Population(4, sim.SpikeSourceArray())
    s[2:4].set(spike_times=lambda i: [Sequence([1.0 + k]) for k in i])
    assert [list(t) for t in s.get("spike_times")] == [[], [], [1.0], [2.0]]
