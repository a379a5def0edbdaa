"""The engine's counter-based random numbers: one 64-bit mixing function, written once.

Every random number the engine draws inside its compiled loops (Poisson counts, GIF
escape noise, stochastic synapses) is a pure function of a key and counters (seed, reset
segment, cell or connection, step, draw index), hashed by the SplitMix64 finaliser
(Steele, Lea & Flood 2014): results then do not depend on threads, chunking or run
splitting. The same finaliser is given here for numba code (`mix64`), numpy arrays
(`mix64_array`) and Python integers (`mix64_int`); all three give the same bits.
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["GOLDEN", "MIX1", "MIX2", "mix64", "unit_float", "mix64_array", "mix64_int"]

GOLDEN = 0x9E3779B97F4A7C15   # 2^64 / golden ratio: the counter increment
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
_MASK64 = (1 << 64) - 1


@njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64 finaliser of a uint64 (numba)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def unit_float(z):
    """The top 53 bits of a uint64 as a float in [0, 1) (numba)."""
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def mix64_array(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser of a uint64 array (numpy, wrapping arithmetic)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    return z ^ (z >> np.uint64(31))


def mix64_int(z: int) -> int:
    """SplitMix64 finaliser of a Python integer (taken modulo 2^64)."""
    z &= _MASK64
    z = ((z ^ (z >> 30)) * MIX1) & _MASK64
    z = ((z ^ (z >> 27)) * MIX2) & _MASK64
    return z ^ (z >> 31)
