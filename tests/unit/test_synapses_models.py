"""The synapse-type catalogue: PyNN 0.13 names, defaults, units and checks."""
from __future__ import annotations

import pytest

import lamina
from lamina import errors
from lamina.models import STDP_COMPONENTS, SYNAPSE_TYPES
from lamina.models.plasticity import STDPMechanism

PYNN_DEFAULTS = {
    "StaticSynapse": {"weight": 0.0, "delay": None},
    "ElectricalSynapse": {"weight": 0.0},
    "TsodyksMarkramSynapse": {"weight": 0.0, "delay": None, "U": 0.5, "tau_rec": 100.0,
                              "tau_facil": 0.0},
    "SimpleStochasticSynapse": {"weight": 0.0, "delay": None, "p": 0.5},
    "StochasticTsodyksMarkramSynapse": {"weight": 0.0, "delay": None, "U": 0.5,
                                        "tau_rec": 800.0, "tau_facil": 0.0},
    "MultiQuantalSynapse": {"weight": 0.0, "delay": None, "U": 0.5, "n": 1, "tau_rec": 800.0,
                            "tau_facil": 0.0},
}
COMPONENT_DEFAULTS = {
    "SpikePairRule": {"tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.01, "A_minus": 0.01},
    "Vogels2011Rule": {"tau": 20.0, "eta": 1e-10, "rho": 3.0},
    "AdditiveWeightDependence": {"w_min": 0.0, "w_max": 1.0},
    "MultiplicativeWeightDependence": {"w_min": 0.0, "w_max": 1.0},
    "AdditivePotentiationMultiplicativeDepression": {"w_min": 0.0, "w_max": 1.0},
    "GutigWeightDependence": {"w_min": 0.0, "w_max": 1.0, "mu_plus": 0.5, "mu_minus": 0.5},
}


@pytest.mark.parametrize("name, defaults", PYNN_DEFAULTS.items())
def test_synapse_defaults_as_pynn(name, defaults):
    cls = SYNAPSE_TYPES[name]
    assert cls.default_parameters == defaults
    assert cls().get_parameter_names() == list(defaults)
    assert getattr(lamina, name) is cls


@pytest.mark.parametrize("name, defaults", COMPONENT_DEFAULTS.items())
def test_stdp_component_defaults_as_pynn(name, defaults):
    cls = STDP_COMPONENTS[name]
    assert cls().parameter_space == defaults
    assert getattr(lamina, name) is cls


def test_stdp_mechanism_attributes_are_instance_specific():
    m = STDPMechanism(timing_dependence=lamina.SpikePairRule(A_plus=0.02),
                      weight_dependence=lamina.GutigWeightDependence(w_max=2.0), weight=0.3)
    assert m.get_parameter_names() == ["weight", "delay", "tau_plus", "tau_minus", "A_plus",
                                       "A_minus", "w_min", "w_max", "mu_plus", "mu_minus"]
    assert m.parameter_space["A_plus"] == 0.02 and m.parameter_space["weight"] == 0.3
    assert set(m.parameter_table()) == set(m.get_parameter_names())
    v = STDPMechanism(timing_dependence=lamina.Vogels2011Rule(),
                      weight_dependence=lamina.AdditiveWeightDependence())
    assert v.get_parameter_names() == ["weight", "delay", "tau", "eta", "rho", "w_min", "w_max"]
    assert v.possible_models == {"vogels_sprekeler_synapse"}
    m.set_parameters(tau_plus=15.0)
    assert m.timing_dependence.parameter_space["tau_plus"] == 15.0
    with pytest.raises(errors.NonExistentParameterError):
        m.set_parameters(tau=3.0)


@pytest.mark.parametrize("make, words", [
    (lambda: lamina.TsodyksMarkramSynapse(U=1.5), ["TsodyksMarkramSynapse", "'U'", "1.5", "<= 1"]),
    (lambda: lamina.TsodyksMarkramSynapse(U=-0.1), ["'U'", ">= 0"]),
    (lambda: lamina.TsodyksMarkramSynapse(tau_rec=-5.0), ["'tau_rec'", "-5", "> 0"]),
    (lambda: lamina.TsodyksMarkramSynapse(tau_facil=-1.0), ["'tau_facil'", ">= 0"]),
    (lambda: lamina.SimpleStochasticSynapse(p=1.2), ["SimpleStochasticSynapse", "'p'"]),
    (lambda: lamina.MultiQuantalSynapse(n=0), ["MultiQuantalSynapse", "'n'", ">= 1"]),
    (lambda: lamina.MultiQuantalSynapse(n=2.5), ["'n'", "whole number"]),
    (lambda: lamina.SpikePairRule(tau_plus=-20.0), ["SpikePairRule", "'tau_plus'", "> 0"]),
    (lambda: lamina.SpikePairRule(A_minus=-0.1), ["'A_minus'", ">= 0"]),
    (lambda: lamina.AdditiveWeightDependence(w_min=0.5, w_max=0.2),
     ["AdditiveWeightDependence", "w_min", "0.5", "w_max", "0.2"]),
    (lambda: lamina.GutigWeightDependence(mu_plus=-1.0), ["'mu_plus'", ">= 0"]),
    (lambda: lamina.Vogels2011Rule(tau=0.0), ["Vogels2011Rule", "'tau'", "> 0"]),
    (lambda: lamina.ElectricalSynapse(weight=-1.0), ["ElectricalSynapse", "'weight'", ">= 0"]),
    (lambda: STDPMechanism(timing_dependence=lamina.SpikePairRule(),
                           weight_dependence=lamina.AdditiveWeightDependence(),
                           dendritic_delay_fraction=1.5), ["dendritic_delay_fraction", "1.5"]),
    (lambda: STDPMechanism(timing_dependence=None,
                           weight_dependence=lamina.AdditiveWeightDependence()),
     ["timing_dependence"]),
])
def test_bad_parameters_are_refused(make, words):
    with pytest.raises(errors.InvalidParameterValueError) as info:
        make()
    for w in words:
        assert w in str(info.value)


def test_per_connection_values_are_checked(sim):
    pre = sim.Population(2, sim.IF_curr_exp())
    post = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.1))
    with pytest.raises(errors.InvalidParameterValueError, match="'U'"):
        prj.set(U=sim.RandomDistribution("uniform", (0.5, 1.5), rng=sim.NumpyRNG(1)))
    stdp = sim.Projection(pre, post, sim.AllToAllConnector(), sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0), weight=0.2))
    with pytest.raises(errors.InvalidParameterValueError, match="w_min .* must be <= w_max"):
        stdp.set(w_min=2.0)
    with pytest.raises(errors.InvalidParameterValueError, match="tau_minus"):
        stdp.set(tau_minus=-1.0)
    stdp.set(w_max=[[1.0, 2.0], [3.0, 4.0]])
    assert stdp.get("w_max", "list", with_address=False) == [1.0, 2.0, 3.0, 4.0]
