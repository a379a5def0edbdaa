"""Run unmodified PyNN scripts on lamina (opt-in).

After `install()`, ``import pyNN.nest as sim`` gives `lamina.nest`, ``from pyNN.random
import NumpyRNG`` gives lamina's class (so ``isinstance`` checks agree), and so on for every
public module of PyNN 0.13 (`MODULES`; ``tests/conformance/pynn_api.py`` lists every name).
Modules of PyNN-only names (``pyNN.core``, ``pyNN.network``, ``pyNN.morphology``, ...) live
in this package; the others are lamina's own modules, or thin modules here re-exporting
them with PyNN's extra names. ``pyNN.lamina``
(also ``pyNN.engine``) is lamina's built-in engine. With ``install(backend="engine")``
every simulator module (``pyNN.nest``, ``pyNN.neuron``, ...) resolves to that backend, so
a script written for NEST runs on the engine unchanged.

``lamina run SCRIPT [ARGS] --backend engine|nest|brian2`` does this for one script.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
from typing import Any

from lamina.core import simulation

#: PyNN module -> lamina module
MODULES = {
    "pyNN.random": "lamina.compat.random",
    "pyNN.space": "lamina.compat.space",
    "pyNN.parameters": "lamina.compat.parameters",
    "pyNN.errors": "lamina.errors",
    "pyNN.connectors": "lamina.compat.connectors",
    "pyNN.core": "lamina.compat.core",
    "pyNN.common": "lamina.compat.common",
    "pyNN.models": "lamina.compat.models",
    "pyNN.morphology": "lamina.compat.morphology",
    "pyNN.network": "lamina.compat.network",
    "pyNN.standardmodels": "lamina.compat.standardmodels",
    "pyNN.standardmodels.cells": "lamina.compat.standardmodels.cells",
    "pyNN.standardmodels.synapses": "lamina.compat.standardmodels.synapses",
    "pyNN.standardmodels.electrodes": "lamina.compat.standardmodels.electrodes",
    "pyNN.standardmodels.receptors": "lamina.compat.standardmodels.receptors",
    "pyNN.standardmodels.ion_channels": "lamina.compat.standardmodels.ion_channels",
    "pyNN.utility": "lamina.compat.utility",
    "pyNN.utility.plotting": "lamina.plotting",
    "pyNN.utility.script_tools": "lamina.compat.utility.script_tools",
    "pyNN.serialization": "lamina.compat.serialization",
    "pyNN.serialization.sonata": "lamina.io.sonata",
}
#: PyNN packages (their submodules are imported through lamina.compat too)
PACKAGES = {"pyNN.utility", "pyNN.standardmodels", "pyNN.serialization"}
#: PyNN simulator module name -> lamina backend name
SIMULATORS = {"nest": "nest", "neuron": "neuron", "brian2": "brian2", "brian": "brian2",
              "lamina": "engine",
              "engine": "engine", "mock": "engine"}
#: PyNN modules of simulators or formats lamina does not offer: importing one raises
#: `BackendNotAvailableError` saying so
UNAVAILABLE = {
    "spiNNaker": "SpiNNaker hardware", "hardware": "neuromorphic hardware",
    "arbor": "Arbor (multi-compartment cells)", "nineml": "NineML models",
    "neuroml": "NeuroML export", "multisim": "running several simulators at once",
}
#: lamina backend name -> namespace module
NAMESPACES = {"engine": "lamina", "nest": "lamina.nest", "neuron": "lamina.neuron",
              "brian2": "lamina.brian2"}

_state: dict[str, Any] = {"finder": None, "backend": None}


def backend_module_name(simulator: str) -> str:
    """The lamina namespace module that ``pyNN.<simulator>`` resolves to now."""
    backend = _state["backend"] or SIMULATORS.get(simulator, simulator)
    return NAMESPACES.get(backend, f"lamina.{backend}")


def _target(fullname: str) -> str | None:
    if fullname in MODULES:
        return MODULES[fullname]
    parts = fullname.split(".")
    if len(parts) == 2 and parts[1] in SIMULATORS:
        return backend_module_name(parts[1])
    if len(parts) == 3 and parts[1] in SIMULATORS and parts[2] == "random":
        # it holds NativeRNG; the module the namespace already offers as ``sim.random``, so
        # that the import's rebinding of that attribute is a no-op
        module = backend_module_name(parts[1])
        return "lamina.random" if module == "lamina" else "lamina.compat.random"
    return None


class _Alias(importlib.abc.Loader):
    """Loads a PyNN module name as the existing lamina module (same object)."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: Any) -> types.ModuleType:
        try:
            return importlib.import_module(self.target)
        except ModuleNotFoundError as err:
            if err.name != self.target:
                raise
            from lamina.errors import BackendNotAvailableError
            raise BackendNotAvailableError(
                f"{spec.name}: lamina has no {self.target.rsplit('.', 1)[-1]} backend yet; run "
                "the script with `lamina run SCRIPT --backend engine` (or nest)") from err

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the lamina module is already imported."""


class _Unavailable(importlib.abc.Loader):
    """Loader of a PyNN module lamina does not offer: says so."""

    def create_module(self, spec: Any) -> types.ModuleType:
        from lamina.errors import BackendNotAvailableError
        what = UNAVAILABLE[spec.name.split(".")[1]]
        raise BackendNotAvailableError(
            f"import {spec.name}: lamina does not support {what}; lamina's backends are "
            f"{', '.join(sorted(NAMESPACES))} (pyNN.nest, pyNN.neuron, ... on them)")

    def exec_module(self, module: types.ModuleType) -> None:
        """Never reached: `create_module` raises."""


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname == "pyNN":
            return importlib.util.spec_from_loader(fullname, _Alias("lamina.compat.pynn"),
                                                   is_package=True)
        if not fullname.startswith("pyNN."):
            return None
        name = _target(fullname)
        if name is None and fullname.split(".")[1] in UNAVAILABLE:
            return importlib.util.spec_from_loader(fullname, _Unavailable())
        if name is None:
            return None
        simulator = fullname.count(".") == 1 and fullname.split(".")[1] in SIMULATORS
        return importlib.util.spec_from_loader(fullname, _Alias(name),
                                               is_package=fullname in PACKAGES or simulator)


def install(backend: str | None = None) -> None:
    """Make ``pyNN`` imports resolve to lamina; with `backend`, every simulator module
    resolves to that lamina backend."""
    if backend is not None and backend not in NAMESPACES:
        from lamina.errors import BackendNotAvailableError
        raise BackendNotAvailableError(
            f"unknown backend {backend!r}; expected one of {', '.join(NAMESPACES)}")
    _state["backend"] = backend
    _forget_pynn_modules()
    simulation.lenient_options = True
    if _state["finder"] is None:
        finder = _Finder()
        _state["finder"] = finder
        sys.meta_path.insert(0, finder)
    from lamina.compat import neo_io
    neo_io.install()


def uninstall() -> None:
    """Undo `install()`."""
    if _state["finder"] is not None:
        sys.meta_path.remove(_state["finder"])
        _state["finder"] = None
        from lamina.compat import neo_io
        neo_io.uninstall()
    _state["backend"] = None
    simulation.lenient_options = False
    _forget_pynn_modules()


def _forget_pynn_modules() -> None:
    """Drop every ``pyNN.*`` module imported so far, and the submodules that imports bound
    on the ``pyNN`` package (lamina's own module object, which outlives an install), so
    the next import resolves afresh for the backend now chosen."""
    imported = [m for m in sys.modules if m == "pyNN" or m.startswith("pyNN.")]
    for name in imported:
        del sys.modules[name]
    from lamina.compat import pynn
    for name in imported:
        if name.count(".") == 1 and name[5:] in vars(pynn):
            delattr(pynn, name[5:])


def installed() -> bool:
    """Whether `install()` is in effect (a PyNN script is running on lamina)."""
    return _state["finder"] is not None


def forced_backend() -> str | None:
    """The backend every simulator module resolves to, if `install` was given one."""
    return _state["backend"]
