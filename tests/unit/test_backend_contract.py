"""The backend interface as a contract: capabilities as data, `prepare()` once before the
first run, connector descriptions a backend may turn into its own connection rules."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lamina
from lamina.backends.base import Capabilities
from lamina.backends.engine.backend import EngineBackend
from lamina.connectors import describe_connector
from lamina.errors import InvalidParameterValueError, NoModelAvailableError

from tests.conftest import requires_nest


@pytest.fixture
def restricted_engine(monkeypatch):
    """The engine declaring that it runs IF_cond_exp and StaticSynapse only, and no
    checkpoints."""
    features = dataclasses.replace(EngineBackend.features,
                                   cell_types=frozenset({"IF_cond_exp", "SpikeSourceArray"}),
                                   synapse_types=frozenset({"StaticSynapse"}),
                                   checkpoints=False, synapse_state_recording=False)
    monkeypatch.setattr(EngineBackend, "features", features)
    lamina.setup(timestep=0.1)
    yield lamina
    lamina.end()


def test_capabilities_are_data_with_distribution_from_the_backend_class():
    caps = EngineBackend.capabilities()
    assert isinstance(caps, Capabilities)
    assert caps.spike_precisions == frozenset({"on_grid"})
    assert caps.checkpoints and caps.synapse_state_recording and caps.native_cell_types
    assert caps.distributed is EngineBackend.can_distribute
    assert caps.cell_types is None                 # every standard cell type
    assert caps.refusal("engine", "cell", "IF_curr_exp") is None


def test_a_cell_type_outside_the_capabilities_is_refused_before_anything_is_made(
        restricted_engine):
    sim = restricted_engine
    state = lamina.core.simulation.current()
    sim.Population(3, sim.IF_cond_exp())
    first_free = state.next_id
    with pytest.raises(NoModelAvailableError,
                       match=r"IF_curr_exp is not available on the engine backend \(its "
                             r"standard cell types: IF_cond_exp, SpikeSourceArray\)"):
        sim.Population(5, sim.IF_curr_exp())
    assert state.next_id == first_free and len(state.populations) == 1


def test_synapse_type_checkpoint_and_synapse_recording_follow_the_capabilities(
        restricted_engine, tmp_path):
    sim = restricted_engine
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(NoModelAvailableError, match="TsodyksMarkramSynapse is not available"):
        sim.Projection(pre, post, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    with pytest.raises(NoModelAvailableError, match="cannot record synaptic state"):
        prj.record("weight")
    with pytest.raises(NoModelAvailableError, match="cannot save or restore its state"):
        sim.save_state(tmp_path / "state.npz")
    assert not (tmp_path / "state.npz").exists()


def test_spike_precision_is_checked_against_the_capabilities():
    with pytest.raises(NoModelAvailableError,
                       match=r"spike_precision='off_grid': the engine backend computes spike "
                             r"times on the time grid only"):
        lamina.setup(spike_precision="off_grid")
    with pytest.raises(InvalidParameterValueError,
                       match="spike_precision='exact': expected 'on_grid' or 'off_grid'"):
        lamina.setup(spike_precision="exact")
    lamina.setup(spike_precision="on_grid")
    lamina.end()


def test_prepare_is_called_once_before_the_first_run(monkeypatch):
    calls: list[tuple[str, float]] = []
    original_run = EngineBackend.run_until

    def run_until(self, t_stop):
        calls.append(("run_until", t_stop))
        original_run(self, t_stop)

    monkeypatch.setattr(EngineBackend, "prepare", lambda self: calls.append(("prepare", self.t)))
    monkeypatch.setattr(EngineBackend, "run_until", run_until)
    lamina.setup(timestep=0.1)
    lamina.Population(2, lamina.IF_curr_exp(i_offset=0.5))
    assert calls == []                              # not at setup or while building
    lamina.run(5.0)
    lamina.run(5.0)
    lamina.reset()
    lamina.run(2.0)
    lamina.end()
    assert calls[0] == ("prepare", 0.0) and calls[1][0] == "run_until"
    assert [c[0] for c in calls].count("prepare") == 1


def test_connector_description_names_rule_parameters_and_rng():
    conn = lamina.FixedProbabilityConnector(0.25, allow_self_connections=False,
                                            rng=lamina.NativeRNG(seed=3))
    d = describe_connector(conn)
    assert d.rule == "fixed_probability" and d.connector is conn and d.native_rng
    assert d.parameters == {"p_connect": 0.25, "allow_self_connections": False}
    d2 = describe_connector(lamina.FixedNumberPreConnector(7, rng=lamina.NumpyRNG(seed=1)))
    assert (d2.rule, d2.parameters["n"], d2.native_rng) == ("fixed_number_pre", 7, False)
    assert describe_connector(lamina.FromListConnector([(0, 1)])).rule == "from_list"


@requires_nest
def test_nest_turns_descriptions_into_its_conn_specs():
    from lamina.backends.nest.backend import NestBackend
    from lamina.backends.nest.connections import conn_spec
    native = NestBackend.capabilities().native_connection_rules
    assert {"all_to_all", "one_to_one", "fixed_probability", "fixed_number_pre"} <= native
    assert conn_spec(describe_connector(lamina.FixedProbabilityConnector(
        0.1, allow_self_connections=False))) == {"rule": "pairwise_bernoulli", "p": 0.1,
                                                 "allow_autapses": False}
    assert conn_spec(describe_connector(lamina.FixedNumberPostConnector(
        4, with_replacement=False))) == {"rule": "fixed_outdegree", "outdegree": 4,
                                         "allow_multapses": False}
    assert conn_spec(describe_connector(lamina.FromListConnector([(0, 1)]))) is None


@requires_nest
def test_native_connections_on_nest_use_the_description():
    import lamina.nest as sim
    sim.setup(timestep=0.1, rng_seed=5)
    a, b = sim.Population(40, sim.IF_curr_exp()), sim.Population(30, sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.FixedNumberPreConnector(6, rng=sim.NativeRNG(seed=2)),
                         sim.StaticSynapse(weight=0.1, delay=0.5))
    pre, post = prj.connection_indices()
    assert prj.size() == 30 * 6
    assert np.all(np.bincount(post, minlength=30) == 6)    # 6 inputs per target (NEST's rule)
    sim.end()
