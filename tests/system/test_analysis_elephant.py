"""Elephant's statistics on lamina's Neo output, checked against known answers."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("elephant", reason="needs Elephant (pip install lamina[analysis])")

import lamina as sim  # noqa: E402
from lamina.analysis import spike_statistics  # noqa: E402


def test_poisson_rates_cv_and_exact_trains():
    sim.setup(timestep=0.1)
    try:
        poisson = sim.Population(40, sim.SpikeSourcePoisson(rate=20.0), label="poisson")
        fixed = sim.Population(3, sim.SpikeSourceArray(spike_times=[
            sim.Sequence([10.0, 50.0, 90.0]), sim.Sequence([10.0, 50.0, 90.0]),
            sim.Sequence([10.0, 50.0, 95.0])]), label="fixed")
        poisson.record("spikes")
        fixed.record("spikes")
        sim.run(5000.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stats = spike_statistics(poisson.get_data().segments[0].spiketrains,
                                     distances=False)
            exact = spike_statistics(fixed.get_data().segments[0].spiketrains, bin_size_ms=5.0,
                                     vp_cost_per_ms=0.1)
    finally:
        sim.end()
    # 40 trains x 100 expected spikes: the mean rate is within 5 standard errors of 20 Hz
    # (sd of the mean = sqrt(20 / 5 s / 40) = 0.32 Hz); a Poisson process has CV 1
    assert abs(stats["rates"].mean() - 20.0) < 5 * 0.32
    assert abs(np.nanmean(stats["cv"]) - 1.0) < 0.05
    assert stats["victor_purpura"] is None
    off_diagonal = stats["correlation"][~np.eye(40, dtype=bool)]
    # independent trains, 1000 bins: each coefficient has sd ~ 1/sqrt(1000) = 0.032; their
    # mean over 780 pairs is within 5 sd of 0 and none is beyond 5 sd
    assert abs(off_diagonal.mean()) < 5 * 0.032 / np.sqrt(780)
    assert np.abs(off_diagonal).max() < 5 * 0.032
    # identical trains: correlation 1, distance 0; one spike moved by 5 ms: VP cost 0.1*5
    assert np.isclose(exact["correlation"][0, 1], 1.0)
    assert exact["victor_purpura"][0, 1] == 0.0
    assert np.isclose(exact["victor_purpura"][0, 2], 0.5)
    assert np.allclose(exact["rates"], 3 / 5.0)                    # 3 spikes in 5 s
