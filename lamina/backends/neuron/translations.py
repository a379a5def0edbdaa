"""How lamina's standard models map onto NEURON objects: data tables, no code per model.

Every standard cell is one section of membrane area 1e-3 cm^2 (a cylinder of 178.4 um
length and diameter), so that NEURON's specific capacitance [uF/cm^2] equals the cell's
capacitance in nF, point-process currents are in nA and conductances in uS: PyNN's units
hold inside NEURON without factors. The membrane (leak, offset current, threshold, reset,
refractory clamp, exponential term and adaptation) is the point process named by
``membrane``; each receptor is a point process (``synapse``) receiving the NetCons, or, for
delta synapses, the membrane itself (weights in mV). ``states`` lists the membrane's state
variables set from initial values (``v`` is the section's); ``scale`` the factors from
NEURON's value of a recordable to PyNN's unit (e.g. uS -> nS). Spike sources are ``LaminaRelay``
artificial cells fed with the trains lamina draws (`sources`).

A parameter entry maps a NEURON name to a PyNN name, or to a function of the cell's PyNN
parameters (arrays, one value per cell).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Params = dict[str, np.ndarray]
Rule = str | Callable[[Params], np.ndarray]

#: membrane area [um^2] making NEURON's uF/cm^2 equal nF, and the section's length/diameter
AREA_UM2 = 1e5
SECTION_SIZE_UM = math.sqrt(AREA_UM2 / math.pi)

CELL = "cell"          # a section with membrane and synapse point processes
SOURCE = "source"      # a LaminaRelay fed by lamina's spike trains


def _leak(p: Params) -> np.ndarray:
    """Leak conductance [uS] = cm [nF] / tau_m [ms]."""
    return np.asarray(p["cm"], float) / np.asarray(p["tau_m"], float)


def _ns_to_us(name: str) -> Callable[[Params], np.ndarray]:
    def convert(p: Params) -> np.ndarray:
        return np.asarray(p[name], float) * 1e-3
    convert.__name__ = f"{name}_nS_to_uS"
    return convert


_LIF: dict[str, Rule] = {"g_leak": _leak, "e_leak": "v_rest", "v_spike": "v_thresh",
                         "v_reset": "v_reset", "t_refrac": "tau_refrac",
                         "i_offset": "i_offset"}
_ADEX: dict[str, Rule] = {"g_leak": _leak, "e_leak": "v_rest", "v_spike": "v_spike",
                          "v_reset": "v_reset", "t_refrac": "tau_refrac",
                          "i_offset": "i_offset", "delta_T": "delta_T", "v_t": "v_thresh",
                          "a": _ns_to_us("a"), "b": "b", "tau_w": "tau_w"}


def _synapses(mechanism: str, conductance: bool) -> dict[str, dict[str, Any]]:
    """Receptor -> {mechanism, fixed values, parameter rules} for exc/inh synapses."""
    out = {}
    for receptor, suffix in (("excitatory", "E"), ("inhibitory", "I")):
        rules: dict[str, Rule] = {"tau": f"tau_syn_{suffix}"}
        if conductance:
            rules["e"] = f"e_rev_{suffix}"
        out[receptor] = {"mechanism": mechanism, "fixed": {"conductance": float(conductance)},
                         "rules": rules}
    return out


def _recordables(conductance: bool) -> dict[str, tuple[str, str]]:
    """Recordable -> (where, NEURON variable): where is 'section', 'membrane' or a receptor."""
    names = ("gsyn_exc", "gsyn_inh") if conductance else ("isyn_exc", "isyn_inh")
    return {"v": ("section", "v"), names[0]: ("excitatory", "g"),
            names[1]: ("inhibitory", "g")}


def _fixed(value: float) -> Callable[[Params], np.ndarray]:
    def constant(p: Params) -> np.ndarray:
        return np.asarray(value, float)
    constant.__name__ = f"fixed_{value:g}"
    return constant


#: IF_facets_hardware1: NEST's iaf_cond_exp with C_m = 200 pF, t_ref = 1 ms, E_ex = 0 mV
_FACETS_FIXED = {"cm": 0.2, "tau_refrac": 1.0, "e_rev_E": 0.0, "i_offset": 0.0}
_FACETS: dict[str, Rule] = {"g_leak": _ns_to_us("g_leak"), "e_leak": "v_rest",
                            "v_spike": "v_thresh", "v_reset": "v_reset",
                            "t_refrac": _fixed(_FACETS_FIXED["tau_refrac"]),
                            "i_offset": _fixed(0.0)}
_FACETS_SYNAPSES = _synapses("LaminaExpSyn", True)
_FACETS_SYNAPSES["excitatory"]["rules"]["e"] = _fixed(_FACETS_FIXED["e_rev_E"])

_SFA_RR: dict[str, Rule] = {**_LIF, "tau_sfa": "tau_sfa", "e_sfa": "e_rev_sfa",
                            "q_sfa": _ns_to_us("q_sfa"), "tau_rr": "tau_rr",
                            "e_rr": "e_rev_rr", "q_rr": _ns_to_us("q_rr")}


#: GIF_cond_exp: elements of the spike-triggered current and of the moving threshold per cell
GIF_ELEMENTS = 4


def _gif_element(name: str, k: int, unused: float) -> Callable[[Params], np.ndarray]:
    """Element k of the per-cell array parameter `name` (`unused` where a cell has fewer)."""
    def element(p: Params) -> np.ndarray:
        values = p[name]
        per_cell = values if len(values) and np.ndim(values[0]) >= 1 else [values]
        if any(np.size(x) > GIF_ELEMENTS for x in per_cell):
            from lamina.errors import NoModelAvailableError
            raise NoModelAvailableError(
                f"GIF_cond_exp on the neuron backend: {name} has at most {GIF_ELEMENTS} "
                f"elements per cell; got {max(np.size(x) for x in per_cell)}")
        return np.array([float(np.ravel(x)[k]) if np.size(x) > k else unused
                         for x in per_cell])
    element.__name__ = f"{name}_{k}"
    return element


_GIF: dict[str, Rule] = {
    "g_leak": _leak, "e_leak": "v_rest", "v_reset": "v_reset", "t_refrac": "tau_refrac",
    "i_offset": "i_offset", "delta_v": "delta_v", "v_t_star": "v_t_star", "lambda0": "lambda0",
    **{f"{name}{k + 1}": _gif_element(name, k, unused)
       for name, unused in (("tau_eta", 1.0), ("a_eta", 0.0), ("tau_gamma", 1.0),
                            ("a_gamma", 0.0)) for k in range(GIF_ELEMENTS)}}


#: standard cell type name -> translation
CELLS: dict[str, dict[str, Any]] = {
    "IF_cond_exp_gsfa_grr": {"kind": CELL, "membrane": "LaminaIF", "rules": _SFA_RR,
                             "receptors": _synapses("LaminaExpSyn", True),
                             "record": {**_recordables(True), "g_s": ("membrane", "g_s"),
                                        "g_r": ("membrane", "g_r")},
                             "scale": {"g_s": 1000.0, "g_r": 1000.0}},
    "IF_facets_hardware1": {"kind": CELL, "membrane": "LaminaIF", "rules": _FACETS,
                            "section_cm": _FACETS_FIXED["cm"],
                            "receptors": _FACETS_SYNAPSES, "record": _recordables(True)},
    "IF_curr_exp": {"kind": CELL, "membrane": "LaminaLIF", "rules": _LIF,
                    "receptors": _synapses("LaminaExpSyn", False),
                    "record": _recordables(False)},
    "IF_curr_alpha": {"kind": CELL, "membrane": "LaminaLIF", "rules": _LIF,
                      "receptors": _synapses("LaminaAlphaSyn", False),
                      "record": _recordables(False)},
    "IF_curr_delta": {"kind": CELL, "membrane": "LaminaLIF", "rules": _LIF,
                      "receptors": {"excitatory": None, "inhibitory": None},
                      "record": {"v": ("section", "v")}},
    "IF_cond_exp": {"kind": CELL, "membrane": "LaminaLIF", "rules": _LIF,
                    "receptors": _synapses("LaminaExpSyn", True),
                    "record": _recordables(True)},
    "IF_cond_alpha": {"kind": CELL, "membrane": "LaminaLIF", "rules": _LIF,
                      "receptors": _synapses("LaminaAlphaSyn", True),
                      "record": _recordables(True)},
    "GIF_cond_exp": {"kind": CELL, "membrane": "LaminaGIF", "rules": _GIF,
                     "receptors": _synapses("LaminaExpSyn", True),
                     "record": {**_recordables(True), "i_eta": ("membrane", "i_eta"),
                                "v_t": ("membrane", "v_t")},
                     "fixed_step_only": True, "random_membrane": True},
    "EIF_cond_exp_isfa_ista": {"kind": CELL, "membrane": "LaminaIF", "rules": _ADEX,
                               "receptors": _synapses("LaminaExpSyn", True),
                               "record": {**_recordables(True), "w": ("membrane", "w")},
                               "states": ("w",)},
    "EIF_cond_alpha_isfa_ista": {"kind": CELL, "membrane": "LaminaIF", "rules": _ADEX,
                                 "receptors": _synapses("LaminaAlphaSyn", True),
                                 "record": {**_recordables(True), "w": ("membrane", "w")},
                                 "states": ("w",)},
    "HH_cond_exp": {"kind": CELL, "membrane": "LaminaHH",
                    "rules": {"gbar_Na": "gbar_Na", "gbar_K": "gbar_K", "g_leak": "g_leak",
                              "e_Na": "e_rev_Na", "e_K": "e_rev_K", "e_leak": "e_rev_leak",
                              "v_offset": "v_offset", "i_offset": "i_offset"},
                    "receptors": _synapses("LaminaExpSyn", True),
                    "record": {**_recordables(True), "m": ("membrane", "m"),
                               "h": ("membrane", "h"), "n": ("membrane", "n")},
                    "states": ("m", "h", "n")},
    "Izhikevich": {"kind": CELL, "membrane": "LaminaIzhikevich", "section_cm": 0.001,
                   "rules": {"a": "a", "b": "b", "c": "c", "d": "d", "i_offset": "i_offset"},
                   "receptors": {"excitatory": None, "inhibitory": None},
                   "record": {"v": ("section", "v"), "u": ("membrane", "u")},
                   "states": ("u",)},
    "SpikeSourceArray": {"kind": SOURCE},
    "SpikeSourcePoisson": {"kind": SOURCE},
    "SpikeSourcePoissonRefractory": {"kind": SOURCE},
    "SpikeSourceGamma": {"kind": SOURCE},
    "SpikeSourceInhGamma": {"kind": SOURCE},
}

#: the section's specific capacitance [uF/cm^2] = the cell's capacitance [nF]: the
#: parameter ``cm``, or an entry's fixed ``section_cm`` (Izhikevich: 1 pF)


def evaluate(rules: dict[str, Rule], params: Params, n: int) -> dict[str, np.ndarray]:
    """NEURON values (one float array of length `n` per NEURON name) from PyNN `params`;
    rules whose PyNN parameters are absent from `params` are skipped."""
    out = {}
    for native, rule in rules.items():
        try:
            value = params[rule] if isinstance(rule, str) else rule(params)
        except KeyError:
            continue
        out[native] = np.broadcast_to(np.asarray(value, float), (n,))
    return out


#: PointNeuron receptor kind -> (NEURON synapse mechanism, conductance-based)
_PSR_MECHANISMS = {"CurrExpPSR": ("LaminaExpSyn", False), "CondExpPSR": ("LaminaExpSyn", True),
                   "CondAlphaPSR": ("LaminaAlphaSyn", True)}


def point_neuron_entry(celltype: Any) -> dict[str, Any] | None:
    """Translation of a `PointNeuron` instance: a ``LaminaLIF`` (LIF) or ``LaminaIF`` (AdExp)
    membrane and one synapse point process per named receptor
    (CurrExpPSR, CondExpPSR, CondAlphaPSR). None when a component has no NEURON mechanism."""
    membrane = type(celltype.neuron).__name__
    rules = {"LIF": _LIF, "AdExp": _ADEX}.get(membrane)
    if rules is None:
        return None
    receptors: dict[str, Any] = {}
    record: dict[str, tuple[str, str]] = {"v": ("section", "v")}
    for name in celltype.receptor_types:
        kind = type(celltype.post_synaptic_receptors[name]).__name__
        if kind not in _PSR_MECHANISMS:
            return None
        mechanism, conductance = _PSR_MECHANISMS[kind]
        syn_rules: dict[str, Rule] = {"tau": f"{name}.tau_syn"}
        if conductance:
            syn_rules["e"] = f"{name}.e_syn"
        receptors[name] = {"mechanism": mechanism, "fixed": {"conductance": float(conductance)},
                           "rules": syn_rules}
        record[f"{name}.gsyn" if conductance else f"{name}.isyn"] = (name, "g")
    entry: dict[str, Any] = {"kind": CELL, "rules": rules, "receptors": receptors,
                             "record": record,
                             "membrane": "LaminaLIF" if membrane == "LIF" else "LaminaIF"}
    if membrane == "AdExp":
        record["w"] = ("membrane", "w")
        entry["states"] = ("w",)
    return entry
