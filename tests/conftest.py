"""Shared fixtures: a set-up simulation on each installed backend."""
from __future__ import annotations

import importlib.util

import pytest

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
