"""Stochastic synapses on Brian 2: SimpleStochasticSynapse (release with probability p) and
StochasticTsodyksMarkramSynapse (one site, use U, recovery tau_rec), measured against their
definitions: release fractions within binomial bounds, and the engine's fraction for the
same network (different random streams: statistics, not spike by spike). Skipped without
Brian 2."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("brian2") is None,
                                reason="Brian 2 is not installed (pip install lamina[brian2])")
N_TARGETS, N_SPIKES, INTERVAL, WEIGHT = 200, 40, 20.0, 0.5


def _release_fraction(sim, synapse) -> float:
    """Fraction of (spike, connection) events that moved the target's current: one
    source spiking every INTERVAL ms onto N_TARGETS cells with fast synapses, the current
    read at each arrival step."""
    sim.setup(timestep=0.1, min_delay=0.1, rng_seed=21)
    times = INTERVAL * np.arange(1, N_SPIKES + 1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=times))
    cells = sim.Population(N_TARGETS, sim.IF_curr_exp(tau_syn_E=0.2, v_thresh=1000.0))
    sim.Projection(src, cells, sim.AllToAllConnector(), synapse, receptor_type="excitatory")
    cells.record("isyn_exc")
    sim.run(INTERVAL * (N_SPIKES + 1))
    isyn = np.asarray(cells.get_data().segments[0].analogsignals[0])
    sim.end()
    arrival = np.round((times + 1.0) / 0.1).astype(int)       # delay 1 ms: the jump's step
    return float((isyn[arrival] > WEIGHT / 2).mean())


def test_simple_stochastic_synapse_releases_with_probability_p():
    import lamina.brian2 as sim
    for p in (0.3, 0.8):
        frac = _release_fraction(sim, sim.SimpleStochasticSynapse(p=p, weight=WEIGHT,
                                                                   delay=1.0))
        bound = 4 * np.sqrt(p * (1 - p) / (N_TARGETS * N_SPIKES))
        assert abs(frac - p) < bound, (p, frac)


def test_stochastic_tsodyks_markram_release_rate_against_theory_and_engine():
    """One site, no facilitation: in steady state a release occurs with probability
    U*s, s the probability that the site is full, s = r/(r + U - r U) with
    r = 1 - exp(-T/tau_rec) the refill probability over an interval T."""
    import lamina as engine
    import lamina.brian2 as b2sim
    U, tau_rec = 0.5, 30.0
    make = "StochasticTsodyksMarkramSynapse"
    kwargs = dict(U=U, tau_rec=tau_rec, tau_facil=0.0, weight=WEIGHT, delay=1.0)
    frac = _release_fraction(b2sim, getattr(b2sim, make)(**kwargs))
    ref = _release_fraction(engine, getattr(engine, make)(**kwargs))
    r = 1 - np.exp(-INTERVAL / tau_rec)
    s = r / (r + U - r * U)
    # first spike: the site is full (release U); then the stationary rate
    theory = (U + (N_SPIKES - 1) * U * s) / N_SPIKES
    bound = 4 * np.sqrt(theory * (1 - theory) / (N_TARGETS * N_SPIKES))
    assert abs(frac - theory) < bound, (frac, theory)
    assert abs(ref - theory) < bound, (ref, theory)
