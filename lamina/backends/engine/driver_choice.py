"""Which windowed driver runs a threaded network: by measured speed, so that threads never
make a run slower than one thread, even on a busy machine.

With T > 1 parts the windowed kernel can run the parts in parallel (one thread per part)
or one after another in one thread (`step_loop.run_windows`); both give bitwise the same
results (the parts and the order of delivery are the same). When the machine has fewer
free cores than T, a worker of the parallel driver that is preempted while it holds a
window's task stalls that window for a time slice; and where Linux groups the threads of
a session for fair scheduling (``/proc/sys/kernel/sched_autogroup_enabled``: on here, with
every other user's session its own group) a second thread gets the process no more CPU
time on a busy machine, only those stalls. `DriverChoice` measures the
seconds per step of each driver on calls of at least `MIN_STEPS` steps (a driver's first
call is not measured when it compiled or loaded the driver), uses the faster one, and
measures the other again every `PROBE_EVERY` calls, so it follows a load that changes; a
parallel call made only to measure it on a busy machine runs at most `TRIAL_STEPS`
steps (`trial`), so a short run does not spend a tenth of its steps each time on a driver
that may be several times slower. The serial driver is tried only while the machine
looks busy (`machine_is_busy`), so a quiet machine never compiles it for a threaded run,
and the choice returns to the parallel driver alone once the machine is quiet again and
the parallel driver measured faster.

Busy means that other processes leave fewer free cores than the run has threads:
measured as the CPU time the whole machine spent busy (``/proc/stat``, steal included)
less this process's own (`os.times`) over the last `MIN_INTERVAL` seconds or more. The
1-minute load average, used before, lags by a minute: on a machine that had just become
quiet (another process's compile ending) it reported busy for a minute and threaded runs
took the slower serial driver (CUBA, 2 threads, load average 3.3 with nothing else
running: 11 serial calls of 14). Until such an interval has passed the running count of
``/proc/loadavg`` (threads ready to run right now) decides, and off Linux the load average.
A load that appears during the run also shows as the parallel driver's cost per step
rising above twice its best. When it is busy at the first call, the serial driver is
measured first (the parallel one can be many times slower there, and a short run has few
calls to spend).
"""
from __future__ import annotations

import os
import time

__all__ = ["DriverChoice", "machine_is_busy"]

PARALLEL = "parallel"
SERIAL = "serial"


def _others_running_now() -> int | None:
    """Threads of the whole machine ready to run at this moment, less the calling one
    (Linux: ``/proc/loadavg``; None elsewhere). Between two kernel calls the engine's worker
    threads wait, so these are other processes' threads."""
    try:
        with open("/proc/loadavg") as f:
            running = int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(running - 1, 0)


#: the shortest interval over which other processes' CPU use is measured [s] (clock
#: ticks are 10 ms: over 0.25 s on 2 cores the error is below 0.1 core)
MIN_INTERVAL = 0.25


def _cpu_reading() -> tuple[float, float, float] | None:
    """(monotonic time, CPU seconds the machine spent busy since boot, CPU seconds of this
    process), or None where ``/proc/stat`` is not available."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        tick = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    # user nice system idle iowait irq softirq steal (guest time is part of user)
    busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick
    own = os.times()
    return time.monotonic(), busy, own.user + own.system


_ref = _cpu_reading()   # the start of the interval `_others_cores` measures


def _others_cores() -> float | None:
    """Cores used by other processes on average since the previous measurement (or the
    import), once at least `MIN_INTERVAL` seconds have passed; else None (also off
    Linux). The interval then starts anew."""
    global _ref
    now = _cpu_reading()
    if now is None or _ref is None:
        _ref = now
        return None
    dt = now[0] - _ref[0]
    if dt < MIN_INTERVAL:
        return None
    others = ((now[1] - _ref[1]) - (now[2] - _ref[2])) / dt
    _ref = now
    return max(others, 0.0)


_last_others: float | None = None   # `_others_cores` of the last full interval


def machine_is_busy(threads: int = 2) -> bool:
    """Whether other processes leave fewer than ``threads - 0.5`` cores free: measured
    over the last `MIN_INTERVAL` seconds or more (`_others_cores`), else the last such
    value; before the first one, other threads ready to run right now taking at least
    half of the cores, or (off Linux) the 1-minute load average (which counts this run's
    own threads) above the number of cores by more than half a core."""
    global _last_others
    cores = os.cpu_count() or 1
    others = _others_cores()
    if others is None:
        others = _last_others
    else:
        _last_others = others
    if others is not None:
        return others > cores - threads + 0.5
    running = _others_running_now()
    if running is not None:
        return running >= max(1, cores // 2)
    try:
        load = os.getloadavg()[0]
    except OSError:   # not available on this platform
        return False
    return load > cores + 0.5


class DriverChoice:
    """Chooses between the parallel and the serial driver by measured seconds per step.

    The serial driver is measured only once the machine looks busy (`machine_is_busy`).
    """

    MIN_STEPS = 100      # shorter calls are not measured (too noisy)
    TRIAL_STEPS = 200    # a parallel call made to measure it on a busy machine: at most
    PROBE_EVERY = 8      # calls between two measurements of the slower driver
    SLOWDOWN = 2.0       # parallel cost above this times its best: the machine got busy

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self.cost: dict[str, float] = {}   # driver -> smoothed seconds per step
        self._called: set[str] = set()
        self._calls = 0
        self._serial_wanted = False
        self._best_parallel = float("inf")   # lowest seconds per step of one parallel call
        #: whether the last pick is a parallel call made to measure it while the serial
        #: driver is wanted (the caller then runs at most `TRIAL_STEPS` steps: it may be
        #: many times slower)
        self.trial = False

    def pick(self) -> str:
        """The driver for the next call (`PARALLEL` or `SERIAL`); sets `trial`."""
        driver = self._pick()
        self.trial = driver == PARALLEL and self._serial_wanted and \
            (PARALLEL not in self.cost or SERIAL not in self.cost
             or self.cost[SERIAL] < self.cost[PARALLEL])
        return driver

    def _pick(self) -> str:
        self._calls += 1
        if self._calls == 1 and machine_is_busy(self.threads):
            self._serial_wanted = True   # busy from the start: do not begin in parallel
        elif self._serial_wanted and self.cost.get(PARALLEL, 1.0) < self.cost.get(SERIAL, 0.0) \
                and not machine_is_busy(self.threads):
            self._serial_wanted = False   # quiet again, parallel faster: it alone again
            self._best_parallel = self.cost[PARALLEL]
        if self._serial_wanted and SERIAL not in self.cost:
            return SERIAL
        if PARALLEL not in self.cost:
            return PARALLEL
        if not self._serial_wanted:
            # a proxy for a load that appeared, only where other processes' CPU use
            # cannot be measured: the cost per step also varies with the network's
            # activity (on a quiet machine it brought in the serial driver for 3-9 of 11
            # calls, Brunel and CUBA, 2 threads)
            slowed = self.cost[PARALLEL] > self.SLOWDOWN * self._best_parallel and \
                _cpu_reading() is None
            if not slowed and not machine_is_busy(self.threads):
                return PARALLEL
            self._serial_wanted = True   # from now on both are measured
        if SERIAL not in self.cost:
            return SERIAL
        best = min(self.cost, key=self.cost.__getitem__)
        if self._calls % self.PROBE_EVERY == 0:
            return SERIAL if best == PARALLEL else PARALLEL
        return best

    def record(self, driver: str, seconds: float, steps: int, loaded: bool = False) -> None:
        """Account one call of `driver` that advanced `steps` steps in `seconds`
        (`loaded`: the driver was compiled and in memory before the call)."""
        if driver not in self._called:   # first call: may include compiling or loading
            self._called.add(driver)
            if not loaded:
                return
        if steps < self.MIN_STEPS:
            return
        per_step = seconds / steps
        if driver == PARALLEL:
            self._best_parallel = min(self._best_parallel, per_step)
        old = self.cost.get(driver)
        self.cost[driver] = per_step if old is None else 0.5 * (old + per_step)
