"""Run PyNN 0.13's example scripts on one of lamina's backends and print a table.

Each script runs unchanged as ``lamina run SCRIPT SIMULATOR [ARGS]`` (the engine:
``lamina run SCRIPT nest [ARGS] --backend engine``) in a fresh process whose
working folder is a temporary directory (the scripts write ``Results/...`` files there,
never into the repository), with a time limit; the table gives per script ``ok``,
``error`` (the last line of the error) or ``timeout``, and the CPU seconds.

PyNN's examples are not part of lamina: get them from PyNN's source distribution, e.g.
``pip download PyNN==0.13.0 --no-binary :all: --no-deps`` and unpack it.

Usage: ``python benchmarks/pynn_examples.py PATH/TO/pynn-0.13.0/examples
[--backend engine|nest|neuron|brian2] [--timeout S] [--only NAME ...]``
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: scripts that are not point-neuron PyNN examples runnable on one process: NineML models,
#: NEURON's own cells and internals, the Connection Set Algebra, MPI
SKIP = {"nineml_brunel": "NineML", "nineml_neuron": "NineML",
        "nrn_artificial_cell": "NEURON's own cells (lamina.neuron only)",
        "HH_cond_exp2": "pyNN.neuron internals",
        "simpleRandomNetwork_csa": "CSA", "distrib_example": "MPI (mpiexec)"}
#: the runs of scripts that need arguments after the simulator name (one run per entry)
ARGS = {"VAbenchmarks": [["CUBA"], ["COBA"]]}


def run_one(path: str, extra: list[str], timeout: float,
            backend: str = "brian2") -> tuple[str, float, str]:
    """(status, CPU seconds of the child, detail) of one script run on `backend` with
    `extra` arguments."""
    name = os.path.splitext(os.path.basename(path))[0]
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "MPLBACKEND": "Agg"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix=f"lamina-example-{name}-") as cwd:
        os.mkdir(os.path.join(cwd, "Results"))     # some scripts write there without making it
        sim = ["nest", *extra, "--backend", "engine"] if backend == "engine" else [backend, *extra]
        cmd = [sys.executable, "-m", "lamina", "run", path, *sim]
        try:
            out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                                 timeout=timeout)
            status = "ok" if out.returncode == 0 else "error"
            lines = [ln for ln in out.stderr.strip().splitlines() if ln.strip()]
            detail = lines[-1][:160] if status == "error" and lines else ""
        except subprocess.TimeoutExpired:
            status, detail = "timeout", f"over {timeout:.0f} s"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return status, cpu, detail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("examples", help="PyNN's examples folder")
    parser.add_argument("--backend", default="brian2",
                        choices=["engine", "nest", "neuron", "brian2"])
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    names = sorted(f[:-3] for f in os.listdir(args.examples) if f.endswith(".py"))
    for name in names:
        if args.only and name not in args.only:
            continue
        if name in SKIP and not (name == "nrn_artificial_cell" and args.backend == "neuron"):
            print(f"{name:40s} skipped  {SKIP[name]}", flush=True)
            continue
        for extra in ARGS.get(name, [[]]):
            t0 = time.perf_counter()
            status, cpu, detail = run_one(os.path.join(args.examples, f"{name}.py"), extra,
                                          args.timeout, args.backend)
            label = " ".join([name, *extra])
            print(f"{label:40s} {status:8s} cpu {cpu:6.1f} s wall "
                  f"{time.perf_counter() - t0:6.1f} s  {detail}", flush=True)


if __name__ == "__main__":
    main()
