"""The engine's connection order: canonical (pre, post, delay; ties in insertion order),
the same for any number of threads, before and after runs, resets and additions."""
from __future__ import annotations

import numpy as np
import pytest

import lamina as sim
from lamina.connectors import FromListConnector

# (pre, post, weight, delay): duplicate pairs with different and equal delays
CONNS = [(3, 1, 0.30, 2.0), (0, 2, 0.10, 1.0), (3, 1, 0.31, 0.5), (1, 0, 0.20, 1.0),
         (3, 1, 0.32, 2.0), (0, 2, 0.11, 0.3), (2, 3, 0.40, 1.0), (3, 1, 0.33, 0.5)]


def _canonical(conns):
    """Expected list: sorted by (pre, post, delay), ties in the given order."""
    return sorted(conns, key=lambda c: (c[0], c[1], c[3]))


def _projection(threads: int):
    sim.setup(timestep=0.1, threads=threads)
    a = sim.Population(4, sim.IF_curr_exp())
    b = sim.Population(4, sim.IF_curr_exp())
    prj = sim.Projection(a, b, FromListConnector(CONNS, column_names=["weight", "delay"]))
    return prj


@pytest.mark.parametrize("threads", [1, 2])
def test_multapses_with_delays_in_canonical_order(threads: int) -> None:
    prj = _projection(threads)
    expected = [(i, j, pytest.approx(w), pytest.approx(d)) for i, j, w, d in _canonical(CONNS)]
    assert prj.get(["weight", "delay"], "list") == expected
    sim.run(5.0)
    assert prj.get(["weight", "delay"], "list") == expected
    assert [c.as_tuple() for c in prj.connections] == [e[:2] for e in expected]
    sim.end()


def test_order_identical_for_one_and_two_threads() -> None:
    def listing(threads: int):
        sim.setup(timestep=0.1, threads=threads)
        a = sim.Population(60, sim.IF_curr_exp())
        b = sim.Population(50, sim.IF_curr_exp())
        prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.3, rng=sim.NumpyRNG(4)),
                             sim.StaticSynapse(weight=sim.RandomDistribution(
                                 "uniform", (0.1, 0.2), rng=sim.NumpyRNG(5)),
                                 delay=sim.RandomDistribution("uniform", (0.1, 2.0),
                                                              rng=sim.NumpyRNG(6))))
        sim.run(3.0)
        out = prj.get(["weight", "delay"], "list")
        sim.end()
        return out

    one, two = listing(1), listing(2)
    assert one == two
    keys = [(i, j) for i, j, _, _ in one]
    assert keys == sorted(keys)


@pytest.mark.parametrize("threads", [1, 2])
def test_set_get_round_trip_after_run_and_reset(threads: int) -> None:
    prj = _projection(threads)
    sim.run(2.0)
    w = np.linspace(0.5, 1.2, prj.size())
    prj.set(weight=w)
    np.testing.assert_allclose(prj.get("weight", "list", with_address=False), w)
    d = np.round(np.linspace(0.2, 3.0, prj.size()), 1)
    prj.set(delay=d)
    # multapses of one pair are reordered by their new delays; each keeps its weight
    got = prj.get(["weight", "delay"], "list")
    assert sorted((i, j, round(x, 6), round(y, 6)) for i, j, x, y in got) == sorted(
        (i, j, round(x, 6), round(y, 6)) for (i, j, _, _), x, y in zip(
            _canonical(CONNS), w, d))
    sim.run(2.0)
    sim.reset()
    assert prj.get(["weight", "delay"], "list") == got
    sim.run(2.0)
    assert prj.get(["weight", "delay"], "list") == got
    sim.end()


@pytest.mark.parametrize("threads", [1, 2])
def test_connections_added_after_a_run(threads: int) -> None:
    prj = _projection(threads)
    sim.run(2.0)
    extra = [(3, 1, 0.5, 0.5), (0, 0, 0.6, 1.0)]
    pre = np.array([c[0] for c in extra])
    post = np.array([c[1] for c in extra])
    prj._add(pre, post, {"weight": np.array([c[2] for c in extra]),
                         "delay": np.array([c[3] for c in extra])})
    expected = [(i, j, pytest.approx(w), pytest.approx(d))
                for i, j, w, d in _canonical(CONNS + extra)]
    assert prj.size() == len(CONNS) + 2
    assert prj.get(["weight", "delay"], "list") == expected
    sim.run(2.0)
    assert prj.get(["weight", "delay"], "list") == expected
    sim.end()


def test_added_connections_deliver_spikes() -> None:
    """After the CSR is rebuilt, a connection added after a run carries spikes."""
    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 11.0]))
    cell = sim.Population(1, sim.IF_curr_exp())
    prj = sim.Projection(src, cell, sim.OneToOneConnector(),
                         sim.StaticSynapse(weight=0.0, delay=1.0))
    cell.record("v")
    sim.run(10.0)
    prj._add(np.array([0]), np.array([0]), {"weight": np.array([2.0]),
                                            "delay": np.array([1.0])})
    sim.run(10.0)
    v = np.asarray(cell.get_data().segments[0].analogsignals[0])[:, 0]
    assert v[:100].max() == pytest.approx(v[0])      # weight 0: no response
    assert v[120:].max() > v[0] + 0.5                 # the added connection
    sim.end()
