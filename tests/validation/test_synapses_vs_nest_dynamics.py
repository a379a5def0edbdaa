"""Dynamic synapses on the engine against NEST (PyNEST).

* Tsodyks-Markram (NEST tsodyks_synapse, what PyNN 0.13's NEST backend uses, with tau_psc
  = the target's tau_syn; and tsodyks2_synapse): the membrane potential of an IF_curr_exp
  cell driven through one such synapse by a presynaptic spike train matches to 1e-9 mV.
* STDP (stdp_synapse with the additive, multiplicative, additive-potentiation/
  multiplicative-depression and Gütig weight dependences; vogels_sprekeler_synapse):
  pairing protocols, weight trajectories (read every 10 ms) within 1e-6 relative.

Presynaptic spikes come from parrot neurons in NEST (fed by spike generators with delay
dt), from SpikeSourceArray cells in lamina with the parrots' spike times.
"""
from __future__ import annotations

import numpy as np
import pytest

nest = pytest.importorskip("nest", reason="NEST is not installed (pip install nest-simulator)")

import lamina as sim  # noqa: E402

DT = 0.1
PRE = [10.0, 25.0, 33.0, 41.0, 60.0, 61.5, 90.0, 140.0, 141.0, 142.0, 200.0, 260.0,
       262.5, 300.0, 380.0]
CELL = dict(tau_m=15.0, cm=0.5, tau_syn_E=3.0, tau_syn_I=6.0, v_rest=-65.0, v_reset=-70.0,
            v_thresh=-50.0, tau_refrac=2.0, i_offset=0.0)


def _nest_reset() -> None:
    if hasattr(nest, "VerbosityLevel"):
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:
        nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.resolution = DT


def _nest_cell(n: int = 1, **extra: float):
    c = CELL
    return nest.Create("iaf_psc_exp", n, params={
        "tau_m": c["tau_m"], "C_m": 1000.0 * c["cm"], "tau_syn_ex": c["tau_syn_E"],
        "tau_syn_in": c["tau_syn_I"], "E_L": c["v_rest"], "V_reset": c["v_reset"],
        "V_th": c["v_thresh"], "t_ref": c["tau_refrac"], "V_m": c["v_rest"], **extra})


def _nest_parrots(times_list: list[list[float]]):
    """Parrot neurons spiking at the given times (generators feed them with delay dt)."""
    gens = nest.Create("spike_generator", len(times_list))
    parrots = nest.Create("parrot_neuron", len(times_list))
    for g, t in zip(gens, times_list):
        g.set(spike_times=[round(x - DT, 10) for x in t])
    nest.Connect(gens, parrots, "one_to_one", syn_spec={"delay": DT})
    return parrots


# -- Tsodyks-Markram ------------------------------------------------------------------------
TM_CASES = [
    ("TsodyksMarkramSynapse", "tsodyks_synapse", "excitatory",
     dict(U=0.5, tau_rec=100.0, tau_facil=0.0), 2.0),
    ("TsodyksMarkramSynapse", "tsodyks_synapse", "excitatory",
     dict(U=0.1, tau_rec=150.0, tau_facil=300.0), 4.0),
    ("TsodyksMarkramSynapse", "tsodyks_synapse", "inhibitory",
     dict(U=0.3, tau_rec=50.0, tau_facil=20.0), -3.0),
    ("Tsodyks2Synapse", "tsodyks2_synapse", "excitatory",
     dict(U=0.5, tau_rec=100.0, tau_facil=0.0), 2.0),
    ("Tsodyks2Synapse", "tsodyks2_synapse", "excitatory",
     dict(U=0.1, tau_rec=150.0, tau_facil=300.0), 4.0),
]


def _tm_engine(model: str, receptor: str, params: dict, weight: float, delay: float,
               t_stop: float) -> np.ndarray:
    sim.setup(timestep=DT, min_delay=DT, max_delay=10.0)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=PRE))
    cell = sim.Population(1, sim.IF_curr_exp(**CELL))
    syn = getattr(sim, model)(weight=weight, delay=delay, **params)
    sim.Projection(src, cell, sim.AllToAllConnector(), syn, receptor_type=receptor)
    cell.record("v")
    sim.run(t_stop)
    v = np.asarray(cell.get_data().segments[0].analogsignals[0]).ravel()
    sim.end()
    return v


def _tm_nest(nest_model: str, receptor: str, params: dict, weight: float, delay: float,
             t_stop: float) -> np.ndarray:
    _nest_reset()
    parrots = _nest_parrots([PRE])
    cell = _nest_cell()
    spec = {"synapse_model": nest_model, "weight": 1000.0 * weight, "delay": delay,
            "U": params["U"], "tau_rec": params["tau_rec"], "tau_fac": params["tau_facil"]}
    if nest_model == "tsodyks_synapse":  # PyNN: tau_psc = the target's synaptic tau
        spec["tau_psc"] = CELL["tau_syn_E" if receptor == "excitatory" else "tau_syn_I"]
    else:  # tsodyks2_synapse starts from u = 0.5 whatever U is; lamina from u = U
        spec["u"] = params["U"]
    nest.Connect(parrots, cell, syn_spec=spec)
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": DT})
    nest.Connect(mm, cell)
    nest.Simulate(t_stop)
    ev = mm.get("events")
    return np.asarray(ev["V_m"])[np.argsort(ev["times"])]


@pytest.mark.parametrize("model, nest_model, receptor, params, weight", TM_CASES)
def test_tsodyks_markram_v_matches_nest(model, nest_model, receptor, params, weight):
    t_stop, delay = 450.0, 1.5
    v_e = _tm_engine(model, receptor, params, weight, delay, t_stop)
    v_n = _tm_nest(nest_model, receptor, params, weight, delay, t_stop)
    # engine: samples at 0 .. t_stop - dt (and t_stop); NEST: dt .. t_stop - dt
    n = len(v_n)
    dev = np.max(np.abs(v_e[1:n + 1] - v_n))
    assert np.ptp(v_n) > 1.0, "the synapse should move v"
    assert dev < 1e-9, f"max |v_engine - v_nest| = {dev:g} mV"


def test_tsodyks_and_tsodyks2_differ_but_agree_on_first_psp():
    """The two NEST variants give equal first PSPs and different later ones."""
    case = dict(U=0.5, tau_rec=100.0, tau_facil=0.0)
    v1 = _tm_engine("TsodyksMarkramSynapse", "excitatory", case, 2.0, 1.5, 30.0)
    v2 = _tm_engine("Tsodyks2Synapse", "excitatory", case, 2.0, 1.5, 30.0)
    first = int(round(24.0 / DT))
    assert np.max(np.abs(v1[:first] - v2[:first])) < 1e-12
    assert np.max(np.abs(v1 - v2)) > 1e-3


# -- STDP ------------------------------------------------------------------------------------
#: pairings: presynaptic spikes and postsynaptic spikes forced by a strong input
STDP_PRE = [5.0, 20.0, 42.0, 61.0, 80.0, 95.0, 130.0, 150.0, 171.0, 205.0, 222.0, 240.0,
            266.0, 280.0, 310.0]
STDP_KICK = [12.0, 17.0, 38.0, 64.0, 85.0, 86.0, 126.0, 160.0, 200.0, 230.0, 250.0, 272.0,
             300.0]
WD = {"AdditiveWeightDependence": (0.0, 0.0), "MultiplicativeWeightDependence": (1.0, 1.0),
      "AdditivePotentiationMultiplicativeDepression": (0.0, 1.0),
      "GutigWeightDependence": (0.4, 0.7)}


def _checkpoints() -> np.ndarray:
    return np.arange(10.0, 341.0, 10.0) + 0.5  # no presynaptic spike at a checkpoint


def _stdp_engine(td: object, wd: object, weight: float, delay: float,
                 receptor: str) -> np.ndarray:
    sim.setup(timestep=DT, min_delay=DT, max_delay=10.0)
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[STDP_PRE, STDP_PRE[::2]]))
    kick = sim.Population(1, sim.SpikeSourceArray(spike_times=STDP_KICK))
    cell = sim.Population(1, sim.IF_curr_exp(**CELL))
    sim.Projection(kick, cell, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=20.0, delay=0.1))
    prj = sim.Projection(src, cell, sim.AllToAllConnector(),
                         sim.STDPMechanism(timing_dependence=td, weight_dependence=wd,
                                           weight=weight, delay=delay),
                         receptor_type=receptor)
    out = []
    for t in _checkpoints():
        sim.run_until(t)
        out.append(np.asarray(prj.get("weight", format="list", with_address=False)).ravel())
    sim.end()
    return np.array(out)


def _stdp_nest(model: str, syn: dict, tau_minus: float, delay: float) -> np.ndarray:
    _nest_reset()
    parrots = _nest_parrots([STDP_PRE, STDP_PRE[::2]])
    kick = nest.Create("spike_generator", params={"spike_times": STDP_KICK})
    cell = _nest_cell(tau_minus=tau_minus)
    nest.Connect(kick, cell, syn_spec={"weight": 20000.0, "delay": 0.1})
    nest.Connect(parrots, cell, syn_spec={"synapse_model": model, "delay": delay, **syn})
    conns = nest.GetConnections(synapse_model=model)
    order = np.argsort(conns.get("source"))
    out = []
    for t in _checkpoints():
        nest.Simulate(t - nest.biological_time)
        out.append(np.asarray(conns.get("weight"))[order] / 1000.0)
    return np.array(out)


@pytest.mark.parametrize("wd_name", list(WD))
@pytest.mark.parametrize("delay", [1.0, 3.7])
def test_stdp_weight_trajectories_match_nest(wd_name, delay):
    mu_plus, mu_minus = WD[wd_name]
    w_max, w0 = 2.0, 1.0
    td = sim.SpikePairRule(tau_plus=16.8, tau_minus=33.7, A_plus=0.05, A_minus=0.06)
    cls = getattr(sim, wd_name)
    wd = cls(w_min=0.0, w_max=w_max, **({"mu_plus": mu_plus, "mu_minus": mu_minus}
                                          if wd_name == "GutigWeightDependence" else {}))
    w_e = _stdp_engine(td, wd, w0, delay, "excitatory")
    syn = {"weight": 1000.0 * w0, "tau_plus": 16.8, "lambda": 0.05, "alpha": 0.06 / 0.05,
           "mu_plus": mu_plus, "mu_minus": mu_minus, "Wmax": 1000.0 * w_max}
    w_n = _stdp_nest("stdp_synapse", syn, 33.7, delay)
    assert np.max(np.abs(w_n[-1] - w0)) > 0.05, "the weights should change"
    np.testing.assert_allclose(w_e, w_n, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("receptor, w0", [("inhibitory", -0.8), ("excitatory", 0.8)])
def test_vogels_sprekeler_weight_trajectories_match_nest(receptor, w0):
    tau, eta, rho, w_max = 15.0, 0.02, 20.0, 1.5
    td = sim.Vogels2011Rule(tau=tau, eta=eta, rho=rho)
    wd = sim.AdditiveWeightDependence(w_min=0.0, w_max=w_max)
    w_e = _stdp_engine(td, wd, w0, 2.0, receptor)
    sign = -1.0 if w0 < 0 else 1.0
    syn = {"weight": 1000.0 * w0, "tau": tau, "eta": 1000.0 * eta,
           "alpha": 2.0 * rho * tau / 1000.0, "Wmax": sign * 1000.0 * w_max}
    w_n = _stdp_nest("vogels_sprekeler_synapse", syn, tau, 2.0)
    assert np.max(np.abs(w_n[-1] - w0)) > 0.01, "the weights should change"
    np.testing.assert_allclose(w_e, w_n, rtol=1e-6, atol=1e-12)
