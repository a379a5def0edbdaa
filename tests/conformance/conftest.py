"""Conformance with PyNN 0.13: every behaviour checked on every backend lamina knows.

`backend` runs a test once per backend in `BACKEND_NAMES`: the ones registered in
``lamina.backends.BACKENDS`` plus the simulators lamina is getting (``neuron``,
``brian2``), which join by themselves once registered and installed. A backend that is
not registered, or whose simulator is missing, is skipped with the reason.
"""
from __future__ import annotations

import importlib

import pytest

from lamina.backends import BACKENDS, load_backend
from lamina.errors import BackendNotAvailableError

BACKEND_NAMES = sorted({*BACKENDS, "nest", "neuron", "brian2"},
                       key=lambda n: (n != "engine", n))
#: lamina backend name -> the namespace module a script imports
NAMESPACES = {"engine": "lamina"}


def backend_unavailable(name: str) -> str | None:
    """Why backend `name` cannot run here (None when it can)."""
    if name not in BACKENDS:
        return f"backend {name!r} is not registered in lamina.backends.BACKENDS"
    try:
        load_backend(name)
    except BackendNotAvailableError as err:
        return f"backend {name!r} is not installed: {err}"
    return None


def namespace(name: str):
    """The PyNN namespace module of backend `name` (``lamina``, ``lamina.nest``, ...)."""
    return importlib.import_module(NAMESPACES.get(name, f"lamina.{name}"))


@pytest.fixture(params=BACKEND_NAMES)
def backend(request) -> str:
    """The name of each backend in turn (skipped when it is not available)."""
    why = backend_unavailable(request.param)
    if why:
        pytest.skip(why)
    return request.param


@pytest.fixture
def sim(backend):
    """The PyNN namespace of `backend`, set up with dt = 0.1 ms; ended afterwards."""
    module = namespace(backend)
    module.setup(timestep=0.1)
    yield module
    module.end()
