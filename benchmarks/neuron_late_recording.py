"""Cost of a recording started after the first run on lamina.neuron (fixed step).

NEURON takes up Vectors added after the start only when it re-prepares its solver
(`NeuronBackend._adopt_new_recordings`: states saved, CVODE switched on and off, states
restored). This script times that step alone and the run that follows it, against the same
run with no new recording, for networks of N conductance-based cells with Poisson input.

    PYTHONPATH=$PWD python benchmarks/neuron_late_recording.py [N ...]

Prints, per N: CPU and wall seconds of the re-preparation, and the median CPU seconds of a
10 ms run right after a recording of another N/5 cells started, and of the 10 ms run after
that (same recordings, none new), 5 interleaved repeats.
"""
from __future__ import annotations

import sys
import time

import numpy as np


def _network(sim, n: int):
    src = sim.Population(200, sim.SpikeSourcePoisson(rate=20.0))
    cells = sim.Population(n, sim.IF_cond_exp())
    sim.Projection(src, cells, sim.FixedProbabilityConnector(0.05, rng=sim.NumpyRNG(seed=1)),
                   sim.StaticSynapse(weight=0.004, delay=1.0))
    cells.record("spikes")
    return cells


def measure(n: int, repeats: int = 5) -> dict[str, float]:
    import lamina.neuron as sim
    from lamina.backends.neuron.backend import NeuronBackend
    spent: list[tuple[float, float]] = []
    original = NeuronBackend._adopt_new_recordings

    def timed(self: NeuronBackend) -> None:
        c0, w0 = time.process_time(), time.perf_counter()
        original(self)
        spent.append((time.process_time() - c0, time.perf_counter() - w0))

    NeuronBackend._adopt_new_recordings = timed      # type: ignore[method-assign]
    try:
        sim.setup(timestep=0.1)
        cells = _network(sim, n)
        sim.run(20.0)
        late, steady = [], []
        for k in range(repeats):
            cells[k * (n // repeats):(k + 1) * (n // repeats)].record("v")
            c0 = time.process_time()
            sim.run(10.0)
            late.append(time.process_time() - c0)
            c0 = time.process_time()
            sim.run(10.0)                  # the same recordings, none new
            steady.append(time.process_time() - c0)
        sim.end()
    finally:
        NeuronBackend._adopt_new_recordings = original  # type: ignore[method-assign]
    return {"n": n, "prepare_cpu_s": float(np.median([s[0] for s in spent])),
            "prepare_wall_s": float(np.median([s[1] for s in spent])),
            "run_after_record_cpu_s": float(np.median(late)),
            "run_next_cpu_s": float(np.median(steady))}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    for n in sizes:
        r = measure(n)
        print(f"N={r['n']:6d}  re-preparation {r['prepare_cpu_s'] * 1e3:8.2f} ms CPU "
              f"({r['prepare_wall_s'] * 1e3:8.2f} ms wall)  10 ms run after a new recording "
              f"{r['run_after_record_cpu_s']:.3f} s CPU, the next one "
              f"{r['run_next_cpu_s']:.3f} s CPU")


if __name__ == "__main__":
    main()
