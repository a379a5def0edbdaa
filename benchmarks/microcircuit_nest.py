"""The Potjans & Diesmann (2014) microcircuit of `microcircuit.py` as a native PyNEST script.

Same model and the same scaling rules (parameters come from `microcircuit.parameters`):
``iaf_psc_exp`` cells, ``fixed_total_number`` connections with autapses and multapses,
weights and delays drawn from normal distributions redrawn outside their bounds
(``nest.math.redraw``), the Poisson background as one ``poisson_generator`` per population
connected to all of its cells (NEST draws an independent train for every target), or
the DC equivalent as ``I_e``. Spike recorders start after the transient. The recurrent
synapses use one copy of ``static_synapse`` per source population, because NEST holds at most
2^27 - 2 connections per synapse model and thread (one model fails at full scale on one
thread: "Too many connections").

Run on its own: ``python benchmarks/microcircuit_nest.py --scale 0.1 --duration 200``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workers import fresh_nest_kernel  # noqa: E402
from microcircuit import (D_EXC, D_EXC_SD, D_EXT, D_INH, D_INH_SD, DT,  # noqa: E402
                          MAX_DELAY, NEURON, POPULATIONS, V0_MEAN, V0_SD, W_MEAN,
                          W_REL_SD, mean_weight, parameters, peak_rss_mb, report, rss_mb)


def build_and_run(scale: float = 1.0, duration: float = 100.0, transient: float = 50.0,
                  indegree: str = "keep", background: str = "poisson", seed: int = 55,
                  threads: int = 1) -> dict[str, Any]:
    """Build and simulate with NEST; the same result keys as `microcircuit.build_and_run`."""
    import nest

    if not 0.0 <= transient < duration:
        raise ValueError(f"transient={transient}: expected 0 <= transient < duration")
    par = parameters(scale, indegree, background)
    t0 = time.perf_counter()
    c0 = time.process_time()
    fresh_nest_kernel(nest, DT, seed, threads)
    pops, recorders = [], []
    for i, _ in enumerate(POPULATIONS):
        pop = nest.Create("iaf_psc_exp", int(par["n"][i]), params={
            "C_m": NEURON["C_m"], "tau_m": NEURON["tau_m"], "tau_syn_ex": NEURON["tau_syn"],
            "tau_syn_in": NEURON["tau_syn"], "t_ref": NEURON["t_ref"], "E_L": NEURON["E_L"],
            "V_reset": NEURON["V_reset"], "V_th": NEURON["V_th"], "I_e": float(par["dc"][i]),
            "V_m": nest.random.normal(mean=V0_MEAN, std=V0_SD)})
        rec = nest.Create("spike_recorder", params={"start": transient})
        nest.Connect(pop, rec)
        pops.append(pop)
        recorders.append(rec)
    # one copy of static_synapse per source population: NEST stores at most 2^27 - 2
    # connections per synapse model and thread (the full model has 0.3 billion; the
    # largest source, L2/3e, 93 million)
    for name in POPULATIONS:
        nest.CopyModel("static_synapse", f"static_from_{name}")
    rss_before = rss_mb()
    for t, post in enumerate(pops):
        for s, pre in enumerate(pops):
            k = int(par["synapses"][t, s])
            if k == 0:
                continue
            w = mean_weight(t, s) * par["w_scale"]
            wdist = nest.random.normal(mean=w, std=abs(w) * W_REL_SD)
            if w > 0:
                weight = nest.math.redraw(wdist, min=0.0, max=float("inf"))
                delay = nest.math.redraw(nest.random.normal(mean=D_EXC, std=D_EXC_SD),
                                         min=DT, max=MAX_DELAY)
            else:
                weight = nest.math.redraw(wdist, min=float("-inf"), max=0.0)
                delay = nest.math.redraw(nest.random.normal(mean=D_INH, std=D_INH_SD),
                                         min=DT, max=MAX_DELAY)
            nest.Connect(pre, post, {"rule": "fixed_total_number", "N": k,
                                     "allow_autapses": True, "allow_multapses": True},
                         {"synapse_model": f"static_from_{POPULATIONS[s]}", "weight": weight,
                          "delay": delay})
    if background == "poisson":
        for i, post in enumerate(pops):
            gen = nest.Create("poisson_generator", params={"rate": float(par["poisson_rate"][i])})
            nest.Connect(gen, post, "all_to_all",
                         {"synapse_model": "static_synapse", "weight": W_MEAN, "delay": D_EXT})
    rss_after = rss_mb()
    t1 = time.perf_counter()
    c1 = time.process_time()
    if transient > 0:       # two calls, as the PyNN version (the first one sets up)
        nest.Simulate(transient)
    tm = time.perf_counter()
    nest.Simulate(duration - transient)
    t2 = time.perf_counter()
    c2 = time.process_time()
    rss_run = rss_mb()
    peak = max(peak_rss_mb(), rss_run)
    seconds = (duration - transient) / 1000.0
    rates = {name: rec.n_events / (len(pop) * seconds)
             for name, pop, rec in zip(POPULATIONS, pops, recorders)}
    nsyn = par["n_synapses"]

    def per_syn(mb: float) -> float:
        return (mb - rss_before) * 1024 * 1024 / nsyn

    return {
        "simulator": "NEST " + nest.__version__, "scale": scale, "indegree": indegree,
        "background": background, "threads": threads, "duration_ms": duration,
        "transient_ms": transient, "n_cells": par["n_cells"], "n_synapses": nsyn,
        "n_synapses_nest": int(nest.GetKernelStatus("num_connections")),
        "build_s": t1 - t0, "run_s": t2 - t1, "build_cpu_s": c1 - c0, "run_cpu_s": c2 - c1,
        "rtf": (t2 - t1) / (duration / 1000.0), "rtf_after_transient": (t2 - tm) / seconds,
        "rates": rates,
        "rss_before_connect_mb": rss_before, "rss_after_connect_mb": rss_after,
        "rss_after_run_mb": rss_run, "peak_rss_mb": peak,
        "b_per_syn_connect": per_syn(rss_after), "b_per_syn_run": per_syn(rss_run),
        "b_per_syn_peak": per_syn(peak),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--duration", type=float, default=200.0)
    ap.add_argument("--transient", type=float, default=50.0)
    ap.add_argument("--indegree", choices=("keep", "scale"), default="keep")
    ap.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=55)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    r = build_and_run(a.scale, a.duration, a.transient, a.indegree, a.background, a.seed,
                      a.threads)
    print(json.dumps(r) if a.json else report(r), flush=True)


if __name__ == "__main__":
    main()
