"""Overhead of lamina.nest over native PyNEST on the Vogels & Abbott network.

Runs `vogels_abbott.build_and_run(lamina.nest, ..., native_rng=True)` (connections drawn
by NEST's pairwise_bernoulli, as the native script draws them, so both simulate the same
kind of network; NEST is imported before the clock starts, in both) and `nest_native.build_and_run(...)`
in fresh subprocesses, interleaved (order flipped every repeat), and prints the medians of
build and run time [s] and the ratio lamina.nest / native (goal: <= 1.10).

Use: ``python benchmarks/nest_overhead.py [--n 4000] [--duration 1000] [--repeats 3]``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

_WORKER = {
    "lamina.nest": ("import sys, json; sys.path.insert(0, {here!r}); sys.path.insert(0, {root!r});"
                    "import nest, lamina.backends.nest; import lamina.nest as sim;"
                    "from vogels_abbott import build_and_run;"
                    "print(json.dumps(build_and_run(sim, {variant!r}, n={n}, "
                    "duration={duration}, seed={seed}, native_rng=True)))"),
    "native": ("import sys, json; sys.path.insert(0, {here!r});"
               "from nest_native import build_and_run;"
               "print(json.dumps(build_and_run({variant!r}, n={n}, duration={duration}, "
               "seed={seed})))"),
}


def measure(which: str, variant: str, n: int, duration: float, seed: int) -> dict:
    """One fresh-process measurement."""
    code = _WORKER[which].format(here=HERE, root=ROOT, variant=variant, n=n,
                                 duration=duration, seed=seed)
    env = dict(os.environ, PYNEST_QUIET="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", default=["coba", "cuba"])
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args(argv)
    for variant in args.variants:
        res: dict[str, list[dict]] = {"lamina.nest": [], "native": []}
        for r in range(args.repeats):
            order = ["lamina.nest", "native"] if r % 2 == 0 else ["native", "lamina.nest"]
            for which in order:
                res[which].append(measure(which, variant, args.n, args.duration, args.seed))
        med = {w: {k: statistics.median(m[k] for m in res[w])
                   for k in ("build_s", "run_s", "rate_exc", "rate_inh")} for w in res}
        print(f"{variant.upper()}  n={args.n}  {args.duration:g} ms  medians of {args.repeats}")
        for w in res:
            m = med[w]
            print(f"  {w:12s} build {m['build_s']:7.3f} s  run {m['run_s']:7.3f} s  "
                  f"rates {m['rate_exc']:6.2f} / {m['rate_inh']:6.2f} Hz")
        print(f"  ratio lamina.nest/native: build "
              f"{med['lamina.nest']['build_s'] / med['native']['build_s']:.3f}  run "
              f"{med['lamina.nest']['run_s'] / med['native']['run_s']:.3f}", flush=True)


if __name__ == "__main__":
    main()
