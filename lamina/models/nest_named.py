"""NEST's names for the standard models, usable on every backend.

``sim.Population(20, "iaf_psc_alpha")`` on a backend that is not NEST gives the standard
model NEST's name stands for, with NEST's parameter names, units (pF, pA, nS) and
defaults, so scripts written for NEST's native models run unchanged. (On the NEST
backend the same names reach NEST itself.) The tables below are NEST 3.10's documented
models and defaults; ``iaf_neuron`` (removed from NEST, used by the classic PyNN tutorial)
is ``iaf_psc_alpha``.
"""
from __future__ import annotations

import difflib
import warnings
from typing import Any, ClassVar

import numpy as np

from lamina.errors import InvalidModelError
from lamina.models.base import Parameter, StandardCellType, StateVariable
from lamina.models.cells import IF_cond_alpha, IF_cond_exp, IF_curr_alpha, IF_curr_delta, IF_curr_exp

_POS: dict[str, Any] = {"low": 0.0, "low_open": True}

#: NEST parameter -> (PyNN parameter, factor to PyNN units, unit, default, range)
_PSC = {"C_m": ("cm", 1e-3, "pF", 250.0, _POS), "tau_m": ("tau_m", 1.0, "ms", 10.0, _POS),
        "t_ref": ("tau_refrac", 1.0, "ms", 2.0, {"low": 0.0}),
        "E_L": ("v_rest", 1.0, "mV", -70.0, {}), "V_reset": ("v_reset", 1.0, "mV", -70.0, {}),
        "V_th": ("v_thresh", 1.0, "mV", -55.0, {}), "I_e": ("i_offset", 1e-3, "pA", 0.0, {})}
_PSC_SYN = {"tau_syn_ex": ("tau_syn_E", 1.0, "ms", 2.0, _POS),
            "tau_syn_in": ("tau_syn_I", 1.0, "ms", 2.0, _POS)}
_COND = {**{k: v for k, v in _PSC.items() if k != "tau_m"},
         "V_reset": ("v_reset", 1.0, "mV", -60.0, {}),
         "g_L": ("g_L", 1e-3, "nS", 16.6667, _POS),
         "E_ex": ("e_rev_E", 1.0, "mV", 0.0, {}), "E_in": ("e_rev_I", 1.0, "mV", -85.0, {}),
         "tau_syn_ex": ("tau_syn_E", 1.0, "ms", 0.2, _POS),
         "tau_syn_in": ("tau_syn_I", 1.0, "ms", 2.0, _POS)}

#: NEST model -> (standard model, parameter table, state variables (NEST name -> (PyNN
#: name, factor, unit, initial)))
MODELS: dict[str, tuple[type[StandardCellType], dict, dict]] = {
    "iaf_psc_exp": (IF_curr_exp, {**_PSC, **_PSC_SYN}, {"V_m": ("v", 1.0, "mV", -70.0)}),
    "iaf_psc_alpha": (IF_curr_alpha, {**_PSC, **_PSC_SYN}, {"V_m": ("v", 1.0, "mV", -70.0)}),
    "iaf_psc_delta": (IF_curr_delta, _PSC, {"V_m": ("v", 1.0, "mV", -70.0)}),
    "iaf_cond_exp": (IF_cond_exp, _COND, {"V_m": ("v", 1.0, "mV", -70.0),
                                          "g_ex": ("gsyn_exc", 1e-3, "nS", 0.0),
                                          "g_in": ("gsyn_inh", 1e-3, "nS", 0.0)}),
    "iaf_cond_alpha": (IF_cond_alpha, _COND, {"V_m": ("v", 1.0, "mV", -70.0),
                                              "g_ex": ("gsyn_exc", 1e-3, "nS", 0.0),
                                              "g_in": ("gsyn_inh", 1e-3, "nS", 0.0)}),
}
RENAMED = {"iaf_neuron": "iaf_psc_alpha"}


class NestNamedCellType(StandardCellType):
    """A standard model under NEST's name, parameters and units (see module docstring).
    Weights are in NEST units too: pA for current-based, nS for conductance-based cells."""

    standard: ClassVar[type[StandardCellType]]
    table: ClassVar[dict[str, tuple]]
    state_table: ClassVar[dict[str, tuple]]
    weight_factor: ClassVar[float] = 1e-3

    def backend_type(self) -> StandardCellType:
        return self.standard()

    def to_backend_parameters(self, values: dict[str, Any]) -> dict[str, Any]:
        out = {self.table[k][0]: np.asarray(v, dtype=float) * self.table[k][1]
               for k, v in values.items() if k in self.table}
        if "g_L" in out:                      # the core passes complete sets of values
            out["tau_m"] = out["cm"] / out.pop("g_L")
        return out

    def to_backend_initial(self, values: dict[str, Any]) -> dict[str, Any]:
        return {self.state_table[k][0]: np.asarray(v, dtype=float) * self.state_table[k][1]
                for k, v in values.items() if k in self.state_table}

    def backend_variable(self, variable: str) -> tuple[str, float]:
        if variable in self.state_table:
            name, factor = self.state_table[variable][:2]
            return name, 1.0 / factor
        return variable, 1.0

    def to_backend_weight(self, weight: np.ndarray) -> np.ndarray:
        return weight if self.standard is IF_curr_delta else weight * self.weight_factor

    def from_backend_weight(self, weight: np.ndarray) -> np.ndarray:
        return weight if self.standard is IF_curr_delta else weight / self.weight_factor


def nest_named_type(name: str) -> type[NestNamedCellType] | None:
    """The class for NEST model `name`, or None if it names no standard model."""
    name = RENAMED.get(name, name)
    if name not in MODELS:
        return None
    standard, table, states = MODELS[name]
    attrs = {
        "__doc__": f"NEST's {name}: lamina's {standard.__name__} in NEST names and units.",
        "standard": standard, "table": table, "state_table": states,
        "parameters": tuple(Parameter(k, v[3], v[2], f"NEST {k} ({v[0]} in PyNN)", **v[4])
                            for k, v in table.items()),
        "state_variables": tuple(StateVariable(k, v[3], v[2], f"NEST {k}")
                                 for k, v in states.items()),
        "recordable": ("spikes", *states), "receptor_types": standard.receptor_types,
        "conductance_based": standard.conductance_based,
        "weight_unit": "mV" if standard is IF_curr_delta else
        ("nS" if standard.conductance_based else "pA"),
    }
    return type(name, (NestNamedCellType,), attrs)


def resolve(name: str, backend: str) -> type[NestNamedCellType]:
    """`nest_named_type(name)` for a backend that offers NEST's names of the standard models.

    Raises
    ------
    InvalidModelError
        naming the backend, the names it knows and close matches, if `name` is none of them.
    Warns ``DeprecationWarning`` for a name NEST removed (``"iaf_neuron"``).
    """
    cls = nest_named_type(name)
    if cls is None:
        close = difflib.get_close_matches(name, [*MODELS, *RENAMED])
        raise InvalidModelError(
            f"the {backend} backend knows NEST's names {', '.join(sorted(MODELS))}, not "
            f"{name!r}" + (f" (close: {', '.join(close)})" if close else "") + ".")
    if name in RENAMED:
        warnings.warn(f"{name!r} was removed from NEST; using {RENAMED[name]!r}",
                      DeprecationWarning, stacklevel=5)
    return cls
