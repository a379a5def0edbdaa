"""The Brian 2 backend (`lamina.brian2`): models generated from the catalogue against NEST,
spike sources, current sources, connection values, reset, run splitting, modes and bad
input. Skipped with the reason when Brian 2 is not installed."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("brian2") is None,
                                reason="Brian 2 is not installed (pip install lamina[brian2])")
HAVE_NEST = importlib.util.find_spec("nest") is not None
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def sim():
    import lamina.brian2 as module
    module.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    yield module
    module.end()


def _python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)


# -- import and modes ------------------------------------------------------------------
def test_importing_lamina_brian2_does_not_import_brian2():
    out = _python("import sys, lamina, lamina.brian2 as sim; print('brian2' in sys.modules, "
                  "callable(sim.setup))")
    assert out.stdout.split() == ["False", "True"], out.stderr


def test_missing_brian2_names_the_extra():
    out = _python("import sys; sys.modules['brian2'] = None\n"
                  "import lamina.brian2 as sim\n"
                  "try:\n    sim.setup()\n"
                  "except Exception as e:\n"
                  "    print(type(e).__name__, '|', e, '|', type(e.__cause__).__name__)")
    assert out.stdout.startswith("BackendNotAvailableError |"), out.stderr
    assert "pip install lamina[brian2]" in out.stdout
    assert out.stdout.split("|")[-1].strip() == "ModuleNotFoundError"    # the import's error


def test_unknown_mode_values_are_refused():
    import lamina.brian2 as sim
    from lamina.errors import InvalidParameterValueError
    with pytest.raises(InvalidParameterValueError, match="brian2_target='fortran'.*numpy"):
        sim.setup(brian2_target="fortran")
    with pytest.raises(InvalidParameterValueError, match="brian2_device='gpu'"):
        sim.setup(brian2_device="gpu")


def test_mode_options_and_spike_precision():
    import lamina.brian2 as sim
    from lamina.errors import InvalidParameterValueError, NoModelAvailableError
    sim.setup(timestep=0.1, brian2_target="numpy", brian2_device="runtime",
              spike_precision="on_grid")
    cell = sim.Population(1, sim.IF_curr_exp(i_offset=1.0))
    cell.record("spikes")
    sim.run(50.0)
    assert len(cell.get_data().segments[0].spiketrains[0]) > 0
    with pytest.raises(NoModelAvailableError, match="off_grid.*on the time grid only"):
        sim.setup(spike_precision="off_grid")
    with pytest.raises(InvalidParameterValueError, match="spike_precision='exact'.*on_grid"):
        sim.setup(spike_precision="exact")
    sim.end()


# -- bad input -------------------------------------------------------------------------
def test_model_without_equations_is_refused(sim):
    from lamina.errors import NoModelAvailableError
    with pytest.raises(NoModelAvailableError, match="integer shape alpha"):
        sim.Population(2, sim.SpikeSourceGamma(alpha=2.5))


def test_equation_brian2_rejects_gives_lamina_error_and_keeps_the_network(sim):
    from dataclasses import replace

    from lamina.errors import InvalidModelError
    from lamina.models import dynamics as dyn
    good = sim.Population(1, sim.IF_curr_exp(i_offset=1.0))
    good.record("spikes")

    class UnitMismatch(sim.IF_curr_exp):
        """dv/dt given in mV instead of mV/ms."""
        dynamics = replace(dyn.IF_CURR_EXP, odes=(dyn.Ode("v", "v_rest - v", "mV"),
                                                   *dyn.IF_CURR_EXP.odes[1:]))

    with pytest.raises(InvalidModelError, match="Brian 2 says") as info:
        sim.Population(1, UnitMismatch())
    assert info.value.__cause__ is not None
    sim.run(100.0)
    assert len(good.get_data().segments[0].spiketrains[0]) > 2


def test_equation_with_unknown_name_or_bad_syntax_names_the_model_brian2_as_cause(sim):
    """An equation Brian 2 cannot parse or resolve: InvalidModelError at the call naming
    the cell type, Brian 2's exception as the cause; the cells built before still run."""
    from dataclasses import replace

    from lamina.errors import InvalidModelError
    from lamina.models import dynamics as dyn
    good = sim.Population(1, sim.IF_curr_exp(i_offset=1.0))
    good.record("spikes")
    for rhs, name in (("(v_nowhere - v)/tau_m", "UnknownName"),
                      ("(v_rest - v)/tau_m +* 1*mV/ms", "BadSyntax")):
        model = type(name, (sim.IF_curr_exp,), {"dynamics": replace(
            dyn.IF_CURR_EXP, odes=(dyn.Ode("v", rhs, "mV"), *dyn.IF_CURR_EXP.odes[1:]))})
        with pytest.raises(InvalidModelError, match=f"creating {name} cells: Brian 2 says") \
                as info:
            sim.Population(1, model())
        root = info.value.__cause__          # Brian 2's exception, kept as the cause
        assert root is not None
        while root.__cause__ is not None:
            root = root.__cause__
        assert str(root).strip("'\"") in str(info.value)
    sim.run(50.0)
    assert len(good.get_data().segments[0].spiketrains[0]) > 0


def test_lamina_error_in_a_script_is_not_reported_as_a_brian2_bug():
    """Brian 2 replaces sys.excepthook on import; lamina keeps the script's, so a user's
    mistake is not printed as "Brian 2 encountered an unexpected error"."""
    out = _python("import lamina.brian2 as sim\nsim.setup()\n"
                  "sim.Population(1, sim.IF_curr_exp(tau_mm=3.0))")
    assert out.returncode == 1 and "NonExistentParameterError" in out.stderr
    assert "Brian 2 encountered an unexpected error" not in out.stderr


# -- models against NEST ----------------------------------------------------------------
def _drive(sim, model, params, weight, t_stop, seed=7):
    rng = np.random.default_rng(seed)
    trains = [np.round(np.unique(rng.integers(1, int(t_stop * 10) - 100, int(t_stop / 8)))
                       * 0.1, 1) for _ in range(8)]
    src = sim.Population(8, sim.SpikeSourceArray(spike_times=trains))
    cells = sim.Population(6, getattr(sim, model)(**params))
    sim.Projection(src, cells, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=seed)),
                   sim.StaticSynapse(weight=weight, delay=0.5))
    cells.record("spikes")
    sim.run(t_stop)
    return [st.times.magnitude for st in cells.get_data().segments[0].spiketrains]


def _agreement(trains, reference, dt=0.1):
    """(relative difference of spike counts, fraction of spikes within 1.5 dt of a
    reference spike of the same cell)."""
    n, n_ref = sum(map(len, trains)), sum(map(len, reference))
    close = sum(int(np.min(np.abs(r - t)) <= 1.5 * dt + 1e-9)
                for a, r in zip(trains, reference) for t in a if len(r))
    return abs(n - n_ref) / n_ref, close / max(n, 1)


#: model, parameters, input weight, duration [ms], required fraction within 1.5 dt
#: (measured: Izhikevich, gsfa_grr and facets 100 %, EIF_cond_alpha 99.9 %, equal counts;
#: EIF_cond_exp 99.3 % on the network FixedProbabilityConnector drew before it drew target
#: by target, 95.2 % (equal counts, 376 spikes) on the one it draws now: some spikes
#: are 0.2-0.6 ms off in 2 of the 6 cells; before the sub-step reset of the adaptive
#: exponential models 96.5 % and 80 %)
_NEST_CASES = [
    ("Izhikevich", {"i_offset": 0.01}, 3.0, 500.0, 0.98),
    ("IF_cond_exp_gsfa_grr", {"i_offset": 1.0}, 0.01, 500.0, 0.98),
    ("IF_facets_hardware1", {}, 0.05, 300.0, 0.98),
    ("EIF_cond_exp_isfa_ista", {"i_offset": 0.6, "b": 0.05}, 0.01, 500.0, 0.95),
    ("EIF_cond_alpha_isfa_ista", {"i_offset": 0.6, "b": 0.05}, 0.01, 500.0, 0.98),
]


@pytest.mark.skipif(not HAVE_NEST, reason="NEST is not installed (pip install lamina[nest])")
@pytest.mark.parametrize("model,params,weight,t_stop,within", _NEST_CASES,
                         ids=[c[0] for c in _NEST_CASES])
def test_models_agree_with_nest(model, params, weight, t_stop, within):
    import lamina.brian2 as b2sim
    import lamina.nest as nsim
    out = []
    for sim in (nsim, b2sim):
        sim.setup(timestep=0.1)
        out.append(_drive(sim, model, params, weight, t_stop))
        sim.end()
    count_diff, close = _agreement(out[1], out[0])
    assert sum(map(len, out[0])) > 50
    assert count_diff <= 0.02 and close >= within


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_NEST, reason="NEST is not installed (pip install lamina[nest])")
def test_hodgkin_huxley_close_to_nest():
    """rk4 in 2 sub-steps against NEST's RKF45: measured 129 and 129 spikes, all within
    1.5 steps (Brian 2's exponential Euler at dt: 132 spikes, 20 % within 1.5 steps)."""
    import lamina.brian2 as b2sim
    import lamina.nest as nsim
    out = []
    for sim in (nsim, b2sim):
        sim.setup(timestep=0.1)
        out.append(_drive(sim, "HH_cond_exp", {"i_offset": 0.2}, 0.05, 300.0))
        sim.end()
    count_diff, close = _agreement(out[1], out[0])
    assert sum(map(len, out[0])) > 50 and count_diff <= 0.02 and close >= 0.98


# -- spike sources ------------------------------------------------------------------------
def _poisson(sim, seed, runs):
    sim.setup(timestep=0.1, rng_seed=seed)
    src = sim.Population(50, sim.SpikeSourcePoisson(rate=80.0, start=20.0, duration=100.0))
    src.record("spikes")
    for t in runs:
        sim.run(t)
    trains = [st.times.magnitude for st in src.get_data().segments[0].spiketrains]
    sim.end()
    return trains


def test_poisson_deterministic_per_seed_and_split_independent():
    import lamina.brian2 as sim
    a = _poisson(sim, 5, [150.0])
    b = _poisson(sim, 5, [60.0, 90.0])
    c = _poisson(sim, 6, [150.0])
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    times = np.concatenate(a)
    assert times.min() > 20.0 and times.max() <= 120.0
    assert abs(len(times) / (50 * 0.1) - 80.0) < 12.0   # 400 expected: > 4 sd


def test_poisson_refractory_keeps_dead_time_and_rate(sim):
    src = sim.Population(100, sim.SpikeSourcePoissonRefractory(rate=100.0, tau_refrac=3.0))
    src.record("spikes")
    sim.run(1000.0)
    trains = [st.times.magnitude for st in src.get_data().segments[0].spiketrains]
    isis = np.concatenate([np.diff(t) for t in trains])
    assert isis.min() >= 3.0
    rate = sum(map(len, trains)) / 100.0
    assert abs(rate - 100.0) < 4.0      # 10,000 spikes, sd ~ 0.6 Hz (more regular than Poisson)


def test_gamma_source_rate_and_regularity(sim):
    src = sim.Population(100, sim.SpikeSourceGamma(alpha=4, beta=200.0))  # 50 Hz, CV 0.5
    src.record("spikes")
    sim.run(1000.0)
    trains = [st.times.magnitude for st in src.get_data().segments[0].spiketrains]
    isis = np.concatenate([np.diff(t) for t in trains])
    assert abs(sum(map(len, trains)) / 100.0 - 50.0) < 2.0    # 5000 spikes, sd ~ 0.35 Hz
    assert abs(isis.std() / isis.mean() - 0.5) < 0.05         # CV of Erlang(4): 1/2


def _inh_gamma(module, n: int, runs: tuple[float, ...]) -> tuple[object, list[np.ndarray]]:
    """n SpikeSourceInhGamma cells: 50 Hz with shape 2 until 500 ms, then 100 Hz with
    shape 4 (rate 1/(a b)), simulated in `runs` [ms]; the population and its spike times."""
    src = module.Population(n, module.SpikeSourceInhGamma(a=np.array([2.0, 4.0]),
                                                          b=np.array([0.01, 0.0025]),
                                                          tbins=np.array([0.0, 500.0])))
    src.record("spikes")
    for t in runs:
        module.run(t)
    return src, _trains(src, -1)


def _trains(population, segment: int) -> list[np.ndarray]:
    return [np.asarray(st.times.magnitude)
            for st in population.get_data().segments[segment].spiketrains]


def _inh_gamma_statistics(trains: list[np.ndarray]) -> list[tuple[float, float]]:
    """(rate [Hz], interval CV) in each bin, leaving 50 ms after each bin start to settle."""
    out = []
    for lo, hi in ((0.0, 500.0), (500.0, 1000.0)):
        inside = [t[(t > lo + 50.0) & (t <= hi)] for t in trains]
        isi = np.concatenate([np.diff(t) for t in inside])
        out.append((sum(map(len, inside)) / (len(trains) * (hi - lo - 50.0) / 1000.0),
                    float(isi.std() / isi.mean())))
    return out


def test_inhomogeneous_gamma_source_against_the_engine(sim):
    """SpikeSourceInhGamma: rates per bin within 4 % of 1/(a b) (4,500 and 9,000 spikes,
    count sd about 1 % and 0.5 %), interval CV within 6 % of 1/sqrt(a), and within 5 % /
    8 % of the engine's rates and CVs for the same process."""
    import lamina as engine
    ours = _inh_gamma_statistics(_inh_gamma(sim, 200, (1000.0,))[1])
    sim.end()
    engine.setup(timestep=0.1)
    try:
        theirs = _inh_gamma_statistics(_inh_gamma(engine, 200, (1000.0,))[1])
    finally:
        engine.end()
    for (rate, cv), (rate_e, cv_e), (expected, shape) in zip(ours, theirs,
                                                             ((50.0, 2.0), (100.0, 4.0))):
        assert rate == pytest.approx(expected, rel=0.04)
        assert cv == pytest.approx(1.0 / np.sqrt(shape), rel=0.06)
        assert rate == pytest.approx(rate_e, rel=0.05)
        assert cv == pytest.approx(cv_e, rel=0.08)


def test_inhomogeneous_gamma_source_split_runs_reset_and_set(sim):
    """The same realisation however the run is split; a new one after reset(); a rate set
    between runs takes effect from the current time on (a = 1, b = 5 ms: 200 Hz)."""
    whole = _inh_gamma(sim, 20, (1000.0,))[1]
    sim.end()
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    src, split = _inh_gamma(sim, 20, (333.3, 250.0, 416.7))
    assert sum(map(len, whole)) > 1000
    for a, b in zip(whole, split):
        np.testing.assert_allclose(a, b)
    sim.reset()
    sim.run(500.0)
    again = _trains(src, -1)
    assert not all(len(a) == len(b[b <= 500.0]) and np.allclose(a, b[b <= 500.0])
                   for a, b in zip(again, split))
    src.set(a=np.array([1.0]), b=np.array([0.005]), tbins=np.array([0.0]))
    sim.run(500.0)
    after = _trains(src, -1)
    early = sum(len(t[t <= 500.0]) for t in after) / (20 * 0.5)
    late = sum(len(t[t > 500.0]) for t in after) / (20 * 0.5)
    assert early == pytest.approx(50.0, abs=10.0)     # 500 spikes, sd ~ 1.6 Hz
    assert late == pytest.approx(200.0, abs=20.0)     # 2,000 spikes, sd ~ 4.5 Hz


def test_inhomogeneous_gamma_source_start_and_duration(sim):
    """Spikes only in (start, start + duration] = (100, 800] ms; 50 cells: the 20 Hz
    bin (shape 1) before 500 ms and the 100 Hz bin (shape 4) after it each within 5 sd."""
    src = sim.Population(50, sim.SpikeSourceInhGamma(a=np.array([1.0, 4.0]),
                                                     b=np.array([0.05, 0.0025]),
                                                     tbins=np.array([0.0, 500.0]),
                                                     start=100.0, duration=700.0))
    src.record("spikes")
    sim.run(1000.0)
    t = np.concatenate(_trains(src, 0))
    assert t.min() > 100.0 and t.max() <= 800.0
    early, late = (t <= 500.0).sum(), (t > 500.0).sum()
    assert abs(early - 400.0) < 5 * np.sqrt(400.0)            # Poisson: sd = sqrt(400)
    assert abs(late - 1500.0) < 5 * np.sqrt(1500.0 / 4)       # shape 4: sd = sqrt(n/4)


def _point_neuron_run(module, membrane: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A PointNeuron with CondExp, CondBeta and CondAlpha receptors driven by five spikes
    of one source; its recorded signals and spike times."""
    mem = module.AdExp(i_offset=0.4) if membrane == "AdExp" else module.LIF(i_offset=0.6)
    cell = module.Population(1, module.PointNeuron(
        mem, AMPA=module.CondExpPSR(tau_syn=2.0),
        NMDA=module.CondBetaPSR(tau_rise=1.0, tau_decay=20.0),
        GABA=module.CondAlphaPSR(e_syn=-75.0, tau_syn=5.0)))
    src = module.Population(1, module.SpikeSourceArray(spike_times=[10.0, 30.0, 50.0, 52.0,
                                                                    90.0]))
    for receptor, w in (("AMPA", 0.01), ("NMDA", 0.005), ("GABA", 0.004)):
        module.Projection(src, cell, module.AllToAllConnector(),
                          module.StaticSynapse(weight=w, delay=1.0), receptor_type=receptor)
    cell.record(["v", "NMDA.gsyn", "GABA.gsyn", "spikes"])
    module.run(200.0)
    segment = cell.get_data().segments[0]
    return ({a.name: np.asarray(a.magnitude).ravel() for a in segment.analogsignals},
            np.asarray(segment.spiketrains[0].magnitude))


@pytest.mark.parametrize("membrane, v_tol", [("LIF", 1e-5), ("AdExp", 0.1)])
def test_point_neuron_against_the_engine(sim, membrane, v_tol):
    """PointNeuron(LIF or AdExp, CondExp + CondBeta + CondAlpha receptors): conductances
    within 1e-8 uS of the engine's (peaks ~0.01 uS), v within `v_tol` mV (rk4 against the
    engine's RKF45; AdExp: sub-stepped rk4 near the exponential upswing), the same spike
    steps; a lone CondBeta event peaks at its weight."""
    import lamina as engine
    ours, spikes = _point_neuron_run(sim, membrane)
    sim.end()
    engine.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    try:
        theirs, spikes_e = _point_neuron_run(engine, membrane)
    finally:
        engine.end()
    for name in ("NMDA.gsyn", "GABA.gsyn"):
        np.testing.assert_allclose(ours[name], theirs[name], atol=1e-8)
    np.testing.assert_allclose(ours["v"], theirs["v"], atol=v_tol)
    assert len(spikes) > 0 or membrane == "LIF"
    np.testing.assert_allclose(spikes, spikes_e, atol=0.11)
    first = ours["NMDA.gsyn"][:300]                 # one event at 11 ms, the next at 31 ms
    assert first.max() == pytest.approx(0.005, rel=2e-3)


def test_point_neuron_current_receptors_equal_if_curr_exp(sim):
    """PointNeuron(LIF, excitatory/inhibitory CurrExpPSR) and IF_curr_exp with the same
    parameters give the same v (exact integration on both) within 1e-9 mV; two different
    compositions in one network get NeuronGroups of their own."""
    mono = sim.Population(1, sim.IF_curr_exp(tau_m=10.0, tau_syn_E=1.0, tau_syn_I=2.0))
    comp = sim.Population(1, sim.PointNeuron(sim.LIF(tau_m=10.0),
                                             excitatory=sim.CurrExpPSR(tau_syn=1.0),
                                             inhibitory=sim.CurrExpPSR(tau_syn=2.0)))
    other = sim.Population(2, sim.PointNeuron(sim.LIF(), AMPA=sim.CondExpPSR()))
    comp.initialize(v=-65.0)                        # LIF starts at -70.6 mV
    other.initialize(v=-65.0)
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[5.0], [12.0]]))
    for post in (mono, comp):
        sim.Projection(src[0:1], post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.5, delay=1.0), receptor_type="excitatory")
        sim.Projection(src[1:2], post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.2, delay=1.0), receptor_type="inhibitory")
    sim.Projection(src, other, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01),
                   receptor_type="AMPA")
    for p in (mono, comp, other):
        p.record("v")
    sim.run(30.0)
    v = [np.asarray(p.get_data().segments[0].analogsignals[0]) for p in (mono, comp, other)]
    np.testing.assert_allclose(v[1], v[0], atol=1e-9)
    assert v[0].max() > -65.0 + 0.1 and v[0][140:].min() < -65.0 - 0.01
    assert v[2].max() > -65.0 + 0.01
    from lamina.errors import ConnectionError as LaminaConnectionError
    with pytest.raises(LaminaConnectionError,
                       match="receptor_type='NMDA' does not exist.*allowed: AMPA"):
        sim.Projection(src, other, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01),
                       receptor_type="NMDA")


# -- current sources, recording --------------------------------------------------------------
def test_noisy_current_same_for_all_targets_and_recorded(sim):
    cells = sim.Population(2, sim.IF_curr_exp(v_thresh=100.0))
    noise = sim.NoisyCurrentSource(mean=0.5, stdev=0.2, start=10.0, stop=90.0, dt=1.0)
    noise.inject_into(cells)
    noise.record()
    cells.record("v")
    sim.run(50.0)
    sim.run(50.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    np.testing.assert_allclose(v[:, 0], v[:, 1], atol=1e-12)
    current = noise.get_data().magnitude.ravel()
    assert len(current) == 1001                     # t = 0 .. 100 ms, the end included
    assert np.all(current[:100] == 0.0) and np.all(current[900:] == 0.0)
    held = current[100:900].reshape(80, 10)
    assert np.all(held == held[:, :1])            # a new value every 1 ms
    assert abs(held[:, 0].mean() - 0.5) < 0.1 and 0.1 < held[:, 0].std() < 0.3


def test_dc_current_gives_analytic_membrane_potential(sim):
    cell = sim.Population(1, sim.IF_curr_exp(v_thresh=100.0, tau_m=20.0, cm=1.0, v_rest=-65.0))
    sim.DCSource(amplitude=0.5, start=5.0).inject_into(cell)
    cell.record("v", sampling_interval=1.0)
    sim.run(60.0)
    sig = cell.get_data().segments[0].analogsignals[0]
    t = sig.times.magnitude
    expected = np.where(t > 5.0, -65.0 + 0.5 * 20.0 * (1 - np.exp(-(t - 5.0) / 20.0)), -65.0)
    np.testing.assert_allclose(sig.magnitude[:, 0], expected, atol=1e-9)


def test_record_gsyn_and_stop_recording(sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    cells = sim.Population(2, sim.IF_cond_exp(tau_syn_E=2.0))
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0))
    cells.record(["gsyn_exc", "spikes"])
    sim.run(20.0)
    g = cells.get_data().segments[0].filter(name="gsyn_exc")[0]
    t = g.times.magnitude
    expected = np.where(t >= 6.0, 0.01 * np.exp(-(t - 6.0) / 2.0), 0.0)
    # rk4 (the conductance models are not linear) integrates the decay to ~4e-7 relative
    np.testing.assert_allclose(g.magnitude[:, 0], expected, rtol=1e-6, atol=1e-12)


# -- connections --------------------------------------------------------------------------
def test_connection_values_get_set_and_survive_reset(sim):
    a = sim.Population(4, sim.SpikeSourceArray(spike_times=[[1.0]] * 4))
    b = sim.Population(3, sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.7, rng=sim.NumpyRNG(seed=3)),
                         sim.StaticSynapse(weight=0.5, delay=1.0))
    w = np.arange(12, dtype=float).reshape(4, 3) * 0.1
    prj.set(weight=w, delay=np.full((4, 3), 2.3))
    got = prj.get("weight", "array")
    mask = ~np.isnan(got)
    assert mask.sum() == prj.size() > 0
    np.testing.assert_allclose(got[mask], w[mask], atol=1e-12)
    np.testing.assert_allclose(prj.get("delay", "list", with_address=False), 2.3)
    sim.run(5.0)
    sim.reset()
    np.testing.assert_allclose(prj.get("weight", "array")[mask], w[mask], atol=1e-12)
    np.testing.assert_allclose(prj.get("delay", "list", with_address=False), 2.3)


def test_per_connection_delays_act(sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    cells = sim.Population(3, sim.IF_curr_delta(tau_refrac=0.0))
    prj = sim.Projection(src, cells, sim.FromListConnector(
        [(0, 0, 20.0, 1.0), (0, 1, 20.0, 2.5), (0, 2, 20.0, 4.0)],
        column_names=["weight", "delay"]), sim.StaticSynapse())
    cells.record("spikes")
    sim.run(10.0)
    spikes = [st.times.magnitude for st in cells.get_data().segments[0].spiketrains]
    np.testing.assert_allclose(prj.get("delay", "array")[0], [1.0, 2.5, 4.0])
    assert [list(s) for s in spikes] == [[pytest.approx(t)] for t in (3.0, 4.5, 6.0)]


# -- modes ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("LAMINA_TEST_CYTHON"),
                    reason="compiles with Cython for minutes on first use; set "
                           "LAMINA_TEST_CYTHON=1 to run")
@pytest.mark.timeout(1800)
def test_cython_target_matches_numpy():
    pytest.importorskip("Cython")
    import shutil
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler")
    import lamina.brian2 as sim
    out = []
    for target in ("numpy", "cython"):
        sim.setup(timestep=0.1, brian2_target=target)
        cells = sim.Population(3, sim.IF_cond_exp(i_offset=[0.5, 1.0, 1.5]))
        cells.record("v")
        sim.run(50.0)
        out.append(cells.get_data().segments[0].analogsignals[0].magnitude)
        sim.end()
    np.testing.assert_allclose(out[1], out[0], atol=1e-9)


# -- synapse dynamics against the engine (which matches NEST's models) ------------------------
def _plastic_network(sim):
    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(10.0, 300.0, 25.0)))
    cells = sim.Population(2, sim.IF_curr_exp(v_thresh=100.0))
    sim.Projection(src, cells[0:1], sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(
        weight=2.0, delay=1.0, U=0.4, tau_rec=150.0, tau_facil=50.0))
    sim.Projection(src, cells[1:2], sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(
        weight=-2.0, delay=1.0, U=0.4, tau_rec=150.0, tau_facil=0.0),
        receptor_type="inhibitory")
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[np.arange(5.0, 400, 20.0)] * 3))
    post = sim.Population(3, sim.IF_curr_exp(tau_refrac=2.0, i_offset=[0.9, 1.1, 1.3]))
    wd = sim.MultiplicativeWeightDependence(w_min=0.0, w_max=2.0)
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(
        tau_plus=20.0, tau_minus=20.0, A_plus=0.05, A_minus=0.06), weight_dependence=wd,
        weight=0.5, delay=1.5)
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    cells.record("v")
    post.record("spikes")
    sim.run(400.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    spikes = [len(s) for s in post.get_data().segments[0].spiketrains]
    weights = np.array(prj.get("weight", "list", with_address=False), float).ravel()
    sim.end()
    return v, spikes, weights


def test_tsodyks_markram_and_stdp_match_the_engine():
    import lamina
    import lamina.brian2 as sim
    v, spikes, weights = _plastic_network(sim)
    v_ref, spikes_ref, weights_ref = _plastic_network(lamina)
    np.testing.assert_allclose(v, v_ref, atol=1e-9)           # measured 2e-13 mV
    assert spikes == spikes_ref
    assert np.all(np.abs(weights - 0.5) > 0.05)                # the weights did change
    np.testing.assert_allclose(weights, weights_ref, rtol=1e-9)   # measured 1e-15


def test_unsupported_synapse_type_is_refused(sim):
    from lamina.errors import NoModelAvailableError
    a = sim.Population(2, sim.SpikeSourcePoisson())
    b = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(NoModelAvailableError, match="MultiQuantalSynapse.*brian2"):
        sim.Projection(a, b, sim.AllToAllConnector(), sim.MultiQuantalSynapse(n=3))


# -- network layout and rebuilds ------------------------------------------------------------
def _rebuild_scenario(sim):
    """Two populations of one cell type (one NeuronGroup on Brian 2), spikes in transit at
    the end of the first run, then a shared parameter, a shared delay and a shared weight
    set to values that differ between cells/connections (Brian 2 rebuilds the network)."""
    sim.setup(timestep=0.1, min_delay=0.1)
    src = sim.Population(5, sim.SpikeSourceArray(
        spike_times=[[1.0 + 3 * k, 20.0 + k, 49.5] for k in range(5)]))
    a = sim.Population(4, sim.IF_curr_exp(tau_m=10.0, i_offset=0.6))
    b = sim.Population(3, sim.IF_curr_exp(tau_m=10.0, i_offset=0.2))
    pa = sim.Projection(src, a, sim.AllToAllConnector(),
                        sim.StaticSynapse(weight=0.8, delay=2.0))
    pb = sim.Projection(a, b, sim.AllToAllConnector(),
                        sim.StaticSynapse(weight=1.5, delay=2.0))
    for p in (a, b):
        p.record(["spikes", "v"])
    sim.run(50.0)                        # the spikes sent at 49.5 ms arrive at 51.5 ms
    described = None
    if sim.__name__ == "lamina.brian2":
        from lamina.core import simulation
        described = simulation.current().backend.describe()["blocks"]
    a.set(tau_m=[8.0, 10.0, 12.0, 14.0])
    pa.set(delay=np.array([[1.0, 2.0, 3.0, 4.0]] * 5))
    pb.set(weight=np.linspace(1.0, 3.0, 12).reshape(4, 3))
    sim.run(100.0)
    delays = pa.get("delay", format="array")
    assert np.allclose(pb.get("weight", format="array"), np.linspace(1.0, 3.0, 12).reshape(4, 3))
    segments = [p.get_data().segments[0] for p in (a, b)]
    v = np.hstack([np.asarray(s.analogsignals[0]) for s in segments])
    spikes = [st.times.magnitude for s in segments for st in s.spiketrains]
    sim.end()
    return v, spikes, delays, described


def test_populations_share_a_group_and_rebuild_keeps_state_in_transit():
    """Against the engine (exact integration on both: equal to rounding): the rebuild
    after the set() calls carries over membrane state and the spikes in transit (without
    them the traces differ by 13 mV)."""
    import lamina as engine
    import lamina.brian2 as b2sim
    v0, s0, d0, _ = _rebuild_scenario(engine)
    v1, s1, d1, blocks = _rebuild_scenario(b2sim)
    assert blocks[1].startswith("lamina_b1: 7 IF_curr_exp cells, 2 group(s)")
    assert "tau_m" in blocks[1].split("shared:")[1]
    assert "i_offset" not in blocks[1].split("shared:")[1]       # differs: per cell
    assert v0.shape == v1.shape and np.abs(v0 - v1).max() < 1e-6
    assert [len(s) for s in s0] == [len(s) for s in s1] and sum(map(len, s0)) >= 7
    assert all(np.allclose(x, y) for x, y in zip(s0, s1))
    assert np.array_equal(d1, d0) and d1[0].tolist() == [1.0, 2.0, 3.0, 4.0]


# -- C++ standalone ---------------------------------------------------------------------
_STANDALONE_SCRIPT = """
import json, sys
import numpy as np
import lamina.brian2 as sim
from lamina.core import simulation
device, offset = sys.argv[1], float(sys.argv[2])
sim.setup(timestep=0.1, min_delay=0.1, rng_seed=3,
          **({{"brian2_device": device}} if device != "runtime" else {{}}))
src = sim.Population(5, sim.SpikeSourcePoisson(rate=50.0))
a = sim.Population(20, sim.IF_cond_exp(i_offset=offset))
b = sim.Population(10, sim.IF_cond_exp(tau_m=15.0))
sim.Projection(src, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02, delay=1.0))
sim.Projection(a, b, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=1)),
               sim.StaticSynapse(weight=0.01, delay=2.0))
a.record(["spikes", "v"])
b.record("spikes")
sim.run(150.0)
out = {{"v": np.asarray(a.get_data().segments[0].analogsignals[0])[::50].tolist(),
        "spikes": [st.times.magnitude.tolist()
                   for p in (a, b) for st in p.get_data().segments[0].spiketrains],
        "standalone": simulation.current().backend.describe()["standalone"]}}
for what, call in (("run", lambda: sim.run(10.0)), ("reset", sim.reset),
                   ("set", lambda: a.set(tau_m=12.0))):
    try:
        call()
        out[what] = None
    except Exception as err:
        out[what] = type(err).__name__ + ": " + str(err)
print("RESULT " + json.dumps(out))
"""


def _standalone_results(device: str, cache: str, offsets: tuple[float, ...]) -> list[dict]:
    """The script's results for each i_offset in `offsets`, the processes run at the same
    time (one network structure, so one build folder, different data)."""
    import json
    env = {**os.environ, "LAMINA_CACHE_DIR": cache,
           "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [subprocess.Popen([sys.executable, "-c", _STANDALONE_SCRIPT.format(), device,
                               str(offset)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for offset in offsets]
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=900)
        assert proc.returncode == 0, stderr[-3000:]
        line = [ln for ln in stdout.splitlines() if ln.startswith("RESULT ")][-1]
        results.append(json.loads(line[len("RESULT "):]))
    return results


@pytest.mark.slow
@pytest.mark.timeout(1200)        # a cold C++ build: 100-200 s on a loaded 2-core machine
def test_cpp_standalone_matches_runtime_is_cached_and_refuses_a_second_run(tmp_path):
    """The same network in runtime mode and as a C++ standalone program (compiled in
    lamina's cache, then reused by a later process): same spikes, same membrane
    potential; run splitting, reset and changes after the run are refused. Two processes
    building the same network with different data at the same time share the build
    folder (under its lock) and each gets its own results."""
    if subprocess.run(["which", "g++"], capture_output=True).returncode != 0:
        pytest.skip("no C++ compiler")
    offsets = (0.3, 0.36)
    runtime = _standalone_results("runtime", str(tmp_path), offsets)
    cold = _standalone_results("cpp_standalone", str(tmp_path), offsets)
    warm = _standalone_results("cpp_standalone", str(tmp_path), offsets[:1])[0]
    assert all(sum(map(len, r["spikes"])) > 20 for r in runtime)
    assert runtime[0]["spikes"] != runtime[1]["spikes"]
    for result, expected in ((cold[0], runtime[0]), (cold[1], runtime[1]), (warm, runtime[0])):
        assert result["spikes"] == expected["spikes"]
        assert np.abs(np.array(result["v"]) - np.array(expected["v"])).max() < 1e-9
        for what in ("run", "reset", "set"):
            assert result[what].startswith("NoModelAvailableError: brian2_device="
                                           "'cpp_standalone' runs a simulation as one")
    folders = {r["standalone"]["directory"] for r in (*cold, warm)}
    assert len(folders) == 1 and folders.pop().startswith(str(tmp_path))
    assert len({r["standalone"]["results"] for r in (*cold, warm)}) == 3
    assert not any(os.path.exists(r["standalone"]["results"]) for r in (*cold, warm))
    assert warm["standalone"]["build_and_run_s"] < max(
        r["standalone"]["build_and_run_s"] for r in cold)
