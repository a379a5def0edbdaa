"""Vogels-Abbott (COBA or CUBA) through ``lamina.brian2`` against the plain Brian 2 script
of `brian2_networks` (the same network written directly in Brian 2), both in Brian 2's
runtime mode with the same code-generation target (numpy by default).

Each variant runs in its own process (Brian 2 caches solved equations and generated code
per process; a fresh process pays for them, as a user's first run does). Reported per
variant, in CPU seconds of the process (``time.process_time``: on a shared machine less
disturbed by other processes than wall time): ``build_s`` (creating the network),
``first_s`` (the first ``WARMUP`` ms: Brian 2's code generation, equation solving, and
the first steps), ``steady_s`` (the rest of the run: the cost of the time steps),
``run_s`` (both), the mean excitatory rate, and the ratio lamina/plain.

The two are not the same program: lamina has one NeuronGroup for both populations and
one Synapses object per (source block, target block, receptor): 3, as the plain script,
but with a weight per connection, and integrates COBA
with rk4 (the plain script: exponential Euler, which fires at a different rate in this
network; ``--plain-method rk4`` gives the plain script lamina's integrator; CUBA: both
exact), and the kick-start Poisson sources are a NeuronGroup with a random threshold
instead of a PoissonGroup.

Usage: ``python benchmarks/brian2_backend.py --variant coba --cells 1000 --duration 500``
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
MARKER = "BRIAN2-BACKEND-RESULT "
WARMUP = 20.0       # ms simulated in the first run (code generation)


def _timings(t0: float, t1: float, t2: float, t3: float) -> dict[str, float]:
    return {"build_s": t1 - t0, "first_s": t2 - t1, "steady_s": t3 - t2, "run_s": t3 - t1}


def run_plain(variant: str, n: int, duration: float, target: str,
              method: str = "") -> dict[str, Any]:
    """The plain Brian 2 script's network, runtime mode (`method`: its integrator
    instead of the script's own)."""
    import brian2 as b

    import brian2_networks as bn
    bn._probe = lambda device, tag, slot="main": None     # C++ standalone probes only
    b.prefs.codegen.target = target
    if method:
        original = b.NeuronGroup

        def with_method(*args: Any, **kwargs: Any) -> Any:
            return original(*args, **{**kwargs, "method": method})
        b.NeuronGroup = with_method
    t0 = time.process_time()
    made = bn._vogels_abbott(b, variant, n)
    net = b.Network(*made["objects"])
    t1 = time.process_time()
    net.run(WARMUP * b.ms)
    t2 = time.process_time()
    net.run((duration - WARMUP) * b.ms)
    t3 = time.process_time()
    spikes = made["monitor"].i[:]
    n_exc = made["n_exc"]
    rate = float((spikes < n_exc).sum()) / (n_exc * duration / 1000.0)
    return {**_timings(t0, t1, t2, t3), "rate_exc": rate}


class _Brian2Sim:
    """``lamina.brian2`` with setup() given the code-generation target."""

    def __init__(self, target: str) -> None:
        import lamina.brian2 as sim
        self._sim, self._target = sim, target

    def setup(self, **kwargs: Any) -> int:
        return self._sim.setup(brian2_target=self._target, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sim, name)


def run_lamina(variant: str, n: int, duration: float, target: str,
               method: str = "") -> dict[str, Any]:
    """The PyNN script of `vogels_abbott` through lamina.brian2."""
    import brian2  # noqa: F401 - imported before timing, as in run_plain
    import vogels_abbott as va

    from lamina.core import simulation
    sim = _Brian2Sim(target)
    t0 = time.process_time()
    net = va.build(sim, variant, n, seed=12345)
    t1 = time.process_time()
    sim.run(WARMUP)
    t2 = time.process_time()
    sim.run(duration)
    t3 = time.process_time()
    n_exc = va.sizes(n)[0]
    rate = va._count_spikes(net["exc"]) / (n_exc * duration / 1000.0)
    return {**_timings(t0, t1, t2, t3), "rate_exc": rate,
            "blocks": simulation.current().backend.describe().get("blocks")}


def _in_process(which: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", which, "--variant", args.variant,
           "--cells", str(args.cells), "--duration", str(args.duration),
           "--target", args.target, "--plain-method", args.plain_method]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith(MARKER)][-1]
    return json.loads(line[len(MARKER):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", default="coba", choices=["coba", "cuba"])
    parser.add_argument("--cells", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=500.0)
    parser.add_argument("--target", default="numpy", choices=["numpy", "cython"])
    parser.add_argument("--plain-method", default="",
                        help="integrator of the plain script (default: its own)")
    parser.add_argument("--worker", choices=["plain", "lamina"])
    args = parser.parse_args()
    if args.worker:
        run = run_plain if args.worker == "plain" else run_lamina
        result = run(args.variant, args.cells, args.duration, args.target, args.plain_method)
        print(MARKER + json.dumps(result), flush=True)
        return
    plain = _in_process("plain", args)
    lamina = _in_process("lamina", args)
    print(f"Vogels-Abbott {args.variant.upper()}, {args.cells} cells, {args.duration} ms, "
          f"Brian 2 runtime ({args.target}), plain integrator "
          f"{args.plain_method or 'its own'}; CPU seconds")
    for key in ("build_s", "first_s", "steady_s", "run_s"):
        print(f"  {key:8s} plain {plain[key]:8.2f}  lamina.brian2 {lamina[key]:8.2f}  "
              f"ratio {lamina[key] / plain[key]:5.2f}")
    print(f"  lamina.brian2 blocks: {lamina.get('blocks')}")
    print(f"  rate_exc plain {plain['rate_exc']:8.2f}  lamina.brian2 {lamina['rate_exc']:8.2f} Hz")


if __name__ == "__main__":
    main()
