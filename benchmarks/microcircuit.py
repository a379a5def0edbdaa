"""The Potjans & Diesmann (2014) cortical microcircuit, written once against the PyNN API.

Model (Potjans TC, Diesmann M, Cereb. Cortex 24:785-806, 2014; the values of its Tables
4 and 5), thalamic input off:

* 8 populations L2/3e, L2/3i, L4e, L4i, L5e, L5i, L6e, L6i of ``IF_curr_exp`` cells
  (NEST ``iaf_psc_exp``): 77,169 cells at full scale.
* tau_m = 10 ms, C_m = 250 pF, tau_syn = 0.5 ms (both receptors), t_ref = 2 ms,
  E_L = V_reset = -65 mV, V_th = -50 mV; initial V normal(-58 mV, 10 mV).
* connections: for every (target, source) pair of populations a fixed total number of
  synapses K = ln(1 - C) / ln(1 - 1 / (N_pre N_post)) drawn at random with autapses and
  multapses (C: the paper's connection probability table), about 0.3 billion in all.
* weights normal(w, 0.1 w) with w = 87.8 pA, inhibitory -4 w, L4e -> L2/3e 2 w; excitatory
  weights clipped to >= 0, inhibitory to <= 0 (redrawn).
* delays normal(1.5, 0.75) ms excitatory, normal(0.75, 0.375) ms inhibitory, redrawn below
  the time step 0.1 ms (and, which never happens in practice, above 10 ms).
* background: every cell gets its own Poisson train at K_ext x 8 Hz with weight w and
  delay 1.5 ms (``--background poisson``), or the equivalent mean current
  K_ext x 8 Hz x w x tau_syn as ``i_offset`` (``--background dc``).

Scaling (``--scale``, fraction of the cells of every population): by default the in-degrees
are **kept** (``--indegree keep``): each population receives as many synapses per cell as
at full scale (K_total scaled with N_post), so mean and variance of each cell's input are
those of the full model (the small network has many multapses and more correlation).
With ``--indegree scale`` the in-degrees are multiplied by ``--scale`` as well, the weights
by 1 / sqrt(scale) (variance kept), and the lost mean input is given back as a DC current
computed from the full-scale rates (``PAPER_RATES``); the external input is not scaled.

The native NEST version of the same model is ``benchmarks/microcircuit_nest.py``.

Use::

    python benchmarks/microcircuit.py --scale 0.1 --duration 200
    python benchmarks/microcircuit.py --scale 1 --duration 100 --threads 2
    python benchmarks/microcircuit.py --scale 0.02 --backend nest    # lamina.nest
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
import time
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vogels_abbott import peak_rss_mb, rss_mb  # noqa: E402

# --- the published parameters (NEST units: ms, mV, pF, pA, Hz) ----------------------------
POPULATIONS = ("L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i")
N_FULL = (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948)
#: connection probability, rows: target, columns: source (order of POPULATIONS)
CONN_PROB = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443]])
K_EXT = (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100)   # external in-degrees
BG_RATE = 8.0         # Hz per external input
W_MEAN = 87.8         # pA, excitatory PSC amplitude (0.15 mV PSP)
W_REL_SD = 0.1        # relative standard deviation of the weights
G = -4.0              # inhibitory weight relative to excitatory
L4E_L23E_FACTOR = 2.0  # the L4e -> L2/3e weight is doubled
D_EXC, D_EXC_SD = 1.5, 0.75    # ms
D_INH, D_INH_SD = 0.75, 0.375  # ms
D_EXT = 1.5           # ms, delay of the Poisson background
DT = 0.1              # ms
MAX_DELAY = 10.0      # ms, upper redraw bound of the delays (about 11 sd above the mean)
NEURON = {"tau_m": 10.0, "C_m": 250.0, "tau_syn": 0.5, "t_ref": 2.0, "E_L": -65.0,
          "V_reset": -65.0, "V_th": -50.0}
V0_MEAN, V0_SD = -58.0, 10.0   # mV, initial membrane potentials
#: full-scale rates with Poisson background [Hz], approximate (the paper's Fig. 6, as
#: commonly quoted); used for the comparison printout and the DC compensation only
PAPER_RATES = (0.9, 2.8, 4.4, 5.7, 7.6, 8.7, 1.1, 7.7)


def is_excitatory(index: int) -> bool:
    return POPULATIONS[index].endswith("e")


def synapses_full() -> np.ndarray:
    """Total synapses per (target, source) at full scale: ln(1-C) / ln(1 - 1/(N_pre N_post))."""
    n = np.array(N_FULL, dtype=float)
    pairs = np.outer(n, n)                      # N_post x N_pre
    with np.errstate(divide="ignore"):
        k = np.log(1.0 - CONN_PROB) / np.log(1.0 - 1.0 / pairs)
    return np.round(k).astype(np.int64)


def mean_weight(target: int, source: int) -> float:
    """Mean PSC amplitude [pA] of a connection source -> target (before in-degree scaling)."""
    w = W_MEAN if is_excitatory(source) else G * W_MEAN
    if POPULATIONS[source] == "L4e" and POPULATIONS[target] == "L23e":
        w *= L4E_L23E_FACTOR
    return w


def parameters(scale: float = 1.0, indegree: str = "keep",
               background: str = "poisson") -> dict[str, Any]:
    """All derived figures of the network with `scale` times the cells of every population.

    Returns ``n`` (cells per population), ``synapses`` (total per target x source),
    ``w_scale`` (factor on every recurrent weight), ``dc`` (pA per population: the DC
    background and/or the compensation of scaled in-degrees), ``poisson_rate`` (Hz per cell,
    0 with the DC background), ``n_synapses`` (all recurrent synapses).
    """
    if not 0.0 < scale <= 1.0:
        raise ValueError(f"scale={scale}: expected a fraction in (0, 1]")
    if indegree not in ("keep", "scale"):
        raise ValueError(f"indegree={indegree!r}: expected 'keep' or 'scale'")
    if background not in ("poisson", "dc"):
        raise ValueError(f"background={background!r}: expected 'poisson' or 'dc'")
    n = np.maximum(1, np.round(np.array(N_FULL) * scale)).astype(np.int64)
    indeg_full = synapses_full() / np.array(N_FULL, dtype=float)[:, None]  # per target cell
    k_scale = scale if indegree == "scale" else 1.0
    synapses = np.round(indeg_full * k_scale * n[:, None]).astype(np.int64)
    w_scale = 1.0 / math.sqrt(k_scale)
    tau_syn = NEURON["tau_syn"] * 1e-3            # s
    dc = np.zeros(len(POPULATIONS))
    for t in range(len(POPULATIONS)):
        if background == "dc":
            dc[t] += K_EXT[t] * BG_RATE * W_MEAN * tau_syn
        if k_scale != 1.0:          # mean input lost by scaling the in-degrees
            for s in range(len(POPULATIONS)):
                dc[t] += ((1.0 - math.sqrt(k_scale)) * indeg_full[t, s] * mean_weight(t, s)
                          * PAPER_RATES[s] * tau_syn)
    rate = np.array(K_EXT, dtype=float) * BG_RATE if background == "poisson" \
        else np.zeros(len(POPULATIONS))
    return {"scale": scale, "indegree": indegree, "background": background,
            "n": n, "synapses": synapses, "w_scale": w_scale, "dc": dc,
            "poisson_rate": rate, "n_synapses": int(synapses.sum()),
            "n_cells": int(n.sum())}


# --- the network with the PyNN API --------------------------------------------------------
def build(sim, scale: float = 1.0, indegree: str = "keep", background: str = "poisson",
          seed: int = 55, threads: int = 1) -> dict[str, Any]:
    """Set up `sim` (any PyNN-API module) and build the microcircuit."""
    par = parameters(scale, indegree, background)
    kwargs: dict[str, Any] = {"timestep": DT, "min_delay": DT, "max_delay": MAX_DELAY,
                              "rng_seed": seed}
    if threads != 1:
        kwargs["threads"] = threads
    sim.setup(**kwargs)
    rng = sim.NumpyRNG(seed=seed)
    pops = []
    for i, name in enumerate(POPULATIONS):
        cell = sim.IF_curr_exp(
            cm=NEURON["C_m"] / 1000.0, tau_m=NEURON["tau_m"], v_rest=NEURON["E_L"],
            v_thresh=NEURON["V_th"], v_reset=NEURON["V_reset"], tau_refrac=NEURON["t_ref"],
            tau_syn_E=NEURON["tau_syn"], tau_syn_I=NEURON["tau_syn"],
            i_offset=float(par["dc"][i]) / 1000.0)
        v0 = sim.RandomDistribution("normal", mu=V0_MEAN, sigma=V0_SD, rng=rng)
        pop = sim.Population(int(par["n"][i]), cell, initial_values={"v": v0}, label=name)
        pop.record("spikes")
        pops.append(pop)
    rss_before = rss_mb()
    projections = []
    for t, post in enumerate(pops):
        for s, pre in enumerate(pops):
            k = int(par["synapses"][t, s])
            if k == 0:
                continue
            w = mean_weight(t, s) * par["w_scale"] / 1000.0     # nA
            sd = abs(w) * W_REL_SD
            if w > 0:
                weight = sim.RandomDistribution("normal_clipped", mu=w, sigma=sd, low=0.0,
                                                high=np.inf, rng=rng)
                delay = sim.RandomDistribution("normal_clipped", mu=D_EXC, sigma=D_EXC_SD,
                                               low=DT, high=MAX_DELAY, rng=rng)
            else:
                weight = sim.RandomDistribution("normal_clipped", mu=w, sigma=sd,
                                                low=-np.inf, high=0.0, rng=rng)
                delay = sim.RandomDistribution("normal_clipped", mu=D_INH, sigma=D_INH_SD,
                                               low=DT, high=MAX_DELAY, rng=rng)
            projections.append(sim.Projection(
                pre, post, sim.FixedTotalNumberConnector(k, with_replacement=True,
                                                         allow_self_connections=True, rng=rng),
                sim.StaticSynapse(weight=weight, delay=delay),
                receptor_type="excitatory" if w > 0 else "inhibitory",
                label=f"{pre.label}->{post.label}"))
    if background == "poisson":
        for i, post in enumerate(pops):
            src = sim.Population(post.size, sim.SpikeSourcePoisson(
                rate=float(par["poisson_rate"][i])), label=f"bg->{post.label}")
            sim.Projection(src, post, sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=W_MEAN / 1000.0, delay=D_EXT),
                           receptor_type="excitatory", label=f"bg->{post.label}")
    rss_after = rss_mb()
    return {"populations": pops, "projections": projections, "par": par,
            "rss_before_connect_mb": rss_before, "rss_after_connect_mb": rss_after}


def build_and_run(sim, scale: float = 1.0, duration: float = 100.0, transient: float = 50.0,
                  indegree: str = "keep", background: str = "poisson", seed: int = 55,
                  threads: int = 1) -> dict[str, Any]:
    """Build and simulate with the PyNN-API module `sim`; rates exclude the first
    `transient` ms (counted by a first ``run(transient)``; ``run_s`` is both runs).

    Returns build_s, run_s, rtf (run seconds per biological second), rtf_after_transient
    (the second run alone: no first-run set-up), rates (Hz per population), n_cells,
    n_synapses, and memory: rss before/after connecting, after the run, peak, and bytes
    per recurrent synapse (growth from before connecting).
    """
    if not 0.0 <= transient < duration:
        raise ValueError(f"transient={transient}: expected 0 <= transient < duration")
    t0 = time.perf_counter()
    c0 = time.process_time()
    net = build(sim, scale, indegree, background, seed, threads)
    t1 = time.perf_counter()
    c1 = time.process_time()
    counts0 = [0.0] * len(POPULATIONS)
    if transient > 0:
        sim.run(transient)
        counts0 = [p.mean_spike_count() for p in net["populations"]]
    tm = time.perf_counter()
    sim.run(duration - transient)
    t2 = time.perf_counter()
    c2 = time.process_time()
    rss_run = rss_mb()
    peak = max(peak_rss_mb(), rss_run)
    seconds = (duration - transient) / 1000.0
    rates = {name: (p.mean_spike_count() - c) / seconds
             for name, p, c in zip(POPULATIONS, net["populations"], counts0)}
    par = net["par"]
    nsyn = par["n_synapses"]
    before = net["rss_before_connect_mb"]

    def per_syn(mb: float) -> float:
        return (mb - before) * 1024 * 1024 / nsyn

    result = {
        "simulator": getattr(sim, "__name__", str(sim)), "scale": scale,
        "indegree": indegree, "background": background, "threads": threads,
        "duration_ms": duration, "transient_ms": transient,
        "n_cells": par["n_cells"], "n_synapses": nsyn,
        "build_s": t1 - t0, "run_s": t2 - t1, "build_cpu_s": c1 - c0, "run_cpu_s": c2 - c1,
        "rtf": (t2 - t1) / (duration / 1000.0),
        # after the transient: without the one-off work of the first run (the CSR build)
        "rtf_after_transient": (t2 - tm) / seconds,
        "rates": rates,
        "rss_before_connect_mb": before, "rss_after_connect_mb": net["rss_after_connect_mb"],
        "rss_after_run_mb": rss_run, "peak_rss_mb": peak,
        "b_per_syn_connect": per_syn(net["rss_after_connect_mb"]),
        "b_per_syn_run": per_syn(rss_run), "b_per_syn_peak": per_syn(peak),
    }
    sim.end()
    return result


def report(r: dict[str, Any]) -> str:
    """A short human-readable summary of a `build_and_run` result (lamina or NEST)."""
    lines = [f"{r['simulator']}: microcircuit scale {r['scale']:g} ({r['n_cells']:,} cells, "
             f"{r['n_synapses']:,} synapses), in-degrees {r['indegree']}, background "
             f"{r['background']}, {r['threads']} thread(s), {r['duration_ms']:g} ms",
             f"build {r['build_s']:.2f} s (CPU {r['build_cpu_s']:.2f} s), run "
             f"{r['run_s']:.2f} s (CPU {r['run_cpu_s']:.2f} s), real-time factor "
             f"{r['rtf']:.1f} ({r['rtf_after_transient']:.1f} after the transient)",
             f"memory: peak RSS {r['peak_rss_mb']:,.0f} MB; per synapse "
             f"{r['b_per_syn_connect']:.1f} B connected, {r['b_per_syn_run']:.1f} B after "
             f"the run, {r['b_per_syn_peak']:.1f} B at the peak",
             f"rates after {r['transient_ms']:g} ms [Hz] (paper, full scale, approx.):"]
    lines += [f"  {name:<5} {r['rates'][name]:6.2f}   ({ref:g})"
              for name, ref in zip(POPULATIONS, PAPER_RATES)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1, help="fraction of the cells")
    ap.add_argument("--duration", type=float, default=200.0, help="biological ms")
    ap.add_argument("--transient", type=float, default=50.0,
                    help="ms left out of the rates")
    ap.add_argument("--indegree", choices=("keep", "scale"), default="keep")
    ap.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=55)
    ap.add_argument("--backend", default="lamina",
                    help="lamina (engine), nest, neuron, brian2, or a module name")
    ap.add_argument("--json", action="store_true", help="print the result as JSON only")
    a = ap.parse_args(argv)
    name = a.backend if "." in a.backend or a.backend == "lamina" else f"lamina.{a.backend}"
    sim = importlib.import_module(name)
    r = build_and_run(sim, a.scale, a.duration, a.transient, a.indegree, a.background,
                      a.seed, a.threads)
    print(json.dumps(r) if a.json else report(r), flush=True)


if __name__ == "__main__":
    main()
