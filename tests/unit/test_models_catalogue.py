"""Catalogue of the further standard models: PyNN 0.13 names, defaults, units, initial
values, recordables; range checks; the composable PointNeuron."""
import numpy as np
import pytest

from lamina import errors, models

DEFAULTS = {
    "EIF_cond_exp_isfa_ista": dict(cm=0.281, tau_refrac=0.1, v_spike=-40.0, v_reset=-70.6,
                                   v_rest=-70.6, tau_m=9.3667, i_offset=0.0, a=4.0, b=0.0805,
                                   delta_T=2.0, tau_w=144.0, v_thresh=-50.4, e_rev_E=0.0,
                                   tau_syn_E=5.0, e_rev_I=-80.0, tau_syn_I=5.0),
    "IF_cond_exp_gsfa_grr": dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1,
                                 tau_syn_E=5.0, tau_syn_I=5.0, e_rev_E=0.0, e_rev_I=-70.0,
                                 v_thresh=-50.0, v_reset=-65.0, i_offset=0.0, tau_sfa=100.0,
                                 e_rev_sfa=-75.0, q_sfa=15.0, tau_rr=2.0, e_rev_rr=-75.0,
                                 q_rr=3000.0),
    "IF_facets_hardware1": dict(g_leak=40.0, tau_syn_E=30.0, tau_syn_I=30.0, v_reset=-80.0,
                                e_rev_I=-80.0, v_rest=-65.0, v_thresh=-55.0),
    "HH_cond_exp": dict(gbar_Na=20.0, gbar_K=6.0, g_leak=0.01, cm=0.2, v_offset=-63.0,
                        e_rev_Na=50.0, e_rev_K=-90.0, e_rev_leak=-65.0, e_rev_E=0.0,
                        e_rev_I=-80.0, tau_syn_E=0.2, tau_syn_I=2.0, i_offset=0.0),
    "Izhikevich": dict(a=0.02, b=0.2, c=-65.0, d=2.0, i_offset=0.0),
    "SpikeSourceGamma": dict(alpha=2, beta=1.0, start=0.0, duration=1e10),
    "SpikeSourcePoissonRefractory": dict(rate=1.0, tau_refrac=0.0, start=0.0, duration=1e10),
}


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_defaults(name):
    assert models.CELL_TYPES[name].default_parameters == DEFAULTS[name]


def test_alpha_variant_and_gif():
    assert (models.EIF_cond_alpha_isfa_ista.default_parameters
            == DEFAULTS["EIF_cond_exp_isfa_ista"])
    gif = models.GIF_cond_exp.default_parameters
    assert gif["tau_eta"] == (1.0, 10.0, 100.0) and gif["a_gamma"] == (1.0, 1.0, 1.0)
    assert gif["tau_refrac"] == 4.0 and gif["v_t_star"] == -48.0 and gif["lambda0"] == 1.0
    assert models.GIF_cond_exp.default_initial_values == {
        "v": -65.0, "v_t": -48.0, "i_eta": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}


def test_initial_values_units_recordables():
    assert models.EIF_cond_exp_isfa_ista.default_initial_values["v"] == -70.6
    assert models.EIF_cond_exp_isfa_ista.units["w"] == "nA"
    assert models.IF_cond_exp_gsfa_grr.units["g_r"] == "nS"
    assert models.Izhikevich.default_initial_values == {"v": -70.0, "u": -14.0}
    assert models.Izhikevich.weight_unit == "mV"
    assert models.HH_cond_exp.default_initial_values["h"] == 1.0
    assert "source_section.gap" in models.HH_cond_exp.receptor_types
    assert {"m", "h", "n"} <= set(models.HH_cond_exp.recordable)
    assert {"i_eta", "v_t"} <= set(models.GIF_cond_exp.recordable)
    for name in ("SpikeSourceGamma", "SpikeSourceInhGamma", "SpikeSourcePoissonRefractory"):
        assert models.CELL_TYPES[name].is_spike_source


@pytest.mark.parametrize("model, kw, match", [
    (models.EIF_cond_exp_isfa_ista, {"tau_w": -1.0}, "tau_w.*> 0"),
    (models.HH_cond_exp, {"cm": 0.0}, "cm.*> 0"),
    (models.GIF_cond_exp, {"tau_eta": [1.0, -2.0]}, "tau_eta.*> 0"),
    (models.GIF_cond_exp, {"delta_v": 0.0}, "delta_v.*> 0"),
    (models.IF_cond_exp_gsfa_grr, {"tau_sfa": 0.0}, "tau_sfa.*> 0"),
    (models.SpikeSourceGamma, {"alpha": -2.0}, "alpha.*> 0"),
    (models.SpikeSourcePoissonRefractory, {"tau_refrac": -1.0}, "tau_refrac.*>= 0"),
])
def test_out_of_range(model, kw, match):
    with pytest.raises(errors.InvalidParameterValueError, match=match):
        model(**kw)


def test_relations_and_model_checks():
    cell = models.EIF_cond_exp_isfa_ista(v_spike=-60.0)
    vals = {k: np.atleast_1d(v) for k, v in cell.parameter_space.items()}
    with pytest.raises(errors.InvalidParameterValueError, match="v_reset|v_thresh"):
        cell.check_values(vals)
    cell = models.EIF_cond_exp_isfa_ista(delta_T=0.01, v_spike=0.0)
    vals = {k: np.atleast_1d(v) for k, v in cell.parameter_space.items()}
    with pytest.raises(errors.InvalidParameterValueError, match="overflow"):
        cell.check_values(vals)
    ppd = models.SpikeSourcePoissonRefractory(rate=200.0, tau_refrac=10.0)
    with pytest.raises(errors.InvalidParameterValueError, match="rate \\* tau_refrac"):
        ppd.check_values({k: np.atleast_1d(v) for k, v in ppd.parameter_space.items()})


def test_point_neuron_composition():
    pn = models.PointNeuron(models.AdExp(tau_m=10.0), GABAA=models.CondExpPSR(e_syn=-70.0),
                            AMPA=models.CondExpPSR(tau_syn=1.5))
    assert pn.receptor_types == ("AMPA", "GABAA")
    assert pn.conductance_based and pn.weight_unit == "uS"
    assert pn.parameter_space["GABAA.e_syn"] == -70.0
    assert pn.parameter_space["AMPA.tau_syn"] == 1.5 and pn.parameter_space["tau_m"] == 10.0
    assert set(pn.recordable) == {"spikes", "v", "w", "AMPA.gsyn", "GABAA.gsyn"}
    assert pn.default_initial_values == {"v": -70.6, "w": 0.0, "AMPA.gsyn": 0.0,
                                         "GABAA.gsyn": 0.0}
    assert "GABAA.tau_syn" in pn.get_parameter_names()
    pn.set_parameters(**{"AMPA.tau_syn": 3.0})
    with pytest.raises(errors.InvalidParameterValueError):
        pn.set_parameters(**{"AMPA.tau_syn": -3.0})
    with pytest.raises(errors.NonExistentParameterError):
        pn.set_parameters(**{"AMPA.tau": 3.0})
    with pytest.raises(errors.InvalidModelError, match="mix"):
        models.PointNeuron(models.LIF(), A=models.CurrExpPSR(), B=models.CondExpPSR())
    cur = models.PointNeuron(models.LIF(), E=models.CurrExpPSR())
    assert not cur.conductance_based and cur.weight_unit == "nA"
