"""The Vogels-Abbott COBA network (4,000 IF_cond_exp cells, 1 s) with each integration
scheme of the conductance-based cells (``sim.setup(integrator=...)``), against Brian 2
standalone: run time (wall and CPU), firing rate.

::

    python benchmarks/coba_integrators.py --repeats 3
    python benchmarks/coba_integrators.py --brian2-python /path/to/python --repeats 3

Every measurement is a fresh process; the configurations alternate (the order reversed
every repeat) and the table shows medians. lamina's processes first run a two-cell
network with the same scheme (`lamina.cli.warm_up_engine`), so compiling or loading the
kernels is not timed; "run CPU s" is the process CPU time of ``sim.run`` (one thread).
Brian 2 (C++ standalone, `brian2_networks.py`, compiled once by its first process): "run
s" from after connecting to after the run, "run CPU s" Brian 2's own ``std::clock()``
measurement of the run.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from workers import MARKER, launch_worker  # noqa: E402

SCHEMES = ("rkf45", "taylor", "rk4", "exponential_euler")


def _worker(args: argparse.Namespace) -> int:
    """One lamina measurement in this process."""
    import lamina as sim
    from lamina.cli import warm_up_engine

    import vogels_abbott as va
    plain_setup = sim.setup

    def setup(**kwargs: Any) -> Any:
        return plain_setup(integrator=args.worker, **kwargs)

    sim.setup = setup
    warm_up_engine(sim, 1, "IF_cond_exp")
    t0 = time.perf_counter()
    net = va.build(sim, "coba", args.size, args.seed)
    t1 = time.perf_counter()
    c1 = time.process_time()
    sim.run(args.duration)
    c2 = time.process_time()
    t2 = time.perf_counter()
    n_exc, n_inh, _ = va.sizes(args.size)
    spikes = sum(len(st) for pop in (net["exc"], net["inh"])
                 for st in pop.get_data("spikes").segments[-1].spiketrains)
    sim.end()
    result = {"build_s": t1 - t0, "run_s": t2 - t1, "run_cpu_s": c2 - c1,
              "rate": spikes / (args.size * args.duration / 1000.0)}
    print(MARKER + json.dumps(result), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--schemes", nargs="+", choices=SCHEMES, default=list(SCHEMES))
    parser.add_argument("--brian2-python", metavar="PYTHON")
    parser.add_argument("--brian2-project", metavar="DIR",
                        help="Brian 2 project directory to reuse (compiled once; default: "
                             "a new temporary one)")
    parser.add_argument("--worker", choices=SCHEMES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    common = ["--size", str(args.size), "--duration", repr(args.duration),
              "--seed", str(args.seed)]
    configs: list[tuple[str, list[str]]] = [
        (s, [sys.executable, os.path.abspath(__file__), "--worker", s, *common])
        for s in args.schemes]
    if args.brian2_python:
        project = args.brian2_project or tempfile.mkdtemp(prefix="lamina-brian2-coba-")
        cmd = [args.brian2_python, os.path.join(HERE, "brian2_networks.py"), "--network",
               "coba", "--size", str(args.size), "--duration", repr(args.duration),
               "--seed", str(args.seed), "--threads", "1", "--directory", project]
        if not os.path.exists(os.path.join(project, "main")):
            print("Brian 2: compiling the standalone project ...", flush=True)
            launch_worker(cmd, env, 1800.0)
        configs.append(("brian2", cmd))
    print(f"COBA {args.size} cells, {args.duration:g} ms, 1 thread; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in configs}
    for rep in range(args.repeats):
        for name, cmd in (configs if rep % 2 == 0 else configs[::-1]):
            r = launch_worker(cmd, env, 1800.0)
            if "error" in r:
                print(f"  {name}: FAILED {r['error']}", flush=True)
                continue
            if "brian2_run_time_s" in r:
                r["run_cpu_s"] = r["brian2_run_time_s"]
            results[name].append(r)
            print(f"  {name:18s} repeat {rep + 1}: run {r['run_s']:.3f} s, CPU "
                  f"{r['run_cpu_s']:.3f} s, rate {r['rate']:.2f} Hz (load "
                  f"{os.getloadavg()[0]:.1f})", flush=True)
    print("\n| scheme | run s (median) | run CPU s (median) | rate Hz |")
    print("|---|---|---|---|")
    for name, rs in results.items():
        if rs:
            med = {k: statistics.median(r[k] for r in rs) for k in ("run_s", "run_cpu_s",
                                                                   "rate")}
            print(f"| {name} | {med['run_s']:.3f} | {med['run_cpu_s']:.3f} | "
                  f"{med['rate']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
