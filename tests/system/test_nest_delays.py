"""NEST's delay range on lamina.nest: min_delay is the time step (devices act from `start`
whatever setup()'s min_delay), max_delay the longest delay present at the first run (not
setup()'s max_delay, which would size NEST's buffers for 10 ms), fixed from then on;
``reserve_max_delay=True`` keeps setup()'s max_delay."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nest") is None,
                                reason="NEST (PyNEST) is not installed")

import lamina as eng  # noqa: E402
from lamina import errors  # noqa: E402


@pytest.fixture
def nsim():
    import lamina.nest as sim
    yield sim
    sim.end()


def _kernel() -> tuple[float, float]:
    import nest
    ks = nest.GetKernelStatus()
    return float(ks["min_delay"]), float(ks["max_delay"])


def _net(sim, delay: float) -> tuple:
    cells = sim.Population(3, sim.IF_curr_exp(i_offset=1.0))
    prj = sim.Projection(cells, cells, sim.AllToAllConnector(allow_self_connections=False),
                         sim.StaticSynapse(weight=0.5, delay=delay))
    return cells, prj


def test_kernel_range_is_dt_to_longest_network_delay(nsim):
    nsim.setup(timestep=0.1, min_delay=1.0, max_delay=10.0)
    _net(nsim, 2.5)
    nsim.run(5.0)
    assert _kernel() == pytest.approx((0.1, 2.5))
    assert nsim.get_min_delay() == 1.0 and nsim.get_max_delay() == 10.0


def test_kernel_min_delay_is_dt_without_devices_and_long_delays(nsim):
    nsim.setup(timestep=0.05, min_delay="auto", max_delay=10.0)
    _net(nsim, 1.5)
    nsim.run(2.0)
    assert _kernel() == pytest.approx((0.05, 1.5))


def test_reserve_max_delay_keeps_setup_max_delay(nsim):
    nsim.setup(timestep=0.1, min_delay=0.1, max_delay=8.0, reserve_max_delay=True)
    cells, _ = _net(nsim, 0.5)
    nsim.run(5.0)
    assert _kernel() == pytest.approx((0.1, 8.0))
    prj = nsim.Projection(cells, cells, nsim.OneToOneConnector(),
                          nsim.StaticSynapse(weight=0.1, delay=7.0))
    nsim.run(10.0)
    assert np.allclose(prj.get("delay", format="array", multiple_synapses="sum")
                       [np.eye(3, dtype=bool)], 7.0)


def test_reserve_max_delay_must_be_boolean(nsim):
    with pytest.raises(errors.InvalidParameterValueError, match="reserve_max_delay"):
        nsim.setup(timestep=0.1, reserve_max_delay="yes")


def test_longer_delay_after_first_run_raises_naming_values(nsim):
    nsim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    cells, prj = _net(nsim, 2.0)
    nsim.run(5.0)
    with pytest.raises(errors.ConnectionError, match=r"delay 4\.0 ms exceeds 2\.0 ms"):
        nsim.Projection(cells, cells, nsim.OneToOneConnector(),
                        nsim.StaticSynapse(weight=0.1, delay=4.0))
    with pytest.raises(errors.ConnectionError, match=r"delay 3\.0 ms exceeds 2\.0 ms"):
        prj.set(delay=3.0)
    prj.set(delay=1.5)            # within NEST's range: allowed after the run
    nsim.run(10.0)
    assert np.allclose(prj.get("delay", format="list", with_address=False), 1.5)


def test_reset_frees_the_delay_range(nsim):
    nsim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
    cells, _ = _net(nsim, 1.0)
    nsim.run(5.0)
    nsim.reset()
    prj = nsim.Projection(cells, cells, nsim.OneToOneConnector(),
                          nsim.StaticSynapse(weight=0.1, delay=6.0))
    nsim.run(5.0)
    assert _kernel() == pytest.approx((0.1, 6.0))
    assert np.allclose(prj.get("delay", format="list", with_address=False), 6.0)


@pytest.mark.parametrize("module", ["nest", "engine"])
def test_delay_below_setup_min_delay_raises_naming_value(nsim, module):
    sim = nsim if module == "nest" else eng
    sim.setup(timestep=0.1, min_delay=1.0, max_delay=10.0)
    cells = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.ConnectionError, match=r"smallest: 0\.5 ms.*min_delay"):
        sim.Projection(cells, cells, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.1, delay=0.5))
    if module == "engine":
        eng.end()


def _dc_trace(sim, min_delay: float, start: float) -> np.ndarray:
    sim.setup(timestep=0.1, min_delay=min_delay, max_delay=10.0)
    cells = sim.Population(2, sim.IF_curr_exp(v_rest=-70.0, v_thresh=0.0))
    cells.initialize(v=-70.0)
    sim.DCSource(amplitude=0.5, start=start, stop=start + 2.0).inject_into(cells[0:1])
    sim.StepCurrentSource(times=[start, start + 1.0], amplitudes=[0.4, -0.2]).inject_into(
        cells[1:2])
    sim.Projection(cells, cells, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.0, delay=max(min_delay, 1.5)))
    cells.record("v")
    sim.run(start + 4.0)
    return cells.get_data().segments[0].analogsignals[0].magnitude


@pytest.mark.parametrize("min_delay", [0.1, 1.0])
@pytest.mark.parametrize("start", [0.0, 3.0])
def test_current_source_acts_from_start_for_any_min_delay(nsim, min_delay, start):
    v = _dc_trace(nsim, min_delay, start)
    k = int(round(start / 0.1))
    assert np.all(v[: k + 1] == -70.0) and np.all(v[k + 1] > -70.0)
    ref = _dc_trace(eng, min_delay, start)
    eng.end()
    np.testing.assert_allclose(v, ref, atol=1e-9)
