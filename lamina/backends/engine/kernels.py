"""Spike delivery into the ring buffer (numba, ``cache=True``), shared by every step loop.

A spike emitted in step ``n`` through a synapse with delay ``D`` steps lands in ring slot
``(n + D) % L`` of its target's receptor column; it acts on the state at ``t_{n+1+D}``.
The static CSR is grouped by delay within each source row, so the slot is computed once
per delay group. The step loops themselves are in `step_loop` (assembled per network by
`assemble`), the per-model updates in `families`.
"""
from __future__ import annotations

import logging
import os

import numba
from numba import njit

# numba's default OpenMP threading layer clashes with NEST's OpenMP runtime in one process
# (a later nest.ResetKernel() crashed); the workqueue layer does not. Set before any
# parallel kernel is compiled or loaded, unless the user chose a layer explicitly.
if not os.environ.get("NUMBA_THREADING_LAYER"):
    numba.config.THREADING_LAYER = "workqueue"  # type: ignore[attr-defined]

from lamina.backends.engine.integrators import RK_ATOL  # noqa: E402

logger = logging.getLogger(__name__)

__all__ = ["deliver", "deliver_at", "RK_ATOL"]


@njit(cache=True, inline="always")
def deliver_at(t, row, base, mult, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt, syn_w):
    """Add `mult` x the weights of `row`'s synapses in CSR part `t` to the ring, for a
    spike emitted in a step with ring slot `base` (= step % L, computed once per step by
    the caller: no division per spike).

    The part's synapses of one row are grouped by delay (``row_grp[t, row]`` ..
    ``row_grp[t, row + 1]`` index the groups, ``grp_ptr`` their synapses): the ring slot is
    computed once per group (1 <= delay < L, so one wrap at most) and the inner loop is a
    plain gather-add. `syn_w` holds the per-synapse weights (where needed) followed by one
    weight per group (`static_store.StaticStore.kernel_weights`): a group with one weight
    streams only its targets (4 B per event instead of 12), a group whose entry is NaN
    reads its synapses' own weights. ``mult * w`` is the same number either way (and ``w``
    exactly for mult = 1), so every target sums the same values in the same order.
    """
    g0 = syn_w.shape[0] - grp_delay.shape[0]   # the group weights follow the per-synapse
    for g in range(row_grp[t, row], row_grp[t, row + 1]):
        slot = base + grp_delay[g]
        if slot >= L:
            slot -= L
        wg = syn_w[g0 + g]
        if wg == wg:
            x = mult * wg
            for q in range(grp_ptr[g], grp_ptr[g + 1]):
                ring[slot, syn_tgt[q]] += x
        else:
            for q in range(grp_ptr[g], grp_ptr[g + 1]):
                ring[slot, syn_tgt[q]] += mult * syn_w[q]


@njit(cache=True, inline="always")
def deliver(t, row, emit_step, mult, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt, syn_w):
    """`deliver_at` for a spike emitted in step `emit_step` (any integer)."""
    deliver_at(t, row, emit_step % L, mult, L, ring, row_grp, grp_delay, grp_ptr, syn_tgt,
               syn_w)
