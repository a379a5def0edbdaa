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
def test_threads_give_identical_spikes_and_v(model: str, monkeypatch) -> None:
    # the parallel driver, also where other processes keep the cores busy (the automatic
    # choice would then run the network in one part: `EngineBackend._run_parts`)
    monkeypatch.setenv("LAMINA_ENGINE_DRIVER", "persistent")
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


def _brunel_like(threads: int, splits: tuple[float, ...]):
    """A small Brunel-like network (alpha cells, mixed delays, Poisson drive, a spike array,
    a step current); returns spikes, v and the recorded Poisson spikes."""
    sim.setup(timestep=0.1, threads=threads, min_delay=0.1, max_delay=5.0)
    cells = sim.Population(240, sim.IF_curr_alpha(tau_m=20.0, v_thresh=-50.0, v_reset=-60.0,
                                                  v_rest=-60.0, tau_refrac=2.0))
    cells.initialize(v=sim.RandomDistribution("uniform", (-60, -50), rng=sim.NumpyRNG(4)))
    noise = sim.Population(240, sim.SpikeSourcePoisson(rate=9000.0))
    arr = sim.Population(2, sim.SpikeSourceArray(spike_times=[0.0, 3.0, 3.04, 30.0]))
    sim.Projection(noise, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.09, delay=0.3))
    sim.Projection(arr, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=0.1))
    delays = sim.RandomDistribution("uniform", (0.3, 2.0), rng=sim.NumpyRNG(5))
    sim.Projection(cells[:190], cells, sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(6)),
                   sim.StaticSynapse(weight=0.08, delay=delays))
    sim.Projection(cells[190:], cells, sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(7)),
                   sim.StaticSynapse(weight=-0.4, delay=0.3), receptor_type="inhibitory")
    sim.DCSource(amplitude=0.3, start=20.0, stop=60.0).inject_into(cells[::3])
    cells.record(["spikes", "v"])
    noise[:4].record("spikes")
    for t in splits:
        sim.run(t)
    seg = cells.get_data().segments[0]
    sp = [np.asarray(s) for s in seg.spiketrains]
    v = np.asarray(seg.analogsignals[0])
    src = [np.asarray(s) for s in noise[:4].get_data().segments[0].spiketrains]
    sim.end()
    return sp, v, src


def test_windowed_kernel_is_bitwise_independent_of_threads_and_run_splitting() -> None:
    ref_sp, ref_v, ref_src = _brunel_like(1, (100.0,))
    assert 100 < sum(len(s) for s in ref_sp)
    assert max(len(s) for s in ref_src) > 50
    assert ref_v.shape == (1001, 240)   # samples at 0, 0.1, ..., 100 ms
    for threads, splits in ((2, (100.0,)), (3, (100.0,)), (1, (50.0, 50.0)),
                            (2, (37.3, 12.7, 50.0))):
        sp, v, src = _brunel_like(threads, splits)
        for a, b in zip(ref_sp + ref_src, sp + src):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(v, ref_v)


def test_delays_read_and_written_through_the_delay_grouped_csr() -> None:
    sim.setup(timestep=0.1, threads=2)
    a = sim.Population(20, sim.IF_curr_exp())
    delays = np.round(np.linspace(0.1, 3.0, 400), 1)
    prj = sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.5))
    prj.set(delay=delays)
    sim.run(1.0)   # builds the CSR, sorted by delay within each source
    np.testing.assert_allclose(np.ravel(prj.get("delay", format="list", with_address=False)),
                               delays)
    prj.set(delay=delays[::-1].copy())
    sim.run(1.0)
    np.testing.assert_allclose(np.ravel(prj.get("delay", format="list", with_address=False)),
                               delays[::-1])
    sim.end()


_PERSISTENT_CHECK = """
import sys, json
sys.path.insert(0, {testdir!r})
import numpy as np
from test_engine_threads import _brunel_like
import lamina.core.simulation as simulation
used = []
orig = _brunel_like.__globals__["sim"].end
def end():
    used.append(simulation.current().backend.driver_calls.get("persistent", 0) > 0)
    orig()
_brunel_like.__globals__["sim"].end = end
ref = _brunel_like(1, (100.0,))
out = []
for threads, splits in ((2, (100.0,)), (3, (100.0,)), (3, (37.3, 12.7, 50.0))):
    r = _brunel_like(threads, splits)
    same = all(np.array_equal(a, b) for a, b in zip(ref[0] + ref[2], r[0] + r[2]))
    out.append(bool(same and np.array_equal(ref[1], r[1])))
print(json.dumps({{"same": out, "persistent": used[1:]}}))
"""


def _run_persistent_check(env_extra: dict[str, str]) -> dict:
    import json
    import os
    env = dict(os.environ, LAMINA_ENGINE_DRIVER="persistent", **env_extra)
    code = _PERSISTENT_CHECK.format(testdir=os.path.dirname(__file__))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=900, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_persistent_driver_is_bitwise_identical_for_2_and_3_threads() -> None:
    """One parallel region per call (numba has 3 threads): same results as 1 thread."""
    res = _run_persistent_check({"NUMBA_NUM_THREADS": "3"})
    assert res["same"] == [True, True, True]
    assert res["persistent"] == [True, True, True]


def test_persistent_driver_with_more_parts_than_threads() -> None:
    """7 parts shared out as tasks by 2 or 3 workers: the same results as 1 thread."""
    res = _run_persistent_check({"NUMBA_NUM_THREADS": "3", "LAMINA_ENGINE_PARTS": "7"})
    assert res["same"] == [True, True, True]
    assert res["persistent"] == [True, True, True]


def test_persistent_driver_with_workers_run_one_after_another() -> None:
    """With one numba thread the workers of a call run one after another: the first
    takes every task, the others find the call finished; no hang, the same results."""
    res = _run_persistent_check({"NUMBA_NUM_THREADS": "1", "LAMINA_ENGINE_PARTS": "5"})
    assert res["same"] == [True, True, True]
    assert res["persistent"] == [True, True, True]


def test_atomics_barrier_and_rendezvous() -> None:
    import numba
    from numba import njit, prange

    from lamina.backends.engine import atomics as A

    @njit(parallel=True)
    def rounds(sync, T, n, out, ok):
        for t in prange(T):
            ok[t] = A.rendezvous(sync, T, 10_000_000_000)
            if ok[t]:
                for i in range(n):
                    A.atomic_add(out, 0, 1)
                    A.barrier(sync, T)
                    if t == 0:   # every thread added before anyone passed the barrier
                        out[1] += A.atomic_load(out, 0) == T * (i + 1)
                    A.barrier(sync, T)

    @njit
    def single(a):
        return A.atomic_cas(a, 0, 3, 7), A.atomic_cas(a, 0, 5, 9), A.atomic_add(a, 1, 4)

    a = np.array([3, 1], np.int64)
    assert single(a) == (3, 7, 1)
    assert list(a) == [7, 5]
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)   # iterations serialised: rendezvous fails, no hang
        out, ok = np.zeros(2, np.int64), np.zeros(2, np.bool_)
        rounds(np.zeros(A.SYNC_SIZE, np.int64), 2, 100, out, ok)
        assert not ok.any() and out[0] == 0
        if numba.config.NUMBA_NUM_THREADS >= 2:
            numba.set_num_threads(2)
            out, ok = np.zeros(2, np.int64), np.zeros(2, np.bool_)
            rounds(np.zeros(A.SYNC_SIZE, np.int64), 2, 500, out, ok)
            assert ok.all()
            assert list(out) == [1000, 500]
    finally:
        numba.set_num_threads(old)


def test_parts_are_cut_by_cost_not_by_rows(monkeypatch) -> None:
    """Target parts hold equal numbers of neuron cells: one-to-one Poisson sources (drawn
    in their targets' parts) and spike arrays weigh nothing, Poisson sources with several
    synapses as much as a cell; a network of cells only gets the equal cut ceil(N t / T)."""
    from lamina.core import simulation
    # the parts also where other processes keep the cores busy (`_run_parts`)
    monkeypatch.setenv("LAMINA_ENGINE_DRIVER", "persistent")
    sim.setup(timestep=0.1, threads=2)
    cells = sim.Population(300, sim.IF_curr_exp())
    noise = sim.Population(300, sim.SpikeSourcePoisson(rate=10.0))
    wide = sim.Population(40, sim.SpikeSourcePoisson(rate=10.0))
    sim.Population(5, sim.SpikeSourceArray(spike_times=[1.0]))
    sim.Projection(noise, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1))
    sim.Projection(wide, cells, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(1)),
                   sim.StaticSynapse(weight=0.1))
    sim.run(1.0)
    b = simulation.current().backend
    np.testing.assert_array_equal(b._csr_bounds, [0, 170, 645])   # 170 = (300 + 40) / 2
    np.testing.assert_array_equal(b._part_bounds(3), [0, 114, 227, 645])   # ceil(340 t / 3)
    sim.end()
    sim.setup(timestep=0.1, threads=3)
    sim.Population(1001, sim.IF_curr_exp())
    sim.run(1.0)
    np.testing.assert_array_equal(simulation.current().backend._csr_bounds,
                                  [(1001 * t + 2) // 3 for t in range(4)])
    sim.end()


def test_large_networks_get_more_parts_than_threads() -> None:
    """A network of LARGE_NETWORK_CELLS neuron cells or more is cut into
    PARTS_PER_THREAD_LARGE parts per thread (spike sources do not count)."""
    from lamina.backends.engine import backend as eb
    from lamina.core import simulation
    for cells, want in ((eb.LARGE_NETWORK_CELLS - 1, 2 * eb.PARTS_PER_THREAD),
                        (eb.LARGE_NETWORK_CELLS, 2 * eb.PARTS_PER_THREAD_LARGE)):
        sim.setup(timestep=0.1, threads=2)
        sim.Population(cells, sim.IF_curr_exp())
        sim.Population(5000, sim.SpikeSourcePoisson(rate=1.0))
        assert simulation.current().backend._parts() == want
        sim.end()


@pytest.mark.parametrize("P,n", [(2, 2), (4, 2), (3, 2), (7, 3), (5, 5)])
def test_workers_take_their_own_parts_first_then_every_other_part(P: int, n: int) -> None:
    """`step_loop._preferred`: each worker's order is a permutation of the parts that
    starts with its own (it, it + n, ...), so a part stays with one worker while all keep
    up, and any part can be taken by anyone."""
    from lamina.backends.engine.step_loop import _preferred
    for it in range(n):
        order = [_preferred.py_func(k, it, n, P) for k in range(P)]
        own = list(range(it, P, n))
        assert order[:len(own)] == own
        assert sorted(order) == list(range(P))


def _noisy_renewal_network(run_ms: list[float]) -> tuple[list[np.ndarray], np.ndarray, int]:
    """Spikes and V of a network whose inputs are drawn per block of steps (a noisy
    current, gamma spike trains), run as the given sequence of run() calls; and the number
    of kernel calls."""
    from lamina.core import simulation
    sim.setup(timestep=0.1)
    cells = sim.Population(40, sim.IF_curr_exp(tau_refrac=2.0))
    gamma = sim.Population(40, sim.SpikeSourceGamma(alpha=3.0, beta=300.0))
    sim.Projection(gamma, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.2))
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.2, rng=sim.NumpyRNG(4)),
                   sim.StaticSynapse(weight=0.4, delay=0.5))
    sim.NoisyCurrentSource(mean=0.4, stdev=0.3, dt=0.5).inject_into(cells)
    cells.record(["spikes", "v"])
    for t in run_ms:
        sim.run(t)
    seg = cells.get_data().segments[0]
    calls = sum(simulation.current().backend.driver_calls.values())
    out = ([np.asarray(s) for s in seg.spiketrains], np.asarray(seg.analogsignals[0]), calls)
    sim.end()
    return out


def test_kernel_calls_of_several_blocks_give_the_same_results_as_calls_of_one() -> None:
    """`run_until` lets one kernel call advance several blocks of `inputs.BLOCK` steps
    once it has measured the speed (`_call_blocks`); the inputs drawn per block (noisy
    current, renewal trains) and so the spikes and V are bitwise those of short runs,
    which call the kernel once per block or less."""
    from lamina.backends.engine import inputs
    long_sp, long_v, long_calls = _noisy_renewal_network([2000.0])
    block_ms = inputs.BLOCK * 0.1
    short_sp, short_v, short_calls = _noisy_renewal_network([block_ms / 2] * 40)
    assert long_calls < 2000.0 / block_ms   # some call covered several blocks
    assert short_calls >= 40
    assert sum(len(s) for s in long_sp) > 200
    for a, b in zip(long_sp, short_sp):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(long_v, short_v)


def test_call_blocks_follow_the_measured_speed_and_the_recording_memory() -> None:
    """`_call_blocks`: one block before any measurement and over MPI; then blocks for
    about `CALL_SECONDS` of run time, within `MAX_CALL_BLOCKS` and the analog buffer."""
    from lamina.backends.engine import backend as bk
    from lamina.backends.engine import inputs
    from lamina.core import simulation
    sim.setup(timestep=0.1)
    p = sim.Population(1000, sim.IF_curr_exp())
    b = simulation.current().backend
    assert b._call_blocks() == 1
    b._step_seconds = bk.CALL_SECONDS / (3.5 * inputs.BLOCK)   # 3.5 blocks per CALL_SECONDS
    assert b._call_blocks() == 3
    b._step_seconds = 1e-12
    assert b._call_blocks() == bk.MAX_CALL_BLOCKS
    p.record("v")   # 1000 cells x (BLOCK + 1) samples x 8 B per block
    sim.run(0.1)
    b._step_seconds = 1e-12
    per_block = (inputs.BLOCK + 1) * 1000 * 8
    assert b._call_blocks() == min(bk.MAX_CALL_BLOCKS, bk.CALL_ANALOG_BYTES // per_block)
    sim.end()


def test_a_run_that_starts_on_a_busy_machine_uses_one_part(monkeypatch) -> None:
    """`_run_parts`: where other processes leave fewer free cores than the threads, a run
    of a threaded network uses one part (no fixed cost of parts run one after another);
    a built CSR keeps its parts for a short run and changes them for a long one; a forced
    driver keeps the parts."""
    from lamina.backends.engine import backend as bk
    from lamina.backends.engine import driver_choice as dc
    from lamina.core import simulation
    busy = [True]
    monkeypatch.setattr(bk, "machine_is_busy", lambda threads=2: busy[0])
    monkeypatch.setattr(dc, "machine_is_busy", lambda threads=2: busy[0])
    monkeypatch.setattr(bk, "REPART_STEPS", 500)
    sim.setup(timestep=0.1, threads=2)
    p = sim.Population(600, sim.IF_curr_exp(i_offset=0.5))
    sim.Projection(p, p, sim.FixedProbabilityConnector(0.05, rng=sim.NumpyRNG(1)),
                   sim.StaticSynapse(weight=0.05, delay=0.5))
    b = simulation.current().backend
    assert b._parts() == 2
    sim.run(10.0)
    assert b._csr_parts == 1 and b.driver_calls == {"single": 1}
    busy[0] = False
    sim.run(10.0)            # 100 steps < REPART_STEPS: the CSR keeps its one part
    assert b._csr_parts == 1
    sim.run(60.0)            # 600 steps: rebuilt in 2 parts
    assert b._csr_parts == 2 and set(b.driver_calls) == {"single", "persistent"}
    busy[0] = True
    monkeypatch.setenv("LAMINA_ENGINE_DRIVER", "persistent")
    sim.run(60.0)            # a forced driver: parts kept
    assert b._csr_parts == 2
    sim.end()
