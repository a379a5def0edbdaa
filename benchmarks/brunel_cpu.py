"""One lamina Brunel run in this process, timed in CPU seconds (comparable on a busy
machine, where wall-clock times are not), with the resident memory per recurrent synapse;
prints one JSON line. The engine's kernels are loaded (or compiled) before the timing.

* ``build_cpu``: creating the network and connecting it; ``run_cpu``: the first run
  (it includes building the CSR); ``build_s`` / ``run_s``: the same in wall-clock time;
* ``bsyn_connect``: RSS growth while connecting per synapse; ``bsyn_peak``: growth from
  before connecting to the peak of build and first run;
* ``spikes``: all spikes of the network (equal before/after a change that must keep
  them bitwise).

Use (interleave the before/after checkouts, each in fresh processes)::

    PYTHONPATH=$PWD python benchmarks/brunel_cpu.py --duration 1000
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import brunel  # noqa: E402
from vogels_abbott import peak_rss_mb, rss_mb  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=1000.0, help="first run [ms]")
    parser.add_argument("--n-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()
    import lamina
    from lamina.cli import warm_up_engine
    warm_up_engine(lamina, 1, "IF_curr_alpha")
    t0, c0 = time.perf_counter(), time.process_time()
    net = brunel.build(lamina, args.n_scale, args.seed, 1)
    t1, c1 = time.perf_counter(), time.process_time()
    lamina.run(args.duration)
    t2, c2 = time.perf_counter(), time.process_time()
    peak = max(peak_rss_mb(), rss_mb())
    n, before = net["n_synapses"], net["rss_before_connect_mb"]
    spikes = brunel._spike_count(net["exc"]) + brunel._spike_count(net["inh"])
    cells = net["par"]["n_exc"] + net["par"]["n_inh"]
    print(json.dumps({
        "build_s": t1 - t0, "build_cpu": c1 - c0, "run_s": t2 - t1, "run_cpu": c2 - c1,
        "spikes": spikes, "rate": spikes / (cells * args.duration / 1000.0),
        "bsyn_connect": (net["rss_after_connect_mb"] - before) * 2**20 / n,
        "bsyn_peak": (peak - before) * 2**20 / n}))
    lamina.end()
    return 0


if __name__ == "__main__":
    sys.exit(main())
