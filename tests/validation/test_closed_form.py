"""The engine against closed-form solutions (tolerances stated per assertion)."""
import numpy as np
import pytest


def test_if_curr_exp_dc_membrane_and_first_spike(sim):
    cm, tau_m, i_off, v_rest, v_th = 0.8, 15.0, 1.2, -65.0, -50.0
    p = sim.Population(1, sim.IF_curr_exp(cm=cm, tau_m=tau_m, i_offset=i_off, v_rest=v_rest,
                                           v_reset=-70.0, v_thresh=v_th, tau_refrac=2.0))
    p.record(["v", "spikes"])
    sim.run(100.0)
    seg = p.get_data().segments[0]
    v = np.asarray(seg.analogsignals[0].magnitude).ravel()
    t = np.asarray(seg.analogsignals[0].times)
    exact = v_rest + i_off * tau_m / cm * (1 - np.exp(-t / tau_m))
    crossing = np.flatnonzero(exact >= v_th)[0]           # first grid point at/above threshold
    t_first = float(np.asarray(seg.spiketrains[0])[0])
    assert t_first == pytest.approx(t[crossing], abs=1e-9)
    # before the first spike v follows the closed form to 1e-9 mV
    assert np.max(np.abs(v[:crossing] - exact[:crossing])) < 1e-9


def test_dc_source_starts_exactly(sim):
    cm, tau_m, amp, start = 1.0, 20.0, 0.5, 12.3
    p = sim.Population(1, sim.IF_curr_exp(cm=cm, tau_m=tau_m, v_thresh=0.0))
    p.inject(sim.DCSource(amplitude=amp, start=start, stop=40.0))
    p.record("v")
    sim.run(60.0)
    sig = p.get_data().segments[0].analogsignals[0]
    v = np.asarray(sig.magnitude).ravel()
    t = np.asarray(sig.times)
    on = np.clip(t - start, 0, 40.0 - start)
    exact = -65.0 + amp * tau_m / cm * (1 - np.exp(-on / tau_m))
    off = t > 40.0
    peak = amp * tau_m / cm * (1 - np.exp(-(40.0 - start) / tau_m))
    exact[off] = -65.0 + peak * np.exp(-(t[off] - 40.0) / tau_m)
    assert np.max(np.abs(v - exact)) < 1e-9             # 1e-9 mV, as exact integration gives


def test_if_curr_delta_jump(sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    p = sim.Population(1, sim.IF_curr_delta())
    sim.Projection(src, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=2.0, delay=1.0))
    p.record("v")
    sim.run(20.0)
    sig = p.get_data().segments[0].analogsignals[0]
    v = np.asarray(sig.magnitude).ravel()
    t = np.asarray(sig.times)
    exact = np.where(t >= 6.0 - 1e-9, -65.0 + 2.0 * np.exp(-(t - 6.0) / 20.0), -65.0)
    assert np.max(np.abs(v - exact)) < 1e-9              # jump of w mV at t_spike + delay
