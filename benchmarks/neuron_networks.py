"""Vogels-Abbott COBA and CUBA (`vogels_abbott.py`) through ``lamina.neuron`` against a plain
NEURON script of the same network, one run each; prints times and ratios.

The plain script (`plain_neuron`) uses NEURON directly: one section per cell with lamina's
compiled mechanisms (the same ``LaminaIF``/``LaminaExpSyn`` point processes — NEURON has no
built-in integrate-and-fire membrane with refractory clamp), ``h.NetCon`` per connection,
``NetStim`` Poisson sources (``noise = 1``) for the kick-start, spikes recorded with
``NetCon.record``, ``h.finitialize`` and ``ParallelContext.psolve``. Connectivity is drawn
with numpy at the same probability (not the same realisation as lamina's connector), so
rates agree statistically, not spike by spike.

Use::

    python benchmarks/neuron_networks.py --n 4000 --duration 1000
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vogels_abbott as va  # noqa: E402


def plain_neuron(variant: str, n: int, duration: float, seed: int) -> dict[str, float]:
    """Build and run the network with NEURON calls only; return timings and rates."""
    import neuron  # type: ignore[import-untyped]
    from neuron import h  # type: ignore[import-untyped]

    from lamina.backends.neuron import mechanisms
    t0 = time.perf_counter()
    mechanisms.load(h, neuron.__version__)
    par = va.VARIANTS[variant]
    cp = par["cell_params"]
    n_exc, n_inh, p = va.sizes(n)
    rng = np.random.default_rng(seed)
    h.dt = va.DT
    h.secondorder = 2
    size = math.sqrt(1e5 / math.pi)
    cond = variant == "coba"
    cells, exc_syn, inh_syn, spikes = [], [], [], []
    for _ in range(n):
        sec = h.Section()
        sec.L = sec.diam = size
        sec.cm = cp["cm"]
        mem = h.LaminaIF(sec(0.5))
        mem.g_leak, mem.e_leak = cp["cm"] / cp["tau_m"], cp["v_rest"]
        mem.v_spike, mem.v_reset, mem.t_refrac = cp["v_thresh"], cp["v_reset"], cp["tau_refrac"]
        synapses = []
        for tau, e in ((cp["tau_syn_E"], cp.get("e_rev_E", 0.0)),
                       (cp["tau_syn_I"], cp.get("e_rev_I", 0.0))):
            syn = h.LaminaExpSyn(sec(0.5))
            syn.tau, syn.e, syn.conductance = tau, e, float(cond)
            synapses.append(syn)
        cells.append((sec, mem))
        exc_syn.append(synapses[0])
        inh_syn.append(synapses[1])
    netcons = []
    for i in range(n):
        targets = np.flatnonzero(rng.random(n) < p)
        targets = targets[targets != i]
        w, syns = (par["w_exc"], exc_syn) if i < n_exc else (par["w_inh"], inh_syn)
        for j in targets.tolist():
            nc = h.NetCon(cells[i][1], syns[j])
            nc.weight[0], nc.delay = w, va.DELAY
            netcons.append(nc)
    n_recurrent = len(netcons)
    stims = []
    for k in range(va.STIM_N):
        stim = h.NetStim()
        stim.interval, stim.number = 1000.0 / va.STIM_RATE, 1e9
        stim.start, stim.noise = 0.0, 1.0
        stim.seed(seed + k)
        stims.append(stim)
        for j in np.flatnonzero(rng.random(n) < va.STIM_P).tolist():
            nc = h.NetCon(stim, exc_syn[j])
            nc.weight[0], nc.delay = va.STIM_WEIGHT, va.DELAY
            netcons.append(nc)
    stop_stims = [h.NetCon(None, s) for s in stims]
    tvec, idvec = h.Vector(), h.Vector()
    for i, (_, mem) in enumerate(cells):
        nc = h.NetCon(mem, None)
        nc.record(tvec, idvec, i)
        spikes.append(nc)
    pc = h.ParallelContext()
    v0 = rng.uniform(va.V_INIT_LOW, va.V_INIT_HIGH, n)
    h.finitialize()
    for (sec, _), v in zip(cells, v0.tolist()):
        sec(0.5).v = v
    h.fcurrent()
    h.frecord_init()
    for nc in stop_stims:                 # NetStim: a negative-weight event turns it off
        nc.weight[0] = -1
        nc.event(va.STIM_DURATION)
    t1 = time.perf_counter()
    pc.set_maxstep(10)
    pc.psolve(duration)
    t2 = time.perf_counter()
    ids = idvec.as_numpy()
    return {"build_s": t1 - t0, "run_s": t2 - t1, "n_synapses": n_recurrent,
            "rate_exc": float(np.sum(ids < n_exc)) / (n_exc * duration / 1000.0),
            "rate_inh": float(np.sum(ids >= n_exc)) / (n_inh * duration / 1000.0)}


def via_lamina(variant: str, n: int, duration: float, seed: int) -> dict[str, float]:
    import lamina.neuron as sim
    result = va.build_and_run(sim, variant, n=n, duration=duration, seed=seed)
    sim.end()  # type: ignore[attr-defined]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--variants", default="coba,cuba")
    args = parser.parse_args(argv)
    for variant in args.variants.split(","):
        rows = {"lamina.neuron": via_lamina(variant, args.n, args.duration, args.seed),
                "plain NEURON": plain_neuron(variant, args.n, args.duration, args.seed)}
        for name, r in rows.items():
            print(f"{variant.upper():4s} {name:14s} build {r['build_s']:7.2f} s  run "
                  f"{r['run_s']:7.2f} s  synapses {int(r['n_synapses']):7d} "
                  f"({r['n_synapses'] / r['build_s']:9.0f}/s of build)  rates "
                  f"{r['rate_exc']:5.1f} / {r['rate_inh']:5.1f} Hz")
        lam, plain = rows["lamina.neuron"], rows["plain NEURON"]
        print(f"{variant.upper():4s} ratio lamina/plain: build {lam['build_s'] / plain['build_s']:.2f}"
              f"  run {lam['run_s'] / plain['run_s']:.2f}  total "
              f"{(lam['build_s'] + lam['run_s']) / (plain['build_s'] + plain['run_s']):.2f}")


if __name__ == "__main__":
    main()
