"""Brunel (2000) sparse balanced network with alpha-shaped synaptic currents, written once
against the PyNN API, with the parameters of NEST's ``brunel_alpha`` example (state
"asynchronous irregular", g = 5, eta = 2).

* N_E = 10,000 excitatory and N_I = 2,500 inhibitory ``IF_curr_alpha`` cells (NEST
  ``iaf_psc_alpha``); with ``n_scale`` both numbers are multiplied, the in-degrees stay
  fixed (C_E = 1000, C_I = 250: 0.1 N_E and 0.1 N_I of the full network).
* fixed in-degree (``FixedNumberPreConnector``, no autapses, no multapses), delay 1.5 ms.
* tau_m = 20 ms, C_m = 250 pF, E_L = 0 mV, V_th = 20 mV, V_reset = 10 mV, t_ref = 2 ms,
  tau_syn = 0.5 ms (both receptors); all cells start at V = 0 mV.
* J = 0.1 mV: the peak of the excitatory PSP. The PSC amplitude that gives it is
  J / psp_peak_per_pa(...) (see `psp_peak_per_pa`): 20.68 pA. Inhibitory PSC
  amplitude -g J_ex.
* external drive: every cell gets its own Poisson spike train at eta nu_th C_E = 20 kHz
  (nu_th = theta / (J C_E tau_m) = 10 Hz), weight J_ex, delay 1.5 ms. With the PyNN API
  this is one ``SpikeSourcePoisson`` per cell connected one-to-one.
* dt = 0.1 ms, 1000 ms simulated. Expected mean rate about 28-30 Hz.

`benchmarks/brunel_nest.py` builds exactly this network with PyNEST calls.

Use::

    import lamina as sim
    from brunel import build_and_run
    result = build_and_run(sim, n_scale=1.0, duration=1000.0, seed=12345)
"""
from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vogels_abbott import peak_rss_mb, rss_mb  # noqa: E402,F401 - re-exported

# --- the published parameters (NEST units: ms, mV, pF, pA) --------------------------------
DT = 0.1            # ms
DELAY = 1.5         # ms
G = 5.0             # relative strength of inhibition
ETA = 2.0           # external rate relative to the threshold rate
EPSILON = 0.1       # connection probability -> in-degree C = EPSILON * N
N_E_FULL = 10_000
N_I_FULL = 2_500
TAU_M = 20.0        # ms
C_M = 250.0         # pF
E_L = 0.0           # mV
V_TH = 20.0         # mV
V_RESET = 10.0      # mV
T_REF = 2.0         # ms
TAU_SYN = 0.5       # ms
J_PSP = 0.1         # mV, peak of the excitatory PSP
V_INIT = 0.0        # mV


def psp_peak_per_pa(tau_m: float = TAU_M, c_m: float = C_M, tau_syn: float = TAU_SYN) -> float:
    """Peak [mV] of the PSP caused by an alpha PSC of peak amplitude 1 pA.

    The iaf_psc_alpha membrane, C dV/dt = -C V / tau_m + I(t), driven from rest by
    I(t) = w e (t / tau_s) exp(-t / tau_s) (peak w at t = tau_s), gives

        V(t) = w e / (tau_s C) * exp(-t/tau_m) * int_0^t s exp(-b s) ds,  b = 1/tau_s - 1/tau_m
             = w e / (tau_s C b) * [ (exp(-t/tau_m) - exp(-t/tau_s)) / b - t exp(-t/tau_s) ].

    The maximum is where dV/dt = 0, i.e. I(t)/C = V(t)/tau_m; it is found by bisection on
    the sign of dV/dt (positive before the peak, negative after it).
    """
    if tau_syn == tau_m:
        raise ValueError("tau_syn must differ from tau_m")
    b = 1.0 / tau_syn - 1.0 / tau_m
    pref = math.e / (tau_syn * c_m * b)           # mV per pA per ms ... times ms below

    def v(t: float) -> float:
        return pref * ((math.exp(-t / tau_m) - math.exp(-t / tau_syn)) / b
                       - t * math.exp(-t / tau_syn))

    def dv(t: float) -> float:
        current = math.e * t / tau_syn * math.exp(-t / tau_syn)   # pA, for w = 1 pA
        return current / c_m - v(t) / tau_m

    lo, hi = 1e-9, 10.0 * max(tau_m, tau_syn)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if dv(mid) > 0.0:
            lo = mid
        else:
            hi = mid
    return v(0.5 * (lo + hi))


def parameters(n_scale: float = 1.0) -> dict[str, Any]:
    """All derived figures for a network of ``n_scale`` times 12,500 cells."""
    n_exc = int(round(N_E_FULL * n_scale))
    n_inh = int(round(N_I_FULL * n_scale))
    c_exc = int(EPSILON * N_E_FULL)         # in-degrees of the full network, kept fixed
    c_inh = int(EPSILON * N_I_FULL)
    if n_exc <= c_exc or n_inh < c_inh:
        raise ValueError(f"n_scale={n_scale} is too small for in-degrees {c_exc}/{c_inh}")
    j_ex = J_PSP / psp_peak_per_pa()        # pA
    nu_th = V_TH / (J_PSP * c_exc * TAU_M)  # spikes per ms
    p_rate = 1000.0 * ETA * nu_th * c_exc   # Hz, per cell
    return {"n_exc": n_exc, "n_inh": n_inh, "c_exc": c_exc, "c_inh": c_inh,
            "j_ex": j_ex, "j_in": -G * j_ex, "p_rate": p_rate,
            "n_synapses": (n_exc + n_inh) * (c_exc + c_inh)}


# --- the network with the PyNN API --------------------------------------------------------
def build(sim, n_scale: float = 1.0, seed: int = 12345, threads: int = 1,
          record: bool = True) -> dict[str, Any]:
    """Set up `sim` (any PyNN-API module) and build the network."""
    par = parameters(n_scale)
    setup_kwargs: dict[str, Any] = {"timestep": DT, "min_delay": DELAY, "max_delay": DELAY,
                                    "rng_seed": seed}
    if threads != 1:
        setup_kwargs["threads"] = threads
    sim.setup(**setup_kwargs)

    celltype = sim.IF_curr_alpha(cm=C_M / 1000.0, tau_m=TAU_M, v_rest=E_L, v_thresh=V_TH,
                                 v_reset=V_RESET, tau_refrac=T_REF, tau_syn_E=TAU_SYN,
                                 tau_syn_I=TAU_SYN, i_offset=0.0)
    exc = sim.Population(par["n_exc"], celltype, initial_values={"v": V_INIT},
                         label="excitatory")
    inh = sim.Population(par["n_inh"], celltype, initial_values={"v": V_INIT},
                         label="inhibitory")
    noise_exc = sim.Population(par["n_exc"], sim.SpikeSourcePoisson(rate=par["p_rate"]),
                               label="noise->excitatory")
    noise_inh = sim.Population(par["n_inh"], sim.SpikeSourcePoisson(rate=par["p_rate"]),
                               label="noise->inhibitory")
    if record:
        exc.record("spikes")
        inh.record("spikes")

    rng = sim.NumpyRNG(seed=seed)
    w_ex = par["j_ex"] / 1000.0       # nA
    w_in = par["j_in"] / 1000.0       # nA, negative (current-based inhibition)
    rss_before = rss_mb()
    projections = []
    for pre, c, weight, receptor in ((exc, par["c_exc"], w_ex, "excitatory"),
                                     (inh, par["c_inh"], w_in, "inhibitory")):
        for post in (exc, inh):
            projections.append(sim.Projection(
                pre, post,
                sim.FixedNumberPreConnector(c, allow_self_connections=False, rng=rng),
                sim.StaticSynapse(weight=weight, delay=DELAY),
                receptor_type=receptor, label=f"{pre.label}->{post.label}"))
    for src, post in ((noise_exc, exc), (noise_inh, inh)):
        projections.append(sim.Projection(
            src, post, sim.OneToOneConnector(),
            sim.StaticSynapse(weight=w_ex, delay=DELAY),
            receptor_type="excitatory", label=f"{src.label}"))
    rss_after = rss_mb()
    return {"exc": exc, "inh": inh, "projections": projections, "par": par,
            "n_synapses": sum(_projection_size(prj) for prj in projections[:4]),
            "rss_before_connect_mb": rss_before, "rss_after_connect_mb": rss_after}


def _projection_size(prj) -> int:
    try:
        return int(prj.size(gather=True))
    except TypeError:
        return int(prj.size())


def _spike_count(population) -> int:
    try:
        return int(sum(population.get_spike_counts().values()))
    except (AttributeError, NotImplementedError):
        block = population.get_data("spikes", clear=True)
        return sum(len(st) for st in block.segments[-1].spiketrains)


def build_and_run(sim, n_scale: float = 1.0, duration: float = 1000.0, seed: int = 12345,
                  threads: int = 1) -> dict[str, float]:
    """Build and simulate the network with the PyNN-API module `sim`.

    Returns ``build_s`` and ``run_s`` (wall-clock seconds of setup-to-connected and of
    ``sim.run``), ``rate`` (mean rate of all network cells [Hz]), ``rate_exc``,
    ``rate_inh``, ``n_synapses`` (recurrent connections; the one-to-one Poisson inputs not
    counted), ``n_cells``, ``peak_rss_mb`` (whole process), ``peak_rss_run_mb`` (the peak
    of build and run, before the spikes are read out) and the resident memory just before and just
    after the connections were created (``rss_before_connect_mb``,
    ``rss_after_connect_mb``) and after the run (``rss_after_run_mb``).
    """
    t0 = time.perf_counter()
    net = build(sim, n_scale, seed, threads)
    t1 = time.perf_counter()
    sim.run(duration)
    t2 = time.perf_counter()
    rss_run = rss_mb()
    # before the spikes are read out; Linux updates ru_maxrss lazily, so the current RSS
    # can be above it for a moment
    peak_run = max(peak_rss_mb(), rss_run)
    par = net["par"]
    n_exc_spikes = _spike_count(net["exc"])
    n_inh_spikes = _spike_count(net["inh"])
    seconds = duration / 1000.0
    result = {
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "rate": (n_exc_spikes + n_inh_spikes) / ((par["n_exc"] + par["n_inh"]) * seconds),
        "rate_exc": n_exc_spikes / (par["n_exc"] * seconds),
        "rate_inh": n_inh_spikes / (par["n_inh"] * seconds),
        "n_synapses": net["n_synapses"],
        "n_cells": par["n_exc"] + par["n_inh"],
        "peak_rss_mb": max(peak_rss_mb(), peak_run),
        "peak_rss_run_mb": peak_run,
        "rss_before_connect_mb": net["rss_before_connect_mb"],
        "rss_after_connect_mb": net["rss_after_connect_mb"],
        "rss_after_run_mb": rss_run,
    }
    sim.end()
    return result


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="one lamina Brunel run; prints a JSON line")
    parser.add_argument("--n-scale", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--threads", type=int, default=1)
    a = parser.parse_args()
    import lamina
    print(json.dumps(build_and_run(lamina, a.n_scale, a.duration, a.seed, a.threads)))
