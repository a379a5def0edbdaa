"""Vogels-Abbott COBA and CUBA (`vogels_abbott.py`) through ``lamina.neuron`` against a plain
NEURON script of the same network, one run each; prints times and ratios.

The plain script (`plain_neuron`) uses NEURON directly: one section per cell with lamina's
compiled mechanisms (the same ``LaminaIF``/``LaminaExpSyn`` point processes — NEURON has no
built-in integrate-and-fire membrane with refractory clamp), ``h.NetCon`` per connection,
``LaminaRelay`` cells fed with the kick-start trains by ``NetCon.event`` (NEURON 9 has no
built-in VecStim), spikes recorded with ``NetCon.record``,
``h.finitialize`` and ``ParallelContext.psolve``. It builds the very network lamina built
(its connections, initial potentials and kick-start spike trains, taken from the lamina
run), so both simulate the same activity; lamina's build time includes drawing the
connections, the plain script's does not.

Use::

    python benchmarks/neuron_networks.py --n 4000 --duration 1000
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vogels_abbott as va  # noqa: E402


def plain_neuron(variant: str, net: dict[str, Any], duration: float) -> dict[str, float]:
    """Build and run the network `net` (`via_lamina`'s connections, initial potentials and
    kick-start trains) with NEURON calls only; return timings and rates."""
    import neuron  # type: ignore[import-untyped]
    from neuron import h  # type: ignore[import-untyped]

    from lamina.backends.neuron import mechanisms
    t0 = time.perf_counter()
    mechanisms.load(h, neuron.__version__)
    par = va.VARIANTS[variant]
    cp = par["cell_params"]
    n, n_exc = len(net["v_init"]), net["n_exc"]
    h.dt = va.DT
    h.secondorder = 2
    size = math.sqrt(1e5 / math.pi)
    cond = variant == "coba"
    sections, membranes, exc_syn, inh_syn = [], [], [], []
    for _ in range(n):
        sec = h.Section()
        sec.L = sec.diam = size
        sec.cm = cp["cm"]
        mem = h.LaminaIF(sec(0.5))
        mem.g_leak, mem.e_leak = cp["cm"] / cp["tau_m"], cp["v_rest"]
        mem.v_spike, mem.v_reset, mem.t_refrac = cp["v_thresh"], cp["v_reset"], cp["tau_refrac"]
        for tau, e, store in ((cp["tau_syn_E"], cp.get("e_rev_E", 0.0), exc_syn),
                              (cp["tau_syn_I"], cp.get("e_rev_I", 0.0), inh_syn)):
            syn = h.LaminaExpSyn(sec(0.5))
            syn.tau, syn.e, syn.conductance = tau, e, float(cond)
            store.append(syn)
        sections.append(sec)
        membranes.append(mem)
    netcons = []
    for pre, post, weight, receptor in net["connections"]:
        syns = exc_syn if receptor == "excitatory" else inh_syn
        for i, j in zip(pre.tolist(), post.tolist()):
            nc = h.NetCon(membranes[i], syns[j])
            nc.weight[0], nc.delay = weight, va.DELAY
            netcons.append(nc)
    stims, feeds = [], []
    for times, targets in net["kick"]:
        stim = h.LaminaRelay()          # NEURON 9 ships no VecStim: events re-emitted
        stims.append(stim)
        feeds.append((h.NetCon(None, stim), times))
        for j in targets.tolist():
            nc = h.NetCon(stim, exc_syn[j])
            nc.weight[0], nc.delay = va.STIM_WEIGHT, va.DELAY
            netcons.append(nc)
    tvec, idvec = h.Vector(), h.Vector()
    recorders = []
    for i, mem in enumerate(membranes):
        nc = h.NetCon(mem, None)
        nc.record(tvec, idvec, i)
        recorders.append(nc)
    pc = h.ParallelContext()
    h.finitialize()
    for sec, v in zip(sections, net["v_init"].tolist()):
        sec(0.5).v = v
    h.fcurrent()
    h.frecord_init()
    for feed, times in feeds:
        for t in times:
            feed.event(t)
    t1 = time.perf_counter()
    pc.set_maxstep(10)
    pc.psolve(duration)
    t2 = time.perf_counter()
    ids = idvec.as_numpy()
    n_inh = n - n_exc
    return {"build_s": t1 - t0, "run_s": t2 - t1,
            "n_synapses": sum(len(c[0]) for c in net["connections"]),
            "rate_exc": float(np.sum(ids < n_exc)) / (n_exc * duration / 1000.0),
            "rate_inh": float(np.sum(ids >= n_exc)) / (n_inh * duration / 1000.0)}


def via_lamina(variant: str, n: int, duration: float,
               seed: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Build and run through ``lamina.neuron``; return the timings and the network as
    built (connections, initial v, kick-start trains) for `plain_neuron`."""
    import lamina.neuron as sim
    t0 = time.perf_counter()
    built = va.build(sim, variant, n, seed)
    built["stim"].record("spikes")
    t1 = time.perf_counter()
    sim.run(duration)  # type: ignore[attr-defined]
    t2 = time.perf_counter()
    exc, inh = built["exc"], built["inh"]
    n_exc = exc.size
    spikes = [len(st) for pop in (exc, inh)
              for st in pop.get_data("spikes").segments[-1].spiketrains]
    net: dict[str, Any] = {"n_exc": n_exc, "connections": [], "kick": []}
    net["v_init"] = np.concatenate([exc._initial["v"], inh._initial["v"]])
    offset = {exc.label: 0, inh.label: n_exc}
    for prj in built["projections"][:4]:
        pre, post = prj.connection_indices()
        weight = float(np.ravel(prj.get("weight", "list", with_address=False))[0])
        net["connections"].append((pre + offset[prj.pre.label], post + offset[prj.post.label],
                                   weight, prj.receptor_type))
    trains = built["stim"].get_data("spikes").segments[-1].spiketrains
    for k, st in enumerate(trains):
        targets = []
        for prj in built["projections"][4:]:
            pre, post = prj.connection_indices()
            targets.append(post[pre == k] + offset[prj.post.label])
        net["kick"].append((st.magnitude.tolist(), np.concatenate(targets)))
    result = {"build_s": t1 - t0, "run_s": t2 - t1, "n_synapses": built["n_synapses"],
              "rate_exc": sum(spikes[:n_exc]) / (n_exc * duration / 1000.0),
              "rate_inh": sum(spikes[n_exc:]) / ((len(spikes) - n_exc) * duration / 1000.0)}
    sim.end()  # type: ignore[attr-defined]
    return result, net


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--variants", default="coba,cuba")
    args = parser.parse_args(argv)
    for variant in args.variants.split(","):
        lam, net = via_lamina(variant, args.n, args.duration, args.seed)
        rows = {"lamina.neuron": lam, "plain NEURON": plain_neuron(variant, net, args.duration)}
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
