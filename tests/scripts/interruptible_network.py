"""A small balanced network used by the interrupt, checkpoint and soak tests.

Run as a script (``python interruptible_network.py BACKEND T_STOP OUT.npz [--wait-sigint]``)
it builds the network, runs to T_STOP in one `run_until` (with ``--wait-sigint``: printing
``running`` first, so that a parent can send SIGINT; an interrupt is caught and the run
continued with ``run_until(T_STOP)``) and saves spikes and the recorded v to OUT.npz.
"""
from __future__ import annotations

import sys
import time

import neo  # noqa: F401 - imported before the run, not during an interrupt
import numpy as np


def build(sim, n: int = 400, seed: int = 7):
    """Excitatory/inhibitory IF_cond_exp network driven by Poisson sources; records the
    spikes of every cell and v of the first 5 cells. Returns (cells, sources)."""
    cells = sim.Population(n, sim.IF_cond_exp(tau_refrac=2.0, v_reset=-60.0, v_rest=-60.0),
                           initial_values={"v": sim.RandomDistribution(
                               "uniform", (-60.0, -50.0), rng=sim.NumpyRNG(seed=seed))})
    drive = sim.Population(50, sim.SpikeSourcePoisson(rate=40.0))
    n_exc = int(0.8 * n)
    rng = sim.NumpyRNG(seed=seed + 1)
    conn = sim.FixedProbabilityConnector(0.05, rng=rng)
    sim.Projection(cells[:n_exc], cells, conn, sim.StaticSynapse(weight=0.004, delay=0.2),
                   receptor_type="excitatory")
    sim.Projection(cells[n_exc:], cells, conn, sim.StaticSynapse(weight=0.04, delay=0.2),
                   receptor_type="inhibitory")
    sim.Projection(drive, cells, sim.FixedProbabilityConnector(0.2, rng=rng),
                   sim.StaticSynapse(weight=0.01, delay=0.5), receptor_type="excitatory")
    cells.record("spikes")
    cells[:5].record("v")
    return cells, drive


def results(cells) -> dict[str, np.ndarray]:
    """Spike (id index, time) pairs sorted, and the v samples, of the whole run."""
    block = cells.get_data()
    seg = block.segments[-1]
    idx = np.concatenate([np.full(len(st), k) for k, st in enumerate(seg.spiketrains)])
    t = np.concatenate([np.asarray(st.magnitude) for st in seg.spiketrains])
    order = np.lexsort((idx, t))
    v = np.asarray(seg.filter(name="v")[0].magnitude)
    return {"spike_index": idx[order], "spike_time": t[order], "v": v}


def main() -> None:
    backend, t_stop, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    wait = "--wait-sigint" in sys.argv
    if backend == "nest":
        import lamina.nest as sim
    else:
        import lamina as sim
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    cells, _ = build(sim)
    interrupted_at = -1.0
    if wait:
        sim.run(1.0)
        print("running", flush=True)

        def slow_down(t: float) -> float:   # keeps the run going for >= 1 s of wall time
            time.sleep(0.025)
            return t + 0.025 * t_stop

        try:
            sim.run_until(t_stop, callbacks=[slow_down])
        except KeyboardInterrupt:
            interrupted_at = sim.get_current_time()
            print(f"interrupted {interrupted_at}", flush=True)
            sim.run_until(t_stop)
    else:
        sim.run_until(t_stop)
    np.savez(out, interrupted_at=interrupted_at, t=sim.get_current_time(), **results(cells))
    sim.end()


if __name__ == "__main__":
    main()
