"""Spike sources in the step loop: SpikeSourceArray, SpikeSourcePoisson, SpikeSourceGamma,
SpikeSourcePoissonRefractory, SpikeSourceInhGamma.

Sources have no dynamics: their spikes are delivered by the step loop (array and renewal
trains from `inputs`, Poisson counts drawn by `poisson`). Their update only keeps their
ring columns clean (nothing should arrive there; a projection onto a source is refused).
"""
from __future__ import annotations

from numba import njit

__all__ = ["update_source"]


@njit(cache=True, inline="always")
def update_source(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked, nspk,
                  work):
    """Clear ring slot ``n % L`` of source rows i0..i1-1; no spikes (returns `nspk`)."""
    slot = n % L
    for i in range(i0, i1):
        ring[slot, i] = 0.0
        ring[slot, N + i] = 0.0
    return nspk
