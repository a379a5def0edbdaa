"""Stochastic models against NEST (PyNEST): spike-count and inter-spike-interval
distributions of SpikeSourceGamma (gamma_sup_generator), SpikeSourcePoissonRefractory
(ppd_sup_generator) and GIF_cond_exp (gif_cond_exp) agree (two-sample KS tests, fixed
seeds); PointNeuron(AdExp, CondAlphaPSR...) against aeif_cond_alpha_multisynapse."""
from __future__ import annotations

import numpy as np
import pytest

from lamina.backends.base import BackendConfig
from lamina.backends.engine import EngineBackend
from lamina.models import (AdExp, CondAlphaPSR, GIF_cond_exp, PointNeuron, SpikeSourceArray,
                           SpikeSourceGamma, SpikeSourcePoissonRefractory, StaticSynapse)

nest = pytest.importorskip("nest", reason="NEST (PyNEST) is not installed")
stats = pytest.importorskip("scipy.stats", reason="scipy is needed for the KS tests")

DT = 0.1


def _nest_reset(seed):
    if hasattr(nest, "VerbosityLevel"):
        nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    nest.resolution = DT
    nest.rng_seed = seed


def _isis(trains):
    return np.concatenate([np.diff(t) for t in trains if len(t) > 1])


def _engine_source(model, n, t_stop, seed=11):
    b = EngineBackend(BackendConfig(dt=DT, min_delay=DT, max_delay=10.0, rng_seed=seed))
    ids = np.arange(n)
    b.create_cells(model, ids, dict(model.parameter_space), {})
    b.set_recording(ids, "spikes", DT)
    b.run_until(t_stop)
    return b.get_spikes(ids)


def _nest_generator(name, params, n, t_stop, seed=5):
    _nest_reset(seed)
    gen = nest.Create(name, params=params)
    parrots = nest.Create("parrot_neuron", n)
    nest.Connect(gen, parrots)
    sr = nest.Create("spike_recorder")
    nest.Connect(parrots, sr)
    nest.Simulate(t_stop + DT)
    ev = sr.get("events")
    return [np.sort(ev["times"][ev["senders"] == p.global_id]) for p in parrots]


@pytest.mark.parametrize("model, nest_name, nest_params", [
    (SpikeSourceGamma(alpha=4, beta=200.0), "gamma_sup_generator",
     {"gamma_shape": 4, "rate": 50.0}),
    (SpikeSourcePoissonRefractory(rate=40.0, tau_refrac=8.0), "ppd_sup_generator",
     {"rate": 40.0, "dead_time": 8.0}),
])
def test_renewal_sources_match_nest(model, nest_name, nest_params):
    n, t_stop = 200, 2000.0
    eng = _engine_source(model, n, t_stop)
    ref = _nest_generator(nest_name, nest_params, n, t_stop)
    isi_e, isi_n = _isis(eng), _isis(ref)
    assert stats.ks_2samp(isi_e, isi_n).pvalue > 0.01
    counts_e = [len(t) for t in eng]
    counts_n = [len(t) for t in ref]
    assert stats.ks_2samp(counts_e, counts_n).pvalue > 0.01
    assert abs(np.mean(counts_e) - np.mean(counts_n)) < 0.05 * np.mean(counts_n)
    if nest_name == "ppd_sup_generator":
        assert isi_e.min() >= 8.0 - 1e-9


def test_gif_matches_nest_statistically():
    n, t_stop = 60, 3000.0
    gif = GIF_cond_exp(i_offset=0.7, v_t_star=-52.0, lambda0=5.0, delta_v=1.0,
                       tau_eta=(10.0, 50.0), a_eta=(0.02, 0.01), tau_gamma=(30.0,),
                       a_gamma=(2.0,))
    p = gif.parameter_space
    b = EngineBackend(BackendConfig(dt=DT, min_delay=DT, max_delay=10.0, rng_seed=3))
    ids = np.arange(n)
    b.create_cells(gif, ids, dict(p), {"v": np.full(n, -65.0)})
    b.set_recording(ids, "spikes", DT)
    b.run_until(t_stop)
    eng = b.get_spikes(ids)
    _nest_reset(17)
    cells = nest.Create("gif_cond_exp", n, params={
        "C_m": 1000 * p["cm"], "g_L": 1000 * p["cm"] / p["tau_m"], "E_L": p["v_rest"],
        "V_reset": p["v_reset"], "Delta_V": p["delta_v"], "V_T_star": p["v_t_star"],
        "lambda_0": p["lambda0"], "t_ref": p["tau_refrac"], "tau_syn_ex": p["tau_syn_E"],
        "tau_syn_in": p["tau_syn_I"], "E_ex": p["e_rev_E"], "E_in": p["e_rev_I"],
        "I_e": 1000 * p["i_offset"], "tau_stc": list(p["tau_eta"]),
        "q_stc": [1000 * q for q in p["a_eta"]], "tau_sfa": list(p["tau_gamma"]),
        "q_sfa": list(p["a_gamma"]), "V_m": -65.0})
    sr = nest.Create("spike_recorder")
    nest.Connect(cells, sr)
    nest.Simulate(t_stop)
    ev = sr.get("events")
    ref = [np.sort(ev["times"][ev["senders"] == c.global_id]) for c in cells]
    ce, cn = [len(t) for t in eng], [len(t) for t in ref]
    assert np.mean(cn) > 10
    assert stats.ks_2samp(ce, cn).pvalue > 0.01
    assert abs(np.mean(ce) - np.mean(cn)) < 0.05 * np.mean(cn)
    assert stats.ks_2samp(_isis(eng), _isis(ref)).pvalue > 0.01


def test_point_neuron_adexp_alpha_matches_nest_multisynapse():
    n, t_stop = 8, 500.0
    rng = np.random.default_rng(2)
    cell = PointNeuron(AdExp(i_offset=0.4, tau_refrac=0.5),
                       AMPA=CondAlphaPSR(e_syn=0.0, tau_syn=2.0),
                       GABA=CondAlphaPSR(e_syn=-80.0, tau_syn=6.0),
                       NMDA=CondAlphaPSR(e_syn=0.0, tau_syn=20.0))
    trains = [np.unique(np.round(rng.uniform(1, t_stop - 5, 40), 1)) for _ in range(6)]
    conns = [(int(rng.integers(6)), int(rng.integers(n)),
              str(rng.choice(["AMPA", "GABA", "NMDA"])), float(rng.uniform(0.002, 0.01)),
              round(float(rng.integers(1, 20)) * DT, 1)) for _ in range(60)]
    b = EngineBackend(BackendConfig(dt=DT, min_delay=DT, max_delay=10.0))
    cells, srcs = np.arange(n), np.arange(n, n + 6)
    params = {k: np.full(n, v, float) for k, v in cell.parameter_space.items()}
    b.create_cells(cell, cells, params, {"v": np.full(n, -70.6)})
    b.create_cells(SpikeSourceArray(), srcs, {"spike_times": trains}, {})
    for pid, rec in enumerate(cell.receptor_types):
        sel = [c for c in conns if c[2] == rec]
        if sel:
            b.connect(pid, srcs[[c[0] for c in sel]], np.array([c[1] for c in sel]), rec,
                      StaticSynapse(), {"weight": np.array([c[3] for c in sel]),
                                        "delay": np.array([c[4] for c in sel])})
    b.set_recording(cells, "spikes", DT)
    b.run_until(t_stop)
    eng = b.get_spikes(cells)
    _nest_reset(1)
    p = params
    order = cell.receptor_types    # NEST receptor port r+1 = receptor r
    psr = cell.post_synaptic_receptors
    nn = nest.Create("aeif_cond_alpha_multisynapse", n, params={
        "C_m": 281.0, "g_L": 281.0 / p["tau_m"][0], "E_L": -70.6, "V_reset": -70.6,
        "V_peak": -40.0, "V_th": -50.4, "Delta_T": 2.0, "a": 4.0, "b": 80.5, "tau_w": 144.0,
        "t_ref": 0.5, "I_e": 400.0, "V_m": -70.6,
        "E_rev": [psr[r].parameter_space["e_syn"] for r in order],
        "tau_syn": [psr[r].parameter_space["tau_syn"] for r in order]})
    gens = nest.Create("spike_generator", 6)
    for k in range(6):
        gens[k].set(spike_times=[float(t) for t in trains[k]])
    for s, t, rec, w, d in conns:
        nest.Connect(gens[s], nn[t], syn_spec={"weight": 1000 * w, "delay": d,
                                               "receptor_type": order.index(rec) + 1})
    sr = nest.Create("spike_recorder")
    nest.Connect(nn, sr)
    nest.Simulate(t_stop)
    ev = sr.get("events")
    ref = [np.sort(ev["times"][ev["senders"] == c.global_id]) for c in nn]
    n_e, n_n = sum(map(len, eng)), sum(map(len, ref))
    assert n_n > 20 and abs(n_e - n_n) <= 0.02 * n_n, (n_e, n_n)
    close = sum(int(np.sum(np.abs(a[:, None] - r[None, :]).min(axis=1) <= 0.5 + 1e-9))
                for a, r in zip(eng, ref) if len(a) and len(r))
    assert close >= 0.9 * n_e
