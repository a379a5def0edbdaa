"""Bad input is refused at the call that received it, with a lamina.errors exception
naming the argument, the value and what is allowed; what was built and recorded stays."""
import numpy as np
import pytest

from lamina import errors


@pytest.fixture
def built(sim):
    """A small network that has run for 20 ms with recording on."""
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[2.0, 4.0]), label="src")
    p = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="p")
    prj = sim.Projection(src, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    p.record(["spikes", "v"])
    sim.run(20.0)
    return sim, src, p, prj


def _snapshot(p, prj):
    seg = p.get_data().segments[0]
    return (seg.analogsignals[0].magnitude.copy(), [np.asarray(s) for s in seg.spiketrains],
            prj.get(["weight", "delay"], "list"), p.get("tau_m"))


BAD_CALLS = [
    ("unknown parameter", lambda sim, src, p, prj: p.set(tau_mm=10.0),
     errors.NonExistentParameterError, "did you mean `tau_m`"),
    ("wrong type", lambda sim, src, p, prj: p.set(tau_m="fast"),
     errors.InvalidParameterValueError, "tau_m.*'fast'"),
    ("cm <= 0", lambda sim, src, p, prj: p.set(cm=0.0), errors.InvalidParameterValueError,
     "cm.*> 0"),
    ("v_reset >= v_thresh", lambda sim, src, p, prj: p.set(v_reset=-45.0),
     errors.InvalidParameterValueError, "v_reset.*v_thresh"),
    ("wrong length", lambda sim, src, p, prj: p.set(tau_m=[10.0, 11.0]),
     errors.InvalidDimensionsError, r"shape \(2,\).*\(3,\)"),
    ("unsorted spike times", lambda sim, src, p, prj: src.set(spike_times=sim.Sequence([5.0, 1.0])),
     errors.InvalidParameterValueError, "sorted"),
    ("weight sign", lambda sim, src, p, prj: prj.set(weight=-1.0), errors.InvalidWeightError,
     "excitatory weights.*>= 0"),
    ("delay below dt", lambda sim, src, p, prj: prj.set(delay=0.05), errors.ConnectionError,
     "below the minimum delay"),
    ("delay above max", lambda sim, src, p, prj: prj.set(delay=11.0), errors.ConnectionError,
     "above max_delay"),
    ("p outside [0, 1]", lambda sim, src, p, prj: sim.FixedProbabilityConnector(1.5),
     errors.InvalidParameterValueError, "1.5"),
    ("unknown distribution", lambda sim, src, p, prj: sim.RandomDistribution("gauss", (0, 1)),
     errors.InvalidParameterValueError, "gauss"),
    ("unknown distribution parameter",
     lambda sim, src, p, prj: sim.RandomDistribution("normal", mu=0.0, sd=1.0),
     (errors.NonExistentParameterError, errors.InvalidParameterValueError), "sd"),
    ("negative run", lambda sim, src, p, prj: sim.run(-1.0), errors.InvalidTimeError, "-1"),
    ("run_until the past", lambda sim, src, p, prj: sim.run_until(10.0), errors.InvalidTimeError,
     "already at t=20"),
    ("unknown receptor", lambda sim, src, p, prj: sim.Projection(src, p, sim.AllToAllConnector(),
                                                                 receptor_type="AMPA"),
     errors.ConnectionError, "AMPA"),
    ("record missing variable", lambda sim, src, p, prj: p.record("gsyn_inh"),
     errors.RecordingError, "gsyn_inh"),
    ("negative size", lambda sim, src, p, prj: sim.Population(-1, sim.IF_curr_exp),
     errors.InvalidDimensionsError, "-1"),
    ("unknown cell type", lambda sim, src, p, prj: sim.Population(2, "IF_curr_exq"),
     errors.InvalidModelError, "IF_curr_exq"),
    ("list index out of range",
     lambda sim, src, p, prj: sim.Projection(src, p, sim.FromListConnector([(5, 0, 0.1, 1.0)])),
     errors.ConnectionError, "i=5"),
]


@pytest.mark.parametrize("what, call, exc, message", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_refused_and_nothing_lost(built, what, call, exc, message):
    sim, src, p, prj = built
    before = _snapshot(p, prj)
    with pytest.raises(exc, match=message):
        call(sim, src, p, prj)
    after = _snapshot(p, prj)
    assert np.array_equal(before[0], after[0])
    assert all(np.array_equal(a, b) for a, b in zip(before[1], after[1]))
    assert before[2] == after[2] and np.all(before[3] == after[3])
    sim.run(5.0)                               # the simulation goes on
    assert sim.get_current_time() == pytest.approx(25.0)
