"""Memory per synapse of the Brunel network: lamina's engine and native NEST side by side,
each in fresh processes, measured through building and the first run.

For every process: the resident memory just before the connections are made, just
after, after the first run (``--duration``, default 100 ms: the lamina engine builds its
CSR at the start of the first run) and the process's peak. Reported per recurrent synapse
(the one-to-one Poisson inputs not counted) as growth from before connecting:

* ``B/syn connect``: after connecting;
* ``B/syn run``: after the first run;
* ``B/syn peak``: at the peak of build and first run (``ru_maxrss`` just after the run,
  before the recorded spikes are read out).

Use::

    python benchmarks/memory.py                   # full size, lamina and NEST, 3 repeats
    python benchmarks/memory.py --scale 0.2 --simulators lamina --repeats 1
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_all  # noqa: E402
from workers import fmt, nest_available  # noqa: E402

COLUMNS = (("B/syn connect", "rss_after_connect_mb"), ("B/syn run", "rss_after_run_mb"),
           ("B/syn peak", "peak_rss_run_mb"))


def measure(simulator: str, scale: float, duration: float, seed: int, env: dict[str, str],
            timeout: float) -> dict:
    """One fresh process: its result dict with the three per-synapse figures added."""
    r = run_all.run_worker(simulator, "brunel", scale, duration, seed, 1, env, timeout)
    if "error" not in r:
        for name, key in COLUMNS:
            r[name] = run_all.bytes_per_synapse(r, key)
    return r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="Brunel size factor")
    parser.add_argument("--duration", type=float, default=100.0, help="first run [ms]")
    parser.add_argument("--simulators", nargs="+", choices=("lamina", "nest"),
                        default=["lamina", "nest"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    sims = [s for s in args.simulators if s != "nest" or nest_available() is None]
    env = dict(os.environ)   # numba's normal cache: a compile would raise the peak
    results: dict[str, list[dict]] = {s: [] for s in sims}
    for rep in range(args.repeats):
        for sim in (sims if rep % 2 == 0 else sims[::-1]):   # alternate the order
            r = measure(sim, args.scale, args.duration, args.seed, env, args.timeout)
            results[sim].append(r)
            if "error" in r:
                print(f"{sim}: {r['error']}", file=sys.stderr)
    header = f"{'simulator':<10} {'synapses':>10} {'before MB':>10} " + " ".join(
        f"{name:>13}" for name, _ in COLUMNS) + f" {'peak MB':>8}"
    print(f"Brunel {int(round(12_500 * args.scale))} cells, first run {args.duration:g} ms, "
          f"medians of {args.repeats} fresh processes")
    print(header)
    print("-" * len(header))
    for sim, rs in results.items():
        ok = [r for r in rs if "error" not in r]
        if not ok:
            print(f"{sim:<10} failed")
            continue

        def med(key: str) -> float:
            return statistics.median(r[key] for r in ok)
        print(f"{sim:<10} {int(med('n_synapses')):>10} "
              f"{fmt(med('rss_before_connect_mb'), 0):>10} "
              + " ".join(f"{fmt(med(name), 2):>13}" for name, _ in COLUMNS)
              + f" {fmt(med('peak_rss_run_mb'), 0):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
