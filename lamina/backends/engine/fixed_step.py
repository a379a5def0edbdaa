"""Fixed-step integrators of the conductance-based LIF cells (IF_cond_exp, IF_cond_alpha),
the alternatives to the adaptive RKF45 of `integrators` (numba, ``cache=True``).

Between two time steps the synaptic conductances of these models decay on their own
(IF_cond_exp: ``g(t) = g0 e^{-t/tau}``; IF_cond_alpha: ``dg(t) = dg0 e^{-t/tau}``,
``g(t) = (g0 + t dg0) e^{-t/tau}``), so they are propagated *exactly* with the factors
``exp(-dt/tau_syn)`` the engine already derives (param rows ``P_P11E``/``P_P11I``). What
is left is the membrane equation, linear in V with time-varying coefficients::

    dV/dt = A(t) - B(t) V,   B = 1/tau_m + (g_e + g_i)/cm,
                             A = v_rest/tau_m + (g_e e_rev_E + g_i e_rev_I + i)/cm

(dV/dt = 0 while refractory, as NEST and `integrators`). Two schemes, chosen with
``sim.setup(integrator=...)`` (`INTEGRATORS`):

``"rk4"``
    the classical 4th-order Runge-Kutta step of size dt for V, with A and B taken from the
    exact conductances at t, t + dt/2 and t + dt. Its error is estimated on the fly by the
    embedded 3rd-order solution that reuses the four stages and one more (cheap) stage at
    the new V: ``est = dt/6 |k4 - k5|``. Where ``est > RK4_TOL`` (strong or fast-changing
    conductances, a large dt) the cell's step is redone by the adaptive RKF45 of
    `integrators` (absolute tolerance 1e-6), so the local error of V stays below about
    ``RK4_TOL`` in every step (the 4th-order result propagated is in practice far more
    accurate than the 3rd-order error that is controlled). Spike counts of the Vogels-Abbott
    network and of the NEST validation networks agree with NEST as "rkf45"'s do (see the
    tests in ``tests/validation``), at a fraction of the cost.
``"exponential_euler"``
    Brian 2's default scheme for these models: A and B frozen at the start of the step,
    ``V <- V_inf + (V - V_inf) exp(-B dt)`` with ``V_inf = A/B`` (exact for constant
    conductances, first order in the change of the conductances over the step; no error
    control); conductances exact as above. The cheapest per step; its error grows with dt
    and with fast-changing conductances (about 1e-3 mV per step in the Vogels-Abbott
    network at dt = 0.1 ms), so spike counts deviate from NEST's by more than the
    validation tolerance in some networks. Offered to reproduce Brian 2's results.

Each ``*_step_*`` function makes one branch-free pass over a group (SIMD) and returns the
number of cells it did not finish (``ok[j] = 0``); the family update (`families.lif_cond`)
then integrates those with `integrators.fallback_cond_exp`/``_alpha``, which read the
same ``ok`` row. Results are identical for any thread count or run split (each cell's
update depends only on its own state).
"""
from __future__ import annotations

import math

from numba import njit

from lamina.errors import InvalidParameterValueError

__all__ = ["INTEGRATORS", "DEFAULT_INTEGRATOR", "RK4_TOL", "check_integrator",
           "rk4_step_cond_exp", "rk4_step_cond_alpha", "expeuler_step_cond_exp",
           "expeuler_step_cond_alpha"]

#: the integration schemes of the conductance-based LIF cells, with what each guarantees
INTEGRATORS: dict[str, str] = {
    "rkf45": "adaptive Runge-Kutta-Fehlberg 4(5) per cell, absolute tolerance 1e-6 on "
             "V [mV] and g [uS] (NEST's scheme with a tighter tolerance)",
    "rk4": "fixed-step RK4 for V with exactly decaying conductances; cells whose embedded "
           "error estimate exceeds RK4_TOL are redone with adaptive RKF45",
    "exponential_euler": "Brian 2's exponential Euler for V (conductances frozen over the "
                         "step), conductances exact; no error control",
}
DEFAULT_INTEGRATOR = "rkf45"

#: local error bound [mV] of the "rk4" scheme's embedded 3rd-order estimate, per step
RK4_TOL = 1e-4


def check_integrator(name: object) -> str:
    """`name` if it is one of `INTEGRATORS`.

    Raises
    ------
    InvalidParameterValueError
        for any other value (naming the argument, the value and the known schemes).
    """
    if not isinstance(name, str) or name not in INTEGRATORS:
        raise InvalidParameterValueError(
            f"integrator={name!r}: expected one of "
            + ", ".join(repr(k) for k in INTEGRATORS))
    return name


@njit(cache=True, inline="always")
def _rk4_v(v, h, a0, b0, am, bm, a1, b1):
    """One RK4 step of dV/dt = A(t) - B(t) V with A, B at t, t + h/2, t + h; returns the
    new V and the embedded 3rd-order error estimate h/6 |k4 - k5|."""
    k1 = a0 - b0 * v
    k2 = am - bm * (v + 0.5 * h * k1)
    k3 = am - bm * (v + 0.5 * h * k2)
    y4 = v + h * k3
    k4 = a1 - b1 * y4
    v1 = v + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)
    # k4 - k5 = -b1 (y4 - v1): the 3rd-order FSAL solution differs by h/6 (k4 - k5)
    est = (h / 6.0) * abs(b1 * (y4 - v1))
    return v1, est


@njit(cache=True)
def rk4_step_cond_exp(n, dt, V, GE, GI, R, EL, EE, EI, IOFF, II, ITM, ICM, PE, PI,
                      ov, oe, oi, ok):
    """The "rk4" step of n IF_cond_exp cells: new V, g_e, g_i to ov/oe/oi; ok[j] = 1
    where the error estimate is within `RK4_TOL`, else 0 (the caller redoes those cells).
    Returns the number of cells with ok = 0."""
    rejected = 0
    for j in range(n):
        v = V[j]
        ge = GE[j]
        gi = GI[j]
        pe = PE[j]
        pi = PI[j]
        sme = math.sqrt(pe)
        smi = math.sqrt(pi)
        itm = ITM[j]
        icm = ICM[j]
        ee = EE[j]
        ei = EI[j]
        base = EL[j] * itm + (IOFF[j] + II[j]) * icm
        gem = ge * sme
        gim = gi * smi
        ge1 = ge * pe
        gi1 = gi * pi
        a0 = base + (ge * ee + gi * ei) * icm
        b0 = itm + (ge + gi) * icm
        am = base + (gem * ee + gim * ei) * icm
        bm = itm + (gem + gim) * icm
        a1 = base + (ge1 * ee + gi1 * ei) * icm
        b1 = itm + (ge1 + gi1) * icm
        v1, est = _rk4_v(v, dt, a0, b0, am, bm, a1, b1)
        clamp = R[j] > 0
        ov[j] = v if clamp else v1
        oe[j] = ge1
        oi[j] = gi1
        good = clamp or est <= RK4_TOL
        ok[j] = 1.0 if good else 0.0
        rejected += 0 if good else 1
    return rejected


@njit(cache=True)
def rk4_step_cond_alpha(n, dt, V, GE, DGE, GI, DGI, R, EL, EE, EI, IOFF, II, ITM, ICM,
                        PE, PI, ov, oe, ode, oi, odi, ok):
    """As `rk4_step_cond_exp` for IF_cond_alpha (exact alpha-kernel conductances)."""
    rejected = 0
    hm = 0.5 * dt
    for j in range(n):
        v = V[j]
        ge = GE[j]
        dge = DGE[j]
        gi = GI[j]
        dgi = DGI[j]
        pe = PE[j]
        pi = PI[j]
        sme = math.sqrt(pe)
        smi = math.sqrt(pi)
        itm = ITM[j]
        icm = ICM[j]
        ee = EE[j]
        ei = EI[j]
        base = EL[j] * itm + (IOFF[j] + II[j]) * icm
        gem = (ge + hm * dge) * sme
        gim = (gi + hm * dgi) * smi
        ge1 = (ge + dt * dge) * pe
        gi1 = (gi + dt * dgi) * pi
        a0 = base + (ge * ee + gi * ei) * icm
        b0 = itm + (ge + gi) * icm
        am = base + (gem * ee + gim * ei) * icm
        bm = itm + (gem + gim) * icm
        a1 = base + (ge1 * ee + gi1 * ei) * icm
        b1 = itm + (ge1 + gi1) * icm
        v1, est = _rk4_v(v, dt, a0, b0, am, bm, a1, b1)
        clamp = R[j] > 0
        ov[j] = v if clamp else v1
        oe[j] = ge1
        ode[j] = dge * pe
        oi[j] = gi1
        odi[j] = dgi * pi
        good = clamp or est <= RK4_TOL
        ok[j] = 1.0 if good else 0.0
        rejected += 0 if good else 1
    return rejected


@njit(cache=True, inline="always")
def _expeuler_v(v, h, a0, b0):
    """Exponential Euler for dV/dt = A - B V with A, B frozen: V_inf + (V - V_inf) e^{-Bh}."""
    vinf = a0 / b0
    return vinf + (v - vinf) * math.exp(-h * b0)


@njit(cache=True)
def expeuler_step_cond_exp(n, dt, V, GE, GI, R, EL, EE, EI, IOFF, II, ITM, ICM, PE, PI,
                           ov, oe, oi, ok):
    """The "exponential_euler" step of n IF_cond_exp cells (Brian 2's scheme for V, exact
    conductances); every cell is finished here: ok = 1, returns 0."""
    for j in range(n):
        v = V[j]
        ge = GE[j]
        gi = GI[j]
        itm = ITM[j]
        icm = ICM[j]
        a0 = EL[j] * itm + (IOFF[j] + II[j] + ge * EE[j] + gi * EI[j]) * icm
        b0 = itm + (ge + gi) * icm
        v1 = _expeuler_v(v, dt, a0, b0)
        ov[j] = v if R[j] > 0 else v1
        oe[j] = ge * PE[j]
        oi[j] = gi * PI[j]
        ok[j] = 1.0
    return 0


@njit(cache=True)
def expeuler_step_cond_alpha(n, dt, V, GE, DGE, GI, DGI, R, EL, EE, EI, IOFF, II, ITM, ICM,
                             PE, PI, ov, oe, ode, oi, odi, ok):
    """As `expeuler_step_cond_exp` for IF_cond_alpha (exact alpha-kernel conductances)."""
    for j in range(n):
        v = V[j]
        ge = GE[j]
        dge = DGE[j]
        gi = GI[j]
        dgi = DGI[j]
        pe = PE[j]
        pi = PI[j]
        itm = ITM[j]
        icm = ICM[j]
        a0 = EL[j] * itm + (IOFF[j] + II[j] + ge * EE[j] + gi * EI[j]) * icm
        b0 = itm + (ge + gi) * icm
        v1 = _expeuler_v(v, dt, a0, b0)
        ov[j] = v if R[j] > 0 else v1
        oe[j] = (ge + dt * dge) * pe
        ode[j] = dge * pe
        oi[j] = (gi + dt * dgi) * pi
        odi[j] = dgi * pi
        ok[j] = 1.0
    return 0
