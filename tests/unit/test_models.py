"""The model catalogue: PyNN 0.13 names, defaults, units; parameter checks."""
import numpy as np
import pytest

from lamina import errors, models

PYNN_DEFAULTS = {
    "IF_curr_exp": dict(cm=1.0, tau_m=20.0, tau_syn_E=5.0, tau_syn_I=5.0, tau_refrac=0.1,
                        v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0),
    "IF_curr_alpha": dict(cm=1.0, tau_m=20.0, tau_syn_E=0.5, tau_syn_I=0.5, tau_refrac=0.1,
                          v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0),
    "IF_curr_delta": dict(cm=1.0, tau_m=20.0, tau_refrac=0.0, v_rest=-65.0, v_reset=-65.0,
                          v_thresh=-50.0, i_offset=0.0),
    "IF_cond_exp": dict(cm=1.0, tau_m=20.0, tau_syn_E=5.0, tau_syn_I=5.0, tau_refrac=0.1,
                        v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0,
                        e_rev_E=0.0, e_rev_I=-70.0),
    "IF_cond_alpha": dict(cm=1.0, tau_m=20.0, tau_syn_E=0.3, tau_syn_I=0.5, tau_refrac=0.1,
                          v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0,
                          e_rev_E=0.0, e_rev_I=-70.0),
    "SpikeSourcePoisson": dict(rate=1.0, start=0.0, duration=1e10),
}


@pytest.mark.parametrize("name", sorted(PYNN_DEFAULTS))
def test_defaults_are_pynn_013(name):
    assert models.CELL_TYPES[name].default_parameters == PYNN_DEFAULTS[name]


def test_units_and_initial_values():
    cls = models.IF_cond_exp
    assert cls.units["cm"] == "nF" and cls.units["tau_m"] == "ms"
    assert cls.units["gsyn_exc"] == "uS" and cls.units["v"] == "mV"
    assert cls.default_initial_values == {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    assert set(cls.recordable) == {"spikes", "v", "gsyn_exc", "gsyn_inh"}
    assert models.IF_curr_exp.receptor_types == ("excitatory", "inhibitory")


def test_list_standard_models():
    names = models.list_standard_models()
    for n in ["IF_curr_exp", "IF_curr_alpha", "IF_curr_delta", "IF_cond_exp", "IF_cond_alpha",
              "SpikeSourceArray", "SpikeSourcePoisson"]:
        assert n in names


def test_unknown_parameter_has_hint():
    with pytest.raises(errors.NonExistentParameterError, match="did you mean `tau_m`"):
        models.IF_cond_exp(tau_mm=5.0)


@pytest.mark.parametrize("name, value, allowed", [("cm", 0.0, "> 0"), ("tau_m", -1.0, "> 0"),
                                                  ("tau_refrac", -0.1, ">= 0")])
def test_out_of_range_values(name, value, allowed):
    with pytest.raises(errors.InvalidParameterValueError, match=f"{name}.*{allowed}"):
        models.IF_curr_exp(**{name: value})


def test_relation_reset_below_threshold():
    cell = models.IF_curr_exp(v_reset=-40.0)
    values = {k: np.atleast_1d(v) for k, v in cell.parameter_space.items()}
    with pytest.raises(errors.InvalidParameterValueError, match="v_reset.*< v_thresh"):
        cell.check_values(values)


def test_current_source_attributes():
    dc = models.DCSource(amplitude=0.5, start=10.0)
    assert dc.amplitude == 0.5 and dc.stop is None
    dc.amplitude = 0.7
    assert dc.get_parameters()["amplitude"] == 0.7
    with pytest.raises(errors.NonExistentParameterError, match="amplitude"):
        dc.amplitud = 1.0
