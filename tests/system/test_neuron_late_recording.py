"""NEURON backend: recordings started, stopped and started again between runs.

NEURON fills every fixed step only the Vectors it listed when it last prepared a solver, so
the backend re-prepares (CVODE switched on and off, the states saved and restored around
it) when Vectors are added after the start. A recording that starts late must give exactly
the samples of one that ran throughout (same process, to 1e-9 or bitwise), NaN where it
was stopped, and must not change the simulation (spikes identical). Skipped when NEURON is
not installed."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from lamina.errors import NoModelAvailableError

pytestmark = [pytest.mark.backend_neuron, pytest.mark.skipif(
    importlib.util.find_spec("neuron") is None,
    reason="NEURON is not installed (pip install lamina[neuron])")]

DT = 0.1


def _network(sim, late: bool, interval: float = DT) -> dict[str, np.ndarray]:
    """Cells of several kinds (NEURON's artificial IntFire1 among them, recorded on an
    anchor section's clock) driven by Poisson spikes. ``late``: cells 0-1 record from
    20 ms, cell 0 stops at 40 ms, all record again from 60 ms; else all record from 0.
    Returns each population's signal (with its start) and spike times (cells 1 and 2)."""
    src = sim.Population(20, sim.SpikeSourcePoisson(rate=80.0))
    kinds = [(sim.IF_curr_exp(), 0.6), (sim.IF_cond_exp(), 0.01), (sim.HH_cond_exp(), 0.02),
             (sim.EIF_cond_exp_isfa_ista(), 0.01), (sim.Izhikevich(), 5.0),
             (sim.native_cell_type("IntFire1")(tau=10.0), 0.3)]
    pops, names = [], []
    for k, (celltype, weight) in enumerate(kinds):
        p = sim.Population(3, celltype)
        synapse = (sim.TsodyksMarkramSynapse(weight=weight, delay=1.0, U=0.5, tau_rec=50.0)
                   if k < 4 else sim.StaticSynapse(weight=weight, delay=1.0))
        sim.Projection(src, p, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=k)),
                       synapse)
        p.record("spikes")
        pops.append(p)
        names.append("m" if k == len(kinds) - 1 else "v")
    sim.NoisyCurrentSource(mean=0.2, stdev=0.3, dt=1.0).inject_into(pops[0])
    if not late:
        for p, var in zip(pops, names):
            p.record(var, sampling_interval=interval)
    sim.run(20.0)
    if late:
        for p, var in zip(pops, names):
            p[0:2].record(var, sampling_interval=interval)
    sim.run(20.0)
    if late:
        for p in pops:
            p[0:1].record(None)
    sim.run(20.0)
    if late:
        for p, var in zip(pops, names):
            p.record(var, sampling_interval=interval)
    sim.run(20.0)
    out = {}
    for i, p in enumerate(pops):
        seg = p.get_data().segments[0]
        sig = seg.analogsignals[0]
        out[f"signal{i}"] = np.asarray(sig)
        out[f"start{i}"] = np.array([float(sig.t_start), float(sig.sampling_period)])
        trains = {int(s.annotations["source_index"]): np.asarray(s) for s in seg.spiketrains}
        out[f"spikes{i}"] = np.concatenate([trains[1], [-1.0], trains[2]])
    return out


def _both(interval: float, **options) -> tuple[dict, dict]:
    import lamina.neuron as sim
    runs = []
    for late in (False, True):
        sim.setup(timestep=DT, min_delay=DT, max_delay=10.0, rng_seed=7, **options)
        try:
            runs.append(_network(sim, late, interval))
        finally:
            sim.end()
    return runs[0], runs[1]


def _check_late(full: dict, late: dict, interval: float, atol: float, spikes_exact: bool):
    every = int(round(interval / DT))
    for i in range(6):
        ref, sig = full[f"signal{i}"], late[f"signal{i}"]
        assert full[f"start{i}"][0] == 0.0
        assert late[f"start{i}"][0] == pytest.approx(20.0)
        assert late[f"start{i}"][1] == pytest.approx(interval)
        assert ref.shape == (800 // every + 1, 3) and sig.shape == (600 // every + 1, 3)
        t = 20.0 + np.arange(len(sig)) * interval
        recorded = np.zeros(sig.shape, bool)
        recorded[:, 0] = (t <= 40.0 + 1e-9) | (t >= 60.0 - 1e-9)
        recorded[:, 1] = True
        recorded[:, 2] = t >= 60.0 - 1e-9
        assert np.isnan(sig[~recorded]).all(), i
        assert not np.isnan(sig[recorded]).any(), i
        np.testing.assert_allclose(sig[recorded], ref[200 // every:][recorded], rtol=0,
                                   atol=atol, err_msg=f"population {i}")
        assert np.ptp(ref[:, 1]) > 0.1, i             # the values change over time
        if spikes_exact:
            np.testing.assert_array_equal(late[f"spikes{i}"], full[f"spikes{i}"])
        else:
            np.testing.assert_allclose(late[f"spikes{i}"], full[f"spikes{i}"], atol=1e-3)


@pytest.mark.parametrize("interval", [DT, 0.5])
def test_late_stopped_and_restarted_recordings_equal_one_that_ran_throughout(interval):
    """Fixed step: every sample equals that of the recording from the start (to 1e-9; in
    practice bitwise), NaN while not recorded, the spikes are the same (the solver
    re-preparation leaves the state alone)."""
    full, late = _both(interval)
    _check_late(full, late, interval, atol=1e-9, spikes_exact=True)


def test_late_recording_under_cvode():
    """CVODE records with a Dt (NEURON's events at the sample times); the recording that
    starts late takes its samples at the same times. The variable step depends on the
    events queued, recordings' included: values agree within CVODE's tolerance."""
    full, late = _both(0.5, use_cvode=True)
    _check_late(full, late, 0.5, atol=1e-4, spikes_exact=False)


def test_recording_started_after_a_run_records():
    """The lead's report: record("v") after run() gave (0, n) signals."""
    import lamina.neuron as sim
    sim.setup(timestep=DT)
    try:
        p = sim.Population(2, sim.IF_curr_exp(i_offset=[0.0, 1.0]))
        q = sim.Population(1, sim.HH_cond_exp())
        ref = sim.Population(2, sim.IF_curr_exp(i_offset=[0.0, 1.0]))
        ref.record("v")
        sim.run(5.0)
        p.record("v")
        q.record("v")
        sim.run(5.0)
        a = p.get_data().segments[0].analogsignals[0]
        b = q.get_data().segments[0].analogsignals[0]
        full = np.asarray(ref.get_data().segments[0].analogsignals[0])
        assert a.shape == (51, 2) and b.shape == (51, 1)
        assert float(a.t_start) == float(b.t_start) == pytest.approx(5.0)
        np.testing.assert_allclose(np.asarray(a), full[50:], rtol=0, atol=1e-9)
        assert np.asarray(a)[-1, 1] > np.asarray(a)[0, 1] + 1.0   # cell 1 is driven
        assert abs(float(np.asarray(b)[0, 0]) + 65.0) < 1.0        # HH near rest
    finally:
        sim.end()


def test_recording_after_reset_starts_at_zero():
    """After reset() the next run re-initialises NEURON: a recording asked for then
    covers the new run from t = 0, equal to the first run's (same inputs)."""
    import lamina.neuron as sim
    sim.setup(timestep=DT)
    try:
        p = sim.Population(2, sim.IF_curr_exp(i_offset=[0.5, 1.0], tau_refrac=2.0))
        ref = sim.Population(2, sim.IF_curr_exp(i_offset=[0.5, 1.0], tau_refrac=2.0))
        ref.record("v")
        sim.run(10.0)
        first = np.asarray(ref.get_data().segments[0].analogsignals[0])
        sim.reset()
        p.record("v")
        sim.run(10.0)
        sig = p.get_data().segments[-1].analogsignals[0]
        assert float(sig.t_start) == 0.0 and sig.shape == (101, 2)
        np.testing.assert_allclose(np.asarray(sig), first, rtol=0, atol=1e-9)
    finally:
        sim.end()


def _gif(sim, restart: bool) -> dict[str, np.ndarray]:
    gif = sim.Population(2, sim.GIF_cond_exp(lambda0=50.0, i_offset=2.5))
    other = sim.Population(1, sim.IF_curr_exp())
    gif.record(["v", "spikes"])
    sim.run(10.0)
    if restart:
        gif[0:1].record(None)
        gif[0:1].record("spikes")
    sim.run(10.0)
    if restart:
        gif.record("v")
        with pytest.raises(NoModelAvailableError, match="GIF_cond_exp.*before the first run"):
            other.record("v")                   # new Vectors: refused
        other.record("spikes")                  # spikes are not Vector recordings
    sim.run(10.0)
    seg = gif.get_data().segments[0]
    return {"v": np.asarray(seg.analogsignals[0]),
            "spikes": np.concatenate([np.append(np.asarray(s), -1.0) for s in seg.spiketrains])}


def test_late_recording_with_a_model_refusing_cvode():
    """GIF_cond_exp's mechanism refuses CVODE's preparation, through which NEURON takes
    up a new Vector: a new recording after the start raises (instead of recording
    nothing); a stopped recording restarts in place (its Vectors kept filling), NaN in
    the gap and every other sample equal to an unstopped run's, spikes the same."""
    import lamina.neuron as sim
    runs = []
    for restart in (False, True):
        sim.setup(timestep=DT, rng_seed=11)
        try:
            runs.append(_gif(sim, restart))
        finally:
            sim.end()
    full, late = runs
    assert full["v"].shape == late["v"].shape == (301, 2)
    gap = (np.arange(301) > 100) & (np.arange(301) < 200)
    assert np.isnan(late["v"][gap, 0]).all() and not np.isnan(late["v"][~gap, 0]).any()
    np.testing.assert_array_equal(late["v"][~gap, 0], full["v"][~gap, 0])
    np.testing.assert_array_equal(late["v"][:, 1], full["v"][:, 1])
    np.testing.assert_array_equal(late["spikes"], full["spikes"])
    assert np.sum(full["spikes"] >= 0) >= 2                          # it fires


def _network_with_extras(sim, late: bool) -> dict[str, np.ndarray]:
    """Current sources (AC, step), a gap junction, stochastic and STDP synapses: the
    parts whose state lives in point processes, NetCon weights and random streams."""
    src = sim.Population(10, sim.SpikeSourcePoisson(rate=100.0))
    a = sim.Population(3, sim.IF_cond_exp(tau_refrac=2.0))
    b = sim.Population(3, sim.HH_cond_exp())
    sim.ACSource(amplitude=0.6, offset=0.3, frequency=40.0).inject_into(b)
    sim.StepCurrentSource(times=[5.0, 25.0, 45.0], amplitudes=[0.8, 0.2, 1.0]).inject_into(a)
    sim.Projection(a[0:1], a[1:2], sim.AllToAllConnector(), sim.ElectricalSynapse(weight=0.01))
    sim.Projection(src, a, sim.AllToAllConnector(),
                   sim.SimpleStochasticSynapse(weight=0.01, p=0.5, delay=1.0))
    stdp = sim.Projection(src, b, sim.AllToAllConnector(), sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01,
                                            A_minus=0.012),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
        weight=0.02, delay=1.0))
    for p in (a, b):
        p.record("spikes")
        if not late:
            p.record("v")
    sim.run(15.0)
    if late:
        a.record("v")
        b[1:3].record("v")
    sim.run(15.0)
    if late:
        b[0:1].record("v")
    sim.run(30.0)
    out = {"weights": np.asarray(stdp.get("weight", "array"))}
    for name, p in (("a", a), ("b", b)):
        seg = p.get_data().segments[0]
        out[name] = np.asarray(seg.analogsignals[0])
        out[f"{name}_spikes"] = np.concatenate([np.append(np.asarray(s), -1.0)
                                                for s in seg.spiketrains])
    return out


def test_late_recording_leaves_sources_gaps_and_plastic_synapses_alone():
    """With current sources, a gap junction, stochastic release and STDP: the late
    recordings equal the throughout ones (to 1e-9) and spikes and STDP weights are the
    same as without them."""
    import lamina.neuron as sim
    runs = []
    for late in (False, True):
        sim.setup(timestep=DT, min_delay=DT, max_delay=10.0, rng_seed=5)
        try:
            runs.append(_network_with_extras(sim, late))
        finally:
            sim.end()
    full, late = runs
    assert full["a"].shape == (601, 3) and late["a"].shape == (451, 3)
    np.testing.assert_allclose(late["a"], full["a"][150:], rtol=0, atol=1e-9)
    assert late["b"].shape == (451, 3)
    assert np.isnan(late["b"][:150, 0]).all() and not np.isnan(late["b"][150:]).any()
    np.testing.assert_allclose(late["b"][150:], full["b"][300:], rtol=0, atol=1e-9)
    np.testing.assert_allclose(late["b"][:, 1:], full["b"][150:, 1:], rtol=0, atol=1e-9)
    for key in ("a_spikes", "b_spikes", "weights"):
        np.testing.assert_array_equal(late[key], full[key], err_msg=key)
    assert len(full["a_spikes"]) > 6 and len(full["b_spikes"]) > 6     # the cells fire
    assert np.ptp(np.nan_to_num(full["weights"])) > 1e-4               # STDP acted
