"""Parameter values as PyNN 0.13 handles them: Sequence, per-cell array parameters."""
import numpy as np
import pytest

from lamina import errors
from lamina.parameters import ArrayParameter, Sequence

#: backends without a GIF model (the only standard model with per-cell array parameters)
NO_GIF: set[str] = set()


def test_sequence_behaves_like_its_array():
    s = Sequence([3.0, 1.0, 2.0])
    assert (s.max(), s.min(), len(s), s[1]) == (3.0, 1.0, 3, 1.0)
    assert s.sum() == 6.0 and np.asarray(s).tolist() == [3.0, 1.0, 2.0]
    assert (s + 1.0) == Sequence([4.0, 2.0, 3.0]) and isinstance(s * 2, Sequence)
    with pytest.raises(ValueError):
        Sequence([]).max()                      # as numpy: no maximum of nothing


def test_spike_source_sequence_reductions(sim):
    p = sim.Population(2, sim.SpikeSourceArray(spike_times=Sequence([5.0, 15.0, 25.0])))
    assert p.get("spike_times").max() == 25.0    # what inhomogeneous_network.py does


def test_per_cell_array_parameters_get_and_set(backend, sim):
    if backend in NO_GIF:
        with pytest.raises(errors.NoModelAvailableError,
                           match=f"GIF_cond_exp is not available on the {backend} backend"):
            sim.Population(2, sim.GIF_cond_exp())
        return
    gif = sim.Population(2, sim.GIF_cond_exp())
    default = gif.get("tau_eta")
    assert isinstance(default, ArrayParameter) and len(default) == 3
    gif.set(tau_eta=[(1.0, 10.0, 100.0), (2.0, 20.0, 200.0)])
    got = gif.get("tau_eta")
    assert [list(a) for a in got] == [[1.0, 10.0, 100.0], [2.0, 20.0, 200.0]]
    gif[1:2].set(a_eta=(0.1, 0.2, 0.3))
    assert list(gif.get("a_eta")[1]) == [0.1, 0.2, 0.3]
    sim.run(5.0)                                 # the simulator accepted the values


def test_get_schema_and_has_parameter_as_pynn():
    """`get_schema()` gives each parameter's value type (PyNN 0.13's serialisers read it);
    `has_parameter` works on the class and on composed instances."""
    import lamina as sim
    from lamina.parameters import ArrayParameter, Sequence

    assert sim.IF_curr_exp().get_schema() == dict.fromkeys(
        ["cm", "tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac", "v_rest", "v_reset",
         "v_thresh", "i_offset"], float)
    assert sim.SpikeSourceArray().get_schema() == {"spike_times": Sequence}
    gif = sim.GIF_cond_exp().get_schema()
    assert gif["tau_eta"] is ArrayParameter and gif["lambda0"] is float
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.AdditiveWeightDependence())
    assert list(stdp.get_schema()) == ["weight", "delay", "dendritic_delay_fraction",
                                       "tau_plus", "tau_minus", "A_plus", "A_minus",
                                       "w_min", "w_max"]
    assert sim.IF_curr_exp.has_parameter("tau_m") and not sim.IF_curr_exp.has_parameter("v")
    assert stdp.has_parameter("tau_plus") and not stdp.has_parameter("tau_m")
