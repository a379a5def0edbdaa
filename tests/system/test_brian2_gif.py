"""GIF_cond_exp on Brian 2 (`lamina.backends.brian2.gif`): the spike-triggered current
and moving threshold against the sums their definition gives from the cell's own spikes,
the firing rate against the engine (stochastic emission: different random streams, so
statistically), array lengths fixed at creation. Skipped without Brian 2."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("brian2") is None,
                                reason="Brian 2 is not installed (pip install lamina[brian2])")
DT = 0.1
PARAMS = dict(i_offset=1.0, lambda0=5.0, tau_eta=(1.0, 10.0, 100.0), a_eta=(0.2, 0.1, 0.05),
              tau_gamma=(5.0, 50.0), a_gamma=(2.0, 1.0))


def _run(sim, n: int, t_stop: float, seed: int) -> tuple[list[np.ndarray], np.ndarray,
                                                        np.ndarray]:
    """Spike trains of `n` GIF cells, i_eta and v_t of the first 3 [nA, mV]."""
    sim.setup(timestep=DT, min_delay=DT, rng_seed=seed)
    cells = sim.Population(n, sim.GIF_cond_exp(**PARAMS))
    cells.record("spikes")
    cells[0:3].record(["i_eta", "v_t"])
    sim.run(t_stop)
    seg = cells.get_data().segments[0]
    trains = [np.asarray(st.times.magnitude) for st in seg.spiketrains]
    sig = {s.name: np.asarray(s) for s in seg.analogsignals}
    sim.end()
    return trains, sig["i_eta"], sig["v_t"]


def _expected(spikes: np.ndarray, times: np.ndarray, taus: tuple, amps: tuple,
              base: float) -> np.ndarray:
    """The sum of the elements as NEST's gif_cond_exp holds it in the step ending at each
    time: a spike stamped t_s raises element k by a_k at the end of its step; the sum of
    the next step (recorded at t_s + dt) holds a_k, then decays by exp(-dt/tau_k) a step."""
    out = np.full(len(times), base)
    for t_s in spikes:
        later = times > t_s + DT / 2
        age = times[later] - t_s - DT
        out[later] += sum(a * np.exp(-age / tau) for tau, a in zip(taus, amps))
    return out


def test_gif_adaptation_sums_and_rate_against_the_engine():
    import lamina as engine
    import lamina.brian2 as b2sim
    trains, i_eta, v_t = _run(b2sim, 100, 1000.0, seed=11)
    times = np.arange(len(i_eta)) * DT
    for c in range(3):
        assert len(trains[c]) > 5
        want_eta = _expected(trains[c], times, PARAMS["tau_eta"], PARAMS["a_eta"], 0.0)
        want_vt = _expected(trains[c], times, PARAMS["tau_gamma"], PARAMS["a_gamma"], -48.0)
        assert np.abs(i_eta[:, c] - want_eta).max() < 1e-6
        assert np.abs(v_t[:, c] - want_vt).max() < 1e-5
    e_trains, e_eta, _ = _run(engine, 100, 1000.0, seed=11)
    n_b2, n_eng = sum(map(len, trains)), sum(map(len, e_trains))
    # spike counts of independent streams: within 5 Poisson standard deviations
    # (firing with refractoriness and adaptation is more regular than Poisson)
    assert n_eng > 1000 and abs(n_b2 - n_eng) < 5 * np.sqrt(n_eng)
    # no spike in the refractory period (tau_refrac 4 ms: intervals of at least 4 ms + dt)
    assert min(np.diff(t).min() for t in trains if len(t) > 1) >= 4.0 + DT - 1e-9


def test_gif_per_cell_arrays_and_their_fixed_length():
    """Cells with arrays of different lengths in one group; a set() within the lengths
    acts, a longer array is refused naming it and nothing changes."""
    import lamina.brian2 as sim
    from lamina.errors import InvalidParameterValueError
    sim.setup(timestep=DT, min_delay=DT)
    try:
        cells = sim.Population(2, sim.GIF_cond_exp(i_offset=1.0, lambda0=5.0))
        cells.set(tau_eta=[(1.0, 10.0), (2.0, 20.0, 200.0)],
                  a_eta=[(0.1, 0.1), (0.3, 0.2, 0.1)])
        cells.record("i_eta")
        sim.run(200.0)
        with pytest.raises(InvalidParameterValueError, match="tau_eta with 4 elements.*at most 3"):
            cells.set(tau_eta=(1.0, 2.0, 3.0, 4.0), a_eta=(1.0, 1.0, 1.0, 1.0))
        assert [list(a) for a in cells.get("tau_eta")] == [[1.0, 10.0], [2.0, 20.0, 200.0]]
        sim.run(400.0)
        i_eta = np.asarray(cells.get_data().segments[0].analogsignals[0])
        assert i_eta.shape[0] == 6001 and i_eta.max() > 0.1
    finally:
        sim.end()
