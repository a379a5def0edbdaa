"""Tests of lamina.connectors: connection statistics, determinism, files, bad input."""

import numpy as np
import pytest
from scipy import stats

from lamina.connectors import (AllToAllConnector, ArrayConnector, CloneConnector,
                               ConnectionContext, DisplacementDependentProbabilityConnector,
                               DistanceDependentProbabilityConnector, FixedNumberPostConnector,
                               FixedNumberPreConnector, FixedProbabilityConnector,
                               FixedTotalNumberConnector, FromFileConnector, FromListConnector,
                               IndexBasedProbabilityConnector, OneToOneConnector,
                               SmallWorldConnector, write_connection_file)
from lamina.connectors import base, probabilistic
from lamina.errors import ConnectionError, InvalidDimensionsError, InvalidParameterValueError
from lamina.random import NumpyRNG, RandomDistribution
from lamina.space import Line, Space

P_MIN = 1e-3  # p-value threshold of the goodness-of-fit tests (fixed seeds)


def make_ctx(n_pre, n_post, same=False, seed=1, pre_pos=None, post_pos=None, space=None):
    pre_ids = np.arange(n_pre, dtype=np.int64) + 100
    post_ids = pre_ids.copy() if same else np.arange(n_post, dtype=np.int64) + 100 + n_pre
    return ConnectionContext(
        pre_ids=pre_ids, post_ids=post_ids,
        pre_positions=np.zeros((3, n_pre)) if pre_pos is None else pre_pos,
        post_positions=np.zeros((3, n_post)) if post_pos is None else post_pos,
        space=space or Space(), rng=NumpyRNG(seed))


def chi2_pvalue(observed_values, pmf, support):
    """Chi-squared goodness of fit of integer samples against a pmf (bins pooled to >= 5)."""
    observed = np.array([(observed_values == k).sum() for k in support], dtype=float)
    expected = pmf(support) * len(observed_values)
    obs, exp, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= 5:
            obs.append(acc_o), exp.append(acc_e)
            acc_o = acc_e = 0.0
    obs[-1] += acc_o + (len(observed_values) - observed.sum())
    exp[-1] += acc_e + (len(observed_values) - expected.sum())
    return stats.chisquare(obs, exp).pvalue


def pairs(pre, post):
    return set(zip(pre.tolist(), post.tolist()))


# -- all-to-all, one-to-one -------------------------------------------------------------

def test_all_to_all_with_and_without_self_connections():
    pre, post, values = AllToAllConnector().connect_indices(make_ctx(4, 4, same=True))
    assert len(pre) == 16 and values == {} and pre.dtype == np.int64
    pre, post, _ = AllToAllConnector(allow_self_connections=False).connect_indices(
        make_ctx(4, 4, same=True))
    assert len(pre) == 12 and not np.any(pre == post)
    pre, post, _ = AllToAllConnector(allow_self_connections=False).connect_indices(make_ctx(4, 3))
    assert len(pre) == 12  # different populations: nothing excluded


def test_one_to_one_and_size_mismatch():
    pre, post, _ = OneToOneConnector().connect_indices(make_ctx(5, 5))
    np.testing.assert_array_equal(pre, np.arange(5))
    np.testing.assert_array_equal(post, np.arange(5))
    with pytest.raises(InvalidDimensionsError, match=r"n_pre=5.*n_post=6"):
        OneToOneConnector().connect_indices(make_ctx(5, 6))


# -- fixed probability ------------------------------------------------------------------

def test_fixed_probability_degrees_are_binomial():
    n_pre, n_post, p = 3000, 400, 0.05
    pre, post, _ = FixedProbabilityConnector(p, rng=NumpyRNG(7)).connect_indices(
        make_ctx(n_pre, n_post))
    out_deg = np.bincount(pre, minlength=n_pre)
    in_deg = np.bincount(post, minlength=n_post)
    assert chi2_pvalue(out_deg, stats.binom(n_post, p).pmf, np.arange(n_post + 1)) > P_MIN
    assert chi2_pvalue(in_deg, stats.binom(n_pre, p).pmf, np.arange(n_pre + 1)) > P_MIN
    assert len(pairs(pre, post)) == len(pre)  # no duplicates
    assert np.all(np.diff(post * n_pre + pre) > 0)  # target by target, pre ascending


def test_fixed_probability_without_self_connections():
    n, p = 400, 0.3
    pre, post, _ = FixedProbabilityConnector(p, allow_self_connections=False).connect_indices(
        make_ctx(n, n, same=True))
    assert not np.any(pre == post)
    total = n * (n - 1)
    assert abs(len(pre) - p * total) < 5 * np.sqrt(total * p * (1 - p))


def test_fixed_probability_extremes_and_bad_values():
    ctx = make_ctx(20, 30)
    assert len(FixedProbabilityConnector(0.0).connect_indices(ctx)[0]) == 0
    assert len(FixedProbabilityConnector(1.0).connect_indices(ctx)[0]) == 600
    for bad in (-0.1, 1.5, "0.5", True):
        with pytest.raises(InvalidParameterValueError, match=r"p_connect=.*\[0, 1\]"):
            FixedProbabilityConnector(bad)


def test_fixed_probability_deterministic_and_independent_of_batch(monkeypatch):
    def run():
        return FixedProbabilityConnector(0.02).connect_indices(make_ctx(500, 700, seed=3))[:2]
    a = run()
    np.testing.assert_array_equal(a[0], run()[0])
    monkeypatch.setattr(base, "CHUNK_ENTRIES", 37)
    b = run()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = FixedProbabilityConnector(0.02).connect_indices(make_ctx(500, 700, seed=4))
    assert pairs(*a) != pairs(c[0], c[1])


def test_fixed_probability_uses_own_rng_over_context_rng():
    conn = FixedProbabilityConnector(0.1, rng=NumpyRNG(5))
    a = conn.connect_indices(make_ctx(100, 100, seed=1))[0]
    b = FixedProbabilityConnector(0.1, rng=NumpyRNG(5)).connect_indices(make_ctx(100, 100, seed=2))[0]
    np.testing.assert_array_equal(a, b)


def test_fixed_probability_ten_million_connections():
    """10^7 connections: the total within 5 sd of its binomial mean, every index in range
    (its speed is measured by benchmarks/mpi_build.py and run_all.py, not here)."""
    n_pre, n_post, p = 20_000, 5_000, 0.1
    pre, post, _ = FixedProbabilityConnector(p, rng=NumpyRNG(1)).connect_indices(
        make_ctx(n_pre, n_post))
    expected = n_pre * n_post * p
    assert abs(len(pre) - expected) < 5 * np.sqrt(expected * (1 - p))
    assert 0 <= pre.min() and pre.max() < n_pre and 0 <= post.min() and post.max() < n_post


# -- fixed number pre / post ------------------------------------------------------------

@pytest.mark.parametrize("n", [7, 180])  # sparse path and complement path (n > pool/2)
def test_fixed_number_pre_exact_in_degree_and_uniform_choice(n):
    n_pre, n_post = 200, 3000
    pre, post, _ = FixedNumberPreConnector(n, rng=NumpyRNG(11)).connect_indices(
        make_ctx(n_pre, n_post))
    np.testing.assert_array_equal(np.bincount(post, minlength=n_post), np.full(n_post, n))
    assert len(pairs(pre, post)) == len(pre)
    # how often each pre cell is chosen: Binomial(n_post, n / n_pre)
    chosen = np.bincount(pre, minlength=n_pre)
    assert chi2_pvalue(chosen, stats.binom(n_post, n / n_pre).pmf, np.arange(n_post + 1)) > P_MIN


def test_fixed_number_pre_without_self_connections_and_replacement():
    n = 50
    pre, post, _ = FixedNumberPreConnector(n, allow_self_connections=False).connect_indices(
        make_ctx(n + 1, 300, same=False))
    assert np.all(np.bincount(post) == n)
    pre, post, _ = FixedNumberPreConnector(n, allow_self_connections=False).connect_indices(
        make_ctx(n + 1, n + 1, same=True))
    assert not np.any(pre == post)
    np.testing.assert_array_equal(np.bincount(post), np.full(n + 1, n))  # all others
    pre, post, _ = FixedNumberPreConnector(30, with_replacement=True).connect_indices(
        make_ctx(10, 20))
    assert np.all(np.bincount(post) == 30)


def test_fixed_number_pre_too_many_raises():
    with pytest.raises(InvalidParameterValueError, match=r"n=11 exceeds the 10 available pre"):
        FixedNumberPreConnector(11).connect_indices(make_ctx(10, 5))
    with pytest.raises(InvalidParameterValueError, match="n=-1"):
        FixedNumberPreConnector(-1)


def test_fixed_number_pre_random_distribution_per_post_cell():
    rd = RandomDistribution("uniform_int", low=2, high=8, rng=NumpyRNG(2))
    expected = RandomDistribution("uniform_int", low=2, high=8, rng=NumpyRNG(2)).next(40)
    pre, post, _ = FixedNumberPreConnector(rd).connect_indices(make_ctx(30, 40))
    np.testing.assert_array_equal(np.bincount(post, minlength=40), expected)


def test_fixed_number_post_exact_out_degree():
    pre, post, _ = FixedNumberPostConnector(25, allow_self_connections=False).connect_indices(
        make_ctx(60, 60, same=True))
    np.testing.assert_array_equal(np.bincount(pre, minlength=60), np.full(60, 25))
    assert not np.any(pre == post) and len(pairs(pre, post)) == len(pre)


def test_fixed_number_independent_of_chunk_size(monkeypatch):
    def run():
        return FixedNumberPostConnector(40, rng=NumpyRNG(9)).connect_indices(make_ctx(300, 100))
    a = run()
    monkeypatch.setattr(base, "CHUNK_ENTRIES", 150)
    b = run()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


# -- fixed total number -----------------------------------------------------------------

def test_fixed_total_number_with_replacement_multinomial_spread():
    n_pre, n_post, n = 100, 80, 20_000
    pre, post, _ = FixedTotalNumberConnector(n, rng=NumpyRNG(13)).connect_indices(
        make_ctx(n_pre, n_post))
    assert len(pre) == n
    # counts per pre cell: multinomial with equal cell probabilities
    counts = np.bincount(pre, minlength=n_pre)
    assert stats.chisquare(counts).pvalue > P_MIN
    assert stats.chisquare(np.bincount(post, minlength=n_post)).pvalue > P_MIN


def test_fixed_total_number_without_replacement_distinct_and_no_self():
    pre, post, _ = FixedTotalNumberConnector(
        300, allow_self_connections=False, with_replacement=False).connect_indices(
        make_ctx(20, 20, same=True))
    assert len(pre) == 300 and len(pairs(pre, post)) == 300 and not np.any(pre == post)
    pre, post, _ = FixedTotalNumberConnector(
        380, allow_self_connections=False, with_replacement=False).connect_indices(
        make_ctx(20, 20, same=True))
    assert len(pairs(pre, post)) == 380  # all allowed pairs
    with pytest.raises(InvalidParameterValueError, match=r"n=381.*380 allowed"):
        FixedTotalNumberConnector(381, allow_self_connections=False,
                                  with_replacement=False).connect_indices(make_ctx(20, 20, same=True))


# -- distance / index / displacement dependent ------------------------------------------

def line_ctx(n, seed=1, space=None):
    pos = Line(dx=1.0).generate_positions(n)
    return make_ctx(n, n, same=True, seed=seed, pre_pos=pos, post_pos=pos, space=space)


def test_distance_dependent_fraction_per_distance_bin_matches_expression():
    n = 1500
    pre, post, _ = DistanceDependentProbabilityConnector(
        "exp(-d/50)", rng=NumpyRNG(21)).connect_indices(line_ctx(n))
    d_conn = np.abs(pre - post)
    d_all = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]).ravel()
    edges = np.arange(0, 301, 25)
    made = np.histogram(d_conn, edges)[0]
    possible = np.histogram(d_all, edges)[0]
    centres_p = [np.exp(-d_all[(d_all >= lo) & (d_all < hi)] / 50).mean()
                 for lo, hi in zip(edges[:-1], edges[1:])]
    for k, (m, tot, p) in enumerate(zip(made, possible, centres_p)):
        assert abs(m / tot - p) < 5 * np.sqrt(p * (1 - p) / tot) + 1e-9, k


def test_distance_dependent_step_expression_is_exact_and_self_excluded():
    pre, post, _ = DistanceDependentProbabilityConnector(
        "d<3", allow_self_connections=False).connect_indices(line_ctx(10))
    expected = {(i, j) for i in range(10) for j in range(10) if 0 < abs(i - j) < 3}
    assert pairs(pre, post) == expected


def test_distance_dependent_uses_space_periodic_boundaries():
    space = Space(axes="x", periodic_boundaries=((0, 10), None, None))
    pre, post, _ = DistanceDependentProbabilityConnector("d<1.5").connect_indices(
        line_ctx(10, space=space))
    assert (0, 9) in pairs(pre, post) and (9, 0) in pairs(pre, post)


def test_distance_dependent_independent_of_chunk_size(monkeypatch):
    conn = DistanceDependentProbabilityConnector("0.5*(d<10)+0.1")
    a = conn.connect_indices(line_ctx(200, seed=5))
    monkeypatch.setattr(base, "CHUNK_ENTRIES", 333)
    b = conn.connect_indices(line_ctx(200, seed=5))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("expr, fragment", [
    ("exp(-dist/10)", "unknown name 'dist'"),
    ("__import__('os').system('true')", "unknown function"),
    ("d.real", "Attribute"),
    ("exp(-d", "not a valid expression"),
    ("[d]", "List"),
    ("'abc'", "constant 'abc'"),
])
def test_distance_expression_rejected(expr, fragment):
    with pytest.raises(InvalidParameterValueError, match=fragment):
        DistanceDependentProbabilityConnector(expr)


def test_distance_expression_out_of_range_probability():
    with pytest.raises(InvalidParameterValueError, match=r"outside \[0, 1\].*max 2"):
        DistanceDependentProbabilityConnector("2*(d<100)").connect_indices(line_ctx(5))


def test_distance_expression_functions_and_constants():
    pre, post, _ = DistanceDependentProbabilityConnector(
        "where(d < 2, 1, 0) * minimum(1, abs(cos(pi*0)))").connect_indices(line_ctx(6))
    assert pairs(pre, post) == {(i, j) for i in range(6) for j in range(6) if abs(i - j) < 2}


def test_index_based_connector():
    pre, post, _ = IndexBasedProbabilityConnector(
        lambda i, j: (j == (i + 1) % 8).astype(float)).connect_indices(make_ctx(8, 8))
    assert pairs(pre, post) == {(i, (i + 1) % 8) for i in range(8)}
    n = 300
    pre, post, _ = IndexBasedProbabilityConnector(
        lambda i, j: 0.5 * (j > i), rng=NumpyRNG(2)).connect_indices(make_ctx(n, n))
    assert np.all(post > pre)
    upper = n * (n - 1) / 2
    assert abs(len(pre) - upper / 2) < 5 * np.sqrt(upper / 4)


def test_displacement_dependent_connector_sign_convention():
    pos = Line(dx=1.0).generate_positions(10)
    ctx = make_ctx(10, 10, same=True, pre_pos=pos, post_pos=pos)
    pre, post, _ = DisplacementDependentProbabilityConnector(
        lambda disp: (disp[0] > 0) & (disp[0] <= 2)).connect_indices(ctx)
    assert pairs(pre, post) == {(i, j) for i in range(10) for j in range(10) if 0 < j - i <= 2}


def test_small_world_local_and_rewired():
    n = 400
    local = SmallWorldConnector(degree=2.0, rewiring=0.0, allow_self_connections=False)
    pre, post, _ = local.connect_indices(line_ctx(n))
    assert pairs(pre, post) == {(i, j) for i in range(n) for j in range(n) if 0 < abs(i - j) <= 2}
    pre, post, _ = SmallWorldConnector(degree=2.0, rewiring=0.3, allow_self_connections=False,
                                       rng=NumpyRNG(4)).connect_indices(line_ctx(n))
    far = np.abs(pre - post) > 2
    assert not np.any(pre == post)
    # a rewired target is local with probability ~4/(n-1): fraction far ~ 0.3*(1-4/399)
    p = 0.3 * (1 - 4 / (n - 1))
    assert abs(far.mean() - p) < 5 * np.sqrt(p * (1 - p) / len(pre))
    pre, post, _ = SmallWorldConnector(degree=3.0, rewiring=0.0, n_connections=2).connect_indices(
        line_ctx(50))
    assert np.all(np.bincount(pre) == 2) and np.all(np.abs(pre - post) <= 3)


def test_small_world_bad_arguments():
    with pytest.raises(InvalidParameterValueError, match="rewiring=2"):
        SmallWorldConnector(1.0, 2)
    with pytest.raises(InvalidParameterValueError, match=r"n_connections=5.*only"):
        SmallWorldConnector(1.0, 0.0, n_connections=5).connect_indices(line_ctx(10))


# -- list based -------------------------------------------------------------------------

def test_from_list_values_and_default_columns():
    conn = FromListConnector([(0, 1, 0.5, 1.0), (2, 0, 0.25, 2.0)])
    pre, post, values = conn.connect_indices(make_ctx(3, 2))
    np.testing.assert_array_equal(pre, [0, 2])
    np.testing.assert_array_equal(post, [1, 0])
    np.testing.assert_array_equal(values["weight"], [0.5, 0.25])
    np.testing.assert_array_equal(values["delay"], [1.0, 2.0])
    _, _, values = FromListConnector([(0, 0, 3.0)], column_names=["tau_syn"]).connect_indices(
        make_ctx(1, 1))
    assert list(values) == ["tau_syn"]
    assert FromListConnector([]).connect_indices(make_ctx(2, 2))[0].size == 0


def test_from_list_bad_rows():
    with pytest.raises(ConnectionError, match=r"row 1 has j=5.*\[0, 4\)"):
        FromListConnector([(0, 1), (1, 5)]).connect_indices(make_ctx(3, 4))
    with pytest.raises(ConnectionError, match=r"row 0 has i=-1"):
        FromListConnector([(-1, 1)]).connect_indices(make_ctx(3, 4))
    with pytest.raises(ConnectionError, match=r"i=0.5"):
        FromListConnector([(0.5, 1)]).connect_indices(make_ctx(3, 4))
    with pytest.raises(InvalidParameterValueError, match="column_names"):
        FromListConnector([(0, 1, 2.0, 3.0, 4.0)])
    with pytest.raises(InvalidParameterValueError, match="column_names"):
        FromListConnector([(0, 1, 2.0)], column_names=["weight", "delay"])


def test_from_file_round_trip(tmp_path):
    rows = np.array([[0, 1, 0.1234567890123, 1.5], [3, 2, 2.0, 0.1], [1, 1, -0.5, 3.0]])
    path = tmp_path / "conn.txt"
    write_connection_file(path, rows, ["i", "j", "weight", "delay"], metadata={"label": "p1"})
    text = path.read_text()
    assert '# columns = ["i", "j", "weight", "delay"]' in text and "label = 'p1'" in text
    conn = FromFileConnector(str(path))
    pre, post, values = conn.connect_indices(make_ctx(4, 3))
    np.testing.assert_array_equal(pre, rows[:, 0])
    np.testing.assert_array_equal(post, rows[:, 1])
    np.testing.assert_array_equal(values["weight"], rows[:, 2])  # exact (17 digits)
    np.testing.assert_array_equal(values["delay"], rows[:, 3])
    assert conn.get_parameters() == {"file": str(path), "distributed": False}


def test_from_file_custom_columns_distributed_and_missing(tmp_path):
    path = tmp_path / "c.txt"
    write_connection_file(f"{path}.0", np.array([[0, 0, 5.0]]), ["U"])
    _, _, values = FromFileConnector(path, distributed=True).connect_indices(make_ctx(1, 1))
    np.testing.assert_array_equal(values["U"], [5.0])
    with pytest.raises(InvalidParameterValueError, match="does not exist"):
        FromFileConnector(tmp_path / "nope.txt")


def test_array_connector():
    arr = np.array([[True, False, True], [False, False, True]])
    pre, post, _ = ArrayConnector(arr).connect_indices(make_ctx(2, 3))
    assert pairs(pre, post) == {(0, 0), (0, 2), (1, 2)}
    with pytest.raises(InvalidDimensionsError, match=r"\(2, 3\).*\(3, 3\)"):
        ArrayConnector(arr).connect_indices(make_ctx(3, 3))
    with pytest.raises(InvalidParameterValueError, match="boolean"):
        ArrayConnector(np.array([[0.5]]))


def test_clone_connector():
    class FakeProjection:
        def connection_indices(self):
            return np.array([0, 1]), np.array([2, 0])
    pre, post, _ = CloneConnector(FakeProjection()).connect_indices(make_ctx(2, 3))
    assert pairs(pre, post) == {(0, 2), (1, 0)}
    with pytest.raises(InvalidDimensionsError, match="reference projection"):
        CloneConnector(FakeProjection()).connect_indices(make_ctx(2, 2))
    with pytest.raises(InvalidParameterValueError, match="reference_projection"):
        CloneConnector(object())


# -- base class behaviour ---------------------------------------------------------------

def test_deprecated_weights_delays_keywords():
    with pytest.warns(DeprecationWarning, match="synapse type"):
        conn = AllToAllConnector(weights=0.5, delays=1.0)
    assert conn.weights == 0.5 and conn.delays == 1.0
    assert AllToAllConnector().weights is None


def test_describe_get_parameters_callback():
    conn = FixedProbabilityConnector(0.25, allow_self_connections=False)
    assert conn.get_parameters() == {"p_connect": 0.25, "allow_self_connections": False}
    assert conn.describe() == "FixedProbabilityConnector(p_connect=0.25, allow_self_connections=False)"
    assert "d_expression='d<3'" in DistanceDependentProbabilityConnector("d<3").describe()
    seen = []
    FixedProbabilityConnector(0.5, callback=seen.append).connect_indices(make_ctx(10, 10))
    assert seen and seen[-1] == 1.0
    with pytest.raises(InvalidParameterValueError, match="rng="):
        FixedProbabilityConnector(0.1, rng=42)


def test_fixed_number_fallback_completion_keeps_exact_distinct_degrees(monkeypatch):
    from lamina.connectors import fixed_number
    # a draw budget of exactly `target` values leaves most rows short of distinct values,
    # forcing the completion path
    monkeypatch.setattr(fixed_number, "_draw_budget", lambda target, pool: target.copy())
    pre, post, _ = FixedNumberPreConnector(30, rng=NumpyRNG(3)).connect_indices(make_ctx(70, 500))
    np.testing.assert_array_equal(np.bincount(post, minlength=500), np.full(500, 30))
    assert len(pairs(pre, post)) == len(pre)
    chosen = np.bincount(pre, minlength=70)
    assert chi2_pvalue(chosen, stats.binom(500, 30 / 70).pmf, np.arange(501)) > P_MIN
