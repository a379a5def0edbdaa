"""setup(), reset() and min_delay as PyNN 0.13 defines them."""
import numpy as np
import pytest

from lamina import compat, errors


def _recorded(sim):
    p = sim.Population(1, sim.IF_curr_exp(i_offset=0.5))
    p.record("v")
    return p


def test_reset_starts_exactly_one_new_segment(sim):
    p = _recorded(sim)
    sim.run(10.0)
    sim.reset()
    assert len(p.get_data().segments) == 1           # nothing run since the reset
    sim.reset()                                      # a second reset in a row: no segment
    sim.run(5.0)
    segs = p.get_data().segments
    assert len(segs) == 2
    assert [s.analogsignals[0].shape[0] for s in segs] == [101, 51]
    assert np.array_equal(segs[0].analogsignals[0][:51], segs[1].analogsignals[0])


def test_min_delay_auto(sim):
    """'auto' (the default): the smallest delay of the connections made so far (the
    time step before any); a connection without a delay gets that value."""
    assert sim.get_min_delay() == pytest.approx(0.1)
    a, b = sim.Population(2, sim.IF_curr_exp()), sim.Population(2, sim.IF_curr_exp())
    sim.Projection(a, b, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1, delay=0.5))
    assert sim.get_min_delay() == pytest.approx(0.5)
    later = sim.Projection(a, b, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1))
    assert later.get("delay", format="list", with_address=False) == pytest.approx([0.5, 0.5])
    sim.Projection(a, b, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1, delay=0.2))
    assert sim.get_min_delay() == pytest.approx(0.2)


def test_fixed_min_delay_is_reported(sim):
    sim.setup(timestep=0.1, min_delay=1.0)
    assert sim.get_min_delay() == 1.0


def test_unknown_setup_option_raises_naming_it(sim):
    with pytest.raises(errors.InvalidParameterValueError, match="'tymestep'"):
        sim.setup(tymestep=0.1)


def test_unknown_setup_option_is_ignored_for_pynn_scripts(sim):
    """PyNN ignores options a simulator does not know; a PyNN script run through
    lamina.compat (``lamina run``) gets a warning instead of an error."""
    compat.install()
    try:
        with pytest.warns(UserWarning, match="'sim_duration'.*ignored"):
            sim.setup(timestep=0.1, sim_duration=1000.0)
    finally:
        compat.uninstall()


def test_spike_precision(backend, sim):
    if backend in ("engine", "brian2"):                # spike times on the grid only
        with pytest.raises(errors.NoModelAvailableError, match="on the time grid"):
            sim.setup(spike_precision="off_grid")
    else:
        sim.setup(spike_precision="off_grid")       # precise spike times where offered
    sim.setup(spike_precision="on_grid")
