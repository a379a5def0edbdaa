"""Further cell models on the generic adaptive integrator: IF_cond_exp_gsfa_grr,
HH_cond_exp, EIF_cond_exp_isfa_ista, EIF_cond_alpha_isfa_ista, GIF_cond_exp, PointNeuron.

Their per-step logic lives in `cells_ext` (NEST's update order per model), their
right-hand sides in `rhs`, the integrator in `integrators.rk_ext`. This module gives them
the engine's family signature (see `families`).
"""
from __future__ import annotations

from numba import njit

from lamina.backends.engine.cells_ext import update_ext

__all__ = ["update_extended"]


@njit(cache=True, inline="always")
def update_extended(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked, nspk,
                    work):
    """One step of cells i0..i1-1 of an adaptive-RK `kind`; returns the new spike count."""
    return update_ext(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked,
                      nspk)
