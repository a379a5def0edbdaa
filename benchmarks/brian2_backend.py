"""Vogels-Abbott (COBA or CUBA) through ``lamina.brian2`` against the plain Brian 2 script
of `brian2_networks` (the same network written directly in Brian 2), both in Brian 2's
runtime mode with the same code-generation target (numpy by default).

Each variant runs in its own process (Brian 2 caches solved equations and generated code
per process; a fresh process pays for them, as a user's first run does). Reported per
variant: ``build_s`` (creating the objects), ``run_s`` (``run()``: Brian 2's code
generation and the simulation), the mean excitatory rate, and the ratio lamina/plain.

The two are not the same program: lamina has one NeuronGroup per population (excitatory,
inhibitory) and one Synapses object per projection (6 instead of 3), integrates COBA with
rk4 (the plain script: exponential Euler; CUBA: both exact), and the kick-start Poisson
sources are a NeuronGroup with a random threshold instead of a PoissonGroup.

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


def run_plain(variant: str, n: int, duration: float, target: str) -> dict[str, Any]:
    """The plain Brian 2 script's network, runtime mode."""
    import brian2 as b

    import brian2_networks as bn
    bn._probe = lambda device, tag, slot="main": None     # C++ standalone probes only
    b.prefs.codegen.target = target
    t0 = time.perf_counter()
    made = bn._vogels_abbott(b, variant, n)
    net = b.Network(*made["objects"])
    t1 = time.perf_counter()
    net.run(duration * b.ms)
    t2 = time.perf_counter()
    spikes = made["monitor"].i[:]
    n_exc = made["n_exc"]
    rate = float((spikes < n_exc).sum()) / (n_exc * duration / 1000.0)
    return {"build_s": t1 - t0, "run_s": t2 - t1, "rate_exc": rate}


class _Brian2Sim:
    """``lamina.brian2`` with setup() given the code-generation target."""

    def __init__(self, target: str) -> None:
        import lamina.brian2 as sim
        self._sim, self._target = sim, target

    def setup(self, **kwargs: Any) -> int:
        return self._sim.setup(brian2_target=self._target, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sim, name)


def run_lamina(variant: str, n: int, duration: float, target: str) -> dict[str, Any]:
    """The PyNN script of `vogels_abbott` through lamina.brian2."""
    import vogels_abbott as va
    out = va.build_and_run(_Brian2Sim(target), variant, n=n, duration=duration)
    return {"build_s": out["build_s"], "run_s": out["run_s"], "rate_exc": out["rate_exc"]}


def _in_process(which: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", which, "--variant", args.variant,
           "--cells", str(args.cells), "--duration", str(args.duration),
           "--target", args.target]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith(MARKER)][-1]
    return json.loads(line[len(MARKER):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", default="coba", choices=["coba", "cuba"])
    parser.add_argument("--cells", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=500.0)
    parser.add_argument("--target", default="numpy", choices=["numpy", "cython"])
    parser.add_argument("--worker", choices=["plain", "lamina"])
    args = parser.parse_args()
    if args.worker:
        run = run_plain if args.worker == "plain" else run_lamina
        result = run(args.variant, args.cells, args.duration, args.target)
        print(MARKER + json.dumps(result), flush=True)
        return
    plain = _in_process("plain", args)
    lamina = _in_process("lamina", args)
    print(f"Vogels-Abbott {args.variant.upper()}, {args.cells} cells, {args.duration} ms, "
          f"Brian 2 runtime ({args.target})")
    for key in ("build_s", "run_s"):
        print(f"  {key:8s} plain {plain[key]:8.2f}  lamina.brian2 {lamina[key]:8.2f}  "
              f"ratio {lamina[key] / plain[key]:5.2f}")
    print(f"  rate_exc plain {plain['rate_exc']:8.2f}  lamina.brian2 {lamina['rate_exc']:8.2f} Hz")


if __name__ == "__main__":
    main()
