"""Izhikevich (2003) cells, as NEST's izhikevich integrates them: the whole model in one
module — rows computed from the catalogue declaration (`layout`), the translation table,
the compiled update.

Forward Euler with step dt from the old (v, u) (NEST's ``consistent_integration``), the
delta input of the step added to v, then threshold at 30 mV, reset v = c, u += d.
Currents: NEST's I_e [pA] with R = 1 reads as mV/ms, so I = 1000 (i_offset + i_inj).
"""
from __future__ import annotations

from numba import njit

from lamina.backends.engine.layout import from_declaration
from lamina.backends.engine.models import K_IZH, ExtTable
from lamina.models.cells import Izhikevich

__all__ = ["TABLE", "update_izhikevich"]

LAYOUT = from_declaration(Izhikevich)
TABLE = ExtTable(
    "Izhikevich", K_IZH, LAYOUT.params, LAYOUT.state,
    "forward Euler with step dt exactly as NEST izhikevich (consistent_integration): v and "
    "u updated from the old values, delta input added to v in the same step, spike when "
    "v >= 30 mV", False, recordable=("spikes", *LAYOUT.state), nstate=LAYOUT.nstate,
    nparam=LAYOUT.nparam)

# rows, frozen into the compiled update (`assemble` keys its step loops on the layouts)
_A, _B, _C, _D, _I_OFFSET = (LAYOUT.params[k] for k in ("a", "b", "c", "d", "i_offset"))
_V, _U = LAYOUT.state["v"], LAYOUT.state["u"]
V_TH = 30.0   # NEST izhikevich V_th [mV]


@njit(cache=True, inline="always")
def update_izhikevich(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked,
                      nspk, work):
    """One step of Izhikevich cells i0..i1-1; returns the new spike count."""
    slot = n % L
    for i in range(i0, i1):
        inp = ring[slot, i] + ring[slot, N + i]
        ring[slot, i] = 0.0
        ring[slot, N + i] = 0.0
        v = state[_V, i]
        u = state[_U, i]
        i_stim = 1000.0 * iinj[i]               # NEST's I [pA] read as mV/ms
        i_e = 1000.0 * param[_I_OFFSET, i]
        v_new = v + (dt * (0.04 * v * v + 5.0 * v + 140.0 - u + i_stim + i_e) + inp)
        u_new = u + dt * param[_A, i] * (param[_B, i] * v - u)
        if v_new >= V_TH:
            v_new = param[_C, i]
            u_new = u_new + param[_D, i]
            spiked[nspk] = i
            nspk += 1
        state[_V, i] = v_new
        state[_U, i] = u_new
    return nspk
