"""Unmodified PyNN scripts through lamina.compat and `lamina run`."""
import os
import subprocess
import sys

import numpy as np
import pytest

import lamina
from lamina import compat

SCRIPTS = os.path.join(os.path.dirname(__file__), "..", "scripts")


def _lamina_run(*args, cwd):
    out = subprocess.run([sys.executable, "-m", "lamina", "run", *args], cwd=cwd,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out


def test_imports_resolve_to_lamina_with_same_identities():
    compat.install()
    try:
        import pyNN.random
        import pyNN.space
        from pyNN.parameters import Sequence
        from pyNN.utility import SimulationProgressBar, Timer, get_simulator  # noqa: F401
        from pyNN.utility.plotting import Figure, Panel  # noqa: F401
        import pyNN.lamina as sim
        assert pyNN.random.NumpyRNG is lamina.NumpyRNG
        assert isinstance(lamina.NumpyRNG(1), pyNN.random.NumpyRNG)
        assert pyNN.space.Grid2D is lamina.Grid2D and Sequence is lamina.Sequence
        assert sim is lamina
        from pyNN.errors import NonExistentParameterError
        assert NonExistentParameterError is lamina.errors.NonExistentParameterError
    finally:
        compat.uninstall()
    with pytest.raises(ImportError):
        import pyNN.random  # noqa: F401,F811 - gone again after uninstall


def test_forced_backend_maps_every_simulator_module():
    compat.install("engine")
    try:
        import pyNN.nest as sim
        assert sim is lamina
    finally:
        compat.uninstall()


def _native_modern():
    """The lamina-native form of tests/scripts/pynn_modern.py."""
    sim = lamina
    sim.setup(timestep=0.1, min_delay=0.5, max_delay=5.0)
    rng = sim.NumpyRNG(seed=2024)
    drive = sim.Population(8, sim.SpikeSourceArray(spike_times=sim.Sequence([4.0, 12.0, 20.0, 28.0])))
    grid = sim.Population(9, sim.IF_curr_exp(
        tau_m=sim.RandomDistribution("uniform", (12.0, 24.0), rng=rng), tau_refrac=2.0),
        structure=sim.Grid2D(dx=5.0, dy=5.0))
    feed = sim.Projection(drive, grid, sim.FixedProbabilityConnector(0.6, rng=rng),
                          sim.StaticSynapse(weight=1.2, delay=1.0))
    sim.Projection(grid, grid, sim.DistanceDependentProbabilityConnector("d < 6", rng=rng),
                   sim.StaticSynapse(weight=-0.4, delay="0.5 + d/10"), receptor_type="inhibitory")
    grid.record(["spikes", "v"])
    sim.run(40.0)
    seg = grid.get_data().segments[0]
    out = np.asarray(seg.analogsignals[0].magnitude), np.nan_to_num(feed.get("weight", "array"))
    sim.end()
    return out


requires_nest = pytest.mark.skipif(__import__("importlib").util.find_spec("nest") is None,
                                   reason="NEST is not installed (pip install lamina[nest])")
requires_brian2 = pytest.mark.skipif(
    __import__("importlib").util.find_spec("brian2") is None,
    reason="Brian 2 is not installed (pip install lamina[brian2])")


requires_neuron = pytest.mark.skipif(
    __import__("importlib").util.find_spec("neuron") is None,
    reason="NEURON is not installed (pip install lamina[neuron])")


@pytest.mark.parametrize("how", [["lamina"], ["--backend", "engine"],
                                 pytest.param(["nest"], marks=requires_nest),
                                 pytest.param(["--backend", "nest"], marks=requires_nest),
                                 pytest.param(["neuron"], marks=requires_neuron),
                                 pytest.param(["brian2"], marks=requires_brian2)])
def test_modern_script_matches_native_form(tmp_path, how):
    script = os.path.join(SCRIPTS, "pynn_modern.py")
    out = tmp_path / "modern.npz"
    args = [script, *how, str(out)] if len(how) == 1 else [script, str(out), *how]
    _lamina_run(*args, cwd=tmp_path)
    got = np.load(out)
    v, feed = _native_modern()
    assert np.array_equal(got["feed"], feed)
    diff = np.abs(got["v"] - v)
    if how == ["neuron"]:
        # Crank-Nicolson: v within 0.5 mV (a threshold reached one step apart moves a reset)
        assert np.mean(diff < 0.5) > 0.98 and np.median(diff) < 1e-3
    else:
        assert np.max(diff) < 1e-9          # exact models: same v on the engine and NEST
    assert bool(got["typo_caught"]) and str(got["rng_class"]) == "lamina.random.NumpyRNG"
    assert got["counts"].sum() > 0


@pytest.mark.parametrize("backend", ["engine", pytest.param("nest", marks=requires_nest),
                                     pytest.param("neuron", marks=requires_neuron),
                                     pytest.param("brian2", marks=requires_brian2)])
def test_classic_script_runs_unmodified(tmp_path, backend):
    script = os.path.join(SCRIPTS, "pynn_classic.py")
    _lamina_run(script, str(tmp_path / "out"), "--backend", backend, cwd=tmp_path)
    v = np.loadtxt(tmp_path / "out_v.dat")
    assert v.shape == (2001, 2) and v[0, 0] == -60.0
    spikes = np.loadtxt(tmp_path / "out_spikes.dat", ndmin=2)
    assert spikes.shape[1] == 2
    layer = np.loadtxt(tmp_path / "out_layer.txt")
    assert layer.shape[1] == 2 and set(layer[:, 0].astype(int)) == set(range(3, 12))


def test_simulator_lamina_does_not_offer_says_so():
    import importlib
    compat.install()
    try:
        with pytest.raises(lamina.errors.BackendNotAvailableError,
                           match="does not support SpiNNaker.*brian2, engine, nest, neuron"):
            importlib.import_module("pyNN.spiNNaker")
    finally:
        compat.uninstall()
