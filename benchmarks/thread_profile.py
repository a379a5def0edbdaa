"""Where the time of a threaded engine run goes, from cycle counters inside the kernel.

Builds the Vogels-Abbott network (`vogels_abbott`), runs it with ``threads`` = T and
prints which windowed driver ran (calls per driver), the window length, and per thread
of the persistent driver the cycles spent delivering spikes, advancing cells, waiting at
the window barrier and in the serial per-window bookkeeping, per window and as shares of
the region. Wall-clock figures of a shared machine are noisy; these counts are per thread,
so a thread that was descheduled shows up as barrier wait of the other one.

Use::

    python benchmarks/thread_profile.py --network cuba --threads 2 --duration 500
    python benchmarks/thread_profile.py --network brunel --n-scale 0.2 --threads 2
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _tsc_hz() -> float:
    """Cycles of the time stamp counter per second (measured over 0.2 s)."""
    from lamina.backends.engine.atomics import cycles
    from numba import njit

    @njit
    def now() -> int:
        return cycles()
    now()
    c0, t0 = now(), time.perf_counter()
    time.sleep(0.2)
    return (now() - c0) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--network", choices=["coba", "cuba", "brunel"], default="cuba")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", type=float, default=500.0)
    ap.add_argument("--cells", type=int, default=4000, help="Vogels-Abbott cells")
    ap.add_argument("--n-scale", type=float, default=0.2, help="Brunel's scale")
    a = ap.parse_args()
    import lamina as sim
    from lamina.core import simulation
    hz = _tsc_hz()
    if a.network == "brunel":
        import brunel
        brunel.build(sim, a.n_scale, 12345, threads=a.threads)
    else:
        from vogels_abbott import build
        build(sim, a.network, a.cells, 12345, threads=a.threads)
    sim.run(10.0)   # compile or load the kernels; not profiled
    backend = simulation.current().backend
    has_prof = hasattr(backend, "thread_profile")   # older code: wall and CPU only
    if has_prof:
        backend.driver_calls.clear()
        backend._prof[:] = 0
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    sim.run(a.duration)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    prof = backend.thread_profile() if has_prof else {"calls": "?", "threads": []}
    size = f"scale {a.n_scale:g}" if a.network == "brunel" else f"{a.cells} cells"
    print(f"{a.network} {size}, {a.duration:g} ms, threads={a.threads}: wall "
          f"{wall:.3f} s, CPU {cpu:.3f} s, load {os.getloadavg()[0]:.2f}, "
          f"driver calls {prof['calls']}, TSC {hz / 1e9:.2f} GHz")
    cost = getattr(getattr(backend, "_choice", None), "cost", {})
    if cost:
        print("driver choice, us per step: " + ", ".join(f"{k} {v * 1e6:.1f}"
                                                       for k, v in cost.items()))
    for t, row in enumerate(prof["threads"]):
        nw = max(row["tasks"], 1)
        reg = max(row["region"], 1)
        parts = "  ".join(f"{k} {row[k] / nw / hz * 1e6:7.2f} us ({100 * row[k] / reg:4.1f} %)"
                          for k in ("deliver", "advance", "wait", "after_window"))
        print(f"worker {t}: {row['tasks']} tasks, {row['windows_closed']} windows closed, {row['calls']} calls; per task: "
              f"{parts}; region {reg / hz:.3f} s")


if __name__ == "__main__":
    main()
