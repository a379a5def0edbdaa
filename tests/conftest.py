"""Shared fixtures: a set-up simulation on each installed backend."""
from __future__ import annotations

import importlib.util
import os

import pytest

# The engine compiles one step loop per combination of model families (fast for a user's
# one network); the suite runs hundreds of different networks, so it compiles one loop
# holding every family instead (`lamina.backends.engine.assemble`; bitwise the same).
os.environ.setdefault("LAMINA_ENGINE_ALL_MODELS", "1")

import lamina


def nest_available() -> bool:
    return importlib.util.find_spec("nest") is not None


requires_nest = pytest.mark.skipif(not nest_available(),
                                   reason="NEST is not installed (pip install lamina[nest])")


@pytest.fixture
def sim():
    """The lamina namespace on the built-in engine, set up with dt = 0.1 ms."""
    lamina.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    yield lamina
    lamina.end()
