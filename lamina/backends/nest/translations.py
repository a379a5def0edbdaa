"""Translation tables from lamina's standard models to NEST models, kept as data.

Each cell entry gives

* ``model`` / ``off_grid`` — the NEST model for ``spike_precision='on_grid'`` and for
  ``'off_grid'`` (NEST's precise-spike-time ``*_ps`` models; ``None`` where NEST has none);
* ``parameters`` — PyNN name -> (NEST name, factor): NEST value = factor * PyNN value;
* ``derived`` — NEST name -> (PyNN numerator, PyNN denominator, factor): NEST value =
  factor * numerator / denominator (``g_L = 1000 cm / tau_m`` [nS] for iaf_cond_*);
* ``state`` — PyNN state variable -> (NEST name, factor);
* ``weight`` — factor turning a PyNN weight into a NEST weight per receptor type (the sign
  picks the receptor in NEST's iaf_* models: inhibitory conductances are negative in NEST
  although positive in lamina).

Optional cell-entry fields: ``fixed`` (NEST status values PyNN fixes for the model),
``copies`` (NEST name -> (PyNN name, factor): a second NEST parameter taking a PyNN value),
``arrays`` (PyNN array parameter -> (NEST name, factor), e.g. GIF time constants),
``rarrays`` (NEST array -> (PyNN names, one per receptor port, factor): PointNeuron on
NEST's ``*_multisynapse`` models), ``ports`` (receptor -> NEST receptor port),
``tau_psc`` (receptor -> PyNN parameter: tsodyks_synapse's tau_psc), ``generator`` /
``gen_parameters`` / ``gen_derived`` (spike sources: a NEST generator feeding one parrot
per cell). A ``state`` entry may carry a third element: None marks a state NEST only reports
(not settable: GIF's E_sfa, the moving threshold).

Synapse entries (`SYNAPSES`): NEST model, ``parameters`` (PyNN -> (NEST name, factor)),
``fixed`` (NEST values), ``initial`` (NEST state at connect: NEST name -> PyNN parameter or
number), ``state`` (recordable synaptic state: PyNN -> NEST name). STDPMechanism is
flattened by `stdp_nest_values`.

Units: nF -> pF, nA -> pA, uS -> nS are all x1000; ms and mV are unchanged.
"""
from __future__ import annotations

from typing import Any

_COMMON: dict[str, tuple[str, float]] = {
    "cm": ("C_m", 1000.0),             # nF -> pF
    "tau_refrac": ("t_ref", 1.0),      # ms
    "v_rest": ("E_L", 1.0),            # mV
    "v_reset": ("V_reset", 1.0),       # mV
    "v_thresh": ("V_th", 1.0),         # mV
    "i_offset": ("I_e", 1000.0),       # nA -> pA
}
_SYN_TAUS = {"tau_syn_E": ("tau_syn_ex", 1.0), "tau_syn_I": ("tau_syn_in", 1.0)}
_CURR = {**_COMMON, **_SYN_TAUS, "tau_m": ("tau_m", 1.0)}
_COND = {**_COMMON, **_SYN_TAUS, "e_rev_E": ("E_ex", 1.0), "e_rev_I": ("E_in", 1.0)}
_CURR_STATE = {"v": ("V_m", 1.0), "isyn_exc": ("I_syn_ex", 1000.0),
               "isyn_inh": ("I_syn_in", 1000.0)}
_COND_STATE = {"v": ("V_m", 1.0), "gsyn_exc": ("g_ex", 1000.0), "gsyn_inh": ("g_in", 1000.0)}
_W_CURR = {"excitatory": 1000.0, "inhibitory": 1000.0}     # nA -> pA, sign kept
_W_COND = {"excitatory": 1000.0, "inhibitory": -1000.0}    # uS -> nS, inhibitory negative
_W_DELTA = {"excitatory": 1.0, "inhibitory": 1.0}          # mV

#: kinds of NEST realisation of a standard cell
NEURON, SPIKE_ARRAY, POISSON = "neuron", "spike_array", "poisson"

CELLS: dict[str, dict[str, Any]] = {
    "IF_curr_exp": {"kind": NEURON, "model": "iaf_psc_exp", "off_grid": "iaf_psc_exp_ps",
                    "parameters": _CURR, "derived": {}, "state": _CURR_STATE,
                    "weight": _W_CURR},
    "IF_curr_alpha": {"kind": NEURON, "model": "iaf_psc_alpha",
                      "off_grid": "iaf_psc_alpha_ps", "parameters": _CURR, "derived": {},
                      "state": _CURR_STATE, "weight": _W_CURR},
    "IF_curr_delta": {"kind": NEURON, "model": "iaf_psc_delta",
                      "off_grid": "iaf_psc_delta_ps",
                      "parameters": {**_COMMON, "tau_m": ("tau_m", 1.0)}, "derived": {},
                      "state": {"v": ("V_m", 1.0)}, "weight": _W_DELTA},
    "IF_cond_exp": {"kind": NEURON, "model": "iaf_cond_exp", "off_grid": None,
                    "parameters": _COND, "derived": {"g_L": ("cm", "tau_m", 1000.0)},
                    "state": _COND_STATE, "weight": _W_COND},
    "IF_cond_alpha": {"kind": NEURON, "model": "iaf_cond_alpha", "off_grid": None,
                      "parameters": _COND, "derived": {"g_L": ("cm", "tau_m", 1000.0)},
                      "state": _COND_STATE, "weight": _W_COND},
    # a spike_generator per cell; spike times are emission times (recorded as such)
    "SpikeSourceArray": {"kind": SPIKE_ARRAY, "model": "spike_generator",
                         "off_grid": "spike_generator", "parameters": {}, "derived": {},
                         "state": {}, "weight": {}},
    # a poisson_generator feeding one parrot_neuron per cell: one train per cell
    "SpikeSourcePoisson": {"kind": POISSON, "model": "parrot_neuron",
                           "off_grid": "parrot_neuron_ps", "parameters": {}, "derived": {},
                           "state": {}, "weight": {},
                           "generator": ("poisson_generator", "poisson_generator_ps"),
                           "gen_parameters": {"rate": ("rate", 1.0)}, "gen_derived": {}},
}

# -- further cell types ---------------------------------------------------------------------
_ADEX = {"cm": ("C_m", 1000.0), "tau_refrac": ("t_ref", 1.0), "v_spike": ("V_peak", 1.0),
         "v_reset": ("V_reset", 1.0), "v_rest": ("E_L", 1.0), "i_offset": ("I_e", 1000.0),
         "a": ("a", 1.0), "b": ("b", 1000.0), "delta_T": ("Delta_T", 1.0),
         "tau_w": ("tau_w", 1.0), "v_thresh": ("V_th", 1.0)}
_G_L = {"g_L": ("cm", "tau_m", 1000.0)}
CELLS.update({
    "IF_cond_exp_gsfa_grr": {
        "kind": NEURON, "model": "iaf_cond_exp_sfa_rr", "off_grid": None,
        "parameters": {**_COND, "tau_sfa": ("tau_sfa", 1.0), "e_rev_sfa": ("E_sfa", 1.0),
                       "q_sfa": ("q_sfa", 1.0), "tau_rr": ("tau_rr", 1.0),
                       "e_rev_rr": ("E_rr", 1.0), "q_rr": ("q_rr", 1.0)},   # nS = nS
        "derived": _G_L,
        "state": {**_COND_STATE, "g_s": ("g_sfa", 1.0), "g_r": ("g_rr", 1.0)},
        "weight": _W_COND},
    "IF_facets_hardware1": {
        "kind": NEURON, "model": "iaf_cond_exp", "off_grid": None,
        "parameters": {"g_leak": ("g_L", 1.0), **_SYN_TAUS, "v_reset": ("V_reset", 1.0),
                       "e_rev_I": ("E_in", 1.0), "v_rest": ("E_L", 1.0),
                       "v_thresh": ("V_th", 1.0)},
        "derived": {}, "fixed": {"C_m": 200.0, "t_ref": 1.0, "E_ex": 0.0, "I_e": 0.0},
        "state": _COND_STATE, "weight": _W_COND},
    "HH_cond_exp": {
        "kind": NEURON, "model": "hh_cond_exp_traub", "off_grid": None,
        "parameters": {"gbar_Na": ("g_Na", 1000.0), "gbar_K": ("g_K", 1000.0),
                       "g_leak": ("g_L", 1000.0), "cm": ("C_m", 1000.0),
                       "v_offset": ("V_T", 1.0), "e_rev_Na": ("E_Na", 1.0),
                       "e_rev_K": ("E_K", 1.0), "e_rev_leak": ("E_L", 1.0),
                       "e_rev_E": ("E_ex", 1.0), "e_rev_I": ("E_in", 1.0), **_SYN_TAUS,
                       "i_offset": ("I_e", 1000.0)},
        "derived": {}, "fixed": {"t_ref": 2.0},
        "state": {**_COND_STATE, "m": ("Act_m", 1.0), "h": ("Inact_h", 1.0),
                  "n": ("Act_n", 1.0)},
        "weight": _W_COND},      # no 'source_section.gap': hh_cond_exp_traub has no gap port
    "EIF_cond_exp_isfa_ista": {
        "kind": NEURON, "model": "aeif_cond_exp", "off_grid": None,
        "parameters": {**_ADEX, "e_rev_E": ("E_ex", 1.0), "e_rev_I": ("E_in", 1.0),
                       **_SYN_TAUS},
        "derived": _G_L, "state": {**_COND_STATE, "w": ("w", 1000.0)}, "weight": _W_COND},
    "EIF_cond_alpha_isfa_ista": {
        "kind": NEURON, "model": "aeif_cond_alpha", "off_grid": None,
        "parameters": {**_ADEX, "e_rev_E": ("E_ex", 1.0), "e_rev_I": ("E_in", 1.0),
                       **_SYN_TAUS},
        "derived": _G_L, "state": {**_COND_STATE, "w": ("w", 1000.0)}, "weight": _W_COND},
    "Izhikevich": {
        "kind": NEURON, "model": "izhikevich", "off_grid": None,
        "parameters": {"a": ("a", 1.0), "b": ("b", 1.0), "c": ("c", 1.0), "d": ("d", 1.0),
                       "i_offset": ("I_e", 1000.0)},
        "derived": {}, "state": {"v": ("V_m", 1.0), "u": ("U_m", 1.0)},
        "weight": _W_DELTA, "tau_psc": {}},
    "GIF_cond_exp": {
        "kind": NEURON, "model": "gif_cond_exp", "off_grid": None,
        "parameters": {"v_rest": ("E_L", 1.0), "cm": ("C_m", 1000.0),
                       "tau_refrac": ("t_ref", 1.0), **_SYN_TAUS, "e_rev_E": ("E_ex", 1.0),
                       "e_rev_I": ("E_in", 1.0), "v_reset": ("V_reset", 1.0),
                       "i_offset": ("I_e", 1000.0), "delta_v": ("Delta_V", 1.0),
                       "v_t_star": ("V_T_star", 1.0), "lambda0": ("lambda_0", 1.0)},
        "derived": _G_L,
        "arrays": {"tau_eta": ("tau_stc", 1.0), "a_eta": ("q_stc", 1000.0),
                   "tau_gamma": ("tau_sfa", 1.0), "a_gamma": ("q_sfa", 1.0)},
        "state": {**_COND_STATE, "i_eta": ("I_stc", 1000.0),
                  "v_t": ("E_sfa", 1.0, None)},   # E_sfa = V_T_star + gammas
        "weight": _W_COND},
    # stochastic spike sources: a generator per cell feeding a parrot (one train per cell)
    "SpikeSourceGamma": {
        "kind": POISSON, "model": "parrot_neuron", "off_grid": None, "parameters": {},
        "derived": {}, "state": {}, "weight": {},
        "generator": ("gamma_sup_generator", None),
        "gen_parameters": {"alpha": ("gamma_shape", 1.0)},
        "gen_derived": {"rate": ("beta", "alpha", 1.0)}, "gen_int": ("gamma_shape",)},
    "SpikeSourcePoissonRefractory": {
        "kind": POISSON, "model": "parrot_neuron", "off_grid": None, "parameters": {},
        "derived": {}, "state": {}, "weight": {},
        "generator": ("ppd_sup_generator", None),
        "gen_parameters": {"rate": ("rate", 1.0), "tau_refrac": ("dead_time", 1.0)},
        "gen_derived": {}},
    # only the Poisson case (a = 1 in every bin): NEST has no inhomogeneous gamma process
    "SpikeSourceInhGamma": {
        "kind": POISSON, "model": "parrot_neuron", "off_grid": None, "parameters": {},
        "derived": {}, "state": {}, "weight": {},
        "generator": ("inhomogeneous_poisson_generator", None), "gen_parameters": {},
        "gen_derived": {}},
})
for _name in ("IF_curr_exp", "IF_curr_alpha", "IF_cond_exp", "IF_cond_alpha",
              "IF_cond_exp_gsfa_grr", "IF_facets_hardware1", "HH_cond_exp",
              "EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista", "GIF_cond_exp"):
    CELLS[_name].setdefault("tau_psc", {"excitatory": "tau_syn_E", "inhibitory": "tau_syn_I"})

_LIF_CUR = {"cm": ("C_m", 1000.0), "tau_m": ("tau_m", 1.0), "tau_refrac": ("t_ref", 1.0),
            "v_rest": ("E_L", 1.0), "v_reset": ("V_reset", 1.0), "v_thresh": ("V_th", 1.0),
            "i_offset": ("I_e", 1000.0)}
_LIF_COND = {k: v for k, v in _LIF_CUR.items() if k != "tau_m"}
#: a LIF membrane on NEST's aeif models: no exponential term, no adaptation
_LIF_AS_ADEX = {"a": 0.0, "b": 0.0, "Delta_T": 0.0, "w": 0.0}


def point_neuron_entry(celltype: Any) -> dict[str, Any]:
    """Translation entry of a `PointNeuron` instance (its receptors decide the NEST model):

    * LIF + CurrExpPSR receptors: ``iaf_psc_exp_multisynapse`` (port r+1 = receptor r);
    * AdExp + CondAlphaPSR receptors: ``aeif_cond_alpha_multisynapse``;
    * LIF or AdExp + CondAlphaPSR/CondBetaPSR receptors: ``aeif_cond_beta_multisynapse``
      (alpha: tau_rise = tau_decay = tau_syn; LIF: Delta_T = a = b = 0, V_peak = V_th);
    * LIF or AdExp + one or two CondExpPSR receptors: ``iaf_cond_exp`` / ``aeif_cond_exp``,
      the first receptor on NEST's excitatory, the second on its inhibitory synapse.

    Anything else raises `NoModelAvailableError`."""
    from lamina.errors import NoModelAvailableError
    neuron = type(celltype.neuron).__name__
    names = list(celltype.receptor_types)
    kinds = {type(celltype.post_synaptic_receptors[n]).__name__ for n in names}
    adex = neuron == "AdExp"
    entry: dict[str, Any] = {"kind": NEURON, "off_grid": None, "derived": {}, "fixed": {},
                             "copies": {}, "state": {"v": ("V_m", 1.0)}, "tau_psc": {}}
    if adex:
        entry["state"]["w"] = ("w", 1000.0)
    if kinds == {"CurrExpPSR"} and not adex:
        entry.update(model="iaf_psc_exp_multisynapse", parameters=dict(_LIF_CUR),
                     rarrays={"tau_syn": ([f"{n}.tau_syn" for n in names], 1.0)},
                     ports={n: r + 1 for r, n in enumerate(names)},
                     weight={n: 1000.0 for n in names})
        entry["state"].update({f"{n}.isyn": (f"I_syn_{r + 1}", 1000.0)
                               for r, n in enumerate(names)})
        return entry
    if kinds == {"CondExpPSR"} and len(names) <= 2:
        membrane = dict(_ADEX) if adex else dict(_LIF_COND)
        ends = ("ex", "in")
        params = {**membrane}
        for n, e in zip(names, ends):
            params[f"{n}.e_syn"] = ("E_" + e, 1.0)
            params[f"{n}.tau_syn"] = ("tau_syn_" + e, 1.0)
            entry["state"][f"{n}.gsyn"] = ("g_" + e, 1000.0)
        entry.update(model="aeif_cond_exp" if adex else "iaf_cond_exp", parameters=params,
                     derived=dict(_G_L), ports={},
                     weight={n: s for n, s in zip(names, (1000.0, -1000.0))})
        return entry
    if kinds <= {"CondAlphaPSR", "CondBetaPSR"}:
        membrane = dict(_ADEX) if adex else dict(_LIF_COND)
        if not adex:
            entry["fixed"] = dict(_LIF_AS_ADEX)
            entry["copies"] = {"V_peak": ("v_thresh", 1.0)}
            entry["state"].pop("w", None)
        if kinds == {"CondAlphaPSR"} and adex:
            entry.update(model="aeif_cond_alpha_multisynapse",
                         rarrays={"E_rev": ([f"{n}.e_syn" for n in names], 1.0),
                                  "tau_syn": ([f"{n}.tau_syn" for n in names], 1.0)})
        else:
            def tau(n: str, which: str) -> str:
                kind = type(celltype.post_synaptic_receptors[n]).__name__
                return f"{n}.tau_syn" if kind == "CondAlphaPSR" else f"{n}.{which}"
            entry.update(model="aeif_cond_beta_multisynapse",
                         rarrays={"E_rev": ([f"{n}.e_syn" for n in names], 1.0),
                                  "tau_rise": ([tau(n, "tau_rise") for n in names], 1.0),
                                  "tau_decay": ([tau(n, "tau_decay") for n in names], 1.0)})
        entry.update(parameters=membrane, derived=dict(_G_L),
                     ports={n: r + 1 for r, n in enumerate(names)},
                     weight={n: 1000.0 for n in names})
        entry["state"].update({f"{n}.gsyn": (f"g_{r + 1}", 1000.0) for r, n in enumerate(names)})
        return entry
    raise NoModelAvailableError(
        f"the nest backend has no NEST model for PointNeuron({neuron}, "
        f"{', '.join(f'{n}={type(celltype.post_synaptic_receptors[n]).__name__}' for n in names)}"
        "); NEST offers LIF + CurrExpPSR (iaf_psc_exp_multisynapse), LIF/AdExp + "
        "CondAlphaPSR/CondBetaPSR (aeif_cond_*_multisynapse) and LIF/AdExp + up to two "
        "CondExpPSR (iaf_cond_exp/aeif_cond_exp)")


#: standard synapse types -> NEST synapse model and parameter tables
_TM = {"U": ("U", 1.0), "tau_rec": ("tau_rec", 1.0), "tau_facil": ("tau_fac", 1.0)}
SYNAPSES: dict[str, dict[str, Any]] = {
    "StaticSynapse": {"model": "static_synapse", "parameters": {}, "state": {}},
    # PyNN 0.13's choice; tau_psc = the target receptor's synaptic time constant
    "TsodyksMarkramSynapse": {"model": "tsodyks_synapse", "parameters": _TM,
                              "initial": {"u": 0.0, "x": 1.0, "y": 0.0}, "tau_psc": True,
                              "state": {"u": "u", "x": "x", "y": "y"}},
    "Tsodyks2Synapse": {"model": "tsodyks2_synapse", "parameters": _TM,
                        "initial": {"u": "U", "x": 1.0}, "state": {"u": "u", "x": "x"}},
    "StochasticTsodyksMarkramSynapse": {"model": "quantal_stp_synapse", "parameters": _TM,
                                        "fixed": {"n": 1}, "initial": {"u": "U", "a": 1},
                                        "state": {"u": "u", "a": "a"}},
    "MultiQuantalSynapse": {"model": "quantal_stp_synapse",
                            "parameters": {**_TM, "n": ("n", 1.0)},
                            "initial": {"u": "U", "a": "n"}, "state": {"u": "u", "a": "a"},
                            "int": ("n", "a")},
    "SimpleStochasticSynapse": {"model": "bernoulli_synapse",
                                "parameters": {"p": ("p_transmit", 1.0)}, "state": {}},
    # both directions (make_symmetric); NEST gap-junction models only
    "ElectricalSynapse": {"model": "gap_junction", "parameters": {}, "state": {},
                          "gap": True},
    "STDPMechanism": {"state": {}},
}
#: tau_psc given to tsodyks_synapse onto receptors without a synaptic time constant (delta
#: synapses; NEST needs tau_psc > 0): then y decays within the step, as on the engine
TAU_PSC_DELTA = 1e-12
#: the lambda used for A_plus = 0 with A_minus > 0 (NEST's depression is lambda * alpha)
TINY_LAMBDA = 1e-300


def stdp_nest_values(synapse_type: Any, values: dict[str, Any], wsign: Any,
                     wscale: Any) -> dict[str, Any]:
    """NEST parameters of stdp_synapse / vogels_sprekeler_synapse for per-connection PyNN
    values of an `STDPMechanism` (`wsign`: +-1, the sign of the weights; `wscale`: |NEST
    weight / PyNN weight|). Raises `NoModelAvailableError` for what NEST cannot express
    (w_min != 0: NEST's weights are bounded by 0)."""
    import numpy as np

    from lamina.errors import NoModelAvailableError
    v = {k: np.asarray(x, float) for k, x in values.items()}
    if np.any(v.get("w_min", 0.0) != 0.0):
        raise NoModelAvailableError(
            "STDPMechanism on the nest backend: w_min must be 0 (NEST's stdp_synapse and "
            f"vogels_sprekeler_synapse bound weights by 0); got w_min = "
            f"{float(np.max(np.abs(v['w_min'])))}")
    out: dict[str, Any] = {"Wmax": wsign * wscale * v["w_max"]}
    if synapse_type.rule == "vogels":
        out.update(tau=v["tau"], eta=wscale * v["eta"],
                   alpha=2.0 * v["rho"] * v["tau"] / 1000.0)
        return out
    mu = synapse_type.weight_dependence.fixed_mu
    a_plus, a_minus = v["A_plus"], v["A_minus"]
    lam = np.where(a_plus > 0, a_plus, np.where(a_minus > 0, TINY_LAMBDA, 0.0))
    alpha = np.where(lam > 0, a_minus / np.where(lam > 0, lam, 1.0), 1.0)
    out.update(tau_plus=v["tau_plus"], **{"lambda": lam}, alpha=alpha,
               mu_plus=v["mu_plus"] if mu is None else np.full(np.shape(lam), mu[0]),
               mu_minus=v["mu_minus"] if mu is None else np.full(np.shape(lam), mu[1]))
    return out


def stdp_model(synapse_type: Any) -> str:
    """NEST model of an STDPMechanism (raises for dendritic_delay_fraction != 1)."""
    from lamina.errors import NoModelAvailableError
    if synapse_type.dendritic_delay_fraction != 1.0:
        raise NoModelAvailableError(
            "STDPMechanism on the nest backend: NEST treats the whole delay as dendritic; "
            f"dendritic_delay_fraction={synapse_type.dendritic_delay_fraction} is not "
            "available (use 1.0)")
    return "vogels_sprekeler_synapse" if synapse_type.rule == "vogels" else "stdp_synapse"


#: current sources: NEST model and PyNN name -> (NEST name, factor); times are handled
#: by `lamina.backends.nest.sources` (shifted by one step, see there)
CURRENT_SOURCES: dict[str, dict[str, Any]] = {
    "DCSource": {"model": "dc_generator",
                 "parameters": {"amplitude": ("amplitude", 1000.0)}},
    "ACSource": {"model": "ac_generator",
                 "parameters": {"amplitude": ("amplitude", 1000.0),
                                "offset": ("offset", 1000.0),
                                "frequency": ("frequency", 1.0), "phase": ("phase", 1.0)}},
    "StepCurrentSource": {"model": "step_current_generator", "parameters": {}},
    "NoisyCurrentSource": {"model": "noise_generator",
                           "parameters": {"mean": ("mean", 1000.0), "stdev": ("std", 1000.0)}},
}

#: NEST models removed from NEST but used by classic tutorials -> replacement
RENAMED_MODELS: dict[str, str] = {"iaf_neuron": "iaf_psc_alpha"}

#: NEST status keys of models that are not user parameters
READ_ONLY_KEYS: frozenset[str] = frozenset({
    "archiver_length", "available", "capacity", "element_type", "elementsize", "frozen",
    "global_id", "instantiations", "local", "model", "model_id", "node_uses_wfr",
    "recordables", "receptor_types", "synaptic_elements", "thread", "thread_local_id",
    "type_id", "vp", "t_spike", "post_trace", "Ca", "num_connections", "synapse_model",
    "synapse_modelid", "sizeof", "has_delay", "requires_symmetric", "weight_recorder",
    "receptor_type", "is_primary", "supports_hpc", "supports_lbl", "supports_wfr",
    "volume_transmitter", "n_synapses", "stimulus_source", "y_0", "y_1", "label",
    "origin", "start", "stop", "beta_Ca", "tau_Ca", "tau_minus_triplet",
    "ignore_and_spike", "ignore_and_spike_interval", "ignore_and_spike_offset",
    "is_refractory", "refractory_input", "V_min"})


def cell_translation(name: str, celltype: Any = None) -> dict[str, Any] | None:
    """The translation entry of standard cell type `name` (None for native types);
    PointNeuron's depends on the instance `celltype`."""
    if name == "PointNeuron" and celltype is not None:
        return point_neuron_entry(celltype)
    return CELLS.get(name)


def scale_to_nest(table: dict[str, tuple[str, float]],
                  values: dict[str, Any]) -> dict[str, Any]:
    """Apply a name/factor table to PyNN values; names not in the table are dropped."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in table:
            nest_name, factor = table[name]
            out[nest_name] = value * factor if factor != 1.0 else value
    return out
