"""Vogels-Abbott COBA and CUBA (`vogels_abbott.py`) through ``lamina.neuron`` against a plain
NEURON script of the same network, one run each; prints wall and CPU times and ratios (CPU
time is the robust figure on a shared machine).

The plain script (`plain_neuron`) uses NEURON directly: one section per cell with lamina's
compiled mechanisms (the same ``LaminaLIF``/``LaminaExpSyn`` point processes — NEURON has no
built-in integrate-and-fire membrane with refractory clamp), ``h.NetCon`` per connection,
``LaminaRelay`` cells fed with the kick-start trains by ``NetCon.event`` (NEURON 9 has no
built-in VecStim), spikes recorded with ``NetCon.record``,
``h.finitialize`` and ``ParallelContext.psolve``. It builds the very network lamina built
(its connections, initial potentials and kick-start spike trains, taken from the lamina
run), so both simulate the same activity; lamina's build time includes drawing the
connections, the plain script's does not.

PyNN 0.13 on NEURON (``--pynn-python``, a Python with ``pyNN`` and ``neuron`` installed;
``pyNN.neuron`` compiles its mechanisms on its first import, done before timing) builds and
runs the same script (`vogels_abbott.build_and_run`, with its own random connections of the
same statistics) in a subprocess. Bulk building: ``--connect`` times one
``FixedProbabilityConnector(0.1)`` projection between two populations of 1000 IF_cond_exp
cells (about 100,000 NetCons) on lamina.neuron and on PyNN, and prints connections per second.

Use::

    python benchmarks/neuron_networks.py --n 4000 --duration 1000 \
        --pynn-python /work/pynn-venv/bin/python
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
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
    t0, cpu0 = time.perf_counter(), time.process_time()
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
        mem = h.LaminaLIF(sec(0.5))
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
    return {"build_s": t1 - t0, "run_s": t2 - t1, "cpu_s": time.process_time() - cpu0,
            "n_synapses": sum(len(c[0]) for c in net["connections"]),
            "rate_exc": float(np.sum(ids < n_exc)) / (n_exc * duration / 1000.0),
            "rate_inh": float(np.sum(ids >= n_exc)) / (n_inh * duration / 1000.0)}


def via_lamina(variant: str, n: int, duration: float,
               seed: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Build and run through ``lamina.neuron``; return the timings and the network as
    built (connections, initial v, kick-start trains) for `plain_neuron`."""
    import lamina.neuron as sim
    t0, cpu0 = time.perf_counter(), time.process_time()
    built = va.build(sim, variant, n, seed)
    built["stim"].record("spikes")
    t1 = time.perf_counter()
    sim.run(duration)  # type: ignore[attr-defined]
    t2 = time.perf_counter()
    cpu = time.process_time() - cpu0
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
    result = {"build_s": t1 - t0, "run_s": t2 - t1, "cpu_s": cpu,
              "n_synapses": built["n_synapses"],
              "rate_exc": sum(spikes[:n_exc]) / (n_exc * duration / 1000.0),
              "rate_inh": sum(spikes[n_exc:]) / ((len(spikes) - n_exc) * duration / 1000.0)}
    sim.end()  # type: ignore[attr-defined]
    return result, net


def connection_rate(sim: Any, n: int = 1000, p: float = 0.1, seed: int = 3) -> dict[str, float]:
    """Time one FixedProbabilityConnector projection of `n` x `n` cells with the PyNN-API
    module `sim`; return the connections made and the rate [connections/s]."""
    sim.setup(timestep=va.DT, min_delay=va.DELAY, max_delay=10.0)
    pre = sim.Population(n, sim.IF_cond_exp())
    post = sim.Population(n, sim.IF_cond_exp())
    rng = sim.NumpyRNG(seed=seed)
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(p, rng=rng),
                         sim.StaticSynapse(weight=0.004, delay=va.DELAY),
                         receptor_type="excitatory")
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    made = int(prj.size())
    sim.end()
    return {"connections": made, "seconds": elapsed, "per_s": made / elapsed,
            "per_cpu_s": made / cpu}


def pynn_worker(variant: str, n: int, duration: float, seed: int, connect: bool) -> None:
    """Run inside the PyNN Python: print the results of PyNN 0.13 on NEURON as JSON."""
    import pyNN.neuron as sim  # type: ignore[import-not-found]
    out: dict[str, Any] = {}
    if variant:
        cpu0 = time.process_time()
        out["network"] = va.build_and_run(sim, variant, n, duration, seed)
        out["network"]["cpu_s"] = time.process_time() - cpu0
    if connect:
        out["connect"] = connection_rate(sim)
    print("RESULT " + json.dumps(out))


def via_pynn(python: str, variant: str, n: int, duration: float, seed: int,
             connect: bool = False) -> dict[str, Any]:
    """PyNN 0.13 on NEURON in a subprocess of `python` (its ``bin`` first on PATH, so that
    pyNN finds ``nrnivmodl``); its first import (mechanism compilation) is not timed."""
    env = {**os.environ, "PATH": os.path.dirname(python) + os.pathsep + os.environ["PATH"]}
    env.pop("PYTHONPATH", None)
    subprocess.run([python, "-c", "import pyNN.neuron"], env=env, check=True,
                   capture_output=True)
    cmd = [python, os.path.abspath(__file__), "--worker", "--variants", variant, "--n", str(n),
           "--duration", str(duration), "--seed", str(seed)]
    proc = subprocess.run(cmd + (["--connect"] if connect else []), env=env,
                          capture_output=True, text=True, check=False)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"PyNN on NEURON failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def _row(variant: str, name: str, r: dict[str, float]) -> str:
    return (f"{variant.upper():4s} {name:14s} build {r['build_s']:7.2f} s  run "
            f"{r['run_s']:7.2f} s  CPU {r['cpu_s']:7.2f} s  synapses {int(r['n_synapses']):7d} "
            f"({r['n_synapses'] / r['build_s']:9.0f}/s of build)  rates "
            f"{r['rate_exc']:5.1f} / {r['rate_inh']:5.1f} Hz")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--variants", default="coba,cuba")
    parser.add_argument("--pynn-python", default=None,
                        help="a Python with pyNN and neuron, to time PyNN 0.13 on NEURON too")
    parser.add_argument("--connect", action="store_true",
                        help="also time bulk connection building (connections per second)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        pynn_worker(args.variants, args.n, args.duration, args.seed, args.connect)
        return
    for variant in args.variants.split(","):
        lam, net = via_lamina(variant, args.n, args.duration, args.seed)
        rows = {"lamina.neuron": lam, "plain NEURON": plain_neuron(variant, net, args.duration)}
        if args.pynn_python:
            rows["PyNN 0.13"] = via_pynn(args.pynn_python, variant, args.n, args.duration,
                                         args.seed)["network"]
        for name, r in rows.items():
            print(_row(variant, name, r), flush=True)
        lam = rows["lamina.neuron"]
        for name, other in rows.items():
            if name != "lamina.neuron":
                print(f"{variant.upper():4s} ratio lamina/{name}: build "
                      f"{lam['build_s'] / other['build_s']:.2f}  run "
                      f"{lam['run_s'] / other['run_s']:.2f}  total "
                      f"{(lam['build_s'] + lam['run_s']) / (other['build_s'] + other['run_s']):.2f}"
                      f"  CPU {lam['cpu_s'] / other['cpu_s']:.2f}",
                      flush=True)
    if args.connect:
        import lamina.neuron as sim
        rates = {"lamina.neuron": connection_rate(sim)}
        if args.pynn_python:
            rates["PyNN 0.13"] = via_pynn(args.pynn_python, "", args.n, args.duration,
                                          args.seed, connect=True)["connect"]
        for name, r in rates.items():
            print(f"connect {name:14s} {r['connections']:7d} connections in "
                  f"{r['seconds']:6.2f} s: {r['per_s']:9.0f} /s ({r['per_cpu_s']:9.0f} per "
                  "CPU s)", flush=True)


if __name__ == "__main__":
    main()
