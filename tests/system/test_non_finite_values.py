"""NaN and infinities are refused at the call that receives them (issue 16), except +inf
where a parameter means "never"/"forever" (current sources' stop, spike sources'
duration)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from lamina.errors import InvalidParameterValueError, InvalidWeightError, LaminaError

BAD = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("bad", BAD)
def test_cell_parameter_refused_at_model_creation(sim, bad):
    with pytest.raises(InvalidParameterValueError, match=r"'i_offset' = (nan|inf|-inf) \[nA\]"):
        sim.IF_curr_exp(i_offset=bad)


@pytest.mark.parametrize("bad", BAD)
def test_population_set_and_initialize_refuse_and_keep_values(sim, bad):
    p = sim.Population(3, sim.IF_cond_exp())
    with pytest.raises(InvalidParameterValueError, match="'tau_m'"):
        p.set(tau_m=np.array([10.0, bad, 12.0]))
    with pytest.raises(InvalidParameterValueError, match="initial value of 'v'"):
        p.initialize(v=bad)
    with pytest.raises(InvalidParameterValueError, match="initial value of 'v'"):
        sim.Population(2, sim.IF_cond_exp(), initial_values={"v": bad})
    with pytest.raises(InvalidParameterValueError):
        p.set(cm=sim.RandomDistribution("normal", (bad, 1.0)))
    assert p.get("tau_m") == 20.0
    p.record("v")
    sim.run(1.0)
    assert np.all(p.get_data().segments[0].analogsignals[0].magnitude == -65.0)


@pytest.mark.parametrize("bad", BAD)
def test_connection_values_refused(sim, bad):
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(LaminaError, match="weight"):
        sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=bad))
    with pytest.raises(LaminaError, match="delay"):
        sim.Projection(pre, post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.1, delay=bad))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.1, tau_rec=100.0))
    with pytest.raises((InvalidParameterValueError, InvalidWeightError)):
        prj.set(weight=bad)
    with pytest.raises(InvalidParameterValueError, match="'tau_rec'"):
        prj.set(tau_rec=bad)
    with pytest.raises(LaminaError):
        sim.Projection(pre, post, sim.FromListConnector([(0, 0, bad, 1.0)]))
    assert np.all(prj.get("weight", format="array") == 0.1)
    assert np.all(prj.get("tau_rec", format="array") == 100.0)


@pytest.mark.parametrize("bad", BAD)
def test_current_sources_refuse(sim, bad):
    with pytest.raises(InvalidParameterValueError, match="'amplitude'"):
        sim.DCSource(amplitude=bad)
    cells = sim.Population(1, sim.IF_curr_exp())
    with pytest.raises(InvalidParameterValueError, match="'amplitudes'"):
        sim.StepCurrentSource(times=[1.0, 2.0], amplitudes=[0.1, bad]).inject_into(cells)
    with pytest.raises(InvalidParameterValueError, match="'spike_times'"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, bad]))


def test_plus_infinity_means_never(sim):
    """stop=inf: the current never stops (as stop=None); duration=inf: the train never
    ends. -inf and NaN stay refused."""
    cells = sim.Population(2, sim.IF_curr_exp())
    dc = sim.DCSource(amplitude=1.0, start=5.0, stop=math.inf)
    dc.inject_into(cells[:1])
    sim.DCSource(amplitude=1.0, start=5.0, stop=None).inject_into(cells[1:])
    src = sim.Population(1, sim.SpikeSourcePoisson(rate=500.0, duration=math.inf))
    with pytest.raises(InvalidParameterValueError):
        sim.SpikeSourcePoisson(duration=-math.inf)
    with pytest.raises(InvalidParameterValueError):
        sim.DCSource(stop=math.nan)
    cells.record("v")
    src.record("spikes")
    sim.run(100.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    np.testing.assert_array_equal(v[:, 0], v[:, 1])
    assert v[-1, 0] > -60.0   # driven: 1 nA for 95 ms
    assert len(src.get_data().segments[0].spiketrains[0]) > 20   # 500 Hz for 100 ms: ~50
