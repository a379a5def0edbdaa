"""Connectors yield their connections in chunks: the same connections (and draws) as
generating them at once, and as before chunking (reference hashes for fixed seeds)."""
import hashlib

import numpy as np
import pytest

import lamina
from lamina.connectors import (AllToAllConnector, ConnectionContext, FixedNumberPostConnector,
                               FixedNumberPreConnector, FixedProbabilityConnector,
                               FixedTotalNumberConnector, FromListConnector, OneToOneConnector)
from lamina.connectors import base, probabilistic
from lamina.core import projections
from lamina.random import NumpyRNG, RandomDistribution, set_default_seed
from lamina.space import Space


def make_ctx(n_pre, n_post, same, seed):
    pre = np.arange(n_pre, dtype=np.int64) + 100
    post = pre[:n_post].copy() if same else np.arange(n_post, dtype=np.int64) + 100 + n_pre
    return ConnectionContext(pre, post, np.zeros((3, n_pre)), np.zeros((3, n_post)), Space(),
                             NumpyRNG(seed))


# connector, n_pre, n_post, same cells; hash and count of connect_indices before chunking
# (FixedProbability- and FixedTotalNumberConnector: since they draw target by target,
# issue 15)
CASES = {
    "fnpre": (lambda: FixedNumberPreConnector(30, allow_self_connections=False,
                                              rng=NumpyRNG(3)), 400, 400, True,
              "9cb41cc6ea103647d937b2c6d802b5c2040b3b7e", 12000),
    "fnpre_big": (lambda: FixedNumberPreConnector(250, allow_self_connections=False),
                  400, 400, True, "00d40319c9fbe36bf330c19731f0196adeb0b9c1", 100000),
    "fnpre_rd": (lambda: FixedNumberPreConnector(
        RandomDistribution("poisson", lambda_=20, rng=NumpyRNG(5))), 300, 500, False,
        "c60c3c510a74b59a3aa4d592b95b310bb89b13d1", 10117),
    "fnpre_repl": (lambda: FixedNumberPreConnector(40, with_replacement=True), 300, 500, False,
                   "83e0451d4d4132116063c14a60badb88c3a9024a", 20000),
    "fnpost": (lambda: FixedNumberPostConnector(25, allow_self_connections=False), 500, 500,
               True, "b0a2e12fee98d3e087e93ee3de7f52729862c005", 12500),
    "fprob": (lambda: FixedProbabilityConnector(0.05, allow_self_connections=False), 600, 600,
              True, "655de15e20d9172547fc7dea03cae4aa8e7a7fb5", 18055),
    "fprob1": (lambda: FixedProbabilityConnector(1.0, allow_self_connections=False), 60, 60,
               True, "cb2b416d7cef707ea62351188b1dd7dc9cc36af7", 3540),
    "a2a": (lambda: AllToAllConnector(allow_self_connections=False), 300, 300, True,
            "a28e6cf591923fed344c364da2e402456590c239", 89700),
    "o2o": (lambda: OneToOneConnector(), 2000, 2000, False,
            "d52460d24120ca23a62b9c9262f7afab3e328d7d", 2000),
    "ftn_repl": (lambda: FixedTotalNumberConnector(20000, allow_self_connections=False),
                 300, 300, True, "38a6a922330961a8f47bb26aa8e736a3fbe0353e", 20000),
    "ftn": (lambda: FixedTotalNumberConnector(20000, allow_self_connections=False,
                                              with_replacement=False), 300, 300, True,
            "f554b852805077198f3573c89716a7d481a86899", 20000),
}


def digest(pre, post):
    return hashlib.sha1(np.asarray(pre, np.int64).tobytes()
                        + np.asarray(post, np.int64).tobytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(CASES))
def test_chunked_equals_unchunked_and_previous(name, monkeypatch):
    make, n_pre, n_post, same, expected, count = CASES[name]
    monkeypatch.setattr(base, "CHUNK_ENTRIES", 1 << 40)
    whole = list(make().connect_chunks(make_ctx(n_pre, n_post, same, 7)))
    assert len(whole) == 1
    monkeypatch.setattr(base, "CHUNK_ENTRIES", 997)
    chunks = list(make().connect_chunks(make_ctx(n_pre, n_post, same, 7)))
    assert len(chunks) >= 3
    pre = np.concatenate([c[0] for c in chunks])
    post = np.concatenate([c[1] for c in chunks])
    np.testing.assert_array_equal(pre, whole[0][0])
    np.testing.assert_array_equal(post, whole[0][1])
    assert len(pre) == count and digest(pre, post) == expected
    joined = make().connect_indices(make_ctx(n_pre, n_post, same, 7))
    np.testing.assert_array_equal(joined[0], pre)
    np.testing.assert_array_equal(joined[1], post)


def test_fixed_size_recuts_chunks_exactly():
    sizes = [0, 5, 1, 0, 17, 3, 40, 2]
    start = np.cumsum([0, *sizes])
    chunks = [(np.arange(a, b), np.arange(a, b) * 2, {"weight": np.arange(a, b) * 0.5,
                                                      "delay": 1.0})
              for a, b in zip(start[:-1], start[1:])]
    out = list(projections._fixed_size(iter(chunks), 8, np.int32))
    assert [len(c[0]) for c in out] == [8] * 8 + [4]
    assert all(c[0].dtype == np.int32 for c in out)
    np.testing.assert_array_equal(np.concatenate([c[0] for c in out]), np.arange(68))
    np.testing.assert_array_equal(np.concatenate([c[1] for c in out]), np.arange(68) * 2)
    np.testing.assert_array_equal(np.concatenate([c[2]["weight"] for c in out]),
                                  np.arange(68) * 0.5)
    assert all(c[2]["delay"] == 1.0 for c in out)
    empty = list(projections._fixed_size(iter([]), 8, np.int32))
    assert len(empty) == 1 and len(empty[0][0]) == 0


def _by_pair(prj):
    return sorted(prj.get(["weight", "delay"], format="list"))


def test_projection_values_drawn_per_fixed_chunk(sim, monkeypatch):
    """Random values are drawn per `_CHUNK` connections in connection order whatever the
    connector's chunks (normal_clipped resamples per draw call)."""
    monkeypatch.setattr(projections, "_CHUNK", 1000)
    monkeypatch.setattr(base, "CHUNK_ENTRIES", 777)
    pop = sim.Population(200, sim.IF_curr_exp())
    conn = FixedNumberPreConnector(30, allow_self_connections=False, rng=NumpyRNG(4))
    weight = RandomDistribution("normal_clipped", mu=0.1, sigma=0.2, low=0.0, high=0.2,
                                rng=NumpyRNG(8))
    prj = sim.Projection(pop, pop, conn, sim.StaticSynapse(weight=weight, delay=0.5))
    ctx = make_ctx(200, 200, True, 0)
    pre, post, _ = FixedNumberPreConnector(
        30, allow_self_connections=False, rng=NumpyRNG(4)).connect_indices(ctx)
    ref_rd = RandomDistribution("normal_clipped", mu=0.1, sigma=0.2, low=0.0, high=0.2,
                                rng=NumpyRNG(8))
    w = np.concatenate([ref_rd.next(len(pre[a:a + 1000])) for a in range(0, len(pre), 1000)])
    expected = sorted(zip(pre.tolist(), post.tolist(), w.tolist(), [0.5] * len(pre)))
    assert prj.size() == 6000
    got = _by_pair(prj)
    assert [g[:2] for g in got] == [e[:2] for e in expected]
    np.testing.assert_allclose([g[2] for g in got], [e[2] for e in expected], rtol=1e-12)


def test_projection_shared_generator_draws_connections_first(sim, monkeypatch):
    """Connector and weights on the same (default) generator: all connections are drawn
    before the weights, as when the connector gave them at once."""
    monkeypatch.setattr(base, "CHUNK_ENTRIES", 200)
    monkeypatch.setattr(projections, "_CHUNK", 500)
    set_default_seed(99)
    pop = sim.Population(100, sim.IF_curr_exp())
    prj = sim.Projection(pop, pop, FixedProbabilityConnector(0.3),
                         sim.StaticSynapse(weight=RandomDistribution("uniform", low=0.0,
                                                                     high=1.0), delay=0.5))
    set_default_seed(99)
    gen = lamina.random.default_rng()
    ctx = make_ctx(100, 100, True, 0)
    ctx.rng = gen
    pre, post, _ = FixedProbabilityConnector(0.3).connect_indices(ctx)
    w = gen.next(len(pre), "uniform", {"low": 0.0, "high": 1.0})
    expected = sorted(zip(pre.tolist(), post.tolist(), w.tolist()))
    assert [g[:3] for g in _by_pair(prj)] == expected


def test_from_list_values_pass_through_chunks(sim, monkeypatch):
    monkeypatch.setattr(projections, "_CHUNK", 3)
    pop = sim.Population(5, sim.IF_curr_exp())
    conn = [(i, j, 0.1 * (i + 1), 0.2 + j) for i in range(5) for j in range(2)]
    prj = sim.Projection(pop, pop, FromListConnector(conn), sim.StaticSynapse())
    np.testing.assert_allclose(np.array(_by_pair(prj)), np.array(sorted(conn)))
