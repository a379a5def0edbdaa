"""Benchmark lamina's built-in engine against native NEST on the Vogels-Abbott network.

::

    python benchmarks/run.py                      # COBA and CUBA, 4000 cells, 1000 ms, 3 repeats
    python benchmarks/run.py --quick              # 400 cells, 200 ms: a smoke test (~1 min)
    python benchmarks/run.py --variants coba --repeats 5 --threads 2 --json results.json

Every measurement runs in a fresh Python process, so numba's JIT compilation, memory use
and NEST's kernel state do not leak from one measurement into the next; lamina and NEST
runs are interleaved (alternating which goes first) so that slow drifts of the machine
affect both alike. Reported figures are medians over the repeats.

numba caches compiled code on disk. The lamina processes of each network share a fresh,
empty cache directory (``NUMBA_CACHE_DIR``); the first lamina process of each network
therefore compiles (what a user sees the very first time) and is reported on its own as
"first process" — it is not part of the medians. The difference between it and the median
of the later processes estimates the JIT compile time.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MARKER = "BENCHMARK-RESULT "
SIMULATORS = ("lamina", "nest")
LABEL = {"lamina": "lamina", "nest": "NEST"}


# --- worker: one measurement in this process -------------------------------------------
def _worker(args: argparse.Namespace) -> int:
    sys.path.insert(0, HERE)
    t0 = time.perf_counter()
    if args.worker == "lamina":
        import lamina as sim
        import vogels_abbott
        import_s = time.perf_counter() - t0
        result = vogels_abbott.build_and_run(sim, args.variant, args.n, args.duration,
                                             args.seed, threads=args.threads)
    else:
        import nest  # noqa: F401 - imported here to time it
        import nest_native
        import_s = time.perf_counter() - t0
        result = nest_native.build_and_run(args.variant, args.n, args.duration, args.seed,
                                           threads=args.threads)
    result["import_s"] = import_s
    sys.stdout.flush()
    print(MARKER + json.dumps(result), flush=True)
    return 0


def run_worker(simulator: str, variant: str, n: int, duration: float, seed: int,
               threads: int, env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run one measurement in a fresh process; return its result dict (with 'error' set
    if it failed)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", simulator,
           "--variant", variant, "--n", str(n), "--duration", str(duration),
           "--seed", str(seed), "--threads", str(threads)]
    return launch_worker(cmd, env, timeout)


def launch_worker(cmd: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run a worker command; return the JSON result it printed after `MARKER` (with the
    process wall time as 'process_s'), or a dict with 'error'."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    wall = time.perf_counter() - t0
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            result = json.loads(line[len(MARKER):])
            result["process_s"] = wall
            return result
    tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-15:]
    return {"error": f"exit status {proc.returncode}:\n    " + "\n    ".join(tail)}


# --- orchestration -----------------------------------------------------------------------
def _nest_available() -> Optional[str]:
    """None if NEST can be imported, else the reason why not."""
    if importlib.util.find_spec("nest") is None:
        return "the nest module is not installed (pip install lamina[nest])"
    return None


def _median(results: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in results if "error" not in r]
    return statistics.median(values) if values else float("nan")


def _fmt(x: float, digits: int = 3) -> str:
    return "-" if x != x else f"{x:.{digits}f}"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Vogels-Abbott benchmark: lamina's built-in engine vs native NEST.")
    parser.add_argument("--quick", action="store_true",
                        help="small network (400 cells, 200 ms) for a fast smoke test")
    parser.add_argument("--variants", nargs="+", choices=("coba", "cuba"),
                        default=["coba", "cuba"], help="networks to run (default: both)")
    parser.add_argument("--simulators", nargs="+", choices=SIMULATORS, default=list(SIMULATORS),
                        help="simulators to run (default: both)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="measurements per simulator and network (default: 3)")
    parser.add_argument("--threads", type=int, default=1, help="threads per simulator")
    parser.add_argument("--n", type=int, default=None, help="number of cells (default 4000)")
    parser.add_argument("--duration", type=float, default=None,
                        help="simulated time [ms] (default 1000)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds allowed per process (default 1800)")
    parser.add_argument("--keep-numba-cache", action="store_true",
                        help="use numba's normal cache instead of a fresh one, so no lamina "
                             "process compiles if an earlier run cached the code")
    parser.add_argument("--json", metavar="FILE", help="also write all results to FILE")
    parser.add_argument("--worker", choices=SIMULATORS, help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        return _worker(args)

    n = args.n or (400 if args.quick else 4000)
    duration = args.duration or (200.0 if args.quick else 1000.0)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    simulators = [s for s in SIMULATORS if s in args.simulators]
    skipped: dict[str, str] = {}
    if "nest" in simulators:
        reason = _nest_available()
        if reason:
            skipped["nest"] = reason
            simulators.remove("nest")

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([REPO] + [p for p in [env.get("PYTHONPATH")] if p])
    env["NUMBA_NUM_THREADS"] = str(args.threads)
    env["OMP_NUM_THREADS"] = str(args.threads)
    env["PYTHONWARNINGS"] = "ignore"
    cache_root = None if args.keep_numba_cache else tempfile.mkdtemp(prefix="lamina-bench-")

    print(f"Vogels-Abbott benchmark: {n} cells, {duration:g} ms, dt 0.1 ms, "
          f"{args.threads} thread(s), {args.repeats} repeat(s)")
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs; {_versions()}")
    for sim_name, reason in skipped.items():
        print(f"skipping {LABEL[sim_name]}: {reason}")
    sys.stdout.flush()

    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    first: dict[str, dict[str, Any]] = {}
    failures = 0
    try:
        for variant in args.variants:
            if cache_root:       # an empty numba cache for each network
                env["NUMBA_CACHE_DIR"] = os.path.join(cache_root, variant)

            def measure(sim_name: str, tag: str) -> dict[str, Any]:
                nonlocal failures
                print(f"  {variant.upper()} {LABEL[sim_name]:6s} {tag} ...", end="", flush=True)
                r = run_worker(sim_name, variant, n, duration, args.seed, args.threads,
                               env, args.timeout)
                if "error" in r:
                    failures += 1
                    print(f" FAILED ({r['error']})", flush=True)
                else:
                    print(f" build {r['build_s']:.3f} s, run {r['run_s']:.3f} s, "
                          f"rates {r['rate_exc']:.1f}/{r['rate_inh']:.1f} Hz", flush=True)
                return r

            if "lamina" in simulators:
                first[variant] = measure("lamina", "first process (JIT compile)")
            for rep in range(args.repeats):
                order = simulators if rep % 2 == 0 else simulators[::-1]
                for sim_name in order:
                    results.setdefault((variant, sim_name), []).append(
                        measure(sim_name, f"repeat {rep + 1}"))
    finally:
        if cache_root:
            shutil.rmtree(cache_root, ignore_errors=True)

    print()
    print(format_table(args.variants, simulators, results, n))
    jit = format_jit(args.variants, first, results)
    if jit:
        print()
        print(jit)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"n": n, "duration": duration, "threads": args.threads,
                       "repeats": args.repeats, "first_lamina_process": first,
                       "results": {f"{v}/{s}": r for (v, s), r in results.items()}},
                      f, indent=2)
        print(f"\nresults written to {args.json}")
    return 1 if failures else 0


def format_table(variants: list[str], simulators: list[str],
                 results: dict[tuple[str, str], list[dict[str, Any]]], n: int) -> str:
    header = (f"{'network':<12} {'simulator':<12} {'build s':>9} {'run s':>9} "
              f"{'peak RSS MB':>12} {'exc Hz':>8} {'inh Hz':>8} {'synapses':>10}")
    lines = [header, "-" * len(header)]
    for variant in variants:
        net = f"{variant.upper()} {n}"
        med: dict[str, dict[str, float]] = {}
        for sim_name in simulators:
            rs = results.get((variant, sim_name), [])
            ok = [r for r in rs if "error" not in r]
            m = {k: _median(rs, k) for k in ("build_s", "run_s", "peak_rss_mb", "rate_exc",
                                               "rate_inh", "n_synapses")}
            med[sim_name] = m
            failed = f"  ({len(rs) - len(ok)} failed)" if len(ok) < len(rs) else ""
            syn = "-" if m["n_synapses"] != m["n_synapses"] else f"{int(m['n_synapses'])}"
            lines.append(f"{net:<12} {LABEL[sim_name]:<12} {_fmt(m['build_s']):>9} "
                         f"{_fmt(m['run_s']):>9} {_fmt(m['peak_rss_mb'], 0):>12} "
                         f"{_fmt(m['rate_exc'], 2):>8} {_fmt(m['rate_inh'], 2):>8} "
                         f"{syn:>10}{failed}")
        if "lamina" in med and "nest" in med:
            ratio = {k: med["nest"][k] / med["lamina"][k]
                     if med["lamina"][k] and med["lamina"][k] == med["lamina"][k]
                     else float("nan") for k in ("build_s", "run_s", "peak_rss_mb")}
            lines.append(f"{net:<12} {'NEST/lamina':<12} {_fmt(ratio['build_s'], 2):>9} "
                         f"{_fmt(ratio['run_s'], 2):>9} {_fmt(ratio['peak_rss_mb'], 2):>12}")
    lines.append("(medians over the repeats; NEST/lamina > 1 means lamina is faster / smaller)")
    return "\n".join(lines)


def format_jit(variants: list[str], first: dict[str, dict[str, Any]],
               results: dict[tuple[str, str], list[dict[str, Any]]]) -> str:
    lines = []
    for variant in variants:
        f = first.get(variant)
        if not f or "error" in f:
            continue
        later = results.get((variant, "lamina"), [])
        b, r, imp = (_median(later, k) for k in ("build_s", "run_s", "import_s"))
        total_first = f["import_s"] + f["build_s"] + f["run_s"]
        total_later = imp + b + r
        lines.append(
            f"lamina {variant.upper()} first process (empty numba cache): import "
            f"{f['import_s']:.2f} s, build {f['build_s']:.2f} s, run {f['run_s']:.2f} s; later "
            f"processes: import {_fmt(imp, 2)} s, build {_fmt(b, 2)} s, run {_fmt(r, 2)} s "
            f"=> JIT compile ~ {_fmt(total_first - total_later, 2)} s")
    return "\n".join(lines)


def _versions() -> str:
    parts = []
    for mod in ("numpy", "numba"):
        try:
            parts.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            pass
    try:
        from importlib.metadata import version
        parts.append(f"nest-simulator {version('nest-simulator')}")
    except Exception:  # noqa: BLE001 - informational only
        pass
    return ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
