"""The Vogels & Abbott benchmark network of `vogels_abbott.py` as a native PyNEST script.

Same parameters, converted from PyNN units to NEST units:

* ``C_m`` [pF] = 1000 * cm [nF]; ``g_L`` [nS] = 1000 * cm / tau_m (iaf_cond_exp);
  ``tau_m`` [ms] (iaf_psc_exp)
* conductance weights [nS] = 1000 * uS, current weights [pA] = 1000 * nA; inhibitory
  weights are negative (NEST picks the inhibitory receptor from the sign)
* ``pairwise_bernoulli`` with ``allow_autapses=False`` for the recurrent connections
* the 20 kick-start Poisson sources are poisson_generator -> parrot_neuron pairs, so each
  source sends one spike train to all its targets, as a PyNN SpikeSourcePoisson does.

Run on its own: ``python benchmarks/nest_native.py --variant coba``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from workers import fresh_nest_kernel  # noqa: E402
from vogels_abbott import (DELAY, DT, STIM_DURATION, STIM_N, STIM_P, STIM_RATE,  # noqa: E402
                           STIM_WEIGHT, V_INIT_HIGH, V_INIT_LOW, VARIANTS, peak_rss_mb,
                           rss_mb, sizes)


def nest_cell_params(variant: str) -> tuple[str, dict[str, float]]:
    """NEST model name and parameters equivalent to the PyNN cell parameters."""
    p = VARIANTS[variant]["cell_params"]
    common = {
        "C_m": 1000.0 * p["cm"],
        "E_L": p["v_rest"],
        "V_th": p["v_thresh"],
        "V_reset": p["v_reset"],
        "t_ref": p["tau_refrac"],
        "tau_syn_ex": p["tau_syn_E"],
        "tau_syn_in": p["tau_syn_I"],
        "I_e": 1000.0 * p["i_offset"],
    }
    if variant == "coba":
        common.update(g_L=1000.0 * p["cm"] / p["tau_m"], E_ex=p["e_rev_E"], E_in=p["e_rev_I"])
        return "iaf_cond_exp", common
    common.update(tau_m=p["tau_m"])
    return "iaf_psc_exp", common


def build_and_run(variant: str, n: int = 4000, duration: float = 1000.0, seed: int = 12345,
                  threads: int = 1) -> dict[str, float]:
    """Build and simulate the network with NEST; same result keys as
    `vogels_abbott.build_and_run`."""
    import nest

    variant = variant.lower()
    par = VARIANTS[variant]
    n_exc, n_inh, p = sizes(n)
    w_exc = 1000.0 * par["w_exc"]                  # nS or pA
    w_inh = -1000.0 * abs(par["w_inh"])            # negative: inhibitory receptor
    w_stim = 1000.0 * STIM_WEIGHT

    t0 = time.perf_counter()
    fresh_nest_kernel(nest, DT, seed, threads)

    model, params = nest_cell_params(variant)
    exc = nest.Create(model, n_exc, params=params)
    inh = nest.Create(model, n_inh, params=params)
    rng = np.random.default_rng(seed)
    exc.V_m = rng.uniform(V_INIT_LOW, V_INIT_HIGH, n_exc)
    inh.V_m = rng.uniform(V_INIT_LOW, V_INIT_HIGH, n_inh)

    generators = nest.Create("poisson_generator", STIM_N,
                             params={"rate": STIM_RATE, "start": 0.0, "stop": STIM_DURATION})
    stim = nest.Create("parrot_neuron", STIM_N)
    nest.Connect(generators, stim, "one_to_one", {"delay": DT})

    rss_before = rss_mb()
    recurrent = {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": False}
    for pre, weight in ((exc, w_exc), (inh, w_inh)):
        for post in (exc, inh):
            nest.Connect(pre, post, recurrent,
                         {"synapse_model": "static_synapse", "weight": weight, "delay": DELAY})
    for post in (exc, inh):
        nest.Connect(stim, post, {"rule": "pairwise_bernoulli", "p": STIM_P},
                     {"synapse_model": "static_synapse", "weight": w_stim, "delay": DELAY})
    rss_after = rss_mb()

    rec_exc = nest.Create("spike_recorder")
    rec_inh = nest.Create("spike_recorder")
    nest.Connect(exc, rec_exc)
    nest.Connect(inh, rec_inh)
    t1 = time.perf_counter()
    nest.Simulate(duration)
    t2 = time.perf_counter()
    rss_run = rss_mb()

    # recurrent connections only, as in the lamina version
    n_synapses = sum(len(nest.GetConnections(source=pre, target=post))
                     for pre in (exc, inh) for post in (exc, inh))

    rate_exc = rec_exc.n_events / (n_exc * duration / 1000.0)
    rate_inh = rec_inh.n_events / (n_inh * duration / 1000.0)
    return {
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "rate_exc": float(rate_exc),
        "rate_inh": float(rate_inh),
        "n_synapses": int(n_synapses),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_connect_mb": rss_before,
        "rss_after_connect_mb": rss_after,
        "rss_after_run_mb": rss_run,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="coba")
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    print(json.dumps(build_and_run(args.variant, args.n, args.duration, args.seed,
                                   args.threads)))


if __name__ == "__main__":
    main()
