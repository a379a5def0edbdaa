"""``pyNN.random``: lamina's generators and distributions, with PyNN's extra names.

There is no GSL in lamina: ``have_gsl`` is False and `GSLRNG` draws from numpy's PCG64
(the same distributions, a different stream than PyNN's GSL generator would give).
"""
from __future__ import annotations

import abc
import logging

from lamina.random import (AVAILABLE_DISTRIBUTIONS, NativeRNG, NumpyRNG,  # noqa: F401
                           RandomDistribution, _MAX_RESAMPLE_ROUNDS)

logger = logging.getLogger(__name__)

#: distribution name -> parameter names (PyNN's name for the table)
available_distributions = AVAILABLE_DISTRIBUTIONS
#: how often a clipped distribution redraws out-of-range values before giving up
MAX_REDRAWS = _MAX_RESAMPLE_ROUNDS
have_gsl = False


class AbstractRNG(abc.ABC):
    """Base class of every random number generator (``isinstance`` checks only)."""


class WrappedRNG(AbstractRNG):
    """Base class of generators that wrap another library's (``isinstance`` checks only)."""


class GSLRNG(NumpyRNG):
    """PyNN's GSL generator. lamina has no GSL binding: this draws from numpy (PCG64)
    with the given seed, so scripts run, with a different random stream than GSL's."""

    def __init__(self, seed: int | None = None, type: str = "mt19937",
                 parallel_safe: bool = True) -> None:
        logger.warning("GSLRNG: lamina has no GSL; drawing from numpy's PCG64 instead")
        super().__init__(seed, parallel_safe)


for _cls in (NumpyRNG, NativeRNG):
    WrappedRNG.register(_cls)


def get_mpi_config() -> tuple[int, int]:
    """(rank, number of processes) of this MPI process ((0, 1) without a simulation)."""
    from lamina.core import simulation
    try:
        backend = simulation.current().backend
    except Exception:  # noqa: BLE001 - not set up: one process
        return 0, 1
    return backend.rank, backend.num_processes


__all__ = ["AbstractRNG", "GSLRNG", "MAX_REDRAWS", "NativeRNG", "NumpyRNG",
           "RandomDistribution", "WrappedRNG", "available_distributions", "get_mpi_config",
           "have_gsl"]
