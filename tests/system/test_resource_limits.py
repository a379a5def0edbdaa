"""Oversized requests are refused before anything is allocated, with an
`InsufficientMemoryError` (a MemoryError) naming the estimate and the memory available
(issue 16)."""
from __future__ import annotations

import time

import numpy as np
import pytest

from lamina.core.resources import MEMORY_LIMIT_VARIABLE, available_memory
from lamina.errors import InsufficientMemoryError


def test_population_of_a_trillion_cells_refused_instantly(sim):
    start = time.perf_counter()
    with pytest.raises(InsufficientMemoryError, match=r"Population\(1000000000000, IF_curr_exp\) "
                       r"would need about [\d.]+ [TP]iB .* but only [\d.]+ \w+ of memory are "
                       r"available") as info:
        sim.Population(10**12, sim.IF_curr_exp())
    assert time.perf_counter() - start < 0.5
    assert isinstance(info.value, MemoryError)
    p = sim.Population(3, sim.IF_curr_exp())   # nothing was allocated: IDs start at 0
    assert int(p.first_id) == 0


def test_projection_refused_before_connecting(sim, monkeypatch):
    a = sim.Population(1000, sim.IF_curr_exp())
    b = sim.Population(1000, sim.IF_curr_exp())
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, str(5 * 2**20))   # 5 MiB
    start = time.perf_counter()
    with pytest.raises(InsufficientMemoryError,
                       match=r"1e\+06 connections x 18 B per StaticSynapse in the engine "
                             r"backend\), but only 5 MiB"):
        sim.Projection(a, b, sim.AllToAllConnector())
    assert time.perf_counter() - start < 0.1
    # random connectors: expectation + 5 sd; p = 0.1 -> 1e5 (+1500) x 18 B = 1.8 MB fits
    rng = sim.NumpyRNG(seed=1)
    with pytest.raises(InsufficientMemoryError, match=r"expected \+ 5 sd"):
        sim.Projection(a, b, sim.FixedProbabilityConnector(0.5, rng=rng))
    with pytest.raises(InsufficientMemoryError):
        sim.Projection(a, b, sim.FixedNumberPreConnector(400, rng=rng))
    with pytest.raises(InsufficientMemoryError):
        sim.Projection(a, b, sim.FixedTotalNumberConnector(10**6, rng=rng))
    prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.1, rng=rng))
    assert 98_000 < prj.size() < 102_000
    from lamina.core import simulation
    assert simulation.current().projections == [prj]


def test_run_refused_when_recorded_signals_cannot_fit(sim, monkeypatch):
    p = sim.Population(100, sim.IF_curr_exp(i_offset=1.0))
    p.record(["v", "spikes"])
    sim.run(10.0)
    kept = p.get_data().segments[0].analogsignals[0].magnitude.copy()
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, str(2**20))   # 1 MiB
    # 100 cells x 10001 samples x 16 B = 16 MB
    with pytest.raises(InsufficientMemoryError, match=r"run until t = 1010 ms would need "
                                                      r"about 15\.\d MiB"):
        sim.run(1000.0)
    assert sim.get_current_time() == 10.0
    np.testing.assert_array_equal(p.get_data().segments[0].analogsignals[0].magnitude, kept)
    monkeypatch.delenv(MEMORY_LIMIT_VARIABLE)
    sim.run(1000.0)   # fits without the artificial limit
    assert sim.get_current_time() == 1010.0


def test_available_memory_is_read_from_the_system(monkeypatch):
    monkeypatch.delenv(MEMORY_LIMIT_VARIABLE, raising=False)
    n = available_memory()
    assert 2**26 < n < 2**50   # between 64 MiB and 1 PiB on any machine running this


@pytest.mark.slow
def test_issue_example_all_to_all_between_two_million_cell_populations(sim):
    a, b = sim.Population(10**6, sim.IF_curr_exp()), sim.Population(10**6, sim.IF_curr_exp())
    start = time.perf_counter()
    with pytest.raises(InsufficientMemoryError, match=r"1e\+12 connections"):
        sim.Projection(a, b, sim.AllToAllConnector())
    assert time.perf_counter() - start < 0.5
