"""Connectors that build only some targets' connections (issue 15: over MPI each process
draws its own part): the parts of any split of the targets are exactly the connections a
draw for all targets gives them, and the generator ends in the same state; the
per-target FixedProbabilityConnector keeps the statistics of independent Bernoulli
trials (tolerances stated per check)."""
import numpy as np
import pytest
from scipy import stats

from lamina.connectors import (ConnectionContext, FixedNumberPreConnector,
                               FixedProbabilityConnector, FixedTotalNumberConnector,
                               OneToOneConnector, per_target, probabilistic)
from lamina.connectors.base import concat_chunks
from lamina.random import NumpyRNG, RandomDistribution
from lamina.space import Space


def make_ctx(n_pre, n_post, same=True, seed=1, local=None):
    pre = np.arange(n_pre, dtype=np.int64) + 100
    post = pre[:n_post].copy() if same else np.arange(n_post, dtype=np.int64) + 100 + n_pre
    return ConnectionContext(pre, post, np.zeros((3, n_pre)), np.zeros((3, n_post)), Space(),
                             NumpyRNG(seed), local)


MAKERS = {
    "fprob": lambda: FixedProbabilityConnector(0.07, allow_self_connections=False,
                                               rng=NumpyRNG(3)),
    "fprob_default_rng": lambda: FixedProbabilityConnector(0.2),
    "fprob_dense": lambda: FixedProbabilityConnector(1.0, allow_self_connections=False),
    "fnpre": lambda: FixedNumberPreConnector(30, allow_self_connections=False,
                                             rng=NumpyRNG(3)),
    "fnpre_complement": lambda: FixedNumberPreConnector(250, rng=NumpyRNG(4)),
    "fnpre_replacement": lambda: FixedNumberPreConnector(40, with_replacement=True),
    "fnpre_random_n": lambda: FixedNumberPreConnector(
        RandomDistribution("poisson", lambda_=12, rng=NumpyRNG(5))),
    "one_to_one": lambda: OneToOneConnector(),
    "ftn_replacement": lambda: FixedTotalNumberConnector(20000, allow_self_connections=False),
    "ftn": lambda: FixedTotalNumberConnector(20000, allow_self_connections=False,
                                             with_replacement=False, rng=NumpyRNG(6)),
}


def splits(n):
    """Target sets of 1, 2 and 3 processes (contiguous blocks), and a strided one (the
    cells of a population view spread over processes)."""
    for size in (1, 2, 3):
        yield [np.arange(n * r // size, n * (r + 1) // size) for r in range(size)]
    yield [np.arange(0, n, 2), np.arange(1, n, 2)]


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_parts_equal_whole_and_generator_state(name):
    n = 300
    whole_ctx = make_ctx(n, n)
    whole = concat_chunks(MAKERS[name]().connect_chunks(whole_ctx))
    assert len(whole[0]) > 0
    next_draw = whole_ctx.rng.rng.random()
    for parts in splits(n):
        got = []
        for local in parts:
            ctx = make_ctx(n, n, local=local)
            conn = MAKERS[name]()
            pre, post, _ = concat_chunks(conn.connect_chunks(ctx))
            assert set(np.unique(post)) <= set(local.tolist())   # only its own targets
            got.append((pre, post))
            # the generator moves on as if every target had been drawn
            if getattr(conn, "rng", None) is None:
                assert ctx.rng.rng.random() == next_draw
        pre = np.concatenate([g[0] for g in got])
        post = np.concatenate([g[1] for g in got])
        order = np.lexsort((pre, post))
        assert np.array_equal(pre[order], whole[0]) and np.array_equal(post[order], whole[1])


def test_fixed_total_number_beyond_the_hypergeometric_limit(monkeypatch):
    """Above numpy's exact multivariate hypergeometric the pairs are drawn at once: still
    target by target, and every split of the targets gives the same connections."""
    monkeypatch.setattr(probabilistic, "_HYPERGEOMETRIC_LIMIT", 1000)
    make = MAKERS["ftn"]
    whole = concat_chunks(make().connect_chunks(make_ctx(300, 300)))
    assert len(whole[0]) == 20000 and not np.any(whole[0] == whole[1])
    assert len(np.unique(whole[1] * 300 + whole[0])) == 20000
    for parts in splits(300):
        got = [concat_chunks(make().connect_chunks(make_ctx(300, 300, local=loc)))
               for loc in parts]
        pre = np.concatenate([g[0] for g in got])
        post = np.concatenate([g[1] for g in got])
        order = np.lexsort((pre, post))
        assert np.array_equal(pre[order], whole[0]) and np.array_equal(post[order], whole[1])


def test_fixed_total_number_in_degrees_hypergeometric():
    """Without replacement each target's count is hypergeometric (n draws from all
    pairs, K of them onto the target): mean within 4 standard errors, variance within
    15 % (1000 targets)."""
    n_pre, n_post, n = 400, 1000, 100_000
    pre, post, _ = FixedTotalNumberConnector(n, with_replacement=False,
                                             rng=NumpyRNG(21)).connect_indices(
        make_ctx(n_pre, n_post, same=False))
    deg = np.bincount(post, minlength=n_post)
    big_n, k = n_pre * n_post, n_pre
    mean = n * k / big_n
    var = n * (k / big_n) * (1 - k / big_n) * (big_n - n) / (big_n - 1)
    assert abs(deg.mean() - mean) < 1e-9   # the counts add up to n exactly
    assert abs(deg.var() / var - 1) < 0.15
    assert stats.chisquare(np.bincount(pre, minlength=n_pre)).pvalue > 1e-3


def test_connections_come_target_by_target():
    for name, make in MAKERS.items():
        pre, post, _ = concat_chunks(make().connect_chunks(make_ctx(300, 300)))
        assert np.all(np.diff(post * 300 + pre) >= 0), name


def test_fixed_probability_statistics():
    """In-degrees Binomial(n_pre, p), out-degrees Binomial(n_post, p) (chi-square,
    p-value above 1e-3), total within 4 standard deviations, no duplicate pair, neighbour
    targets' in-degrees uncorrelated (|r| < 4/sqrt(n_post))."""
    n_pre, n_post, p = 2000, 1500, 0.05
    pre, post, _ = FixedProbabilityConnector(p, rng=NumpyRNG(11)).connect_indices(
        make_ctx(n_pre, n_post, same=False))
    mean, sd = n_pre * n_post * p, np.sqrt(n_pre * n_post * p * (1 - p))
    assert abs(len(pre) - mean) < 4 * sd
    assert len(np.unique(pre * n_post + post)) == len(pre)
    for degrees, trials in ((np.bincount(post, minlength=n_post), n_pre),
                            (np.bincount(pre, minlength=n_pre), n_post)):
        lo, hi = stats.binom.ppf([0.001, 0.999], trials, p).astype(int)
        edges = np.arange(lo, hi + 2)
        observed = np.histogram(np.clip(degrees, lo, hi), bins=edges)[0]
        cdf = stats.binom.cdf(edges - 1, trials, p)
        expected = np.diff(cdf) * len(degrees)
        expected[0] += stats.binom.cdf(lo - 1, trials, p) * len(degrees)
        expected[-1] += stats.binom.sf(hi, trials, p) * len(degrees)
        keep = expected > 5
        chi2 = (((observed[keep] - expected[keep]) ** 2) / expected[keep]).sum()
        rest_obs, rest_exp = observed[~keep].sum(), expected[~keep].sum()
        if rest_exp > 0:
            chi2 += (rest_obs - rest_exp) ** 2 / rest_exp
        dof = keep.sum() + (rest_exp > 0) - 1
        assert stats.chi2.sf(chi2, dof) > 1e-3
    in_deg = np.bincount(post, minlength=n_post).astype(float)
    r = np.corrcoef(in_deg[:-1], in_deg[1:])[0, 1]
    assert abs(r) < 4 / np.sqrt(n_post)


def test_fixed_probability_no_self_connections_and_pre_uniform():
    """Without self-connections no pre equals its post cell; the pre indices are uniform
    (chi-square over 20 bins, p-value above 1e-3)."""
    n, p = 800, 0.1
    pre, post, _ = FixedProbabilityConnector(p, allow_self_connections=False,
                                             rng=NumpyRNG(2)).connect_indices(make_ctx(n, n))
    assert not np.any(pre == post)
    counts = np.histogram(pre, bins=20, range=(0, n))[0]
    assert stats.chisquare(counts).pvalue > 1e-3
    # the diagonal removed: n (n - 1) trials
    mean, sd = n * (n - 1) * p, np.sqrt(n * (n - 1) * p * (1 - p))
    assert abs(len(pre) - mean) < 4 * sd


def test_fixed_probability_seed_decides():
    def draw(seed):
        return FixedProbabilityConnector(0.1, rng=NumpyRNG(seed)).connect_indices(
            make_ctx(200, 200))[:2]
    a, b, c = draw(5), draw(5), draw(6)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert len(a[0]) != len(c[0]) or not np.array_equal(a[0], c[0])


def test_fixed_probability_sparse_and_chunked(monkeypatch):
    """Sparse rows cost per connection, not per pair; small chunks give the same
    connections, each chunk whole targets."""
    from lamina.connectors import base
    pre, post, _ = FixedProbabilityConnector(1e-6, rng=NumpyRNG(1)).connect_indices(
        make_ctx(200_000, 10, same=False))
    assert len(pre) < 20
    whole = FixedProbabilityConnector(0.3, rng=NumpyRNG(1)).connect_indices(
        make_ctx(500, 40, same=False))
    monkeypatch.setattr(base, "CHUNK_ENTRIES", 16)
    chunks = list(FixedProbabilityConnector(0.3, rng=NumpyRNG(1)).connect_chunks(
        make_ctx(500, 40, same=False)))
    assert len(chunks) > 3
    assert len({int(t) for c in chunks for t in np.unique(c[1])}) == sum(
        len(np.unique(c[1])) for c in chunks)          # no target split over two chunks
    assert np.array_equal(np.concatenate([c[0] for c in chunks]), whole[0])
    assert np.array_equal(np.concatenate([c[1] for c in chunks]), whole[1])


def test_skip_draws_is_drawing_and_discarding():
    a, b = np.random.Generator(np.random.PCG64(9)), np.random.Generator(np.random.PCG64(9))
    a.integers(0, 2**31, dtype=np.int32)   # leaves half a 64-bit output buffered
    b.integers(0, 2**31, dtype=np.int32)
    a.random(12345)
    per_target.skip_draws(b, 12345)
    assert a.random() == b.random()
    assert a.integers(0, 2**31, dtype=np.int32) == b.integers(0, 2**31, dtype=np.int32)
    c, d = np.random.Generator(np.random.MT19937(3)), np.random.Generator(np.random.MT19937(3))
    c.random(5000)
    per_target.skip_draws(d, 5000)
    assert c.random() == d.random()
