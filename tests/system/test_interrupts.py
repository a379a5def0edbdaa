"""Interrupted runs continue exactly: a callback that raises, and a real SIGINT (Ctrl-C)
sent to a subprocess, on the engine and on NEST (regression: issue 16, the engine lost 611
of 40,449 spikes, NEST every spike)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))
from interruptible_network import build, results  # noqa: E402

requires_nest = pytest.mark.skipif(__import__("importlib").util.find_spec("nest") is None,
                                   reason="NEST is not installed (pip install lamina[nest])")
BACKENDS = ["engine", pytest.param("nest", marks=[requires_nest, pytest.mark.backend_nest])]


def _namespace(backend: str):
    if backend == "nest":
        import lamina.nest as sim
    else:
        import lamina as sim
    return sim


def _run(backend: str, t_stop: float, stop_at: float | None = None):
    """Results of a run to t_stop; with `stop_at`, a callback raises at that time first."""
    sim = _namespace(backend)
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    cells, _ = build(sim)
    reached = None
    if stop_at is not None:
        def stop(t: float) -> float:
            if t >= stop_at:
                raise RuntimeError("stop here")
            return t + 13.7   # off the engine's 100 ms chunks on purpose

        with pytest.raises(RuntimeError, match="stop here"):
            sim.run_until(t_stop, callbacks=[stop])
        reached = sim.get_current_time()
        before = results(cells)
        assert before["spike_time"].max() <= reached
        assert before["v"].shape[0] == round(reached / 0.1) + 1   # every sample up to t
    sim.run_until(t_stop)
    out = results(cells)
    sim.end()
    return out, reached, (before if stop_at is not None else None)


@pytest.mark.parametrize("backend", BACKENDS)
def test_callback_exception_then_continue_is_bitwise_identical(backend):
    full, _, _ = _run(backend, 600.0)
    resumed, reached, before = _run(backend, 600.0, stop_at=250.0)
    assert 250.0 <= reached < 270.0
    assert len(full["spike_time"]) > 1000
    for key in full:
        np.testing.assert_array_equal(resumed[key], full[key], err_msg=key)
    # the data seen at the interruption are the uninterrupted run's up to then
    early = full["spike_time"] <= reached
    np.testing.assert_array_equal(before["spike_time"], full["spike_time"][early])
    np.testing.assert_array_equal(before["v"], full["v"][:before["v"].shape[0]])


def _sigint_run(backend: str, t_stop: float, tmp_path: Path) -> dict:
    out = tmp_path / f"{backend}.npz"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SCRIPTS.parents[1]), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(SCRIPTS / "interruptible_network.py"),
                             backend, str(t_stop), str(out), "--wait-sigint"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stdout.readline().strip() == "running"
        import time
        time.sleep(0.4)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert "interrupted" in stdout, "the SIGINT arrived after the run had ended"
    assert "run interrupted at t =" in stderr   # the warning naming the time
    return dict(np.load(out))


@pytest.mark.parametrize("backend", [
    "engine", pytest.param("nest", marks=[requires_nest, pytest.mark.backend_nest,
                                          pytest.mark.slow])])
def test_sigint_then_continue_is_bitwise_identical(backend, tmp_path):
    t_stop = 1200.0
    got = _sigint_run(backend, t_stop, tmp_path)
    assert 1.0 < float(got["interrupted_at"]) < t_stop
    sim = _namespace(backend)
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    cells, _ = build(sim)
    sim.run_until(t_stop)
    ref = results(cells)
    sim.end()
    assert len(ref["spike_time"]) > 1000
    for key in ref:
        np.testing.assert_array_equal(got[key], ref[key], err_msg=key)


def test_second_sigint_raises_at_once():
    """The deferring handler: a first SIGINT only asks, a second raises immediately."""
    from lamina import interrupts
    interrupts.clear()
    before = signal.getsignal(signal.SIGINT)   # Python's, or one a simulator installed
    with pytest.raises(KeyboardInterrupt, match="second interrupt"):
        with interrupts.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            assert interrupts.requested()
            os.kill(os.getpid(), signal.SIGINT)
    interrupts.clear()
    assert signal.getsignal(signal.SIGINT) is before
