"""The engine against NEST (PyNEST) on small recurrent networks driven by spike arrays.

Current-based models must match NEST exactly (spike times to the step, V to 1e-9 mV);
conductance-based ones (the default "rkf45" of `engine.fixed_step` here, adaptive RKF45
in NEST) within 1 % spike count and 0.5 ms spike time.
"""
from __future__ import annotations

import numpy as np
import pytest

from lamina.backends.base import BackendConfig
from lamina.backends.engine import EngineBackend
from lamina.models import (IF_cond_alpha, IF_cond_exp, IF_curr_alpha, IF_curr_delta,
                           IF_curr_exp, SpikeSourceArray, StaticSynapse)

nest = pytest.importorskip("nest")

DT = 0.1
T_STOP = 300.0
N_CELLS = 30
N_SRC = 12

NEST_NAMES = {"IF_curr_exp": "iaf_psc_exp", "IF_curr_alpha": "iaf_psc_alpha",
              "IF_curr_delta": "iaf_psc_delta", "IF_cond_exp": "iaf_cond_exp",
              "IF_cond_alpha": "iaf_cond_alpha"}


def _network(model: type, seed: int) -> dict:
    """Random parameters, spike trains and connections (PyNN units)."""
    rng = np.random.default_rng(seed)
    ct = model()
    params = {k: np.full(N_CELLS, v, float) for k, v in ct.parameter_space.items()}
    params["tau_m"] = rng.uniform(10.0, 30.0, N_CELLS)
    params["cm"] = rng.uniform(0.5, 1.5, N_CELLS)
    params["v_thresh"] = rng.uniform(-55.0, -50.0, N_CELLS)
    params["tau_refrac"] = rng.choice([0.1, 0.5, 2.0], N_CELLS)
    if "tau_syn_E" in params:
        params["tau_syn_E"] = rng.uniform(0.5, 6.0, N_CELLS)
        params["tau_syn_I"] = rng.uniform(1.0, 8.0, N_CELLS)
        params["tau_syn_E"][0] = params["tau_m"][0]  # the degenerate case tau_syn == tau_m
    cond = model in (IF_cond_exp, IF_cond_alpha)
    params["i_offset"] = rng.uniform(0.0, 0.5, N_CELLS) * (0.5 if cond else 1.0)
    v0 = rng.uniform(-70.0, -55.0, N_CELLS)
    trains = [np.unique(rng.integers(1, int(T_STOP / DT) - 10, rng.integers(5, 40))) * DT
              for _ in range(N_SRC)]
    trains = [np.round(t, 1) for t in trains]
    if model is IF_curr_delta:
        w_in, w_exc, w_inh = 2.0, 1.0, -1.5       # mV
    elif cond:
        w_in, w_exc, w_inh = 0.01, 0.004, 0.02    # uS (inhibitory positive)
    else:
        w_in, w_exc, w_inh = 0.8, 0.3, -0.6       # nA
    conns = []
    for _ in range(150):
        conns.append(("ext", int(rng.integers(N_SRC)), int(rng.integers(N_CELLS)), "excitatory",
                      w_in * rng.uniform(0.5, 1.5), round(float(rng.integers(1, 30)) * DT, 1)))
    for _ in range(120):
        rec = "excitatory" if rng.random() < 0.6 else "inhibitory"
        w = (w_exc if rec == "excitatory" else w_inh) * rng.uniform(0.5, 1.5)
        conns.append(("net", int(rng.integers(N_CELLS)), int(rng.integers(N_CELLS)), rec, w,
                      round(float(rng.integers(1, 30)) * DT, 1)))
    return {"params": params, "v0": v0, "trains": trains, "conns": conns, "cond": cond}


def _run_engine(model: type, net: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    b = EngineBackend(BackendConfig(dt=DT, min_delay=DT, max_delay=10.0))
    cells = np.arange(N_CELLS)
    srcs = np.arange(N_CELLS, N_CELLS + N_SRC)
    b.create_cells(model(), cells, net["params"], {"v": net["v0"]})
    b.create_cells(SpikeSourceArray(), srcs, {"spike_times": net["trains"]}, {})
    for pid, rec in enumerate(("excitatory", "inhibitory")):
        sel = [c for c in net["conns"] if c[3] == rec]
        pre = np.array([(srcs if c[0] == "ext" else cells)[c[1]] for c in sel])
        post = np.array([c[2] for c in sel])
        b.connect(pid, pre, post, rec, StaticSynapse(),
                  {"weight": np.array([c[4] for c in sel]),
                   "delay": np.array([c[5] for c in sel])})
    b.set_recording(cells, "v", DT)
    b.set_recording(cells, "spikes", DT)
    b.run_until(T_STOP)
    return b.get_signal(cells, "v").values, b.get_spikes(cells)


def _run_nest(model: type, net: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    if hasattr(nest, "VerbosityLevel"):
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:  # older PyNEST
        nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.resolution = DT
    p = net["params"]
    cond = net["cond"]
    neurons = nest.Create(NEST_NAMES[model.__name__], N_CELLS)
    for i in range(N_CELLS):
        d = {"C_m": 1000.0 * p["cm"][i], "E_L": p["v_rest"][i], "V_reset": p["v_reset"][i],
             "V_th": p["v_thresh"][i], "t_ref": p["tau_refrac"][i],
             "I_e": 1000.0 * p["i_offset"][i], "V_m": net["v0"][i]}
        if cond:
            d.update(g_L=1000.0 * p["cm"][i] / p["tau_m"][i], E_ex=p["e_rev_E"][i],
                     E_in=p["e_rev_I"][i])
        else:
            d["tau_m"] = p["tau_m"][i]
        if "tau_syn_E" in p:
            d.update(tau_syn_ex=p["tau_syn_E"][i], tau_syn_in=p["tau_syn_I"][i])
        neurons[i].set(d)
    gens = nest.Create("spike_generator", N_SRC)
    for k in range(N_SRC):
        gens[k].set(spike_times=[float(t) for t in net["trains"][k]])
    scale = 1.0 if model is IF_curr_delta else 1000.0
    for kind, i, j, rec, w, d in net["conns"]:
        pre = gens[i] if kind == "ext" else neurons[i]
        wn = w * scale * (-1.0 if (cond and rec == "inhibitory") else 1.0)
        nest.Connect(pre, neurons[j], syn_spec={"weight": wn, "delay": d})
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": DT})
    sr = nest.Create("spike_recorder")
    nest.Connect(mm, neurons)
    nest.Connect(neurons, sr)
    nest.Simulate(T_STOP)
    ev = mm.get("events")
    nsteps = int(round(T_STOP / DT)) - 1  # NEST samples t = dt .. T_STOP - dt
    v = np.full((nsteps, N_CELLS), np.nan)
    first = neurons[0].global_id
    idx = np.round(ev["times"] / DT).astype(int) - 1
    v[idx, ev["senders"] - first] = ev["V_m"]
    sev = sr.get("events")
    spikes = [np.sort(sev["times"][sev["senders"] == first + i]) for i in range(N_CELLS)]
    return v, spikes


@pytest.mark.parametrize("model", [IF_curr_exp, IF_curr_alpha, IF_curr_delta])
@pytest.mark.parametrize("seed", [1, 2])
def test_current_based_models_match_nest_exactly(model: type, seed: int) -> None:
    net = _network(model, seed)
    v_e, s_e = _run_engine(model, net)
    v_n, s_n = _run_nest(model, net)
    assert sum(len(s) for s in s_n) > 20, "the network should be active"
    np.testing.assert_allclose(v_e[0], net["v0"])
    assert np.max(np.abs(v_e[1:len(v_n) + 1] - v_n)) < 1e-9
    for a, b in zip(s_e, s_n):
        np.testing.assert_array_equal(np.round(a / DT), np.round(b / DT))


@pytest.mark.parametrize("model", [IF_cond_exp, IF_cond_alpha])
@pytest.mark.parametrize("seed", [1, 2])
def test_conductance_based_models_close_to_nest(model: type, seed: int) -> None:
    net = _network(model, seed)
    v_e, s_e = _run_engine(model, net)
    v_n, s_n = _run_nest(model, net)
    n_e, n_n = sum(len(s) for s in s_e), sum(len(s) for s in s_n)
    assert n_n > 20, "the network should be active"
    assert abs(n_e - n_n) <= 0.01 * n_n
    for a, b in zip(s_e, s_n):
        assert len(a) == len(b)
        if len(a):
            assert np.max(np.abs(a - b)) <= 0.5


def _balanced(model: type, n: int = 600, t_stop: float = 200.0) -> tuple[list, list]:
    """A Vogels-Abbott-like random network (80 % exc., p = 0.04) kicked by spike arrays;
    returns (engine spikes, NEST spikes) per cell."""
    rng = np.random.default_rng(11)
    n_exc, n_src = int(0.8 * n), 20
    v0 = rng.uniform(-60.0, -50.0, n)
    pre, post = np.nonzero(rng.random((n, n)) < 0.04)
    exc = pre < n_exc
    trains = [np.round(np.unique(rng.integers(1, 300, 4)) * DT, 1) for _ in range(n_src)]
    s_pre = np.repeat(np.arange(n_src), 60)
    s_post = rng.integers(0, n, len(s_pre))
    cond = model is IF_cond_exp
    pyn = dict(cm=0.2, tau_m=20.0, v_rest=-60.0, v_thresh=-50.0, v_reset=-60.0,
               tau_refrac=5.0, tau_syn_E=5.0, tau_syn_I=10.0, i_offset=0.0)
    if cond:
        pyn.update(e_rev_E=0.0, e_rev_I=-80.0)
        w_e, w_i, w_s = 0.006, 0.067, 0.03
    else:
        pyn["v_rest"] = -49.0
        w_e, w_i, w_s = 0.054, -0.3, 0.3
    # engine
    b = EngineBackend(BackendConfig(dt=DT, min_delay=DT, max_delay=10.0))
    ct = model()
    p = {k: np.full(n, float(pyn.get(k, v))) for k, v in ct.parameter_space.items()}
    b.create_cells(ct, np.arange(n), p, {"v": v0})
    b.create_cells(SpikeSourceArray(), np.arange(n, n + n_src), {"spike_times": trains}, {})
    for pid, (sel_pre, sel_post, rec, w, d) in enumerate([
            (pre[exc], post[exc], "excitatory", w_e, 0.2),
            (pre[~exc], post[~exc], "inhibitory", w_i, 0.2),
            (s_pre + n, s_post, "excitatory", w_s, 0.1)]):
        b.connect(pid, sel_pre, sel_post, rec, StaticSynapse(),
                  {"weight": np.full(len(sel_pre), w), "delay": np.full(len(sel_pre), d)})
    b.set_recording(np.arange(n), "spikes", DT)
    b.run_until(t_stop)
    s_engine = b.get_spikes(np.arange(n))
    # NEST
    if hasattr(nest, "VerbosityLevel"):
        nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    nest.resolution = DT
    nparams = {"C_m": 1000.0 * pyn["cm"], "E_L": pyn["v_rest"], "V_th": pyn["v_thresh"],
               "V_reset": pyn["v_reset"], "t_ref": pyn["tau_refrac"],
               "tau_syn_ex": pyn["tau_syn_E"], "tau_syn_in": pyn["tau_syn_I"]}
    if cond:
        nparams.update(g_L=1000.0 * pyn["cm"] / pyn["tau_m"], E_ex=0.0, E_in=-80.0)
    else:
        nparams["tau_m"] = pyn["tau_m"]
    neurons = nest.Create(NEST_NAMES[model.__name__], n, params=nparams)
    neurons.V_m = v0
    gens = nest.Create("spike_generator", n_src)
    for k in range(n_src):
        gens[k].spike_times = [float(t) for t in trains[k]]
    g0, s0 = neurons[0].global_id, gens[0].global_id
    sign_i = -1.0 if cond else 1.0
    for a, c, w, d in [(pre[exc] + g0, post[exc] + g0, 1000.0 * w_e, 0.2),
                       (pre[~exc] + g0, post[~exc] + g0, 1000.0 * w_i * sign_i, 0.2),
                       (s_pre + s0, s_post + g0, 1000.0 * w_s, 0.1)]:
        nest.Connect(a, c, "one_to_one", syn_spec={"weight": np.full(len(a), w),
                                                    "delay": np.full(len(a), d)})
    sr = nest.Create("spike_recorder")
    nest.Connect(neurons, sr)
    nest.Simulate(t_stop)
    ev = sr.get("events")
    s_nest = [np.sort(ev["times"][ev["senders"] == g0 + i]) for i in range(n)]
    return s_engine, s_nest


@pytest.mark.parametrize("model", [IF_curr_exp, IF_curr_alpha, IF_cond_exp])
def test_recurrent_random_network_matches_nest(model: type) -> None:
    """(Uniform parameters: the engine reads them once per piece of cells, `lif_psc`.)"""
    s_e, s_n = _balanced(model)
    n_e, n_n = sum(len(s) for s in s_e), sum(len(s) for s in s_n)
    assert n_n > 600, "the network should be active"
    if model is not IF_cond_exp:
        for a, b in zip(s_e, s_n):
            np.testing.assert_array_equal(np.round(a / DT), np.round(b / DT))
    else:
        assert abs(n_e - n_n) <= 0.01 * n_n
        for a, b in zip(s_e, s_n):
            if len(a) == len(b) and len(a):
                assert np.max(np.abs(a - b)) <= 0.5
