"""Vogels & Abbott (2005) balanced random network, written once against the PyNN API.

The model is the one of the PyNN/NEST benchmark suites (Brette et al. 2007, J Comput
Neurosci 23:349, benchmarks 1 and 2):

* ``n`` cells, 80 % excitatory and 20 % inhibitory, random connectivity with
  probability ``p = 80 / n`` (0.02 for the full 4000 cells: every cell then receives on
  average 64 excitatory and 16 inhibitory inputs; keeping the in-degree fixed keeps the
  dynamics of smaller test networks close to those of the full one). No self-connections.
* leaky integrate-and-fire cells, ``cm`` = 0.2 nF, ``tau_m`` = 20 ms (g_L = 10 nS),
  ``v_thresh`` = -50 mV, ``v_reset`` = -60 mV, ``tau_refrac`` = 5 ms, synaptic time
  constants 5 ms (excitatory) and 10 ms (inhibitory), delay 0.2 ms, dt = 0.1 ms.
* COBA (``IF_cond_exp``): ``v_rest`` = -60 mV, reversal potentials 0 / -80 mV, weights
  4 nS (0.004 uS) excitatory and 51 nS (0.051 uS) inhibitory.
* CUBA (``IF_curr_exp``): ``v_rest`` = -49 mV (above threshold: the cells are driven), the
  COBA conductances turned into currents at a mean membrane potential of -60 mV, as the
  original benchmark does: w_exc = 0.27 nS * (0 - (-60)) mV = 0.0162 nA (1.62 mV jump of
  the synaptic "voltage" for C = 0.2 nF, tau_m = 20 ms), w_inh = 4.5 nS * (-80 - (-60)) mV
  = -0.09 nA (-9 mV).
* initial membrane potentials uniform in [v_reset, v_thresh] = [-60, -50] mV.
* kick-start: 20 Poisson sources firing at 100 Hz during the first 50 ms, each connected
  to every network cell with probability 0.01 and weight 0.1 (uS for COBA, nA for CUBA),
  as in the classic benchmark. The COBA network needs it to reach its self-sustained
  state; the CUBA network is driven anyway and gets the same input for symmetry.

`benchmarks/nest_native.py` builds exactly the same network with PyNEST calls.

Use::

    import lamina as sim
    from vogels_abbott import build_and_run
    result = build_and_run(sim, "coba", n=4000, duration=1000.0, seed=12345)
"""
from __future__ import annotations

import resource
import sys
import time
from typing import Any

#: the published parameters, in PyNN units
DT = 0.1              # ms
DELAY = 0.2           # ms (twice the time step: the classic benchmark's min delay)
FRACTION_EXC = 0.8
IN_DEGREE = 80.0      # p * n: 0.02 * 4000
STIM_N = 20
STIM_RATE = 100.0     # Hz
STIM_DURATION = 50.0  # ms
STIM_P = 0.01
STIM_WEIGHT = 0.1     # uS (COBA) or nA (CUBA)

MEMBRANE = {
    "cm": 0.2,          # nF
    "tau_m": 20.0,      # ms
    "v_thresh": -50.0,  # mV
    "v_reset": -60.0,   # mV
    "tau_refrac": 5.0,  # ms
    "tau_syn_E": 5.0,   # ms
    "tau_syn_I": 10.0,  # ms
    "i_offset": 0.0,    # nA
}

VARIANTS: dict[str, dict[str, Any]] = {
    "coba": {
        "celltype": "IF_cond_exp",
        "cell_params": dict(MEMBRANE, v_rest=-60.0, e_rev_E=0.0, e_rev_I=-80.0),
        "w_exc": 0.004,   # uS  (4 nS)
        "w_inh": 0.051,   # uS  (51 nS)
    },
    "cuba": {
        "celltype": "IF_curr_exp",
        "cell_params": dict(MEMBRANE, v_rest=-49.0),
        "w_exc": 0.27e-3 * (0.0 - -60.0),     # nA = 0.0162
        "w_inh": -4.5e-3 * (-60.0 - -80.0),   # nA = -0.09
    },
}

V_INIT_LOW = -60.0
V_INIT_HIGH = -50.0


def sizes(n: int) -> tuple[int, int, float]:
    """(n_exc, n_inh, connection probability) for a network of `n` cells."""
    n_exc = int(round(FRACTION_EXC * n))
    return n_exc, n - n_exc, min(1.0, IN_DEGREE / n)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far [MB]."""
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kilobytes on Linux, bytes on macOS
    return ru / (1024.0 * 1024.0) if sys.platform == "darwin" else ru / 1024.0


def rss_mb() -> float:
    """Current resident set size of this process [MB] (Linux: /proc/self/statm; elsewhere
    the peak)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * resource.getpagesize() / (1024.0 * 1024.0)
    except OSError:
        return peak_rss_mb()


def _count_spikes(population) -> int:
    block = population.get_data("spikes", clear=True)
    return sum(len(st) for st in block.segments[-1].spiketrains)


def build(sim, variant: str, n: int, seed: int, threads: int = 1,
          record: bool = True, native_rng: bool = False) -> dict[str, Any]:
    """Set up the simulator and build the network; return the populations and projections.

    `sim` is any module with the PyNN API (``lamina``, ``pyNN.nest``, ...). With
    `native_rng` the recurrent connections are drawn by the simulator's own routines
    (``NativeRNG``: NEST's pairwise_bernoulli), as a native script draws them.
    """
    par = VARIANTS[variant]
    n_exc, n_inh, p = sizes(n)
    setup_kwargs: dict[str, Any] = {"timestep": DT, "min_delay": DELAY, "max_delay": 10.0}
    if native_rng:
        setup_kwargs["rng_seed"] = seed
    if threads != 1:
        setup_kwargs["threads"] = threads
    sim.setup(**setup_kwargs)

    celltype = getattr(sim, par["celltype"])(**par["cell_params"])
    rng = sim.NumpyRNG(seed=seed)
    v_init = sim.RandomDistribution("uniform", low=V_INIT_LOW, high=V_INIT_HIGH, rng=rng)
    exc = sim.Population(n_exc, celltype, initial_values={"v": v_init}, label="excitatory")
    inh = sim.Population(n_inh, celltype, initial_values={"v": v_init}, label="inhibitory")
    stim = sim.Population(STIM_N, sim.SpikeSourcePoisson(rate=STIM_RATE, start=0.0,
                                                          duration=STIM_DURATION),
                          label="kick")

    rss_before = rss_mb()
    projections = []
    for pre, weight, receptor in ((exc, par["w_exc"], "excitatory"),
                                  (inh, par["w_inh"], "inhibitory")):
        for post in (exc, inh):
            connector = sim.FixedProbabilityConnector(
                p, allow_self_connections=False,
                rng=sim.NativeRNG(seed) if native_rng else rng)
            projections.append(sim.Projection(
                pre, post, connector,
                sim.StaticSynapse(weight=weight, delay=DELAY),
                receptor_type=receptor, label=f"{pre.label}->{post.label}"))
    for post in (exc, inh):
        projections.append(sim.Projection(
            stim, post, sim.FixedProbabilityConnector(STIM_P, rng=rng),
            sim.StaticSynapse(weight=STIM_WEIGHT, delay=DELAY),
            receptor_type="excitatory", label=f"kick->{post.label}"))
    rss_after = rss_mb()
    if record:
        exc.record("spikes")
        inh.record("spikes")
    return {"exc": exc, "inh": inh, "stim": stim, "projections": projections,
            "n_synapses": sum(_projection_size(prj) for prj in projections[:4]),
            "n_input_synapses": sum(_projection_size(prj) for prj in projections[4:]),
            "rss_before_connect_mb": rss_before, "rss_after_connect_mb": rss_after}


def _projection_size(prj) -> int:
    try:
        return int(prj.size(gather=True))
    except TypeError:          # size() without the gather argument
        return int(prj.size())


def build_and_run(sim, variant: str, n: int = 4000, duration: float = 1000.0,
                  seed: int = 12345, threads: int = 1, callbacks=None,
                  native_rng: bool = False) -> dict[str, float]:
    """Build and simulate the network with the PyNN-API module `sim`.

    Returns a dict with ``build_s``, ``run_s`` (wall-clock seconds), ``rate_exc``,
    ``rate_inh`` (mean firing rates over the whole run [Hz]), ``n_synapses`` (recurrent
    connections, the kick-start input not counted), ``peak_rss_mb`` and the resident
    memory just before and after the connections were created (``rss_before_connect_mb``,
    ``rss_after_connect_mb``) and after the run (``rss_after_run_mb``).
    """
    variant = variant.lower()
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {sorted(VARIANTS)}")
    t0 = time.perf_counter()
    net = build(sim, variant, n, seed, threads, native_rng=native_rng)
    t1 = time.perf_counter()
    if callbacks:
        sim.run(duration, callbacks=callbacks)
    else:
        sim.run(duration)
    t2 = time.perf_counter()
    rss_run = rss_mb()
    n_exc, n_inh, _ = sizes(n)
    rate_exc = _count_spikes(net["exc"]) / (n_exc * duration / 1000.0)
    rate_inh = _count_spikes(net["inh"]) / (n_inh * duration / 1000.0)
    result = {
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "rate_exc": rate_exc,
        "rate_inh": rate_inh,
        "n_synapses": net["n_synapses"],
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_connect_mb": net["rss_before_connect_mb"],
        "rss_after_connect_mb": net["rss_after_connect_mb"],
        "rss_after_run_mb": rss_run,
    }
    sim.end()
    return result
