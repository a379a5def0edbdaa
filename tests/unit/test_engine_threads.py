"""threads > 1: the parallel kernel gives bitwise the same results as the serial one."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import lamina as sim


def _network(threads: int, model: str, dur: float = 200.0):
    sim.setup(timestep=0.1, threads=threads)
    cls = getattr(sim, model)
    cond = "cond" in model
    rng_v = sim.NumpyRNG(1)
    exc = sim.Population(300, cls(), initial_values={
        "v": sim.RandomDistribution("uniform", (-65, -55), rng=rng_v)})
    ext = sim.Population(300, sim.SpikeSourcePoisson(rate=2000.0))
    arr = sim.Population(3, sim.SpikeSourceArray(spike_times=[0.0, 5.0, 5.05, 40.0]))
    w = 0.005 if cond else 0.3
    sim.Projection(ext, exc, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.5 * w, delay=0.1))
    sim.Projection(arr, exc, sim.AllToAllConnector(), sim.StaticSynapse(weight=w, delay=0.1))
    sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(2)),
                   sim.StaticSynapse(weight=w, delay=1.5))
    sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.05, rng=sim.NumpyRNG(3)),
                   sim.StaticSynapse(weight=2 * w if cond else -2 * w, delay=0.8),
                   receptor_type="inhibitory")
    exc.record(["spikes", "v"])
    ext[:5].record("spikes")
    sim.run(dur / 2)
    sim.run(dur / 2)
    seg = exc.get_data().segments[0]
    sp = [np.asarray(s) for s in seg.spiketrains]
    v = np.asarray(seg.analogsignals[0])
    src = [np.asarray(s) for s in ext[:5].get_data().segments[0].spiketrains]
    sim.end()
    return sp, v, src


@pytest.mark.parametrize("model", ["IF_curr_alpha", "IF_cond_exp"])
def test_threads_give_identical_spikes_and_v(model: str) -> None:
    sp1, v1, s1 = _network(1, model)
    sp2, v2, s2 = _network(2, model)
    assert sum(len(s) for s in sp1) > 50
    assert len(sp1) == len(sp2)
    for a, b in zip(sp1 + s1, sp2 + s2):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(v1, v2)


def test_nest_reset_kernel_after_threaded_engine_run() -> None:
    pytest.importorskip("nest")
    code = ("import lamina as sim\n"
            "sim.setup(timestep=0.1, threads=2)\n"
            "p = sim.Population(50, sim.IF_curr_exp(i_offset=1.0))\n"
            "s = sim.Population(50, sim.SpikeSourcePoisson(rate=1000.0))\n"
            "sim.Projection(s, p, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1))\n"
            "sim.run(50.0)\n"
            "sim.end()\n"
            "import lamina.nest as lnest\n"
            "import nest\n"
            "nest.ResetKernel()\n"
            "lnest.setup(timestep=0.1, threads=2)\n"
            "q = lnest.Population(10, lnest.IF_curr_exp(i_offset=1.0))\n"
            "lnest.run(20.0)\n"
            "lnest.end()\n"
            "nest.ResetKernel()\n"
            "print('OK')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "OK" in r.stdout
