"""NEST's names of the standard models on the engine (lamina.models.nest_named)."""
import numpy as np
import pytest

from lamina import errors

requires_nest = pytest.mark.skipif(__import__("importlib").util.find_spec("nest") is None,
                                   reason="NEST is not installed (pip install lamina[nest])")


def test_iaf_psc_alpha_in_nest_units(sim):
    p = sim.Population(2, "iaf_psc_alpha")
    assert p.get("C_m") == 250.0 and p.get("tau_m") == 10.0
    p.set(I_e=400.0)                                      # pA
    p.record(["V_m", "spikes"])
    ref = sim.Population(2, sim.IF_curr_alpha(cm=0.25, tau_m=10.0, tau_refrac=2.0, v_rest=-70.0,
                                              v_reset=-70.0, v_thresh=-55.0, tau_syn_E=2.0,
                                              tau_syn_I=2.0, i_offset=0.4),
                         initial_values={"v": -70.0})
    ref.record("v")
    sim.run(50.0)
    v = p.get_data().segments[0].analogsignals[0]
    assert v.name == "V_m"
    assert np.allclose(v.magnitude, ref.get_data().segments[0].analogsignals[0].magnitude,
                       atol=1e-12)


def test_weights_in_nest_units(sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    p = sim.Population(1, "iaf_cond_exp")
    prj = sim.Projection(src, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=5.0))  # nS
    assert prj.get("weight", "list", with_address=False) == [5.0]
    p.record("g_ex")
    sim.run(3.0)
    g = p.get_data().segments[0].analogsignals[0]
    assert g.max() == pytest.approx(5.0)                  # nS, as NEST reports g_ex


def test_iaf_neuron_and_unknown_names(sim):
    with pytest.warns(DeprecationWarning, match="iaf_psc_alpha"):
        p = sim.Population(3, "iaf_neuron")
    assert type(p.celltype).__name__ == "iaf_psc_alpha"
    with pytest.raises(errors.InvalidModelError, match="iaf_psc_alpha"):
        sim.Population(3, "iaf_psc_alpa")


@requires_nest
def test_defaults_match_nest():
    import nest

    from lamina.models import nest_named
    nest.set_verbosity("M_ERROR")
    for name, (_, table, states) in nest_named.MODELS.items():
        d = nest.GetDefaults(name)
        for key, entry in table.items():
            assert d[key] == pytest.approx(entry[3], rel=1e-4), (name, key)
        for key, entry in states.items():
            assert d[key] == pytest.approx(entry[3]), (name, key)
