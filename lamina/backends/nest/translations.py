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
                           "state": {}, "weight": {}},
}

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

#: standard synapse types -> NEST synapse model
SYNAPSES: dict[str, str] = {"StaticSynapse": "static_synapse"}

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


def cell_translation(name: str) -> dict[str, Any] | None:
    """The translation entry of standard cell type `name` (None for native types)."""
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
