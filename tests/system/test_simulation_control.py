"""setup/run/reset/end and the simulation state."""
import pytest

from lamina import errors


def test_getters(sim):
    sim.setup(timestep=0.05, min_delay=0.1, max_delay=5.0, threads=1, rng_seed=3)
    assert sim.get_time_step() == 0.05 and sim.get_min_delay() == 0.1
    assert sim.get_max_delay() == 5.0 and sim.num_processes() == 1 and sim.rank() == 0
    assert sim.state.dt == 0.05 and sim.state.t == 0.0


def test_run_variants(sim):
    assert sim.run(10.0) == pytest.approx(10.0)
    assert sim.run_for(5.0) == pytest.approx(15.0)
    assert sim.run_until(20.0) == pytest.approx(20.0)
    assert sim.get_current_time() == pytest.approx(20.0)
    sim.reset()
    assert sim.get_current_time() == 0.0


def test_run_callbacks(sim):
    calls = []

    def every_10(t):
        calls.append(round(t, 6))
        return t + 10.0
    sim.run(35.0, callbacks=[every_10])
    assert calls == [0.0, 10.0, 20.0, 30.0, 35.0]        # as PyNN: also at the end
    calls.clear()
    sim.run(5.0, callbacks=[lambda t: calls.append(t) or float("inf")])
    assert calls == [35.0]                                # inf: never again


def test_bad_times(sim):
    with pytest.raises(errors.InvalidTimeError, match="-5"):
        sim.run(-5.0)
    sim.run(10.0)
    with pytest.raises(errors.InvalidTimeError, match="already at t=10"):
        sim.run_until(5.0)
    assert sim.get_current_time() == pytest.approx(10.0)


def test_bad_setup():
    import lamina as sim
    with pytest.raises(errors.InvalidParameterValueError, match="timestep"):
        sim.setup(timestep=-0.1)
    with pytest.raises(errors.InvalidParameterValueError, match="min_delay"):
        sim.setup(timestep=0.1, min_delay=0.01)


def test_list_standard_models(sim):
    assert "IF_cond_exp" in sim.list_standard_models()
