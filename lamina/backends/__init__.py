"""Backends found by name in one explicit table and imported lazily, so that importing
lamina never imports a simulator."""
from __future__ import annotations

import importlib

from lamina.backends.base import Backend, BackendConfig, SignalData
from lamina.errors import BackendNotAvailableError

#: backend name -> (module, class name, pip extra that installs its simulator)
BACKENDS: dict[str, tuple[str, str, str | None]] = {
    "engine": ("lamina.backends.engine", "EngineBackend", None),
    "nest": ("lamina.backends.nest", "NestBackend", "nest"),
    "neuron": ("lamina.backends.neuron", "NeuronBackend", "neuron"),
    "brian2": ("lamina.backends.brian2", "Brian2Backend", "brian2"),
}


def load_backend(name: str) -> type[Backend]:
    """Return the backend class registered as `name`.

    Raises
    ------
    BackendNotAvailableError
        if the name is unknown or its simulator is not installed.
    """
    if name not in BACKENDS:
        raise BackendNotAvailableError(
            f"unknown backend {name!r}; available: {', '.join(sorted(BACKENDS))}")
    module_name, class_name, extra = BACKENDS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        hint = f" install it with `pip install lamina[{extra}]`" if extra else ""
        raise BackendNotAvailableError(
            f"backend {name!r} cannot be loaded ({err});{hint}") from err
    return getattr(module, class_name)


__all__ = ["Backend", "BackendConfig", "SignalData", "BACKENDS", "load_backend"]
