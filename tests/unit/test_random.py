"""Tests of lamina.random: generators, distributions, parameter checking."""
import numpy as np
import pytest
from scipy import stats

from lamina.errors import InvalidParameterValueError, NonExistentParameterError
from lamina.random import (AVAILABLE_DISTRIBUTIONS, NativeRNG, NumpyRNG, RandomDistribution,
                           default_rng, set_default_seed)

N = 20_000
SEED = 20240611
P_MIN = 1e-3  # KS p-value threshold at a fixed seed

CONTINUOUS = [
    ("uniform", {"low": -2.0, "high": 3.0}, stats.uniform(loc=-2.0, scale=5.0)),
    ("normal", {"mu": 1.5, "sigma": 0.7}, stats.norm(1.5, 0.7)),
    ("exponential", {"beta": 2.5}, stats.expon(scale=2.5)),
    ("gamma", {"k": 2.0, "theta": 0.1}, stats.gamma(a=2.0, scale=0.1)),
    ("lognormal", {"mu": 0.3, "sigma": 0.5}, stats.lognorm(s=0.5, scale=np.exp(0.3))),
    ("vonmises", {"mu": 0.5, "kappa": 2.0}, stats.vonmises(2.0, loc=0.5)),
    ("normal_clipped", {"mu": 0.0, "sigma": 1.0, "low": -0.5, "high": 1.5},
     stats.truncnorm(-0.5, 1.5)),
]

DISCRETE = [  # name, parameters, analytic mean, analytic variance
    ("uniform_int", {"low": 3, "high": 9}, 5.5, (6 ** 2 - 1) / 12),
    ("poisson", {"lambda_": 4.2}, 4.2, 4.2),
    ("binomial", {"n": 20, "p": 0.3}, 6.0, 20 * 0.3 * 0.7),
]


@pytest.mark.parametrize("name, params, dist", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_distribution_matches_scipy(name, params, dist):
    values = RandomDistribution(name, rng=NumpyRNG(SEED), **params).next(N)
    assert values.shape == (N,) and values.dtype == np.float64
    assert stats.kstest(values, dist.cdf).pvalue > P_MIN
    # sample mean within 5 standard errors of the analytic mean
    assert abs(values.mean() - dist.mean()) < 5 * dist.std() / np.sqrt(N)
    # sample variance within 10% of the analytic variance
    assert values.var() == pytest.approx(dist.var(), rel=0.1)


@pytest.mark.parametrize("name, params, mean, var", DISCRETE, ids=[d[0] for d in DISCRETE])
def test_discrete_distribution_moments(name, params, mean, var):
    values = RandomDistribution(name, rng=NumpyRNG(SEED), **params).next(N)
    assert values.dtype == np.int64
    assert abs(values.mean() - mean) < 5 * np.sqrt(var / N)
    assert values.var() == pytest.approx(var, rel=0.1)


def test_uniform_int_range_excludes_high():
    values = RandomDistribution("uniform_int", low=3, high=9, rng=NumpyRNG(1)).next(5000)
    assert set(np.unique(values)) == set(range(3, 9))


def test_binomial_chi_squared():
    values = RandomDistribution("binomial", n=10, p=0.4, rng=NumpyRNG(SEED)).next(N)
    observed = np.bincount(values, minlength=11)
    expected = stats.binom(10, 0.4).pmf(np.arange(11)) * N
    keep = expected > 5
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    assert stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > P_MIN


def test_normal_clipped_stays_within_bounds():
    values = RandomDistribution("normal_clipped", mu=0.0, sigma=2.0, low=-1.0, high=0.5,
                                rng=NumpyRNG(3)).next(10_000)
    assert values.min() >= -1.0 and values.max() <= 0.5


def test_normal_clipped_to_boundary_puts_tail_mass_on_bounds():
    low, high = -1.0, 0.5
    values = RandomDistribution("normal_clipped_to_boundary", mu=0.0, sigma=1.0, low=low,
                                high=high, rng=NumpyRNG(SEED)).next(N)
    assert values.min() == low and values.max() == high
    # fraction at each bound equals the normal tail mass, within 5 binomial std errors
    for frac, p in (((values == low).mean(), stats.norm.cdf(low)),
                    ((values == high).mean(), stats.norm.sf(high))):
        assert abs(frac - p) < 5 * np.sqrt(p * (1 - p) / N)


def test_positional_parameters_map_to_names_in_order():
    rd = RandomDistribution("gamma", [2.0, 0.1])
    assert rd.parameters == {"k": 2.0, "theta": 0.1}
    assert RandomDistribution("uniform", (0, 1)).parameters == {"low": 0, "high": 1}
    a = RandomDistribution("normal_clipped", [0.0, 1.0, -1.0, 1.0], rng=NumpyRNG(5)).next(100)
    b = RandomDistribution("normal_clipped", mu=0.0, sigma=1.0, low=-1.0, high=1.0,
                           rng=NumpyRNG(5)).next(100)
    np.testing.assert_array_equal(a, b)


def test_positional_wrong_count_raises():
    with pytest.raises(InvalidParameterValueError, match=r"gamma.*2 positional.*k, theta"):
        RandomDistribution("gamma", [2.0])


def test_positional_and_named_together_raise():
    with pytest.raises(InvalidParameterValueError, match="either by position"):
        RandomDistribution("normal", [0.0, 1.0], mu=0.0)


def test_unknown_distribution_lists_valid_ones_with_hint():
    with pytest.raises(InvalidParameterValueError) as info:
        RandomDistribution("gausian", mu=0, sigma=1)
    msg = str(info.value)
    assert "'gausian'" in msg and "normal_clipped" in msg and "vonmises" in msg
    with pytest.raises(InvalidParameterValueError, match="Did you mean `normal`"):
        RandomDistribution("normall", mu=0, sigma=1)


def test_unknown_parameter_name():
    with pytest.raises(NonExistentParameterError) as info:
        RandomDistribution("normal", mu=0.0, sigmaa=1.0)
    msg = str(info.value)
    assert "'normal'" in msg and "sigmaa" in msg and "`sigma`" in msg and "mu, sigma" in msg


def test_missing_parameter():
    with pytest.raises(InvalidParameterValueError, match=r"gamma.*missing.*theta.*needs: k, theta"):
        RandomDistribution("gamma", k=2.0)


@pytest.mark.parametrize("name, params, fragment", [
    ("normal", {"mu": 0, "sigma": -1}, "sigma=-1"),
    ("uniform", {"low": 2, "high": 1}, "low=2"),
    ("uniform_int", {"low": 1, "high": 1}, "low=1"),
    ("uniform_int", {"low": 0.5, "high": 3}, "integer"),
    ("binomial", {"n": 10, "p": 1.5}, "p=1.5"),
    ("binomial", {"n": -1, "p": 0.5}, "n=-1"),
    ("gamma", {"k": 0, "theta": 1}, "k=0"),
    ("exponential", {"beta": -2}, "beta=-2"),
    ("poisson", {"lambda_": -0.1}, "lambda_=-0.1"),
    ("vonmises", {"mu": 0, "kappa": -1}, "kappa=-1"),
    ("normal_clipped", {"mu": 0, "sigma": 1, "low": 1, "high": -1}, "low=1"),
    ("normal", {"mu": "zero", "sigma": 1}, "real number"),
    ("normal", {"mu": float("nan"), "sigma": 1}, "NaN"),
])
def test_invalid_values_raise(name, params, fragment):
    with pytest.raises(InvalidParameterValueError, match=fragment) as info:
        RandomDistribution(name, **params)
    assert name in str(info.value)


def test_every_distribution_has_a_method_with_pynn_parameter_names():
    rng = NumpyRNG(1)
    for name, names in AVAILABLE_DISTRIBUTIONS.items():
        method = getattr(rng, name)
        assert method.__code__.co_varnames[1:1 + len(names)] == names


def test_scalar_and_empty_draws():
    rd = RandomDistribution("normal", mu=0.0, sigma=1.0, rng=NumpyRNG(2))
    assert isinstance(rd.next(), float)
    assert isinstance(RandomDistribution("poisson", lambda_=2, rng=NumpyRNG(2)).next(), int)
    assert rd.next(0).shape == (0,)


def test_same_seed_same_values_and_different_seed_differs():
    a = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(42)).next(50)
    b = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(42)).next(50)
    c = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(43)).next(50)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_mask_parallel_safe_returns_subset_of_full_draw():
    full = NumpyRNG(7).next(100, "normal", {"mu": 0.0, "sigma": 1.0})
    mask = np.zeros(100, dtype=bool)
    mask[[3, 10, 55]] = True
    np.testing.assert_array_equal(
        NumpyRNG(7).next(100, "normal", {"mu": 0.0, "sigma": 1.0}, mask=mask), full[mask])
    np.testing.assert_array_equal(
        NumpyRNG(7).next(100, "normal", {"mu": 0.0, "sigma": 1.0}, mask=np.array([55, 3])),
        full[[55, 3]])


def test_mask_not_parallel_safe_draws_only_needed():
    rng = NumpyRNG(7, parallel_safe=False)
    values = rng.next(100, "uniform", {"low": 0.0, "high": 1.0}, mask=np.arange(100) < 5)
    assert values.shape == (5,)


def test_mask_with_wrong_length_raises():
    with pytest.raises(InvalidParameterValueError, match=r"mask.*\(10,\)"):
        NumpyRNG(1).next(10, mask=np.ones(4, dtype=bool))


def test_next_default_is_uniform_01_and_sequence_parameters():
    values = NumpyRNG(1).next(1000)
    assert 0.0 <= values.min() and values.max() < 1.0
    np.testing.assert_array_equal(NumpyRNG(1).next(5, "gamma", [2.0, 1.0]),
                                  NumpyRNG(1).next(5, "gamma", {"k": 2.0, "theta": 1.0}))


def test_invalid_seed():
    with pytest.raises(InvalidParameterValueError, match="seed=-3"):
        NumpyRNG(seed=-3)


def test_native_rng_behaves_as_numpy_rng_with_same_seed():
    np.testing.assert_array_equal(NativeRNG(11).next(20), NumpyRNG(11).next(20))
    assert NativeRNG(11).seed == 11


def test_default_rng_is_seeded_and_reseedable():
    set_default_seed(99)
    a = RandomDistribution("normal", mu=0.0, sigma=1.0).next(10)
    set_default_seed(99)
    b = RandomDistribution("normal", mu=0.0, sigma=1.0).next(10)
    np.testing.assert_array_equal(a, b)
    assert default_rng().seed == 99


def test_repr_and_attributes():
    rng = NumpyRNG(5)
    rd = RandomDistribution("normal", mu=-65.0, sigma=2.0, rng=rng)
    assert rd.name == "normal" and rd.rng is rng
    assert rd.parameters == {"mu": -65.0, "sigma": 2.0}
    text = repr(rd)
    assert "normal" in text and "mu=-65.0" in text and "sigma=2.0" in text and "seed=5" in text
    assert str(rd) == text
