"""Threads on a busy machine: the serial windowed driver replaces the parallel one when it
is measured faster (`lamina.backends.engine.driver_choice`); results stay bitwise equal."""
from __future__ import annotations

import numpy as np
import pytest

from lamina.backends.engine import driver_choice as dc
from lamina.backends.engine.driver_choice import PARALLEL, SERIAL, DriverChoice


def _feed(choice: DriverChoice, seconds_per_step: dict[str, float], calls: int) -> list[str]:
    """Run `calls` picks, recording each call as 1000 steps at the given cost."""
    picked = []
    for _ in range(calls):
        d = choice.pick()
        picked.append(d)
        choice.record(d, seconds_per_step[d] * 1000, 1000)
    return picked


def test_quiet_machine_keeps_the_parallel_driver(monkeypatch) -> None:
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: False)
    picked = _feed(DriverChoice(), {PARALLEL: 2e-3, SERIAL: 1e-3}, 40)
    assert picked == [PARALLEL] * 40   # the serial driver is never even compiled


def test_busy_machine_switches_to_the_faster_serial_driver(monkeypatch) -> None:
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: True)
    picked = _feed(DriverChoice(), {PARALLEL: 2e-3, SERIAL: 1e-3}, 40)
    # busy from the start: serial twice (the first call is not measured: it may compile
    # or load the driver), then parallel twice
    assert picked[:4] == [SERIAL, SERIAL, PARALLEL, PARALLEL]
    later = picked[4:]
    assert later.count(SERIAL) > 0.8 * len(later)          # mostly the faster one
    assert PARALLEL in later                               # re-measured now and then


def test_busy_machine_keeps_parallel_when_it_is_faster(monkeypatch) -> None:
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: True)
    picked = _feed(DriverChoice(), {PARALLEL: 1e-3, SERIAL: 2e-3}, 40)
    assert picked[4:].count(PARALLEL) > 0.8 * len(picked[4:])


def test_machine_getting_busy_later_brings_in_the_serial_driver(monkeypatch) -> None:
    busy = {"now": False}
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: busy["now"])
    choice = DriverChoice()
    cost = {PARALLEL: 3e-3, SERIAL: 1e-3}
    assert _feed(choice, cost, 5) == [PARALLEL] * 5
    busy["now"] = True
    later = _feed(choice, cost, 20)
    assert later[:2] == [SERIAL, SERIAL] and later[-8:].count(SERIAL) >= 7


def test_short_calls_are_not_measured() -> None:
    choice = DriverChoice()
    choice.record(PARALLEL, 1.0, 1000)   # first call: skipped
    choice.record(PARALLEL, 1.0, choice.MIN_STEPS - 1)
    assert choice.cost == {}
    choice.record(PARALLEL, 1.0, 1000)
    assert choice.cost == {PARALLEL: pytest.approx(1e-3)}


def test_serial_driver_for_threads_is_bitwise_the_parallel_one(monkeypatch) -> None:
    """LAMINA_ENGINE_DRIVER=serial with threads=2 (what the choice switches to) gives the
    spikes and V of the parallel driver, bitwise."""
    from test_engine_threads import _network   # same folder: on sys.path under pytest
    monkeypatch.setenv("LAMINA_ENGINE_DRIVER", "serial")
    sp_s, v_s, src_s = _network(2, "IF_curr_alpha", dur=60.0)
    monkeypatch.setenv("LAMINA_ENGINE_DRIVER", "persistent")
    sp_p, v_p, src_p = _network(2, "IF_curr_alpha", dur=60.0)
    assert sum(len(s) for s in sp_s) > 20
    for a, b in zip(sp_s + src_s, sp_p + src_p, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(v_s, v_p)


def test_parallel_slowing_down_during_a_run_brings_in_the_serial_driver(monkeypatch) -> None:
    """A load that appears during the run shows first as the parallel driver's cost per step
    rising (the load average lags it by a minute): the serial driver is then measured too."""
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: False)
    monkeypatch.setattr(dc, "_cpu_reading", lambda: None)   # where the load cannot be measured
    choice = DriverChoice()
    cost = {PARALLEL: 1e-3, SERIAL: 2e-3}
    assert _feed(choice, cost, 5) == [PARALLEL] * 5
    cost[PARALLEL] = 30e-3                      # threads now wait for descheduled peers
    later = _feed(choice, cost, 20)
    assert SERIAL in later[:4]
    assert later[-8:].count(SERIAL) >= 7


def test_threads_ready_to_run_now_count_as_busy(monkeypatch) -> None:
    """Other threads runnable at this moment (/proc/loadavg's running count) make the
    machine busy even while the 1-minute load average is still low."""
    monkeypatch.setattr(dc.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(dc.os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    monkeypatch.setattr(dc, "_others_cores", lambda: None)   # no full interval yet
    monkeypatch.setattr(dc, "_last_others", None)
    monkeypatch.setattr(dc, "_others_running_now", lambda: 0)
    assert not dc.machine_is_busy()
    monkeypatch.setattr(dc, "_others_running_now", lambda: 1)
    assert dc.machine_is_busy()
    monkeypatch.setattr(dc, "_others_running_now", lambda: None)   # not Linux
    monkeypatch.setattr(dc.os, "getloadavg", lambda: (3.0, 0.1, 0.1))
    assert dc.machine_is_busy()


def test_parallel_calls_made_to_measure_it_on_a_busy_machine_are_trials(monkeypatch) -> None:
    """While the serial driver is wanted, the parallel calls that only measure it are
    marked `trial` (the backend then runs at most TRIAL_STEPS steps); the calls of the
    chosen driver are not."""
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: True)
    choice = DriverChoice()
    cost = {PARALLEL: 2e-3, SERIAL: 1e-3}
    seen = []
    for _ in range(20):
        d = choice.pick()
        seen.append((d, choice.trial))
        choice.record(d, cost[d] * 1000, 1000)
    assert seen[:4] == [(SERIAL, False), (SERIAL, False), (PARALLEL, True), (PARALLEL, True)]
    assert all(trial == (d == PARALLEL) for d, trial in seen)
    assert choice.TRIAL_STEPS >= 2 * choice.MIN_STEPS


def test_quiet_machine_parallel_calls_are_not_trials(monkeypatch) -> None:
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: False)
    choice = DriverChoice()
    for _ in range(5):
        assert choice.pick() == PARALLEL and not choice.trial
        choice.record(PARALLEL, 1e-3, 1000)


def test_first_call_of_a_driver_already_in_memory_is_measured() -> None:
    choice = DriverChoice()
    choice.record(PARALLEL, 2.0, 1000, loaded=True)
    assert choice.cost == {PARALLEL: 2e-3}
    other = DriverChoice()
    other.record(PARALLEL, 2.0, 1000)   # may have compiled or loaded it: not measured
    assert other.cost == {}


def test_busy_is_other_processes_cpu_use_not_the_lagging_load_average(monkeypatch) -> None:
    """Over a full interval the CPU time other processes used decides (a load average
    still high from a compile that has ended does not); 2 threads on 2 cores need both
    cores but half of one, 1 thread tolerates more."""
    monkeypatch.setattr(dc.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(dc.os, "getloadavg", lambda: (3.5, 3.0, 2.0))
    monkeypatch.setattr(dc, "_others_running_now", lambda: 1)
    monkeypatch.setattr(dc, "_others_cores", lambda: 0.1)
    assert not dc.machine_is_busy(2)
    monkeypatch.setattr(dc, "_others_cores", lambda: 0.9)
    assert dc.machine_is_busy(2) and not dc.machine_is_busy(1)
    monkeypatch.setattr(dc, "_others_cores", lambda: None)   # interval too short: the last value
    assert dc.machine_is_busy(2)


def test_others_cores_measures_cpu_time_of_other_processes() -> None:
    """A busy loop in a child process shows as about one core of other processes; this
    process's own CPU time does not count."""
    import subprocess
    import sys
    import time
    if dc._cpu_reading() is None:
        pytest.skip("no /proc/stat")
    dc._others_cores()
    time.sleep(dc.MIN_INTERVAL)
    dc._others_cores()   # start a fresh interval
    child = subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()\n"
                              "while time.time() - t < 1.0: pass"])
    t0 = time.monotonic()
    while time.monotonic() - t0 < 0.6:   # this process busy too: not counted
        pass
    others = dc._others_cores()
    again = dc._others_cores()   # the interval starts anew: too short now
    child.wait()
    assert others is not None and 0.6 < others   # the child (and anything else running)
    assert again is None


def test_quiet_again_returns_to_the_parallel_driver_alone(monkeypatch) -> None:
    busy = {"now": True}
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: busy["now"])
    choice = DriverChoice()
    cost = {PARALLEL: 1.5e-3, SERIAL: 1e-3}
    assert SERIAL in _feed(choice, cost, 10)
    busy["now"] = False
    cost[PARALLEL] = 0.6e-3
    later = _feed(choice, cost, 30)   # serial until parallel is measured faster (probes)
    assert later[-8:] == [PARALLEL] * 8 and not choice.trial


def test_numba_first_class_function_warning_silenced_once_and_only_it() -> None:
    """The engine filters numba's "first-class functions are experimental" warning once,
    at import, by its text: other experimental-feature warnings still show."""
    import subprocess
    import sys
    code = ("import warnings\n"
            "import lamina.backends.engine.callees\n"
            "from numba.core.errors import NumbaExperimentalFeatureWarning as W\n"
            "with warnings.catch_warnings(record=True) as got:\n"
            "    warnings.warn('First-class function type feature is experimental', W)\n"
            "    warnings.warn('another experimental feature', W)\n"
            "print([str(g.message) for g in got])\n")
    r = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "['another experimental feature']"


def test_cost_rising_alone_keeps_parallel_where_the_load_is_measured(monkeypatch) -> None:
    """Where other processes' CPU use is measured, a rising parallel cost (the network's
    activity changing) does not bring in the serial driver on a quiet machine."""
    monkeypatch.setattr(dc, "machine_is_busy", lambda *a: False)
    monkeypatch.setattr(dc, "_cpu_reading", lambda: (0.0, 0.0, 0.0))
    choice = DriverChoice()
    cost = {PARALLEL: 1e-3, SERIAL: 2e-3}
    _feed(choice, cost, 5)
    cost[PARALLEL] = 30e-3
    assert _feed(choice, cost, 20) == [PARALLEL] * 20
