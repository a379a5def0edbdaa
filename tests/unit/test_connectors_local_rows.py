"""Connectors that give their connections pre cell by pre cell (or in a listed order)
and build only some targets' connections over MPI (issue 15): for any split of the
targets, each part is exactly the subsequence of the whole onto its targets, in the
same order, and the generator ends in the same state as after drawing all."""
import numpy as np
import pytest

from lamina.connectors import (AllToAllConnector, ArrayConnector,
                               DisplacementDependentProbabilityConnector,
                               DistanceDependentProbabilityConnector, FixedNumberPostConnector,
                               FromListConnector, IndexBasedProbabilityConnector)
from lamina.connectors.base import POSITION, ConnectionContext, concat_chunks
from lamina.random import NumpyRNG, RandomDistribution
from lamina.space import Space

N = 120


def make_ctx(local=None, seed=1):
    ids = np.arange(N, dtype=np.int64) + 10
    pos = np.random.default_rng(0).uniform(0, 100, (3, N))
    return ConnectionContext(ids, ids.copy(), pos, pos.copy(), Space(), NumpyRNG(seed), local)


_ARRAY = np.random.default_rng(4).random((N, N)) < 0.2
_LIST = np.column_stack((np.random.default_rng(5).integers(0, N, (500, 2)),
                         np.random.default_rng(6).random(500)))

MAKERS = {
    "all_to_all": lambda: AllToAllConnector(),
    "all_to_all_no_self": lambda: AllToAllConnector(allow_self_connections=False),
    "array": lambda: ArrayConnector(_ARRAY),
    "from_list": lambda: FromListConnector(_LIST),
    "distance": lambda: DistanceDependentProbabilityConnector(
        "exp(-d/40)", allow_self_connections=False, rng=NumpyRNG(3)),
    "distance_default_rng": lambda: DistanceDependentProbabilityConnector("0.3*(d<60)"),
    "distance_deterministic": lambda: DistanceDependentProbabilityConnector(
        "d<50", allow_self_connections=False),
    "index": lambda: IndexBasedProbabilityConnector(lambda i, j: 0.5 * (j > i)),
    "displacement": lambda: DisplacementDependentProbabilityConnector(
        lambda d: np.exp(-np.abs(d[0]) / 30)),
    "fnpost": lambda: FixedNumberPostConnector(15, allow_self_connections=False,
                                               rng=NumpyRNG(7)),
    "fnpost_complement": lambda: FixedNumberPostConnector(100),
    "fnpost_replacement": lambda: FixedNumberPostConnector(20, with_replacement=True),
    "fnpost_random_n": lambda: FixedNumberPostConnector(
        RandomDistribution("poisson", lambda_=9, rng=NumpyRNG(8))),
}


def splits():
    """Target sets of 1, 2 and 3 processes (contiguous blocks) and a strided one."""
    for size in (1, 2, 3):
        yield [np.arange(N * r // size, N * (r + 1) // size) for r in range(size)]
    yield [np.arange(0, N, 2), np.arange(1, N, 2)]


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_parts_are_the_whole_onto_their_targets(name):
    whole_ctx = make_ctx()
    pre, post, values = concat_chunks(MAKERS[name]().connect_chunks(whole_ctx))
    assert len(pre) > 0
    next_draw = whole_ctx.rng.rng.random()
    for parts in splits():
        for local in parts:
            ctx = make_ctx(local)
            ctx.want_positions = True
            conn = MAKERS[name]()
            p, q, v = concat_chunks(conn.connect_chunks(ctx))
            mine = np.isin(post, local)
            # the subsequence of the whole, in its order, values included
            assert np.array_equal(p, pre[mine]) and np.array_equal(q, post[mine])
            for key, arr in values.items():
                assert np.array_equal(v[key], arr[mine])
            if conn.local_order == "listed":
                assert np.array_equal(v[POSITION], np.flatnonzero(mine))
            if getattr(conn, "rng", None) is None:
                assert ctx.rng.rng.random() == next_draw


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_order_is_by_row(name):
    conn = MAKERS[name]()
    if conn.local_order != "row":
        pytest.skip("listed order")
    pre, post, _ = concat_chunks(conn.connect_chunks(make_ctx()))
    assert np.all(np.diff(pre * N + post) >= 0)


def test_deterministic_probabilities_skip_the_draws():
    """Probabilities of only 0 and 1: the pairs at distance < 50 exactly, and the
    generator where drawing one number per pair leaves it."""
    ctx = make_ctx()
    pre, post, _ = DistanceDependentProbabilityConnector("d<50").connect_indices(ctx)
    d = Space().distances(ctx.pre_positions, ctx.post_positions)
    want_pre, want_post = np.nonzero(d < 50)
    assert np.array_equal(pre, want_pre) and np.array_equal(post, want_post)
    ref = make_ctx().rng.rng
    ref.random(N * N)
    assert ctx.rng.rng.random() == ref.random()


@pytest.mark.parametrize("name", ["distance", "index", "displacement"])
def test_jumping_over_the_other_columns_draws(name, monkeypatch):
    """A process whose targets are a run of post indices jumps over the other columns'
    draws, row by row: the same connections and final generator state as drawing all."""
    from lamina.connectors import spatial
    whole_ctx = make_ctx()
    whole_conn = MAKERS[name]()
    pre, post, _ = concat_chunks(whole_conn.connect_chunks(whole_ctx))
    next_draw = (whole_conn.rng or whole_ctx.rng).rng.random()
    monkeypatch.setattr(spatial, "SKIP_COLUMNS", 0)
    for local in (np.arange(0, 40), np.arange(40, 80), np.arange(80, N)):
        conn = MAKERS[name]()
        ctx = make_ctx(local)
        p, q, _ = concat_chunks(conn.connect_chunks(ctx))
        mine = np.isin(post, local)
        assert np.array_equal(p, pre[mine]) and np.array_equal(q, post[mine])
        assert (conn.rng or ctx.rng).rng.random() == next_draw


def test_jump_keeps_a_buffered_half_output(monkeypatch):
    """A generator holding half of a 64-bit output (after a 32-bit draw) keeps it."""
    from lamina.connectors import spatial
    a, b = np.random.Generator(np.random.PCG64(2)), np.random.Generator(np.random.PCG64(2))
    a.integers(0, 2**31, dtype=np.int32)
    b.integers(0, 2**31, dtype=np.int32)
    whole = spatial._target_draws(a, 7, 50, None)
    monkeypatch.setattr(spatial, "SKIP_COLUMNS", 0)
    part = spatial._target_draws(b, 7, 50, np.arange(10, 25))
    assert np.array_equal(part, whole[:, 10:25])
    assert a.integers(0, 2**31, dtype=np.int32) == b.integers(0, 2**31, dtype=np.int32)
    assert a.random() == b.random()
