"""Build time per MPI rank for Brunel-like connectivity: does each rank pay only for its
own part of the network (issue 15)?

Network: ``--cells`` IF_curr_alpha cells, 80 % excitatory, 20 % inhibitory, four
projections exc/inh -> exc/inh (Brunel's: in-degree 10 % of each presynaptic
population, no autapses), built with a parallel-safe ``NumpyRNG`` by

* ``fixed_number``: ``FixedNumberPreConnector`` (Brunel's fixed in-degree), or
* ``fixed_probability``: ``FixedProbabilityConnector(0.1)`` (same mean in-degree),
* ``all_to_all``: ``AllToAllConnector`` from the first 10 % of each presynaptic
  population (a view) to all,
* ``fixed_number_post``: ``FixedNumberPostConnector`` (out-degree 10 % of the post),
* ``distance``: ``DistanceDependentProbabilityConnector("exp(-d/100)")``, both
  populations at random in a 1 mm x 1 mm square,
* ``from_list``: ``FromListConnector`` with a weight column (10 % of the pairs, drawn
  before the timed part),
* ``array``: ``ArrayConnector`` (a 10 % random boolean matrix, made before the timed part),

with constant weights and delays (``--random-weights``: weights from a
``RandomDistribution``, whose draws every rank makes for all connections, so that the
values do not depend on the number of ranks).

Each rank times its four ``Projection(...)`` calls (wall and CPU seconds; after a
warm-up projection that loads the compiled kernels from numba's cache) and the first
``run(1.0)`` after them (the engine assembles its synapse store there), and reports its
local connections and resident memory. With every rank drawing only the connections onto
its own cells, the connect time per rank at 2 ranks is half that at 1 (on a machine with
2 free cores). Configurations are run interleaved, ``--repeats`` times, in fresh
processes; medians are printed.

Usage::

    python benchmarks/mpi_build.py --cells 12500 --repeats 3
    python benchmarks/mpi_build.py --connector fixed_probability --ranks 1 2 3
    (the driver launches ``mpiexec -n R python benchmarks/mpi_build.py --worker ...``)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CONNECTORS = ("fixed_number", "fixed_probability")
#: the connectors drawn in full on every rank before session 9 (``--connector other``)
OTHER = ("all_to_all", "fixed_number_post", "distance", "from_list", "array")


def worker(cells: int, connector: str, random_weights: bool, out: str) -> None:
    """One build under mpiexec; every rank writes ``<out>/rank<r>.json`` (the launcher
    may interleave the ranks' standard output within a line)."""
    import lamina as sim
    from lamina.core import simulation
    sim.setup(timestep=0.1, min_delay=1.5, max_delay=1.5)
    comm = simulation.current().distribution.comm
    n_exc = cells * 4 // 5
    n_inh = cells - n_exc
    celltype = sim.IF_curr_alpha(tau_m=20.0, v_thresh=-50.0, v_reset=-60.0, v_rest=-70.0)
    grid = sim.space.RandomStructure(sim.space.Cuboid(1000.0, 1000.0, 1.0),
                                    rng=sim.NumpyRNG(seed=3)) if connector == "distance" else None
    exc = sim.Population(n_exc, celltype, label="exc", structure=grid)
    inh = sim.Population(n_inh, celltype, label="inh", structure=grid)
    # warm-up: load the compiled kernels (numba's disk cache) outside the timed part
    tiny = sim.Population(20, celltype, label="warm-up")
    for warm in (sim.FixedNumberPreConnector(2, rng=sim.NumpyRNG(seed=1)),
                 sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(seed=1))):
        sim.Projection(tiny, tiny, warm, sim.StaticSynapse(weight=0.1, delay=1.5))
    rng = sim.NumpyRNG(seed=12345)
    given = {}
    import numpy as np
    gen = np.random.default_rng(7)
    for pre in (exc, inh):
        for post in (exc, inh):
            if connector == "from_list":
                n = pre.size * post.size // 10
                given[pre.label, post.label] = np.column_stack((
                    gen.integers(0, pre.size, n), gen.integers(0, post.size, n),
                    gen.uniform(0.05, 0.1, n)))
            elif connector == "array":
                given[pre.label, post.label] = gen.random((pre.size, post.size)) < 0.1
    weight_rng = sim.NumpyRNG(seed=54321)
    if comm is not None:
        comm.Barrier()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    projections = []
    for pre, receptor, w in ((exc, "excitatory", 0.1), (inh, "inhibitory", -0.5)):
        for post in (exc, inh):
            if connector == "fixed_number":
                conn = sim.FixedNumberPreConnector(pre.size // 10, allow_self_connections=False,
                                                   rng=rng)
            elif connector == "fixed_probability":
                conn = sim.FixedProbabilityConnector(0.1, allow_self_connections=False, rng=rng)
            elif connector == "all_to_all":
                conn = sim.AllToAllConnector()
                pre = pre[:pre.size // 10]
            elif connector == "fixed_number_post":
                conn = sim.FixedNumberPostConnector(post.size // 10,
                                                    allow_self_connections=False, rng=rng)
            elif connector == "distance":
                conn = sim.DistanceDependentProbabilityConnector(
                    "exp(-d/100.0)", allow_self_connections=False, rng=rng)
            elif connector == "from_list":
                conn = sim.FromListConnector(given[pre.label, post.label]
                                             * np.array([1.0, 1.0, np.sign(w)]))
            else:
                conn = sim.ArrayConnector(given[pre.label, post.label])
            weight = (sim.RandomDistribution("uniform", (0.5 * w, 1.5 * w) if w > 0
                                             else (1.5 * w, 0.5 * w), rng=weight_rng)
                      if random_weights else w)
            projections.append(sim.Projection(pre, post, conn,
                                              sim.StaticSynapse(weight=weight, delay=1.5),
                                              receptor_type=receptor))
    wall1, cpu1 = time.perf_counter(), time.process_time()
    rss_connected = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    sim.run(1.0)
    wall2, cpu2 = time.perf_counter(), time.process_time()
    local = sum(len(p) for p in projections)
    total = sum(p.size() for p in projections)
    with open(os.path.join(out, f"rank{sim.rank()}.json"), "w") as fh:
        fh.write(json.dumps({
        "rank": sim.rank(), "ranks": sim.num_processes(), "cells": cells,
        "connector": connector, "connect_wall_s": wall1 - wall0, "connect_cpu_s": cpu1 - cpu0,
        "first_run_wall_s": wall2 - wall1, "first_run_cpu_s": cpu2 - cpu1,
        "local_connections": local, "connections": total,
        "max_rss_mb": rss_connected}))
    sim.end()


def launch(ranks: int, cells: int, connector: str, random_weights: bool) -> list[dict]:
    """Run one build in `ranks` processes; the JSON line of each rank, in rank order."""
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    with tempfile.TemporaryDirectory() as out:
        cmd = [mpiexec, "-n", str(ranks), sys.executable, os.path.abspath(__file__),
               "--worker", "--out", out, "--cells", str(cells), "--connector", connector]
        if random_weights:
            cmd.append("--random-weights")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
        lines = []
        for rank in range(ranks):
            with open(os.path.join(out, f"rank{rank}.json")) as fh:
                lines.append(json.load(fh))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--cells", type=int, default=12_500)
    parser.add_argument("--connector", nargs="+", default=["both"],
                        choices=(*CONNECTORS, *OTHER, "both", "other"),
                        help="both: the two of session 5; other: the five of session 9")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--random-weights", action="store_true")
    parser.add_argument("--json", help="write every measurement to this file")
    args = parser.parse_args()
    if args.worker:
        worker(args.cells, args.connector[0], args.random_weights, args.out)
        return
    connectors: list[str] = []
    for name in args.connector:
        connectors += CONNECTORS if name == "both" else OTHER if name == "other" else [name]
    runs: dict[tuple[str, int], list[list[dict]]] = {}
    for _ in range(args.repeats):   # interleaved: each repeat runs every configuration
        for connector in connectors:
            for ranks in args.ranks:
                runs.setdefault((connector, ranks), []).append(
                    launch(ranks, args.cells, connector, args.random_weights))
    print(f"{args.cells} cells, medians of {args.repeats} interleaved runs; per rank: "
          "connect wall / CPU s, first run(1 ms) wall s, local connections, max RSS MB")
    print(f"{'connector':18} {'ranks':>5} {'rank':>4} {'wall s':>8} {'CPU s':>8} "
          f"{'1st run s':>9} {'local conns':>12} {'RSS MB':>8} {'speed-up':>8}")
    for connector in connectors:
        base = None
        for ranks in args.ranks:
            series = runs[(connector, ranks)]
            slowest = statistics.median(max(r["connect_wall_s"] for r in run) for run in series)
            if base is None:
                base = slowest
            for rank in range(ranks):
                med = {k: statistics.median(run[rank][k] for run in series)
                       for k in ("connect_wall_s", "connect_cpu_s", "first_run_wall_s",
                                 "local_connections", "max_rss_mb")}
                speed = f"{base / slowest:8.2f}" if rank == 0 else ""
                print(f"{connector:18} {ranks:5d} {rank:4d} {med['connect_wall_s']:8.2f} "
                      f"{med['connect_cpu_s']:8.2f} {med['first_run_wall_s']:9.2f} "
                      f"{int(med['local_connections']):12d} {med['max_rss_mb']:8.0f} {speed}")
            totals = {run[0]["connections"] for run in series}
            print(f"{'':18} {'':5} total connections {sorted(totals)} (the same for any "
                  "number of ranks)")
    print(f"load average: {os.getloadavg()}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({f"{c}/{r}": v for (c, r), v in runs.items()}, fh, indent=1)


if __name__ == "__main__":
    main()
