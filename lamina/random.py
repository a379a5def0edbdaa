"""Random number generators and random distributions (PyNN's ``pyNN.random`` API).

`NumpyRNG` wraps a :class:`numpy.random.Generator` (PCG64 bit generator) and draws from
the named distributions listed in `AVAILABLE_DISTRIBUTIONS`, using PyNN's parameter
names. `RandomDistribution` binds a distribution name, its parameters and an RNG, and is
accepted wherever a cell or synapse parameter value is.

When no RNG is given, a module-level default generator is used. It is seeded
(`DEFAULT_SEED`) so that runs are reproducible; reseed it with `set_default_seed`.

Parallel safety: with ``parallel_safe=True`` a draw of ``n`` values with a ``mask``
draws all ``n`` values and returns the masked ones, so the value given to a given cell
does not depend on how cells are distributed over processes.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lamina.errors import (InvalidParameterValueError, NonExistentParameterError,
                           valid_names_hint)

logger = logging.getLogger(__name__)

#: distribution name -> its parameter names, in the order used by the positional form
AVAILABLE_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "uniform_int": ("low", "high"),
    "normal": ("mu", "sigma"),
    "normal_clipped": ("mu", "sigma", "low", "high"),
    "normal_clipped_to_boundary": ("mu", "sigma", "low", "high"),
    "exponential": ("beta",),
    "gamma": ("k", "theta"),
    "lognormal": ("mu", "sigma"),
    "poisson": ("lambda_",),
    "binomial": ("n", "p"),
    "vonmises": ("mu", "kappa"),
}
_INTEGER_DISTRIBUTIONS = frozenset({"uniform_int", "poisson", "binomial"})
_MAX_RESAMPLE_ROUNDS = 1000

#: seed of the default generator used when no RNG is given
DEFAULT_SEED = 4_294_967


def _fail(dist: str, name: str, value: Any, allowed: str) -> None:
    raise InvalidParameterValueError(
        f"{dist} distribution: parameter {name}={value!r} is invalid; {allowed}")


def check_parameters(distribution: str, parameters: Mapping[str, Any]) -> dict[str, float]:
    """Validate the parameters of a named distribution.

    Parameters
    ----------
    distribution : str — one of `AVAILABLE_DISTRIBUTIONS`
    parameters : mapping — parameter name -> value (PyNN names)

    Returns
    -------
    dict — the parameters as Python numbers, in the distribution's canonical order

    Raises
    ------
    InvalidParameterValueError — unknown distribution, missing parameter or bad value
    NonExistentParameterError — a parameter name the distribution does not have
    """
    if distribution not in AVAILABLE_DISTRIBUTIONS:
        raise InvalidParameterValueError(
            f"distribution={distribution!r} is not available; valid distributions are: "
            + ", ".join(sorted(AVAILABLE_DISTRIBUTIONS)) + "."
            + valid_names_hint(str(distribution), AVAILABLE_DISTRIBUTIONS))
    names = AVAILABLE_DISTRIBUTIONS[distribution]
    for key in parameters:
        if key not in names:
            raise NonExistentParameterError(key, f"the {distribution!r} distribution", names)
    missing = [key for key in names if key not in parameters]
    if missing:
        raise InvalidParameterValueError(
            f"{distribution} distribution: missing parameter(s) {', '.join(missing)}; "
            f"it needs: {', '.join(names)}")
    values: dict[str, float] = {}
    for key in names:
        value = parameters[key]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            _fail(distribution, key, value, "expected a real number")
        if math.isnan(float(value)):
            _fail(distribution, key, value, "NaN is not allowed")
        values[key] = value.item() if isinstance(value, np.generic) else value
    _check_values(distribution, values)
    return values


def _check_values(dist: str, v: dict[str, float]) -> None:
    if dist in ("uniform", "uniform_int"):
        if not (math.isfinite(v["low"]) and math.isfinite(v["high"])):
            _fail(dist, "low/high", (v["low"], v["high"]), "both must be finite")
        if dist == "uniform" and v["low"] > v["high"]:
            _fail(dist, "low", v["low"], f"must be <= high={v['high']!r}")
        if dist == "uniform_int":
            for key in ("low", "high"):
                if float(v[key]) != int(v[key]):
                    _fail(dist, key, v[key], "must be an integer")
            if v["low"] >= v["high"]:
                _fail(dist, "low", v["low"], f"must be < high={v['high']!r} (high is excluded)")
    if "sigma" in v and v["sigma"] < 0:
        _fail(dist, "sigma", v["sigma"], "must be >= 0")
    if dist.startswith("normal_clipped") and v["low"] > v["high"]:
        _fail(dist, "low", v["low"], f"must be <= high={v['high']!r}")
    if dist == "normal_clipped" and v["sigma"] == 0 and not v["low"] <= v["mu"] <= v["high"]:
        _fail(dist, "mu", v["mu"], "with sigma=0, mu must lie within [low, high]")
    if dist == "exponential" and not v["beta"] > 0:
        _fail(dist, "beta", v["beta"], "must be > 0 (it is the mean)")
    if dist == "gamma":
        for key in ("k", "theta"):
            if not v[key] > 0:
                _fail(dist, key, v[key], "must be > 0")
    if dist == "poisson" and not v["lambda_"] >= 0:
        _fail(dist, "lambda_", v["lambda_"], "must be >= 0")
    if dist == "binomial":
        if float(v["n"]) != int(v["n"]) or v["n"] < 0:
            _fail(dist, "n", v["n"], "must be a non-negative integer")
        if not 0 <= v["p"] <= 1:
            _fail(dist, "p", v["p"], "must lie in [0, 1]")
    if dist == "vonmises" and not v["kappa"] >= 0:
        _fail(dist, "kappa", v["kappa"], "must be >= 0")


class NumpyRNG:
    """Random number generator backed by numpy's PCG64.

    Parameters
    ----------
    seed : int or None — seed; None draws one from the operating system (not reproducible)
    parallel_safe : bool — if True, masked draws draw every value and return the masked
        ones, so results do not depend on the number of processes

    Attributes
    ----------
    seed, parallel_safe
    rng : numpy.random.Generator — the wrapped generator
    """

    def __init__(self, seed: int | None = None, parallel_safe: bool = True) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                                 or seed < 0):
            raise InvalidParameterValueError(
                f"seed={seed!r} is invalid; expected a non-negative integer or None")
        self.seed = None if seed is None else int(seed)
        self.parallel_safe = bool(parallel_safe)
        if self.seed is not None and not self.parallel_safe:
            # as PyNN: each MPI process draws its own stream (its part of the network)
            self.seed += _mpi_rank()
        self.rng = np.random.Generator(np.random.PCG64(self.seed))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed!r}, parallel_safe={self.parallel_safe})"

    __str__ = __repr__

    # -- generic draw ------------------------------------------------------------------
    def next(self, n: int | None = None, distribution: str = "uniform",
             parameters: Mapping[str, Any] | Sequence[Any] | None = None,
             mask: np.ndarray | None = None) -> Any:
        """Draw from a named distribution.

        Parameters
        ----------
        n : int or None — number of values; None returns one scalar
        distribution : str — one of `AVAILABLE_DISTRIBUTIONS`
        parameters : dict or sequence — PyNN parameter names -> values (a sequence is
            mapped to the names in order); None means uniform on [0, 1)
        mask : bool array of length n, or int index array, or None — return only these
            values (with ``parallel_safe`` all n values are drawn first)

        Returns
        -------
        float/int if n is None, else ndarray (float64, or int64 for integer distributions)
        """
        if parameters is None:
            if distribution != "uniform":
                raise InvalidParameterValueError(
                    f"parameters=None is only allowed for the uniform distribution, "
                    f"not {distribution!r}")
            parameters = {"low": 0.0, "high": 1.0}
        params = _as_named(distribution, parameters)
        method = getattr(self, distribution)
        if n is None:
            if mask is not None:
                raise InvalidParameterValueError("mask requires n (the full number of values)")
            value = method(size=1, **params)[0]
            return value.item()
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise InvalidParameterValueError(f"n={n!r} is invalid; expected an integer >= 0")
        n = int(n)
        if mask is None:
            return method(size=n, **params)
        mask = np.asarray(mask)
        if mask.dtype == bool:
            if mask.shape != (n,):
                raise InvalidParameterValueError(
                    f"mask has shape {mask.shape}; a boolean mask needs shape ({n},)")
            count = int(mask.sum())
        else:
            if mask.size and (mask.min() < 0 or mask.max() >= n):
                raise InvalidParameterValueError(
                    f"mask indices must lie in [0, {n}); got range "
                    f"[{mask.min()}, {mask.max()}]")
            count = mask.size
        if self.parallel_safe:
            return method(size=n, **params)[mask]
        return method(size=count, **params)

    # -- one method per distribution (PyNN parameter names) ----------------------------
    def uniform(self, low: float, high: float, size: int | None = None) -> np.ndarray:
        """Uniform on [low, high)."""
        return self.rng.uniform(low, high, size)

    def uniform_int(self, low: int, high: int, size: int | None = None) -> np.ndarray:
        """Uniform integers on [low, high) (high excluded, as numpy and PyNN's NumpyRNG)."""
        return self.rng.integers(int(low), int(high), size=size, dtype=np.int64)

    def normal(self, mu: float, sigma: float, size: int | None = None) -> np.ndarray:
        """Normal with mean mu and standard deviation sigma."""
        return self.rng.normal(mu, sigma, size)

    def normal_clipped(self, mu: float, sigma: float, low: float, high: float,
                       size: int | None = None) -> np.ndarray:
        """Normal(mu, sigma) truncated to [low, high]: values outside are redrawn."""
        values = np.atleast_1d(self.rng.normal(mu, sigma, size))
        bad = np.flatnonzero((values < low) | (values > high))
        rounds = 0
        while bad.size:
            rounds += 1
            if rounds > _MAX_RESAMPLE_ROUNDS:
                raise InvalidParameterValueError(
                    f"normal_clipped: [low, high]=[{low}, {high}] holds too little of the "
                    f"normal(mu={mu}, sigma={sigma}) mass to sample from by redrawing")
            redraw = self.rng.normal(mu, sigma, bad.size)
            values[bad] = redraw
            bad = bad[(redraw < low) | (redraw > high)]
        return values

    def normal_clipped_to_boundary(self, mu: float, sigma: float, low: float, high: float,
                                   size: int | None = None) -> np.ndarray:
        """Normal(mu, sigma) with values outside [low, high] set to the nearest bound."""
        return np.clip(self.rng.normal(mu, sigma, size), low, high)

    def exponential(self, beta: float, size: int | None = None) -> np.ndarray:
        """Exponential with scale (mean) beta."""
        return self.rng.exponential(beta, size)

    def gamma(self, k: float, theta: float, size: int | None = None) -> np.ndarray:
        """Gamma with shape k and scale theta (mean k*theta)."""
        return self.rng.gamma(k, theta, size)

    def lognormal(self, mu: float, sigma: float, size: int | None = None) -> np.ndarray:
        """Log-normal: exp of Normal(mu, sigma)."""
        return self.rng.lognormal(mu, sigma, size)

    def poisson(self, lambda_: float, size: int | None = None) -> np.ndarray:
        """Poisson with mean ``lambda_``."""
        return self.rng.poisson(lambda_, size).astype(np.int64)

    def binomial(self, n: int, p: float, size: int | None = None) -> np.ndarray:
        """Binomial: successes in n trials of probability p."""
        return self.rng.binomial(int(n), p, size).astype(np.int64)

    def vonmises(self, mu: float, kappa: float, size: int | None = None) -> np.ndarray:
        """Von Mises (circular normal) on [-pi, pi] with mode mu and concentration kappa."""
        return self.rng.vonmises(mu, kappa, size)


class NativeRNG(NumpyRNG):
    """Marks "use the simulator's own random number generator".

    Backends with a native generator (NEST) draw with it. The built-in engine has none,
    so there a NativeRNG behaves exactly as a `NumpyRNG` with the same seed.
    """


def _as_named(distribution: str, parameters: Mapping[str, Any] | Sequence[Any]) -> dict:
    if isinstance(parameters, Mapping):
        return check_parameters(distribution, dict(parameters))
    if isinstance(parameters, (list, tuple, np.ndarray)):
        names = AVAILABLE_DISTRIBUTIONS.get(distribution)
        if names is None:
            return check_parameters(distribution, {})  # raises: unknown distribution
        values = list(parameters)
        if len(values) != len(names):
            raise InvalidParameterValueError(
                f"{distribution} distribution takes {len(names)} positional parameter(s) "
                f"({', '.join(names)}); got {len(values)}: {values!r}")
        return check_parameters(distribution, dict(zip(names, values)))
    raise InvalidParameterValueError(
        f"parameters={parameters!r} is invalid; expected a dict or a list/tuple of numbers")


_default: NumpyRNG = NumpyRNG(DEFAULT_SEED)


def _mpi_rank() -> int:
    """This process's MPI rank (0 outside an MPI launcher), without initialising MPI in
    an ordinary run."""
    from lamina.distribution import launched_processes
    if launched_processes() <= 1:
        return 0
    from mpi4py import MPI
    return int(MPI.COMM_WORLD.Get_rank())


def default_rng() -> NumpyRNG:
    """Return the generator used when no RNG is given (seeded with `DEFAULT_SEED`)."""
    return _default


def set_default_seed(seed: int) -> None:
    """Replace the default generator by a fresh one seeded with `seed`."""
    global _default
    _default = NumpyRNG(seed)
    logger.debug("default RNG reseeded with %r", seed)


class RandomDistribution:
    """A named distribution with fixed parameters and an RNG.

    Parameters
    ----------
    distribution : str — one of `AVAILABLE_DISTRIBUTIONS`
    parameters_pos : list/tuple or None — parameters by position, in the order of
        `AVAILABLE_DISTRIBUTIONS[distribution]`
    rng : NumpyRNG or None — None uses `default_rng()` at draw time
    **parameters_named : float — parameters by PyNN name (e.g. ``mu=0.0, sigma=1.0``)

    Examples
    --------
    >>> RandomDistribution('gamma', [2.0, 0.1])       # k=2, theta=0.1
    >>> RandomDistribution('normal', mu=-65.0, sigma=2.0, rng=NumpyRNG(seed=1))
    """

    def __init__(self, distribution: str = "uniform",
                 parameters_pos: Sequence[Any] | None = None, rng: NumpyRNG | None = None,
                 **parameters_named: Any) -> None:
        if parameters_pos is not None and parameters_named:
            raise InvalidParameterValueError(
                "give the parameters either by position (parameters_pos) or by name, not both")
        if rng is not None and not isinstance(rng, NumpyRNG):
            raise InvalidParameterValueError(
                f"rng={rng!r} is invalid; expected a NumpyRNG, NativeRNG or None")
        if parameters_pos is not None:
            self.parameters = _as_named(distribution, parameters_pos)
        elif not parameters_named and distribution == "uniform":
            self.parameters = {"low": 0.0, "high": 1.0}
        else:
            self.parameters = check_parameters(distribution, parameters_named)
        self.name = distribution
        self._rng = rng

    @property
    def rng(self) -> NumpyRNG:
        """The RNG drawn from (the default RNG if none was given)."""
        return self._rng if self._rng is not None else default_rng()

    @property
    def is_integer(self) -> bool:
        """True for distributions returning integers (uniform_int, poisson, binomial)."""
        return self.name in _INTEGER_DISTRIBUTIONS

    def next(self, n: int | None = None, mask: np.ndarray | None = None) -> Any:
        """Draw ``n`` values (a scalar if n is None); see `NumpyRNG.next` for `mask`."""
        return self.rng.next(n, self.name, self.parameters, mask=mask)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        rng = "" if self._rng is None else f", rng={self._rng!r}"
        return f"RandomDistribution({self.name!r}, {params}{rng})"

    __str__ = __repr__
