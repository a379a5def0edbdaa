"""Current sources as PyNN 0.13 defines them."""
import numpy as np
import pytest

from lamina import errors


def test_ac_phase_holds_at_start(sim):
    cells = sim.Population(1, sim.IF_curr_exp(v_thresh=100.0))
    ac = sim.ACSource(start=5.0, stop=20.0, amplitude=1.0, offset=0.2, frequency=100.0,
                      phase=90.0)
    ac.inject_into(cells)
    ac.record()
    sim.run(20.0)
    i = np.asarray(ac.get_data()).ravel()
    t = np.arange(len(i)) * 0.1
    on = (t >= 5.0 - 1e-9) & (t < 20.0 - 1e-9)
    expected = 0.2 + np.sin(2 * np.pi * 100.0 * (t - 5.0) / 1000.0 + np.pi / 2)
    assert np.allclose(i[on], expected[on], atol=1e-12)
    assert i[50] == pytest.approx(1.2)               # sin(phase) at start


def test_recordings_include_the_last_sample(sim):
    cells = sim.Population(2, sim.IF_curr_exp())
    dc = sim.DCSource(amplitude=0.3)
    dc.inject_into(cells)
    dc.record()
    cells.record("v")
    sim.run(20.0)
    current, v = dc.get_data(), cells.get_data().segments[0].analogsignals[0]
    for signal in (current, v):
        assert signal.shape[0] == 201 and float(signal.times[-1]) == pytest.approx(20.0)


@pytest.mark.parametrize("times, message", [([-1.0, 2.0], ">= 0"),
                                            ([5.0, 2.0], "strictly increasing")])
def test_step_current_source_refuses_bad_times(sim, times, message):
    with pytest.raises(errors.InvalidParameterValueError, match=message):
        sim.StepCurrentSource(times=times, amplitudes=[0.1, 0.2])


def test_set_parameters_now_changes_the_recorded_current_from_now(sim):
    cells = sim.Population(1, sim.IF_curr_exp(v_thresh=100.0))
    dc = sim.DCSource(amplitude=0.5)
    dc.inject_into(cells)
    dc.record()
    sim.run(10.0)
    dc.set_parameters(amplitude=1.0)
    sim.run(10.0)
    i = np.asarray(dc.get_data()).ravel()
    assert np.allclose(i[1:100], 0.5) and np.allclose(i[100:], 1.0)


def test_set_parameters_now_acts_on_the_membrane_from_now(sim):
    """v under a DC step at t = 10 ms follows the closed-form solution of the leaky
    membrane (tau_m = 10 ms, cm = 1 nF) from that very time step."""
    cells = sim.Population(1, sim.IF_curr_exp(v_thresh=100.0, tau_m=10.0, cm=1.0,
                                              v_rest=-65.0, i_offset=0.0))
    cells.initialize(v=-65.0)
    cells.record("v")
    dc = sim.DCSource(amplitude=0.5, start=0.0)
    dc.inject_into(cells)
    sim.run(10.0)
    dc.set_parameters(amplitude=1.0)
    sim.run(10.0)
    v = np.asarray(cells.get_data().segments[0].analogsignals[0]).ravel()
    t = np.arange(len(v)) * 0.1
    r = 10.0                                         # R = tau_m / cm [MOhm]
    v10 = -65.0 + 0.5 * r * (1 - np.exp(-10.0 / 10.0))
    after = t >= 10.0
    expected = -65.0 + 1.0 * r + (v10 + 65.0 - 1.0 * r) * np.exp(-(t - 10.0) / 10.0)
    assert np.allclose(v[after], expected[after], atol=0.05)


def test_inject_into_a_list_of_ids(sim):
    cells = sim.Population(3, sim.IF_curr_exp(v_thresh=100.0))
    sim.DCSource(amplitude=1.0).inject_into([cells[0], cells[2]])
    cells.record("v")
    sim.run(5.0)
    v = np.asarray(cells.get_data().segments[0].analogsignals[0])[-1]
    assert v[0] == pytest.approx(v[2]) and v[0] > v[1] + 1.0
