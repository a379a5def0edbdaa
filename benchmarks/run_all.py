"""All benchmarks side by side: Vogels-Abbott COBA and CUBA and the Brunel (2000) network,
lamina's built-in engine against native NEST and (optionally) Brian 2, in one table.

::

    python benchmarks/run_all.py                        # full sizes, 1 thread, 3 repeats
    python benchmarks/run_all.py --quick                # small sizes: a smoke test
    python benchmarks/run_all.py --threads 1 2 --repeats 3 --json results.json
    python benchmarks/run_all.py --networks brunel --simulators lamina
    python benchmarks/run_all.py --scaling              # Brunel scaling curve, lamina only
    python benchmarks/run_all.py --brian2-python /work/venv-brian2/bin/python

Brian 2 (C++ standalone, `brian2_networks.py`) runs in its own Python environment, given
by ``--brian2-python`` or the environment variable ``LAMINA_BRIAN2_PYTHON``; without one
it is skipped. Each Brian 2 configuration (network, threads) gets one project directory:
its first process compiles the C++ code, later ones find it compiled; compile time is
not part of build s or run s and is reported on its own line.

Every measurement is one fresh Python process (``run_all.py --worker ...``); lamina and
NEST processes alternate, the order flipping every repeat; the table shows medians over
the repeats. All lamina processes share one fresh, empty numba cache (``--quick`` and
``--keep-numba-cache``: numba's normal cache). Every lamina process first runs a two-cell
network (`lamina.cli.warm_up_engine`), so that compiling the kernels (the very first
process, with an empty cache) or loading them from numba's disk cache (every later one,
with numba's own start-up) is timed on its own, "kernel_load_s", and reported on a separate
line, not in build s or run s.

Columns: build s (setup to connected network), run s (``run`` / ``Simulate``), peak RSS
MB (whole process), B/syn (growth of the resident memory from just before to just after
creating the connections, divided by the number of recurrent synapses), B/syn run (the
same growth measured after the run: it adds what is built lazily at the first run, e.g.
lamina's CSR arrays or NEST's presynaptic tables, and the run's working memory), B/syn pk
(the same growth to the peak resident memory of build and run, before the spikes are read
out where the network reports that), rate
(mean over all network cells, Hz), synapses (recurrent connections).
"""
from __future__ import annotations

import argparse
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
sys.path.insert(0, HERE)

from workers import MARKER, fmt as _fmt, launch_worker, nest_available, versions  # noqa: E402

SIMULATORS = ("lamina", "nest", "brian2")
LABEL = {"lamina": "lamina", "nest": "NEST", "brian2": "Brian2"}
BRIAN2_ENV = "LAMINA_BRIAN2_PYTHON"
NETWORKS = ("coba", "cuba", "brunel")
BRUNEL_FULL_N = 12_500

#: sizes: Vogels-Abbott cells, Brunel scale factor, durations [ms]
FULL = {"va_n": 4000, "va_duration": 1000.0, "brunel_scale": 1.0, "brunel_duration": 1000.0}
QUICK = {"va_n": 400, "va_duration": 200.0, "brunel_scale": 0.2, "brunel_duration": 100.0}
SCALING_N = (2_500, 10_000, 50_000, 100_000)


#: the model of each network: the warm-up compiles or loads the step loop for it
WARM_UP_CELLTYPE = {"coba": "IF_cond_exp", "cuba": "IF_curr_exp", "brunel": "IF_curr_alpha"}


# --- worker: one measurement in this process ---------------------------------------------
def _worker(args: argparse.Namespace) -> int:
    args.threads = args.threads[0]
    t0 = time.perf_counter()
    if args.worker == "lamina":
        import lamina as sim
        from lamina.cli import warm_up_engine
        import_s = time.perf_counter() - t0
        kernel_load_s = warm_up_engine(sim, args.threads, WARM_UP_CELLTYPE[args.network])
        if args.network == "brunel":
            import brunel
            result = brunel.build_and_run(sim, args.size, args.duration, args.seed,
                                          threads=args.threads)
        else:
            import vogels_abbott
            result = vogels_abbott.build_and_run(sim, args.network, int(args.size),
                                                 args.duration, args.seed,
                                                 threads=args.threads)
    else:
        import nest  # noqa: F401 - imported here to time it
        import_s = time.perf_counter() - t0
        if args.network == "brunel":
            import brunel_nest
            result = brunel_nest.build_and_run(args.size, args.duration, args.seed,
                                               threads=args.threads)
        else:
            import nest_native
            result = nest_native.build_and_run(args.network, int(args.size), args.duration,
                                               args.seed, threads=args.threads)
    if "rate" not in result:           # Vogels-Abbott: mean over all cells (80 % exc.)
        result["rate"] = 0.8 * result["rate_exc"] + 0.2 * result["rate_inh"]
    result["import_s"] = import_s
    if args.worker == "lamina":
        result["kernel_load_s"] = kernel_load_s
    sys.stdout.flush()
    print(MARKER + json.dumps(result), flush=True)
    return 0


def run_worker(simulator: str, network: str, size: float, duration: float, seed: int,
               threads: int, env: dict[str, str], timeout: float,
               brian2: Optional[tuple[str, str]] = None) -> dict[str, Any]:
    """One measurement in a fresh process; its result dict ('error' set if it failed).
    `brian2`: (interpreter, project directory) for simulator 'brian2'."""
    args = ["--network", network, "--size", repr(size), "--duration", repr(duration),
            "--seed", str(seed), "--threads", str(threads)]
    if simulator == "brian2":
        python, directory = brian2 or (None, None)
        cmd = [python, os.path.join(HERE, "brian2_networks.py"), *args,
               "--directory", directory]
    else:
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", simulator, *args]
    env = dict(env, NUMBA_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    return launch_worker(cmd, env, timeout)


def brian2_interpreter(given: Optional[str]) -> tuple[Optional[str], str]:
    """(interpreter, Brian 2 version) if `given` (or $LAMINA_BRIAN2_PYTHON) imports brian2,
    else (None, the reason why not)."""
    python = given or os.environ.get(BRIAN2_ENV)
    if not python:
        return None, (f"no Brian 2 interpreter given (--brian2-python PYTHON or "
                      f"${BRIAN2_ENV}; see benchmarks/README.md)")
    try:
        proc = subprocess.run([python, "-c", "import brian2; print(brian2.__version__)"],
                              capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"cannot run {python}: {exc}"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"{python} cannot import brian2 ({last})"
    return python, proc.stdout.strip()


# --- figures -------------------------------------------------------------------------------
def bytes_per_synapse(r: dict[str, Any], after: str = "rss_after_connect_mb") -> float:
    """Resident-memory growth from before connecting to `after`, per recurrent synapse."""
    try:
        return (r[after] - r["rss_before_connect_mb"]) * 1024.0 * 1024.0 / r["n_synapses"]
    except (KeyError, ZeroDivisionError, TypeError):
        return float("nan")


def _with_derived(r: dict[str, Any]) -> dict[str, Any]:
    if "error" not in r:
        r["bytes_per_synapse"] = bytes_per_synapse(r)
        r["bytes_per_synapse_run"] = bytes_per_synapse(r, "rss_after_run_mb")
        r["bytes_per_synapse_peak"] = bytes_per_synapse(
            r, "peak_rss_run_mb" if "peak_rss_run_mb" in r else "peak_rss_mb")
    return r


def _median(results: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in results if "error" not in r and key in r]
    return statistics.median(values) if values else float("nan")


def _ratio(a: float, b: float) -> float:
    return a / b if b and b == b and a == a else float("nan")


def network_label(network: str, sizes: dict[str, Any]) -> str:
    if network == "brunel":
        return f"Brunel {int(round(BRUNEL_FULL_N * sizes['brunel_scale']))}"
    return f"{network.upper()} {sizes['va_n']}"


KEYS = ("build_s", "run_s", "peak_rss_mb", "bytes_per_synapse", "bytes_per_synapse_run",
        "bytes_per_synapse_peak", "rate", "n_synapses", "import_s", "kernel_load_s")


def format_table(networks: list[str], simulators: list[str], threads: list[int],
                 results: dict[tuple[str, str, int], list[dict[str, Any]]],
                 sizes: dict[str, Any]) -> str:
    header = (f"{'network':<14} {'simulator':<13} {'thr':>3} {'build s':>9} {'run s':>9} "
              f"{'peak RSS MB':>11} {'B/syn':>7} {'B/syn run':>9} {'B/syn pk':>8} "
              f"{'rate Hz':>8} "
              f"{'synapses':>10}")
    lines = [header, "-" * len(header)]
    for network in networks:
        net = network_label(network, sizes)
        for thr in threads:
            med: dict[str, dict[str, float]] = {}
            for sim_name in simulators:
                rs = results.get((network, sim_name, thr), [])
                ok = [r for r in rs if "error" not in r]
                m = {k: _median(rs, k) for k in KEYS}
                med[sim_name] = m
                failed = f"  ({len(rs) - len(ok)} failed)" if len(ok) < len(rs) else ""
                syn = "-" if m["n_synapses"] != m["n_synapses"] else f"{int(m['n_synapses'])}"
                lines.append(
                    f"{net:<14} {LABEL[sim_name]:<13} {thr:>3} {_fmt(m['build_s']):>9} "
                    f"{_fmt(m['run_s']):>9} {_fmt(m['peak_rss_mb'], 0):>11} "
                    f"{_fmt(m['bytes_per_synapse'], 1):>7} "
                    f"{_fmt(m['bytes_per_synapse_run'], 1):>9} "
                    f"{_fmt(m['bytes_per_synapse_peak'], 1):>8} {_fmt(m['rate'], 2):>8} "
                    f"{syn:>10}{failed}")
            for other in ("nest", "brian2"):
                if "lamina" not in med or other not in med:
                    continue
                ratio = {k: _ratio(med[other][k], med["lamina"][k])
                         for k in ("build_s", "run_s", "peak_rss_mb", "bytes_per_synapse",
                                   "bytes_per_synapse_run", "bytes_per_synapse_peak")}
                name = f"{LABEL[other]}/lamina"
                lines.append(
                    f"{net:<14} {name:<13} {thr:>3} {_fmt(ratio['build_s'], 2):>9} "
                    f"{_fmt(ratio['run_s'], 2):>9} {_fmt(ratio['peak_rss_mb'], 2):>11} "
                    f"{_fmt(ratio['bytes_per_synapse'], 2):>7} "
                    f"{_fmt(ratio['bytes_per_synapse_run'], 2):>9} "
                    f"{_fmt(ratio['bytes_per_synapse_peak'], 2):>8}")
    lines.append("(medians over the repeats; NEST/lamina, Brian2/lamina > 1 means lamina is "
                 "faster / smaller; B/syn: RSS growth while connecting per recurrent synapse, "
                 "B/syn run: RSS growth from before connecting to after the run per synapse; "
                 "B/syn pk: the same to the peak RSS; "
                 "Brian2: build excludes the C++ compilation, peak RSS = simulation binary + "
                 "the Python process waiting for it, B/syn from the binary)")
    return "\n".join(lines)


def format_cross(networks: list[str], threads: list[int],
                 results: dict[tuple[str, str, int], list[dict[str, Any]]],
                 sizes: dict[str, Any]) -> str:
    """lamina (fewest threads) against NEST and Brian 2 at the most threads, and each
    simulator's speed-up from its fewest to its most threads."""
    lines = []
    if len(threads) < 2:
        return ""
    t_lo, t_hi = min(threads), max(threads)
    for network in networks:
        net = network_label(network, sizes)
        run = {sim: {t: _median(results.get((network, sim, t), []), "run_s")
                     for t in threads} for sim in SIMULATORS}
        lam = run["lamina"]
        for other in ("nest", "brian2"):
            if lam[t_lo] == lam[t_lo] and run[other][t_hi] == run[other][t_hi]:
                lines.append(f"{net}: lamina run ({t_lo} thr) / {LABEL[other]} run ({t_hi} "
                             f"thr) = {_fmt(_ratio(lam[t_lo], run[other][t_hi]), 3)}")
        for name, d in ((LABEL[sim], run[sim]) for sim in SIMULATORS):
            if d[t_lo] == d[t_lo] and d[t_hi] == d[t_hi]:
                lines.append(f"{net}: {name} run speed-up {t_lo} -> {t_hi} threads = "
                             f"{_fmt(_ratio(d[t_lo], d[t_hi]), 2)}")
    return "\n".join(lines)


def format_jit(networks: list[str], first: dict[str, dict[str, Any]],
               results: dict[tuple[str, str, int], list[dict[str, Any]]], thr: int,
               sizes: dict[str, Any], cold: bool = True) -> str:
    cache = "empty numba cache" if cold else "numba's normal cache, may be warm"
    lines = []
    for network in networks:
        f = first.get(network)
        if not f or "error" in f:
            continue
        later = results.get((network, "lamina", thr), [])
        load = _median(later, "kernel_load_s")
        lines.append(
            f"lamina {network_label(network, sizes)}: engine kernels compiled in "
            f"{f.get('kernel_load_s', float('nan')):.2f} s by the first process ({cache}), "
            f"loaded from numba's disk cache in {_fmt(load, 2)} s by later processes "
            "(numba's start-up included; not part of build s / run s)")
    return "\n".join(lines)


def format_brian2(networks: list[str], threads: list[int],
                  results: dict[tuple[str, str, int], list[dict[str, Any]]],
                  sizes: dict[str, Any]) -> str:
    """Brian 2's phases: C++ compile (first process of a configuration: empty project
    directory), code generation, synapse creation, and its own run-time figure."""
    lines = []
    for network in networks:
        for thr in threads:
            rs = [r for r in results.get((network, "brian2", thr), []) if "error" not in r]
            if not rs:
                continue
            later = rs[1:]
            lines.append(
                f"Brian2 {network_label(network, sizes)} {thr} thr: C++ compile "
                f"{rs[0]['compile_s']:.1f} s (first process), "
                f"{_fmt(_median(later, 'compile_s'), 2)} s (later); median: import "
                f"{_fmt(_median(rs, 'import_s'), 2)} s, objects "
                f"{_fmt(_median(rs, 'construct_s'), 2)} s, code generation "
                f"{_fmt(_median(rs, 'codegen_s'), 2)} s, connect "
                f"{_fmt(_median(rs, 'connect_s'), 2)} s, run {_fmt(_median(rs, 'run_s'), 3)} s "
                f"(Brian 2's own, CPU: {_fmt(_median(rs, 'brian2_run_time_s'), 3)} s), "
                f"binary peak {_fmt(_median(rs, 'binary_peak_rss_mb'), 0)} MB + Python "
                f"{_fmt(_median(rs, 'python_rss_mb'), 0)} MB")
    return "\n".join(lines)


# --- scaling curve -------------------------------------------------------------------------
def _mem_available_mb() -> float:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("inf")


def estimated_peak_mb(n_cells: int) -> float:
    """Rough peak memory of one lamina Brunel process [MB] (from the measurements of
    2026-11-22: ~14 B per synapse after the run, ~20 B at the peak while the CSR is
    built, plus ~300 MB of imports and kernels)."""
    return 300.0 + 20.0 * n_cells * 1250 / 2**20


def run_scaling(args: argparse.Namespace, env: dict[str, str]) -> int:
    sizes_n = args.scaling_sizes or ([1_250, 2_500] if args.quick else list(SCALING_N))
    duration = args.duration or (100.0 if args.quick else 1000.0)
    thr = args.threads[0]
    print(f"Brunel scaling curve (lamina only): N = {', '.join(map(str, sizes_n))} cells, "
          f"in-degree 1000 + 250, {duration:g} ms, {thr} thread(s), {args.repeats} "
          f"repeat(s)")
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs; {versions()}")
    sys.stdout.flush()
    rows: list[tuple[int, list[dict[str, Any]]]] = []
    failures = 0
    # compile once (not timed)
    run_worker("lamina", "brunel", 0.2, 10.0, args.seed, thr, env, args.timeout)
    for n in sizes_n:
        need, avail = estimated_peak_mb(n), _mem_available_mb()
        if need > 0.8 * avail:
            print(f"  N = {n}: skipped, needs ~{need:.0f} MB, {avail:.0f} MB available",
                  flush=True)
            continue
        rs = []
        for rep in range(args.repeats):
            print(f"  N = {n} repeat {rep + 1} ...", end="", flush=True)
            r = _with_derived(run_worker("lamina", "brunel", n / BRUNEL_FULL_N, duration,
                                         args.seed, thr, env, args.timeout))
            if "error" in r:
                failures += 1
                print(f" FAILED ({r['error']})", flush=True)
            else:
                print(f" build {r['build_s']:.2f} s, run {r['run_s']:.2f} s, "
                      f"peak {r['peak_rss_mb']:.0f} MB, rate {r['rate']:.1f} Hz", flush=True)
            rs.append(r)
        rows.append((n, rs))
    print()
    header = (f"{'N':>7} {'synapses':>11} {'build s':>8} {'run s':>8} {'peak RSS MB':>11} "
              f"{'B/syn':>6} {'B/syn run':>9} {'build ns/syn':>12} {'run ns/syn/s':>12} "
              f"{'rate Hz':>7}")
    lines = [header, "-" * len(header)]
    for n, rs in rows:
        m = {k: _median(rs, k) for k in KEYS}
        syn = m["n_synapses"]
        lines.append(
            f"{n:>7} {_fmt(syn, 0):>11} {_fmt(m['build_s'], 2):>8} {_fmt(m['run_s'], 2):>8} "
            f"{_fmt(m['peak_rss_mb'], 0):>11} {_fmt(m['bytes_per_synapse'], 1):>6} "
            f"{_fmt(m['bytes_per_synapse_run'], 1):>9} "
            f"{_fmt(1e9 * _ratio(m['build_s'], syn), 1):>12} "
            f"{_fmt(1e9 * _ratio(m['run_s'], syn * duration / 1000.0), 1):>12} "
            f"{_fmt(m['rate'], 2):>7}")
    lines.append("(run ns/syn/s: run time per synapse per simulated second)")
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"scaling": {str(n): rs for n, rs in rows}, "duration": duration,
                       "threads": thr}, f, indent=2)
    return 1 if failures else 0


# --- main ----------------------------------------------------------------------------------
def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="COBA, CUBA and Brunel benchmarks: lamina's engine vs native NEST.")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (VA 400 cells, Brunel 2500 cells, 100 ms)")
    parser.add_argument("--networks", nargs="+", choices=NETWORKS, default=list(NETWORKS))
    parser.add_argument("--simulators", nargs="+", choices=SIMULATORS,
                        default=list(SIMULATORS))
    parser.add_argument("--threads", nargs="+", type=int, default=[1],
                        help="thread counts to measure, e.g. --threads 1 2 (default 1)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--va-n", type=int, help="Vogels-Abbott cells (default 4000)")
    parser.add_argument("--brunel-scale", type=float,
                        help="Brunel size relative to 12,500 cells (default 1)")
    parser.add_argument("--duration", type=float,
                        help="simulated time of every network [ms] (default 1000)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds allowed per process (default 1800)")
    parser.add_argument("--keep-numba-cache", action="store_true",
                        help="use numba's normal cache and skip the JIT-compile process "
                             "(--quick also uses the normal cache but keeps that process)")
    parser.add_argument("--cold-cache", action="store_true",
                        help="with --quick: still start from an empty numba cache")
    parser.add_argument("--lamina-threads", nargs="+", type=int,
                        help="thread counts at which lamina is measured (default: those of "
                             "--threads)")
    parser.add_argument("--brunel-repeats", type=int,
                        help="repeats of the Brunel network (default: --repeats)")
    parser.add_argument("--scaling", action="store_true",
                        help="Brunel scaling curve, lamina only")
    parser.add_argument("--scaling-sizes", nargs="+", type=int,
                        help="cell counts of the scaling curve (default 2500 10000 50000 "
                             "100000; sizes that would not fit in memory are skipped)")
    parser.add_argument("--brian2-python", metavar="PYTHON",
                        help=f"Python interpreter with brian2 installed (default "
                             f"${BRIAN2_ENV}); without one Brian 2 is skipped")
    parser.add_argument("--json", metavar="FILE", help="also write all results to FILE")
    parser.add_argument("--worker", choices=("lamina", "nest"), help=argparse.SUPPRESS)
    parser.add_argument("--network", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        return _worker(args)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([REPO, HERE] + [p for p in [env.get("PYTHONPATH")]
                                                        if p])
    env["PYTHONWARNINGS"] = "ignore"
    env["PYNEST_QUIET"] = "1"
    if args.scaling:
        return run_scaling(args, env)

    sizes = dict(QUICK if args.quick else FULL)
    if args.va_n:
        sizes["va_n"] = args.va_n
    if args.brunel_scale:
        sizes["brunel_scale"] = args.brunel_scale
    if args.duration:
        sizes["va_duration"] = sizes["brunel_duration"] = args.duration
    simulators = [s for s in SIMULATORS if s in args.simulators]
    threads = sorted(set(args.threads))
    skipped = {}
    if "nest" in simulators:
        reason = nest_available()
        if reason:
            skipped["nest"] = reason
            simulators.remove("nest")
    brian2_python, brian2_version = None, ""
    if "brian2" in simulators:
        brian2_python, info = brian2_interpreter(args.brian2_python)
        if brian2_python:
            brian2_version = f", brian2 {info} ({brian2_python})"
        else:
            skipped["brian2"] = info
            simulators.remove("brian2")
    networks = [n for n in NETWORKS if n in args.networks]

    print(f"Benchmarks: {', '.join(network_label(n, sizes) for n in networks)} cells; "
          f"Vogels-Abbott {sizes['va_duration']:g} ms, Brunel {sizes['brunel_duration']:g} ms, "
          f"dt 0.1 ms; threads {', '.join(map(str, threads))}; {args.repeats} repeat(s)")
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs; {versions()}{brian2_version}")
    for sim_name, reason in skipped.items():
        print(f"skipping {LABEL[sim_name]}: {reason}")
    sys.stdout.flush()

    results: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    first: dict[str, dict[str, Any]] = {}
    failures = 0
    keep_cache = args.keep_numba_cache or (args.quick and not args.cold_cache)
    cache_root = None if keep_cache else tempfile.mkdtemp(prefix="lamina-bench-")
    if cache_root:       # one empty numba cache, shared by all networks
        env["NUMBA_CACHE_DIR"] = cache_root
    # one Brian 2 project directory per network and thread count
    brian2_root = tempfile.mkdtemp(prefix="lamina-brian2-") if brian2_python else None
    lamina_threads = sorted(set(args.lamina_threads or threads))
    try:
        for network in networks:
            if network == "brunel":
                size, duration = sizes["brunel_scale"], sizes["brunel_duration"]
            else:
                size, duration = sizes["va_n"], sizes["va_duration"]
            label = network_label(network, sizes)

            def measure(sim_name: str, thr: int, tag: str) -> dict[str, Any]:
                nonlocal failures
                print(f"  {label} {LABEL[sim_name]:6s} {thr} thr {tag} ...", end="",
                      flush=True)
                project = (os.path.join(brian2_root, f"{network}-{thr}thr")
                           if brian2_root else "")
                r = _with_derived(run_worker(sim_name, network, size, duration, args.seed,
                                             thr, env, args.timeout,
                                             brian2=(brian2_python, project)))
                if "error" in r:
                    failures += 1
                    print(f" FAILED ({r['error']})", flush=True)
                else:
                    compiled = (f", compile {r['compile_s']:.1f} s" if "compile_s" in r
                                else "")
                    print(f" build {r['build_s']:.3f} s, run {r['run_s']:.3f} s, "
                          f"rate {r['rate']:.2f} Hz, peak {r['peak_rss_mb']:.0f} MB"
                          f"{compiled}", flush=True)
                return r

            if "lamina" in simulators and not first and not args.keep_numba_cache:
                # the first network only; not with --keep-numba-cache (nothing to compile)
                first[network] = measure("lamina", lamina_threads[0],
                                         "first process (JIT compile)")
            repeats = (args.brunel_repeats or args.repeats) if network == "brunel" \
                else args.repeats
            for rep in range(repeats):
                for i, thr in enumerate(threads):
                    order = simulators if (rep + i) % 2 == 0 else simulators[::-1]
                    for sim_name in order:
                        if sim_name == "lamina" and thr not in lamina_threads:
                            continue
                        results.setdefault((network, sim_name, thr), []).append(
                            measure(sim_name, thr, f"repeat {rep + 1}"))
    finally:
        for root in (cache_root, brian2_root):
            if root:
                shutil.rmtree(root, ignore_errors=True)

    print()
    print(format_table(networks, simulators, threads, results, sizes))
    for text in (format_cross(networks, threads, results, sizes),
                 format_jit(networks, first, results, lamina_threads[0], sizes,
                            cold=not keep_cache),
                 format_brian2(networks, threads, results, sizes)):
        if text:
            print()
            print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sizes": sizes, "threads": threads, "repeats": args.repeats,
                       "first_lamina_process": first,
                       "results": {f"{n}/{s}/{t}": r for (n, s, t), r in results.items()}},
                      f, indent=2)
        print(f"\nresults written to {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
