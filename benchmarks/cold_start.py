"""Cold start of the built-in engine: seconds from ``setup()`` to the first step of the
Vogels–Abbott network in a fresh process, with every compile cache empty, then again with
the caches the first process filled.

Each measurement is a fresh Python process (``--worker``) whose ``NUMBA_CACHE_DIR`` and
``LAMINA_CACHE_DIR`` point into one new temporary directory, so neither numba's cache nor
lamina's generated kernels (nor the ``__pycache__`` next to the engine's sources, which numba
does not use while ``NUMBA_CACHE_DIR`` is set) can help the cold process. "First step" is
``sim.run(dt)`` after the network is built: it compiles (or loads) everything a run needs.

Usage::

    python benchmarks/cold_start.py                    # COBA, 4000 cells, 1 cold + 2 cached
    python benchmarks/cold_start.py --variant cuba --cached 3
    python benchmarks/cold_start.py --profile          # also: numba compile time per function

Prints one line per process and a JSON summary. "CPU" is the process's CPU time (user +
system, import and build included): on a busy machine it, not the wall-clock time, shows
what the compilation costs. "setup->first step CPU" is the main process's CPU time over
that span (its critical path on an idle machine); "helper CPU" that of the helper process
which compiles the step loop's callees meanwhile (`lamina.backends.engine.background`;
``--background 0|1`` forces it off or on, default: on when two cores are free).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _cpu(who: int) -> float:
    """User + system CPU seconds of this process (RUSAGE_SELF) or of its ended children."""
    ru = resource.getrusage(who)
    return ru.ru_utime + ru.ru_stime


def _worker(variant: str, n: int, threads: int, profile: bool) -> None:
    """Build the network, run one step, print a JSON line of timings."""
    t_imp = time.perf_counter()
    import lamina as sim
    sys.path.insert(0, HERE)
    from vogels_abbott import DT, build
    t0 = time.perf_counter()
    compiled: dict[str, float] = {}
    if profile:
        from numba.core import event

        # numba's own timers: nested compile times per dispatcher
        rec = event.TimingListener()
        event.register("numba:compile", rec)
        listener = event.RecordingListener()
        event.register("numba:compile", listener)
    c0 = _cpu(resource.RUSAGE_SELF)
    net = build(sim, variant, n, seed=12345, threads=threads)
    t1 = time.perf_counter()
    sim.run(DT)
    t2 = time.perf_counter()
    c2 = _cpu(resource.RUSAGE_SELF)
    sim.run(10 * DT)
    t3 = time.perf_counter()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out = {"cpu_s": ru.ru_utime + ru.ru_stime, "import_s": t0 - t_imp, "build_s": t1 - t0,
           "setup_to_first_step_cpu_s": c2 - c0,
           "first_step_s": t2 - t1,
           "setup_to_first_step_s": t2 - t0, "next_10_steps_s": t3 - t2,
           "cells": net["exc"].size + net["inh"].size}
    if profile:
        stack: list[list] = []
        for ts, ev in listener.buffer:
            disp = ev.data.get("dispatcher") if ev.data else None
            name = (f"{disp.py_func.__module__.rsplit('.', 1)[-1]}.{disp.py_func.__qualname__}"
                    if disp is not None else "?")
            if ev.is_start:
                stack.append([name, ts, 0.0])
            else:
                nm, t_start, child = stack.pop()
                total = ts - t_start
                compiled[nm] = compiled.get(nm, 0.0) + total - child   # self time
                if stack:
                    stack[-1][2] += total
        out["compile_self_s"] = dict(sorted(compiled.items(), key=lambda kv: -kv[1]))
        out["compile_total_s"] = rec.duration
    sim.end()   # stops the background compilation helper, if any
    out["helper_cpu_s"] = _cpu(resource.RUSAGE_CHILDREN)
    print("RESULT " + json.dumps(out))


def _run_worker(args: argparse.Namespace, cache: str, profile: bool) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(cache, "numba"),
               LAMINA_CACHE_DIR=os.path.join(cache, "lamina"))
    if args.background != "auto":
        env["LAMINA_ENGINE_BACKGROUND_COMPILE"] = args.background
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--variant", args.variant,
           "--n", str(args.n), "--threads", str(args.threads)]
    if profile:
        cmd.append("--profile")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    res = json.loads(lines[-1][7:])
    res["process_wall_s"] = wall
    res["stderr"] = [ln for ln in proc.stderr.splitlines() if "lamina" in ln][:5]
    return res


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--variant", default="coba", choices=("coba", "cuba"))
    p.add_argument("--n", type=int, default=4000, help="cells (default 4000)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cached", type=int, default=2, help="cached processes after the cold one")
    p.add_argument("--profile", action="store_true",
                   help="report numba compile time per function (cold process)")
    p.add_argument("--background", default="auto", choices=("auto", "0", "1"),
                   help="compile the step loop's callees in a helper process: auto (when "
                        "two cores are free), 0 never, 1 always")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        _worker(args.variant, args.n, args.threads, args.profile)
        return 0
    cache = tempfile.mkdtemp(prefix="lamina-cold-")
    try:
        cold = _run_worker(args, cache, args.profile)
        print(f"cold   : setup->first step {cold['setup_to_first_step_s']:6.2f} s "
              f"(build {cold['build_s']:.2f} s, first step {cold['first_step_s']:.2f} s, "
              f"import {cold['import_s']:.2f} s, process {cold['process_wall_s']:.1f} s, "
              f"CPU {cold['cpu_s']:.1f} s, setup->first step CPU "
              f"{cold['setup_to_first_step_cpu_s']:.1f} s, helper CPU "
              f"{cold['helper_cpu_s']:.1f} s)")
        for line in cold["stderr"]:
            print(f"         stderr: {line}")
        if args.profile:
            print(f"         numba compile total {cold['compile_total_s']:.2f} s; self time:")
            for name, s in list(cold["compile_self_s"].items())[:25]:
                print(f"           {s:7.2f} s  {name}")
        cached = []
        for _ in range(args.cached):
            r = _run_worker(args, cache, False)
            cached.append(r)
            print(f"cached : setup->first step {r['setup_to_first_step_s']:6.2f} s "
                  f"(build {r['build_s']:.2f} s, first step {r['first_step_s']:.2f} s, "
                  f"import {r['import_s']:.2f} s, CPU {r['cpu_s']:.1f} s)")
        summary = {"variant": args.variant, "n": args.n, "threads": args.threads,
                   "load_1min": os.getloadavg()[0], "cold_process_wall_s":
                   cold["process_wall_s"],
                   "cached_cpu_s": [r["cpu_s"] for r in cached],
                   "cold_first_step_s": cold["first_step_s"], "cold_cpu_s": cold["cpu_s"],
                   "cold_setup_to_first_step_cpu_s": cold["setup_to_first_step_cpu_s"],
                   "cold_helper_cpu_s": cold["helper_cpu_s"], "background": args.background,
                   "cold_setup_to_first_step_s": cold["setup_to_first_step_s"],
                   "cached_first_step_s": [r["first_step_s"] for r in cached],
                   "cached_setup_to_first_step_s": [r["setup_to_first_step_s"]
                                                    for r in cached]}
        print(json.dumps(summary))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
