"""NEST-only features of lamina.nest: native models, plasticity read back, off-grid spikes,
error translation."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("nest")
import lamina.nest as sim  # noqa: E402


@pytest.fixture(autouse=True)
def _setup():
    sim.setup(timestep=0.1)
    yield
    sim.end()


def test_native_cell_type_by_name():
    p = sim.Population(5, "iaf_psc_alpha")
    p.set(I_e=400.0)
    p.record(["spikes", "V_m"])
    sim.run(100.0)
    seg = p.get_data().segments[0]
    assert all(len(st) > 0 for st in seg.spiketrains)
    assert seg.analogsignals[0].shape == (1001, 5)


def test_unknown_and_renamed_models():
    with pytest.raises(sim.errors.InvalidModelError, match="iaf_psc_alpha"):
        sim.Population(2, "iaf_psc_alfa")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sim.Population(2, "iaf_neuron")
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_stdp_weights_read_back_from_nest():
    stdp = sim.native_synapse_type("stdp_synapse")
    post = sim.Population(3, "iaf_psc_alpha", cellparams={"I_e": 400.0})
    pre = sim.Population(4, sim.SpikeSourcePoisson(rate=50.0))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp(weight=100.0, delay=1.0))
    sim.run(300.0)
    w = prj.get("weight", "array")
    assert w.shape == (4, 3) and not np.allclose(w, 100.0)


def test_off_grid_models_and_refusal():
    sim.setup(spike_precision="off_grid")
    p = sim.Population(1, sim.IF_curr_exp(i_offset=1.0))
    p.record("spikes")
    sim.run(50.0)
    t = p.get_data().segments[0].spiketrains[0].times.magnitude
    assert len(t) and abs(t[0] / 0.1 - round(t[0] / 0.1)) > 1e-6   # not on the grid
    with pytest.raises(sim.errors.NoModelAvailableError, match="iaf_cond_exp"):
        sim.Population(1, sim.IF_cond_exp())


def test_nest_errors_become_lamina_errors():
    p = sim.Population(1, "iaf_psc_alpha")
    with pytest.raises(sim.errors.InvalidParameterValueError, match="NEST says"):
        p.set(C_m=-1.0)


def test_spike_at_time_zero_is_refused():
    with pytest.raises(sim.errors.InvalidParameterValueError, match="t <= 0"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[0.0, 1.0]))
