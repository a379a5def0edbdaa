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
