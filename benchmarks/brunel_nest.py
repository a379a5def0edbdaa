"""The Brunel (2000) network of `brunel.py` as a native PyNEST script.

Same parameters (NEST units throughout): ``iaf_psc_alpha`` cells, ``fixed_indegree``
connections without autapses or multapses (as PyNN's FixedNumberPreConnector by default),
delay 1.5 ms, PSC amplitude J_ex = J / psp_peak_per_pa() pA (J = 0.1 mV PSP peak) and
-g J_ex. The external drive is one ``poisson_generator`` at eta nu_th C_E = 20 kHz
connected to every cell: NEST's poisson_generator draws an independent spike train for
each of its targets, so this gives every cell its own Poisson input, as the one
SpikeSourcePoisson per cell of the PyNN version.

Run on its own: ``python benchmarks/brunel_nest.py --n-scale 0.2 --duration 200``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workers import fresh_nest_kernel  # noqa: E402
from brunel import (C_M, DELAY, DT, E_L, T_REF, TAU_M, TAU_SYN, V_INIT,  # noqa: E402
                    V_RESET, V_TH, parameters, peak_rss_mb, rss_mb)


def build_and_run(n_scale: float = 1.0, duration: float = 1000.0, seed: int = 12345,
                  threads: int = 1) -> dict[str, float]:
    """Build and simulate with NEST; same result keys as `brunel.build_and_run`."""
    import nest

    par = parameters(n_scale)
    t0 = time.perf_counter()
    fresh_nest_kernel(nest, DT, seed, threads)

    neuron = {"C_m": C_M, "tau_m": TAU_M, "E_L": E_L, "V_th": V_TH, "V_reset": V_RESET,
              "t_ref": T_REF, "tau_syn_ex": TAU_SYN, "tau_syn_in": TAU_SYN, "I_e": 0.0,
              "V_m": V_INIT}
    nodes_ex = nest.Create("iaf_psc_alpha", par["n_exc"], params=neuron)
    nodes_in = nest.Create("iaf_psc_alpha", par["n_inh"], params=neuron)
    nodes = nodes_ex + nodes_in
    noise = nest.Create("poisson_generator", params={"rate": par["p_rate"]})
    rec_ex = nest.Create("spike_recorder")
    rec_in = nest.Create("spike_recorder")

    rss_before = rss_mb()
    exc_syn = {"synapse_model": "static_synapse", "weight": par["j_ex"], "delay": DELAY}
    inh_syn = {"synapse_model": "static_synapse", "weight": par["j_in"], "delay": DELAY}
    nest.Connect(noise, nodes, "all_to_all", exc_syn)
    for pre, indegree, syn in ((nodes_ex, par["c_exc"], exc_syn),
                               (nodes_in, par["c_inh"], inh_syn)):
        nest.Connect(pre, nodes, {"rule": "fixed_indegree", "indegree": indegree,
                                  "allow_autapses": False, "allow_multapses": False}, syn)
    rss_after = rss_mb()
    n_synapses = nest.GetKernelStatus("num_connections") - len(nodes)   # minus the noise
    nest.Connect(nodes_ex, rec_ex)
    nest.Connect(nodes_in, rec_in)
    t1 = time.perf_counter()
    nest.Simulate(duration)
    t2 = time.perf_counter()

    rss_run = rss_mb()
    seconds = duration / 1000.0
    n_ex, n_in = rec_ex.n_events, rec_in.n_events
    return {
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "rate": float(n_ex + n_in) / ((par["n_exc"] + par["n_inh"]) * seconds),
        "rate_exc": float(n_ex) / (par["n_exc"] * seconds),
        "rate_inh": float(n_in) / (par["n_inh"] * seconds),
        "n_synapses": int(n_synapses),
        "n_cells": par["n_exc"] + par["n_inh"],
        # the run's peak (reading n_events allocates nothing); Linux updates ru_maxrss
        # lazily, so the current RSS can be above it for a moment
        "peak_rss_mb": max(peak_rss_mb(), rss_run),
        "peak_rss_run_mb": max(peak_rss_mb(), rss_run),
        "rss_before_connect_mb": rss_before,
        "rss_after_connect_mb": rss_after,
        "rss_after_run_mb": rss_run,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-scale", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    print(json.dumps(build_and_run(args.n_scale, args.duration, args.seed, args.threads)))


if __name__ == "__main__":
    main()
