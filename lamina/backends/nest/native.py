"""Cell, synapse and current-source types built from NEST's own models.

A native type is a `StandardCellType` (or synapse / current-source type) subclass created
from ``nest.GetDefaults(name)``: its parameters are NEST's, with NEST's names, defaults and
units; its state variables are the recordables that are also settable status entries. The
class attribute ``nest_model`` names the NEST model; the backend translates such a type
with factor 1 (no unit conversion).
"""
from __future__ import annotations

import difflib
import logging
import warnings
from typing import Any

from lamina.backends.nest.translations import READ_ONLY_KEYS, RENAMED_MODELS
from lamina.errors import InvalidModelError
from lamina.models.base import (Parameter, StandardCellType, StandardCurrentSourceType,
                                StandardSynapseType, StateVariable)

logger = logging.getLogger(__name__)

_CACHE: dict[tuple[str, str], type] = {}


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def resolve_name(nest: Any, name: str, kind: str) -> str:
    """Check `name` against NEST's models of `kind` ('node' or 'synapse'); old names map
    to their replacement with a DeprecationWarning; unknown names raise
    `InvalidModelError` listing close matches."""
    if name in RENAMED_MODELS:
        new = RENAMED_MODELS[name]
        warnings.warn(f"NEST model {name!r} was removed from NEST; using {new!r} instead",
                      DeprecationWarning, stacklevel=4)
        name = new
    known = list(nest.node_models if kind == "node" else nest.synapse_models)
    if name not in known:
        close = difflib.get_close_matches(name, known, n=5)
        hint = f" Close matches: {', '.join(close)}." if close else ""
        raise InvalidModelError(f"NEST has no {kind} model {name!r}.{hint}")
    return name


def _parameters(defaults: dict[str, Any], skip: set[str]) -> tuple[Parameter, ...]:
    return tuple(Parameter(k, float(v), "", f"NEST parameter {k}")
                 for k, v in sorted(defaults.items())
                 if _numeric(v) and k not in READ_ONLY_KEYS and k not in skip)


def cell_type(nest: Any, name: str) -> type[StandardCellType]:
    """A cell type class for NEST node model `name`."""
    name = resolve_name(nest, name, "node")
    key = ("cell", name)
    if key in _CACHE:
        return _CACHE[key]
    d = nest.GetDefaults(name)
    if d.get("element_type") not in ("neuron", "stimulator"):
        raise InvalidModelError(f"NEST model {name!r} is a {d.get('element_type')}, not a "
                                "neuron or spike source")
    recordables = [str(r) for r in d.get("recordables", ())]
    state = tuple(StateVariable(r, float(d[r]), "", f"NEST state variable {r}")
                  for r in recordables if r in d and _numeric(d[r]))
    state_names = {s.name for s in state}
    receptors = dict(d.get("receptor_types") or {})
    is_source = d.get("element_type") == "stimulator"
    attrs = {
        "__doc__": f"NEST's native model {name!r} (parameters in NEST's names and units).",
        "__module__": "lamina.nest",
        "nest_model": name,
        "parameters": _parameters(d, state_names),
        "state_variables": state,
        "recordable": ("spikes", *[r for r in recordables]),
        "receptor_types": () if is_source else (tuple(receptors) if receptors
                                                else ("excitatory", "inhibitory")),
        "receptor_ports": receptors,
        "conductance_based": "cond" in name,
        "weight_unit": "nS" if "cond" in name else "pA",
        "is_spike_source": is_source,
        "injectable": not is_source,
    }
    cls = type(name, (StandardCellType,), attrs)
    _CACHE[key] = cls
    return cls


def synapse_type(nest: Any, name: str) -> type[StandardSynapseType]:
    """A synapse type class for NEST synapse model `name` (weight, delay and NEST's
    per-connection parameters)."""
    name = resolve_name(nest, name, "synapse")
    key = ("synapse", name)
    if key in _CACHE:
        return _CACHE[key]
    d = nest.GetDefaults(name)
    params = (Parameter("weight", float(d.get("weight", 1.0)), "", "synaptic weight"),
              Parameter("delay", None, "ms", "transmission delay", low=0.0, low_open=True),
              *_parameters(d, {"weight", "delay", "tau_minus"}))
    cls = type(name, (StandardSynapseType,), {
        "__doc__": f"NEST's native synapse model {name!r}.", "__module__": "lamina.nest",
        "nest_model": name, "parameters": params})
    _CACHE[key] = cls
    return cls


def electrode_type(nest: Any, name: str) -> type[StandardCurrentSourceType]:
    """A current-source type class for NEST generator `name` (NEST's parameters)."""
    name = resolve_name(nest, name, "node")
    key = ("electrode", name)
    if key in _CACHE:
        return _CACHE[key]
    d = nest.GetDefaults(name)
    params = (*_parameters(d, set()),
              Parameter("start", 0.0, "ms", "time the current starts", low=0.0),
              Parameter("stop", None, "ms", "time the current stops; None means never"))
    cls = type(name, (StandardCurrentSourceType,), {
        "__doc__": f"NEST's native current generator {name!r}.", "__module__": "lamina.nest",
        "nest_model": name, "parameters": params})
    _CACHE[key] = cls
    return cls


def nest_model_of(model_type: Any) -> str | None:
    """The NEST model of a native type (instance or class), None for standard types."""
    return getattr(model_type, "nest_model", None)
