"""Strong and weak scaling of the engine over MPI ranks x threads, with the spike exchange
measured per min-delay window and extrapolated to 64 ranks.

Networks (``--network``):

* ``brunel`` (default): the Brunel benchmark (`brunel.build`: IF_curr_alpha, fixed
  in-degree 1000 + 250, one Poisson source per cell, delay 1.5 ms = 15 steps per window);
  strong scaling: one network of ``--cells`` cells over 1-2 ranks x 1-2 threads; weak
  scaling: ``--cells`` cells per rank (2 ranks: twice the network).
* ``microcircuit``: the Potjans-Diesmann microcircuit (`microcircuit.build`, in-degrees kept,
  Poisson background; delays down to 0.1 ms, so one step per window); strong scaling:
  ``--scale`` (fraction of the 77,169 cells); weak scaling: ``--scale`` per rank.

Per configuration: build time, run time, and (MPI) windows, spikes received per window
and rank, bytes per window and rank, seconds in the exchange. Extrapolation to P ranks
(weak scaling, same cells and rate per rank): every rank receives the spikes of all
ranks' cells that have synapses on it; with fixed in-degree from a network of P x n
cells, nearly every cell has a target on every other rank, so the volume per window and
rank grows as P x (spikes per rank and window) x 16 B; the time of an ``Allgatherv`` is
modelled as ``latency x log2(P) + bytes / bandwidth`` with the latency measured here and
a stated interconnect bandwidth (``--bandwidth``, GB/s). For the microcircuit a second
table extrapolates the *full-scale* network (strong scaling) to P ranks: with in-degrees of
thousands every cell has targets on every one of 64 ranks, so every rank receives every
spike of the network: 77,169 cells x measured rate x window per window, whatever P.

Usage::

    python benchmarks/mpi_scaling.py --cells 2500 --duration 500
    python benchmarks/mpi_scaling.py --network microcircuit --scale 0.02 --duration 200
    (the driver launches ``mpiexec -n R python benchmarks/mpi_scaling.py --worker ...``)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

N_FULL = 12_500   # cells of brunel's full network (n_scale = 1)


def build_network(sim, network: str, size: float, threads: int) -> dict:
    """Build `network` of `size` (Brunel: cells; microcircuit: fraction of the cells) and
    return its populations, recurrent synapses and cells."""
    if network == "brunel":
        from brunel import build
        net = build(sim, n_scale=size / N_FULL, seed=12345, threads=threads)
        return {"populations": [net["exc"], net["inh"]], "synapses": net["n_synapses"],
                "cells": net["par"]["n_exc"] + net["par"]["n_inh"]}
    import microcircuit
    net = microcircuit.build(sim, scale=size, seed=55, threads=threads)
    return {"populations": net["populations"], "synapses": net["par"]["n_synapses"],
            "cells": net["par"]["n_cells"]}


def worker(network: str, size: float, duration: float, threads: int) -> None:
    """One run under mpiexec; rank 0 prints a JSON line."""
    import lamina as sim
    from lamina.core import simulation
    t0 = time.perf_counter()
    net = build_network(sim, network, size, threads)
    backend = simulation.current().backend
    comm = backend.distribution.comm
    if comm is not None:
        comm.Barrier()
    t1 = time.perf_counter()
    sim.run(duration)
    if comm is not None:
        comm.Barrier()
    t2 = time.perf_counter()
    spikes = sum(p.mean_spike_count() * p.size for p in net["populations"])
    stats = dict(backend._mpi.stats) if backend._mpi is not None else {}
    if stats and comm is not None:   # the exchange time of the slowest rank
        stats["seconds"] = comm.allreduce(stats["seconds"], op=__import__("mpi4py").MPI.MAX)
        stats["alone_us"] = exchange_alone(comm, stats["spikes"] // max(stats["windows"], 1))
    out = {"network": network, "ranks": sim.num_processes(), "threads": threads,
           "cells": net["cells"], "size": size, "synapses": net["synapses"],
           "build_s": t1 - t0, "run_s": t2 - t1, "cpu_s": time.process_time(),
           "rate_hz": spikes / net["cells"] / (duration / 1e3),
           **{f"x_{k}": v for k, v in stats.items()}}
    if sim.rank() == 0:
        print("RESULT " + json.dumps(out), flush=True)
    sim.end()


def exchange_alone(comm, spikes_per_window: int, repeats: int = 300) -> float:
    """Microseconds of one exchange of `spikes_per_window` (split over the ranks) with all
    ranks ready (after a barrier): the communication alone, without the waiting for a
    slower rank that the in-run figure includes (median of `repeats`)."""
    import numpy as np
    from mpi4py import MPI
    mine = spikes_per_window // comm.Get_size()
    send = np.zeros((mine, 2), np.int64)
    got = np.empty((mine * comm.Get_size(), 2), np.int64)
    times = []
    for _ in range(repeats):
        comm.Barrier()
        t0 = time.perf_counter()
        counts = np.array(comm.allgather(mine), np.int64)
        displs = np.concatenate(([0], np.cumsum(counts)[:-1]))
        comm.Allgatherv(send, [got, counts * 2, displs * 2, MPI.INT64_T])
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e6)


def launch(network: str, ranks: int, size: float, duration: float, threads: int) -> dict:
    here = os.path.abspath(__file__)
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    cmd = [mpiexec, "-n", str(ranks), sys.executable, here, "--worker", "--network", network,
           "--size", repr(size), "--duration", str(duration), "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"no result from {' '.join(cmd)}:\n{proc.stderr[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--network", choices=("brunel", "microcircuit"), default="brunel")
    ap.add_argument("--cells", type=int, default=2500, help="Brunel cells (per rank: weak)")
    ap.add_argument("--scale", type=float, default=0.02,
                    help="microcircuit fraction of the cells (per rank: weak)")
    ap.add_argument("--size", type=float, help=argparse.SUPPRESS)   # the worker's size
    ap.add_argument("--duration", type=float, default=500.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bandwidth", type=float, default=10.0, help="GB/s for the model")
    a = ap.parse_args()
    if a.worker:
        worker(a.network, a.size, a.duration, a.threads)
        return
    size = float(a.cells) if a.network == "brunel" else a.scale
    # compile and cache the kernels first (not timed)
    launch(a.network, 1, 1500.0 if a.network == "brunel" else 0.005, 20.0, 1)
    rows = []
    for kind, factor in (("strong", lambda r: 1), ("weak", lambda r: r)):
        for ranks in (1, 2):
            for threads in (1, 2):
                r = launch(a.network, ranks, size * factor(ranks), a.duration, threads)
                r["kind"] = kind
                rows.append(r)
                print(json.dumps(r), flush=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          f" (CPU seconds per run: rank 0's process time, build and run)")
    print("\n| scaling | ranks x threads | cells | synapses | build | run | CPU (rank 0) |"
          " speed-up | rate |"
          " windows | spikes sent/window (all ranks) | bytes/window/rank | exchange in run |"
          " one exchange alone |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    base = {k: next(r for r in rows if r["kind"] == k and r["ranks"] == r["threads"] == 1)
            for k in ("strong", "weak")}
    for r in rows:
        w = r.get("x_windows", 0)
        per = r["x_spikes"] / w if w else 0.0
        b = base[r["kind"]]
        speed = (b["run_s"] / r["run_s"]) if r["kind"] == "strong" else \
            (b["run_s"] / r["run_s"]) * (r["cells"] / b["cells"])
        print(f"| {r['kind']} | {r['ranks']} x {r['threads']} | {r['cells']} | "
              f"{r['synapses']:,} | {r['build_s']:.2f} s | {r['run_s']:.2f} s | "
              f"{r['cpu_s']:.1f} s | {speed:.2f} | "
              f"{r['rate_hz']:.1f} Hz | {w} | {per:.0f} | {16 * per:,.0f} B | "
              f"{r.get('x_seconds', 0.0):.3f} s | {r.get('x_alone_us', 0.0):.0f} us |")
    # extrapolation (weak scaling): volume per window and rank grows with P
    two = next(r for r in rows if r["kind"] == "weak" and r["ranks"] == 2 and r["threads"] == 1)
    w = two["x_windows"]
    per_rank_window = two["x_spikes"] / w / 2          # spikes each rank sends per window
    # one exchange with both ranks ready: the least disturbed measurement (on a busy
    # machine a rank that is not scheduled inflates single figures by milliseconds)
    latency = min(r["x_alone_us"] for r in rows if "x_alone_us" in r) * 1e-6
    print(f"\nextrapolated (weak scaling, {two['cells'] // 2} cells/rank, "
          f"{two['rate_hz']:.1f} Hz, "
          f"model: {latency * 1e6:.0f} us x log2(P) + bytes / {a.bandwidth:g} GB/s):")
    print("| ranks | spikes received/window/rank | bytes/window/rank | exchange per window |"
          " per second of model time |")
    print("|---|---|---|---|---|")
    windows_per_s = w / (a.duration / 1000.0)
    for P in (2, 8, 64):
        spikes = P * per_rank_window
        nbytes = 16 * spikes
        t = latency * math.log2(P) + nbytes / (a.bandwidth * 1e9)
        print(f"| {P} | {spikes:,.0f} | {nbytes:,.0f} B | {t * 1e6:,.0f} us | "
              f"{t * windows_per_s:.3f} s |")
    if a.network == "microcircuit":
        full_scale_extrapolation(rows, latency, a.bandwidth)


def full_scale_extrapolation(rows: list[dict], latency: float, bandwidth: float) -> None:
    """Print the exchange of the full microcircuit on P ranks (strong scaling): every rank
    receives every spike of the network once per window (one step, 0.1 ms, since delays
    go down to the time step), at the measured rate and at the paper's full-scale rates."""
    import microcircuit
    n_full = sum(microcircuit.N_FULL)
    paper = sum(r * n for r, n in zip(microcircuit.PAPER_RATES, microcircuit.N_FULL)) / n_full
    measured = next(r for r in rows if r["kind"] == "strong" and r["ranks"] == 2
                    and r["threads"] == 1)
    window_s = microcircuit.DT / 1000.0
    print(f"\nfull-scale microcircuit ({n_full:,} cells) on P ranks, one exchange per "
          f"{microcircuit.DT} ms window ({1 / window_s:,.0f} per second of model time), "
          f"model: {latency * 1e6:.0f} us x log2(P) + bytes / {bandwidth:g} GB/s:")
    print("| rate | ranks | spikes received/window/rank | bytes/window/rank |"
          " exchange per window | per second of model time |")
    print("|---|---|---|---|---|---|")
    for label, rate in ((f"{measured['rate_hz']:.1f} Hz (measured, scale "
                         f"{measured['size']:g})", measured["rate_hz"]),
                        (f"{paper:.1f} Hz (paper, full scale)", paper)):
        spikes = n_full * rate * window_s
        for P in (2, 8, 64):
            t = latency * math.log2(P) + 16 * spikes / (bandwidth * 1e9)
            print(f"| {label} | {P} | {spikes:,.1f} | {16 * spikes:,.0f} B | "
                  f"{t * 1e6:,.0f} us | {t / window_s:.2f} s |")


if __name__ == "__main__":
    main()
