"""The floor for the Brunel network on one core: what its three kinds of work cost at
least on this machine, measured with small numba kernels that do nothing else, and the
time per biological second they imply, next to lamina's measured run time.

* delivery: one ns per delivered synaptic event, i.e. adding a spike's weight to the ring
  buffer slot of each target, for a CSR with Brunel's shape (12,500 cells, 1,250 random
  targets per source, int32 targets into a two-receptor ring of 16 slots): with a float64
  weight per synapse (12 B streamed per event, lamina's layout for groups whose weights
  differ), with one weight per delay group (4 B per event: lamina's layout where all
  weights of a group are equal) and with 16-bit targets too (2 B per event: lamina's
  layout where the ring has at most 65,536 columns, as in Brunel; the ratio below is
  against this floor);
* exact LIF update: one step of ``iaf_psc_alpha`` by its exact propagator (membrane,
  two alpha currents of two variables each, refractory counter, threshold and reset)
  reading the ring buffer, per cell and step;
* Poisson draw: one Poisson(2) count (20 kHz at 0.1 ms) per cell and step, by inversion
  of one counter-based uniform (SplitMix64 of the key, step and cell) against a table of
  the cumulative probabilities (branch-free for counts below 16); and the engine's own
  direct path (`poisson.direct_deliver`: the draw plus adding K x w to the one-to-one
  target's ring slot, i.e. the draws and the one-to-one Poisson deliveries together; the
  floor below uses this one).

Implied floor per biological second = events x ns/event + cell-steps x ns/update +
draws x ns/draw, with events = rate x cells x 1,250 x 1 s (the rate measured by the lamina
run, or ``--rate``). All figures are CPU time of this process (best of 5 for the kernels),
so that they stay comparable on a busy machine; lamina's run is given in both. Use::

    python benchmarks/floor.py                 # kernels, then one lamina Brunel run
    python benchmarks/floor.py --no-run --rate 29.5
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np
from numba import njit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from lamina.backends.engine.poisson import direct_deliver  # noqa: E402

N_CELLS = 12_500
FAN_OUT = 1_250          # targets per source (C_E + C_I in-degree = out-degree on average)
STEPS_PER_S = 10_000     # dt = 0.1 ms
SLOTS = 16               # ring slots (delay 1.5 ms = 15 steps, + 1)
LAMBDA = 2.0             # Poisson count per step (20 kHz x 0.1 ms)


@njit(cache=True)
def _deliver_per_synapse(spikes, indptr, tgt, w, ring, slot_of):  # pragma: no cover
    for i in range(len(spikes)):
        r = spikes[i]
        row = ring[slot_of[i]]
        for k in range(indptr[r], indptr[r + 1]):
            row[tgt[k]] += w[k]


@njit(cache=True)
def _deliver_per_group(spikes, indptr, tgt, w_row, ring, slot_of):  # pragma: no cover
    for i in range(len(spikes)):
        r = spikes[i]
        row = ring[slot_of[i]]
        wr = w_row[r]
        for k in range(indptr[r], indptr[r + 1]):
            row[tgt[k]] += wr


@njit(cache=True)
def _direct_steps(n_steps, param, ring, cdf, meta, ks):  # pragma: no cover
    for n in range(n_steps):
        direct_deliver(n, 0, 0, N_CELLS, param, ring, cdf, meta, ks)


@njit(cache=True)
def _lif_steps(n_steps, v, i_e, d_e, i_i, d_i, refr, ring, prop):  # pragma: no cover
    p11, p21, p22, p31, p32, p33, v_th, v_reset, t_ref = (
        prop[0], prop[1], prop[2], prop[3], prop[4], prop[5], prop[6], prop[7], int(prop[8]))
    n = len(v)
    spikes = 0
    for s in range(n_steps):
        slot = ring[s % ring.shape[0]]
        for c in range(n):   # branch-free: selects, so that the loop vectorises
            free = refr[c] == 0
            v_new = p31 * (d_e[c] + d_i[c]) + p32 * (i_e[c] + i_i[c]) + p33 * v[c]
            v_c = v_new if free else v[c]
            r_c = refr[c] if free else refr[c] - 1
            i_e[c] = p21 * d_e[c] + p22 * i_e[c]
            d_e[c] = p11 * d_e[c] + slot[c]
            i_i[c] = p21 * d_i[c] + p22 * i_i[c]
            d_i[c] = p11 * d_i[c] + slot[n + c]
            slot[c] = 0.0
            slot[n + c] = 0.0
            fire = v_c >= v_th
            v[c] = v_reset if fire else v_c
            refr[c] = t_ref if fire else r_c
            spikes += fire
    return spikes


@njit(cache=True)
def _poisson_draws(n_steps, n_cells, key, cdf):  # pragma: no cover
    total = 0
    for s in range(n_steps):
        for c in range(n_cells):
            z = np.uint64(key) ^ (np.uint64(s) * np.uint64(0x9E3779B97F4A7C15)
                                  + np.uint64(c) * np.uint64(0xD1B54A32D192ED03))
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            u = float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
            k = 0
            for j in range(16):   # branch-free over the likely counts
                k += u > cdf[j]
            while k >= 16 and u > cdf[k] and k < len(cdf) - 1:   # the far tail
                k += 1
            total += k
    return total


def poisson_cdf(lam: float, k_max: int = 64) -> np.ndarray:
    """Cumulative Poisson(lam) probabilities P(K <= k), k = 0 .. k_max."""
    p = np.empty(k_max + 1)
    p[0] = math.exp(-lam)
    for k in range(1, k_max + 1):
        p[k] = p[k - 1] * lam / k
    return np.cumsum(p)


def _best(f, *args, repeats: int = 5) -> float:
    """Smallest CPU time [s] of `repeats` calls (after one call that compiles or loads)."""
    f(*args)
    best = math.inf
    for _ in range(repeats):
        t0 = time.process_time()
        f(*args)
        best = min(best, time.process_time() - t0)
    return best


def measure(seed: int = 1) -> dict[str, float]:
    """ns per delivered event (per-synapse and per-group weights), per LIF update and per
    Poisson draw on this machine (single thread, best of 5, CPU time)."""
    gen = np.random.default_rng(seed)
    indptr = np.arange(0, (N_CELLS + 1) * FAN_OUT, FAN_OUT, dtype=np.int64)
    tgt = (gen.integers(0, N_CELLS, N_CELLS * FAN_OUT)
           + N_CELLS * (gen.random(N_CELLS * FAN_OUT) < 0.2)).astype(np.int32)
    w = np.where(tgt >= N_CELLS, -0.1, 0.02)
    w_row = gen.choice([0.02, -0.1], N_CELLS)
    ring = np.zeros((SLOTS, 2 * N_CELLS))
    n_spikes = 20_000
    spikes = gen.integers(0, N_CELLS, n_spikes)
    slot_of = gen.integers(0, SLOTS, n_spikes)
    events = n_spikes * FAN_OUT
    out = {"event_ns": _best(_deliver_per_synapse, spikes, indptr, tgt, w, ring, slot_of)
           / events * 1e9,
           "event_group_w_ns": _best(_deliver_per_group, spikes, indptr, tgt, w_row, ring,
                                     slot_of) / events * 1e9,
           "event_group_w16_ns": _best(_deliver_per_group, spikes, indptr,
                                       tgt.astype(np.uint16), w_row, ring, slot_of)
           / events * 1e9}
    del tgt, w
    tau_m, tau_s, h = 20.0, 0.5, 0.1
    p11 = p22 = math.exp(-h / tau_s)
    p21 = h * p11
    p33 = math.exp(-h / tau_m)
    p31 = p32 = 1e-3   # the values do not change the cost
    prop = np.array([p11, p21, p22, p31, p32, p33, 20.0, 10.0, 20.0])
    state = [gen.random(N_CELLS) * 20.0] + [np.zeros(N_CELLS) for _ in range(4)]
    refr = np.zeros(N_CELLS, np.int64)
    ring = gen.random((SLOTS, 2 * N_CELLS))
    steps = 1000
    out["lif_update_ns"] = _best(_lif_steps, steps, *state, refr, ring, prop) / (
        steps * N_CELLS) * 1e9
    out["poisson_draw_ns"] = _best(_poisson_draws, steps, N_CELLS, 12345, poisson_cdf(LAMBDA)) / (
        steps * N_CELLS) * 1e9
    from lamina.backends.engine import models as m
    from lamina.backends.engine import poisson
    param = np.zeros((m.NPARAM, 2 * N_CELLS))
    param[m.P_PKEY, N_CELLS:] = gen.integers(0, 2**52, N_CELLS).astype(float)
    block = [N_CELLS, 2 * N_CELLS, 0, 0, SLOTS - 1, 0.02, LAMBDA, 0, 1e18]
    cdf, meta = poisson.new_table(np.array([block], float))
    ring = np.zeros((SLOTS, 2 * N_CELLS))
    out["poisson_direct_ns"] = _best(_direct_steps, steps, param, ring, cdf, meta,
                                     np.zeros(poisson.DIRECT_CHUNK, np.int64)) / (
        steps * N_CELLS) * 1e9
    return out


def floor_seconds(ns: dict[str, float], rate_hz: float, per_group: bool = False) -> float:
    """Seconds per biological second for Brunel at `rate_hz`: events, updates, draws
    (per_group: 16-bit targets, one weight per group, and the engine's direct Poisson
    path, draws and one-to-one deliveries; else float64 weights per synapse and the plain
    draw kernel, without the one-to-one deliveries)."""
    events = rate_hz * N_CELLS * FAN_OUT
    event_ns = ns["event_group_w16_ns"] if per_group else ns["event_ns"]
    draw_ns = ns["poisson_direct_ns"] if per_group else ns["poisson_draw_ns"]
    return (events * event_ns + N_CELLS * STEPS_PER_S * (ns["lif_update_ns"] + draw_ns)) * 1e-9


def lamina_run(duration: float = 1000.0, seed: int = 12345) -> dict[str, float]:
    """One lamina Brunel run (after the engine's warm-up): build_s, run_s (wall clock),
    run_cpu_s (this process's CPU time: comparable with the floor on a busy machine),
    rate [Hz]."""
    import lamina
    from lamina.cli import warm_up_engine
    import brunel
    warm_up_engine(lamina, 1, "IF_curr_alpha")
    t0 = time.perf_counter()
    net = brunel.build(lamina, 1.0, seed, 1)
    t1, c1 = time.perf_counter(), time.process_time()
    lamina.run(duration)
    t2, c2 = time.perf_counter(), time.process_time()
    spikes = brunel._spike_count(net["exc"]) + brunel._spike_count(net["inh"])
    cells = net["par"]["n_exc"] + net["par"]["n_inh"]
    lamina.end()
    return {"build_s": t1 - t0, "run_s": t2 - t1, "run_cpu_s": c2 - c1,
            "rate": spikes / (cells * duration / 1000.0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-run", action="store_true", help="skip the lamina Brunel run")
    parser.add_argument("--rate", type=float, default=None,
                        help="Brunel mean rate [Hz] for the floor (default: measured)")
    args = parser.parse_args()
    ns = measure()
    print(f"delivered synaptic event: {ns['event_ns']:.2f} ns (float64 weight per synapse), "
          f"{ns['event_group_w_ns']:.2f} ns (one weight per group), "
          f"{ns['event_group_w16_ns']:.2f} ns (and 16-bit targets)")
    print(f"exact LIF update (iaf_psc_alpha): {ns['lif_update_ns']:.2f} ns per cell and step")
    print(f"Poisson draw (lambda = {LAMBDA}): {ns['poisson_draw_ns']:.2f} ns; the engine's "
          f"direct path (draw + one-to-one delivery): {ns['poisson_direct_ns']:.2f} ns")
    run = None if args.no_run else lamina_run()
    rate = args.rate if args.rate is not None else (run["rate"] if run else 29.0)
    events = rate * N_CELLS * FAN_OUT
    print(f"Brunel per biological second at {rate:.1f} Hz: {events / 1e6:.0f} M events, "
          f"{N_CELLS * STEPS_PER_S / 1e6:.0f} M updates, {N_CELLS * STEPS_PER_S / 1e6:.0f} M "
          "Poisson draws")
    print(f"floor: {floor_seconds(ns, rate):.2f} s per biological second "
          f"({floor_seconds(ns, rate, per_group=True):.2f} s with one weight per group, "
          "16-bit targets and the direct Poisson path)")
    if run:
        floor = floor_seconds(ns, rate, per_group=True)
        print(f"lamina: run {run['run_s']:.2f} s wall, {run['run_cpu_s']:.2f} s CPU "
              f"(build {run['build_s']:.2f} s), {run['run_cpu_s'] / floor:.2f} x the floor "
              "with one weight per group (CPU time; the floor is CPU time too)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
