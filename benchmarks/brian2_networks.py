"""The benchmark networks of `vogels_abbott.py` (COBA, CUBA) and `brunel.py` in Brian 2,
C++ standalone mode (``set_device('cpp_standalone')``), for `run_all.py`.

Brian 2 needs its own Python environment (see benchmarks/README.md); this file imports
nothing from lamina, only the parameters of `vogels_abbott.py` and `brunel.py`.

Same models and parameters as the PyNN versions:

* Vogels-Abbott: one NeuronGroup, its first 80 % excitatory; COBA
  ``dv/dt = (v_rest - v)/tau_m + (ge (E_e - v) + gi (E_i - v))/C`` with exponentially
  decaying ge, gi (``exponential_euler``, Brian 2's method for this system; lamina and NEST
  use adaptive RKF45); CUBA the same with currents (``exact``). Threshold ``v >= v_th``,
  reset and clamp at v_reset for 5 ms. Recurrent synapses: every ordered pair of distinct
  cells with probability p (``sample(N_post, p=p)``, self excluded), delay 0.2 ms, initial
  v uniform in [-60, -50] mV; kick-start: 20 Poisson sources at 100 Hz for t < 50 ms, each
  to every cell with probability 0.01, weight 0.1 uS / 0.1 nA, delay 0.2 ms.
* Brunel: iaf_psc_alpha as the linear system ``dv/dt = (E_L - v)/tau_m + I/C``,
  ``dI/dt = (y - I)/tau_s``, ``dy/dt = -y/tau_s`` (``exact``); a spike of weight w adds
  w e to y, which gives the alpha current w (t/tau_s) e^(1 - t/tau_s) of peak w. Both
  receptors have the same tau_s, so one (I, y) pair carries both. Fixed in-degree
  1000 + 250 without autapses or multapses: four Synapses (E->E, E->I, I->E, I->I), each
  target draws its sources without replacement (``sample(N_pre, size=C)``; within a
  population from the N - 1 others), delay 1.5 ms, weights ``brunel.parameters()``.
  External drive: ``PoissonInput`` with C_E = 1000 inputs at eta nu_th = 20 Hz per cell,
  i.e. a binomial(1000, 0.002) spike count per step (mean 2, variance 1.996; NEST and
  lamina draw Poisson(2)), weight J_ex, switched on at t = 1.5 ms (the delay of the
  PyNN / NEST input).

Timing of one run (keys of the result):

* ``construct_s``: creating the Brian 2 objects in Python; ``codegen_s``: generating and
  writing the C++ project (``Network.run()``, where Brian 2 also solves the equations
  with sympy, plus ``device.build`` minus make);
  ``compile_s``: ``make`` (a fresh project directory: a full compilation);
* ``init_s``, ``connect_s``: inside the binary, from its launch to just before creating
  the synapses (from the start of main(): allocation, initial values) and the synapse
  creation;
* ``run_s``: inside the binary, from after connecting to after the run (includes the
  spike-queue set-up, as lamina's and NEST's run times include theirs);
  ``brian2_run_time_s``: Brian 2's own measurement of the run (``device._last_run_time``,
  ``std::clock()``: CPU time of the process, i.e. summed over threads with OpenMP);
* ``binary_s``: wall time of the binary; ``check_s``: Brian 2's check of the results
  after it (not counted anywhere else);
* ``build_s`` = construct + codegen + init + connect: everything but compilation and
  the run, the analogue of lamina's build time with a warm numba cache (re-running in the
  same project directory, Brian 2 skips unchanged files, and make has little to do).

Memory: ``peak_rss_mb`` is the peak RSS of the simulation binary (VmHWM,
``binary_peak_rss_mb``) plus the RSS of the Python process that waits for it
(``python_rss_mb``): what the two hold at once. ``rss_before_connect_mb`` etc. are the
binary's VmRSS at those points (for B/syn). The Python process's own peak
(``python_peak_rss_mb``) and the compiler's (``compile_peak_rss_mb``) are reported apart.

Run on its own: ``python benchmarks/brian2_networks.py --network coba --threads 2``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import brunel  # noqa: E402  (parameters only: no lamina import)
import vogels_abbott as va  # noqa: E402

MARKER = "BENCHMARK-RESULT "
PROBE_FILE = "lamina_probes.txt"

#: C++ inserted into main(): append "<tag> <monotonic s> <VmRSS kB> <VmHWM kB>" to a file
_PROBE_CPP = """
{{
    struct timespec _lp_ts;
    clock_gettime(CLOCK_MONOTONIC, &_lp_ts);
    long _lp_rss = -1, _lp_hwm = -1;
    std::ifstream _lp_status("/proc/self/status");
    std::string _lp_key;
    while (_lp_status >> _lp_key) {{
        if (_lp_key == "VmRSS:") _lp_status >> _lp_rss;
        else if (_lp_key == "VmHWM:") _lp_status >> _lp_hwm;
    }}
    std::ofstream _lp_out((brian::results_dir + "{file}").c_str(), std::ios::app);
    _lp_out << "{tag} " << _lp_ts.tv_sec << " " << _lp_ts.tv_nsec << " " << _lp_rss
            << " " << _lp_hwm << std::endl;
}}
"""


def _probe(device, tag: str, slot: str = "main") -> None:
    device.insert_code(slot, _PROBE_CPP.format(file=PROBE_FILE, tag=tag))


def _read_probes(results_dir: str) -> dict[str, tuple[float, float, float]]:
    """tag -> (monotonic time [s], VmRSS [MB], VmHWM [MB])."""
    probes = {}
    with open(os.path.join(results_dir, PROBE_FILE)) as f:
        for line in f:
            tag, sec, nsec, rss, hwm = line.split()
            probes[tag] = (int(sec) + 1e-9 * int(nsec), int(rss) / 1024.0, int(hwm) / 1024.0)
    return probes


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


# --- the networks ------------------------------------------------------------------------
def _vogels_abbott(b, variant: str, n: int) -> dict[str, Any]:
    """Create the COBA or CUBA network; returns the objects that are read afterwards."""
    par = va.VARIANTS[variant]
    cp = par["cell_params"]
    n_exc, n_inh, p = va.sizes(n)
    ms, mV, nF = b.ms, b.mV, b.nF
    ns = {"v_rest": cp["v_rest"] * mV, "tau_m": cp["tau_m"] * ms, "c_m": cp["cm"] * nF,
          "v_thresh": cp["v_thresh"] * mV, "v_reset": cp["v_reset"] * mV,
          "tau_e": cp["tau_syn_E"] * ms, "tau_i": cp["tau_syn_I"] * ms}
    if variant == "coba":
        unit = b.uS
        ns.update(E_e=cp["e_rev_E"] * mV, E_i=cp["e_rev_I"] * mV)
        eqs = """
        dv/dt = (v_rest - v)/tau_m + (ge*(E_e - v) + gi*(E_i - v))/c_m : volt (unless refractory)
        dge/dt = -ge/tau_e : siemens
        dgi/dt = -gi/tau_i : siemens
        """
        method, exc_var, inh_var = "exponential_euler", "ge", "gi"
    else:
        unit = b.nA
        eqs = """
        dv/dt = (v_rest - v)/tau_m + (ie + ii)/c_m : volt (unless refractory)
        die/dt = -ie/tau_e : amp
        dii/dt = -ii/tau_i : amp
        """
        method, exc_var, inh_var = "exact", "ie", "ii"
    cells = b.NeuronGroup(n, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                          refractory=cp["tau_refrac"] * ms, method=method, namespace=ns,
                          name="cells")
    cells.v = (f"{va.V_INIT_LOW}*mV + rand()*{va.V_INIT_HIGH - va.V_INIT_LOW}*mV")
    stim = b.PoissonGroup(va.STIM_N, rates=f"{va.STIM_RATE}*Hz * int(t < {va.STIM_DURATION}*ms)",
                          name="kick")
    monitor = b.SpikeMonitor(cells, name="spikes")
    delay = va.DELAY * ms
    exc, inh = cells[:n_exc], cells[n_exc:]
    syn_exc = b.Synapses(exc, cells, on_pre=f"{exc_var}_post += w",
                         delay=delay, namespace={"w": par["w_exc"] * unit}, name="exc")
    syn_inh = b.Synapses(inh, cells, on_pre=f"{inh_var}_post += w",
                         delay=delay, namespace={"w": par["w_inh"] * unit}, name="inh")
    syn_stim = b.Synapses(stim, cells, on_pre=f"{exc_var}_post += w", delay=delay,
                          namespace={"w": va.STIM_WEIGHT * unit}, name="kick_syn")
    _probe(b.device, "before_connect")
    # Bernoulli(p) for every ordered pair of distinct cells; the inhibitory cells are
    # cells n_exc ... n - 1 of the target group
    syn_exc.connect(j=f"k for k in sample(N_post, p={p!r}) if k != i")
    syn_inh.connect(j=f"k for k in sample(N_post, p={p!r}) if k != i + {n_exc}")
    syn_stim.connect(p=va.STIM_P)
    _probe(b.device, "after_connect")
    return {"monitor": monitor, "recurrent": (syn_exc, syn_inh), "n_exc": n_exc,
            "n_inh": n_inh, "objects": [cells, stim, monitor, syn_exc, syn_inh, syn_stim],
            "subgroups": [exc, inh]}


def _brunel(b, n_scale: float) -> dict[str, Any]:
    par = brunel.parameters(n_scale)
    n_exc, n_inh = par["n_exc"], par["n_inh"]
    ms, mV, pA, pF = b.ms, b.mV, b.pA, b.pF
    ns = {"E_L": brunel.E_L * mV, "tau_m": brunel.TAU_M * ms, "C_m": brunel.C_M * pF,
          "tau_s": brunel.TAU_SYN * ms, "V_th": brunel.V_TH * mV,
          "V_reset": brunel.V_RESET * mV}
    eqs = """
    dv/dt = (E_L - v)/tau_m + I/C_m : volt (unless refractory)
    dI/dt = (y - I)/tau_s : amp
    dy/dt = -y/tau_s : amp
    """
    cells = b.NeuronGroup(n_exc + n_inh, eqs, threshold="v >= V_th", reset="v = V_reset",
                          refractory=brunel.T_REF * ms, method="exact", namespace=ns,
                          name="cells")
    cells.v = brunel.V_INIT * mV
    monitor = b.SpikeMonitor(cells, name="spikes")
    delay = brunel.DELAY * ms
    w_exc = par["j_ex"] * math.e * pA          # jump of y for a PSC of peak j_ex
    w_inh = par["j_in"] * math.e * pA
    exc, inh = cells[:n_exc], cells[n_exc:]
    recurrent = []
    _probe(b.device, "before_connect")
    # fixed in-degree: every target draws C sources without replacement; within one
    # population from the N_pre - 1 others (sources k >= j shifted by one: no autapse)
    for pre, c, w, pname in ((exc, par["c_exc"], w_exc, "exc"),
                             (inh, par["c_inh"], w_inh, "inh")):
        for post, qname in ((exc, "exc"), (inh, "inh")):
            syn = b.Synapses(pre, post, on_pre="y_post += w", delay=delay,
                             namespace={"w": w}, name=f"{pname}_{qname}")
            if pre is post:
                syn.connect(i=f"k + int(k >= j) for k in sample(N_pre - 1, size={c})")
            else:
                syn.connect(i=f"k for k in sample(N_pre, size={c})")
            recurrent.append(syn)
    _probe(b.device, "after_connect")
    drive = b.PoissonInput(cells, "y", N=par["c_exc"],
                           rate=par["p_rate"] / par["c_exc"] * b.Hz,
                           weight=f"{float(w_exc / pA)!r}*pA * int(t >= {brunel.DELAY}*ms)")
    return {"monitor": monitor, "recurrent": recurrent, "n_exc": n_exc,
            "n_inh": n_inh, "objects": [cells, monitor, drive, *recurrent],
            "subgroups": [exc, inh]}


# --- one measurement ---------------------------------------------------------------------
def build_and_run(network: str, size: float, duration: float = 1000.0, seed: int = 12345,
                  threads: int = 1, directory: str | None = None) -> dict[str, Any]:
    """Build, compile and run one network in C++ standalone mode; returns the figures
    described in the module docstring (same keys as the lamina / NEST workers, plus the
    Brian 2 specific ones). `size`: cells (COBA, CUBA) or scale factor (Brunel).
    `directory`: the project directory (default: a fresh temporary one, deleted after)."""
    import brian2 as b

    t0 = time.perf_counter()
    own_dir = directory is None
    project = tempfile.mkdtemp(prefix="lamina-brian2-") if own_dir else directory
    try:
        b.set_device("cpp_standalone", directory=project, build_on_run=False)
        b.prefs.devices.cpp_standalone.openmp_threads = 0 if threads == 1 else threads
        b.defaultclock.dt = va.DT * b.ms
        b.seed(seed)
        _probe(b.device, "start", "before_start")
        _probe(b.device, "end", "after_end")
        if network == "brunel":
            net = _brunel(b, size)
        else:
            net = _vogels_abbott(b, network, int(size))
        network_obj = b.Network(*net["objects"])
        t1 = time.perf_counter()
        network_obj.run(duration * b.ms)
        _probe(b.device, "after_run")
        t2 = time.perf_counter()
        b.device.build(directory=project, compile=True, run=False)
        t3 = time.perf_counter()
        compile_peak = _children_peak_mb()    # make and the compiler (before the binary)
        python_rss = va.rss_mb()              # resident while the binary runs
        b.device.run(directory=project, with_output=False)
        t4 = time.perf_counter()
        timers = b.device.timers
        compile_s = (timers["compile"]["make"] or 0.0) + (timers["compile"]["clean"] or 0.0)
        binary_s = timers["run_binary"]
        probes = _read_probes(b.device.results_dir)
        counts = b.asarray(net["monitor"].count[:])
        n_exc, n_inh = net["n_exc"], net["n_inh"]
        seconds = duration / 1000.0
        n_syn = sum(int(len(syn)) for syn in net["recurrent"])
        construct_s = t1 - t0
        codegen_s = (t2 - t1) + (t3 - t2 - compile_s)
        init_s = probes["before_connect"][0] - probes["start"][0]
        connect_s = probes["after_connect"][0] - probes["before_connect"][0]
        result = {
            "build_s": construct_s + codegen_s + init_s + connect_s,
            "run_s": probes["after_run"][0] - probes["after_connect"][0],
            "brian2_run_time_s": float(b.device._last_run_time),
            "construct_s": construct_s,
            "codegen_s": codegen_s,
            "compile_s": compile_s,
            "init_s": init_s,
            "connect_s": connect_s,
            "binary_s": binary_s,
            "check_s": t4 - t3 - binary_s,
            "total_s": t4 - t0,
            "rate": float(counts.sum()) / ((n_exc + n_inh) * seconds),
            "rate_exc": float(counts[:n_exc].sum()) / (n_exc * seconds),
            "rate_inh": float(counts[n_exc:].sum()) / (n_inh * seconds),
            "n_synapses": n_syn,
            "n_cells": n_exc + n_inh,
            "peak_rss_mb": python_rss + probes["after_run"][2],
            "binary_peak_rss_mb": probes["after_run"][2],
            "python_rss_mb": python_rss,
            "rss_before_connect_mb": probes["before_connect"][1],
            "rss_after_connect_mb": probes["after_connect"][1],
            "rss_after_run_mb": probes["after_run"][1],
            "python_peak_rss_mb": va.peak_rss_mb(),
            "compile_peak_rss_mb": compile_peak,
            "threads": threads,
            "brian2_version": b.__version__,
        }
    finally:
        if own_dir:
            shutil.rmtree(project, ignore_errors=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", choices=("coba", "cuba", "brunel"), default="coba")
    parser.add_argument("--size", type=float,
                        help="cells (COBA/CUBA, default 4000) or Brunel scale (default 1)")
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--directory", help="keep the C++ project in this directory")
    args = parser.parse_args(argv)
    size = args.size if args.size is not None else (1.0 if args.network == "brunel" else 4000)
    t0 = time.perf_counter()
    import brian2  # noqa: F401 - imported here to time it
    import_s = time.perf_counter() - t0
    result = build_and_run(args.network, size, args.duration, args.seed, args.threads,
                           args.directory)
    result["import_s"] = import_s
    sys.stdout.flush()
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
