"""Fixed-step integrators of the conductance-based LIF cells (IF_cond_exp, IF_cond_alpha),
the default "taylor" and the alternatives to the adaptive RKF45 of `integrators` (numba,
``cache=True``).

Between two time steps the synaptic conductances of these models decay on their own
(IF_cond_exp: ``g(t) = g0 e^{-t/tau}``; IF_cond_alpha: ``dg(t) = dg0 e^{-t/tau}``,
``g(t) = (g0 + t dg0) e^{-t/tau}``), so they are propagated *exactly* with the factors
``exp(-dt/tau_syn)`` the engine already derives (param rows ``P_P11E``/``P_P11I``). What
is left is the membrane equation, linear in V with time-varying coefficients::

    dV/dt = A(t) - B(t) V,   B = 1/tau_m + (g_e + g_i)/cm,
                             A = v_rest/tau_m + (g_e e_rev_E + g_i e_rev_I + i)/cm

(dV/dt = 0 while refractory, as NEST and `integrators`). ``sim.setup(integrator=...)``
picks the scheme (`INTEGRATORS`; `families.VARIANTS` compiles only the one in use):

``"taylor"`` (the default; 1.9 x faster than "rkf45" in the Vogels-Abbott network)
    the Taylor series of V to dt^6. A and B are sums of exponentials (times t for the
    alpha kernel) whose time derivatives at t are exact and cheap (``g^(k) = (-1/tau)^k g``),
    so the derivatives of V follow from ``V^(k+1) = a_k - sum_j binom(k, j) b_j V^(k-j)``
    (a_k, b_k: k-th derivatives of A, B). Error control: the dt^6 term of the series, the
    error the series to dt^5 would make, must stay within ``TAYLOR_TOL`` (1e-6 mV); the
    propagated V includes that term, so its local error is O(dt^7), far below the bound
    (about 1e-12 mV median, 7e-9 mV at most for the states of the unit tests at dt = 0.1
    ms, against 8e-10 mV median for "rk4"). Where the term is larger (a fast synapse,
    tau_syn of a few dt, just after an input; strong conductances or a coarse dt: the
    series converges slowly) the cell's step is redone by the adaptive RKF45 of
    `integrators`, i.e. by NEST's own arithmetic. Guarantee: a step is accepted only
    where the series to dt^5 is estimated (by its next term) to be within ``TAYLOR_TOL``
    of the exact V; the V taken is one order better, its error is the dt^7 remainder,
    smaller than the bound by about ``dt max(B, 1/tau_syn) / 7``. Measured: in the
    Vogels-Abbott COBA network V stays within 1.4e-9 mV (median; 8.7e-7 mV at the 99.9th
    percentile) of "rkf45"'s, with the same 24,418 spikes in 400 ms; every spike train is
    NEST's on the grid in the NEST validation networks and in 16 runs (8 seeds, both
    models) of a 12-cell recurrent network where IF_cond_alpha has its 0.3 ms synapses
    ("rk4" moved a crossing by a step there, ``tests/validation/test_fixed_step_vs_nest``);
    in the cross-backend IF_cond_alpha network V is within 1.7e-7 mV of NEST's (median;
    "rkf45" 1.2e-7, "rk4" 6.8e-5). Compiled with FMA contraction (``fastmath={"contract"}``):
    the same code for every cell, so still the same results for any thread count.
``"rk4"`` (2.1 x faster than "rkf45" in the Vogels-Abbott network)
    the classical 4th-order Runge-Kutta step of size dt for V, with A and B taken from the
    exact conductances at t, t + dt/2 and t + dt. Its error is estimated by the embedded
    3rd-order solution that reuses the four stages plus one cheap stage at the new V,
    ``est = dt/6 |k4 - k5|``; where ``est > RK4_TOL`` (1e-4 mV: strong or fast-changing
    conductances, a coarse dt) the cell's step is redone by the adaptive RKF45 of
    `integrators` (tolerance 1e-6), starting from the step size of its previous RKF45
    step. Guarantee: the local error of V per step stays below ``RK4_TOL`` wherever
    ``dt B <= 1`` (for frozen coefficients the RK4 error is ``0.6 dt B`` times ``est``;
    the decay of the conductances within the step adds terms smaller by ``dt/tau_syn``).
    Measured in the states of the Vogels-Abbott network (dt = 0.1 ms): errors of the
    accepted steps about est/6, at most 4e-5 mV against the exact step; 3e-6 of its
    cell-steps redone (0.5 % at RK4_TOL = 1e-5, which costs about a third more run
    time). In the NEST validation networks V stays within 1e-5 mV of NEST's and every
    spike time is NEST's (``tests/validation``). Not the default: its errors after each
    input to a fast synapse (about 1e-5 mV, always of one sign) add up (V 7e-5 mV from
    NEST's), and a threshold crossing within about RK4_TOL of v_thresh can move by one
    step, and a network then diverges
    from NEST's (measured: one IF_cond_alpha cell of 12 in the cross-backend network of
    ``tests/system/test_cross_backend.py``, 137.4 -> 137.5 ms, then 39 instead of 40
    spikes in all).
``"rkf45"``
    NEST's scheme, `integrators` (V to round-off of NEST's iaf_cond_exp/iaf_cond_alpha).
``"exponential_euler"``
    Brian 2's default scheme for these models: A and B frozen at the start of the step,
    ``V <- V_inf + (V - V_inf) exp(-B dt)`` with ``V_inf = A/B`` (exact for constant
    conductances, first order in their change over the step; no error control); the
    conductances exact as above (what Brian 2's exponential Euler gives for
    IF_cond_exp). Errors of about 1e-2 mV per step in active networks at dt = 0.1 ms:
    per-cell spike trains drift from NEST's (the validation networks' totals stay within
    about 3 %). Offered to reproduce Brian 2's results, not for speed: it costs about what
    "rk4" does.

Each ``*_step_*`` function makes one branch-free pass over a group (SIMD) and writes the
new state to scratch rows with ``ok[j] = 0`` for the cells it did not finish; the family
update (`families.lif_cond`) integrates those with `integrators.fallback_cond_exp` /
``_alpha`` and then applies refractoriness, threshold, reset and the ring input as for
"rkf45". Each cell's update depends on its own state alone, so results are the same for
any thread count or run split.
"""
from __future__ import annotations

import math

from numba import njit

from lamina.errors import InvalidParameterValueError

__all__ = ["INTEGRATORS", "DEFAULT_INTEGRATOR", "RK4_TOL", "TAYLOR_TOL", "check_integrator",
           "taylor_step_cond_exp", "taylor_step_cond_alpha",
           "rk4_step_cond_exp", "rk4_step_cond_alpha", "expeuler_step_cond_exp",
           "expeuler_step_cond_alpha", "expeuler_v"]

#: the integration schemes of the conductance-based LIF cells, with what each guarantees
INTEGRATORS: dict[str, str] = {
    "rkf45": "adaptive Runge-Kutta-Fehlberg 4(5) per cell, absolute tolerance 1e-6 on "
             "V [mV] and g [uS] (NEST's scheme with a tighter tolerance)",
    "rk4": "fixed-step RK4 for V with exactly decaying conductances; cells whose embedded "
           "error estimate exceeds RK4_TOL are redone with adaptive RKF45",
    "taylor": "Taylor series to 6th order in dt for V with exactly decaying conductances; "
              "cells whose 6th-order term exceeds TAYLOR_TOL are redone with adaptive RKF45",
    "exponential_euler": "Brian 2's exponential Euler for V (conductances frozen over the "
                         "step), conductances exact; no error control",
}
DEFAULT_INTEGRATOR = "taylor"

#: local error bound [mV] of the "rk4" scheme's embedded 3rd-order estimate, per step
RK4_TOL = 1e-4
#: bound [mV] on the h^6 term of the "taylor" scheme's series, per step
TAYLOR_TOL = 1e-6


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


@njit(cache=True, inline="always")
def _rk4_cell(v, dt, base, itm, icm, ee, ei, ge, gi, gem, gim, ge1, gi1, clamp):
    """One cell's "rk4" step given its conductances at t, t + dt/2 and t + dt (`base`:
    the conductance-free part of A); returns the new V (v if `clamp`: refractory) and
    whether the step is accepted (error estimate within `RK4_TOL`, or clamped)."""
    a0 = base + (ge * ee + gi * ei) * icm
    b0 = itm + (ge + gi) * icm
    am = base + (gem * ee + gim * ei) * icm
    bm = itm + (gem + gim) * icm
    a1 = base + (ge1 * ee + gi1 * ei) * icm
    b1 = itm + (ge1 + gi1) * icm
    v1, est = _rk4_v(v, dt, a0, b0, am, bm, a1, b1)
    return (v if clamp else v1), (clamp or est <= RK4_TOL)


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
        ge1 = ge * pe
        gi1 = gi * pi
        ov[j], good = _rk4_cell(v, dt, base, itm, icm, ee, ei, ge, gi, ge * sme, gi * smi,
                                ge1, gi1, R[j] > 0)
        oe[j] = ge1
        oi[j] = gi1
        ok[j] = 1.0 if good else 0.0
        rejected += 0 if good else 1
    return rejected


@njit(cache=True)
def rk4_step_cond_alpha(n, dt, V, GE, DGE, GI, DGI, R, EL, EE, EI, IOFF, II, ITM, ICM,
                        PE, PI, ov, oe, ode, oi, odi, ok):
    """The "rk4" integration of n IF_cond_alpha cells (exact alpha-kernel conductances):
    new V, g_e, dg_e, g_i, dg_i to ov/oe/ode/oi/odi; ok[j] = 1 where the error estimate
    is within `RK4_TOL`, else 0 (the caller redoes those cells). Returns their number."""
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
        ge1 = (ge + dt * dge) * pe
        gi1 = (gi + dt * dgi) * pi
        ov[j], good = _rk4_cell(v, dt, base, itm, icm, ee, ei, ge, gi, (ge + hm * dge) * sme,
                                (gi + hm * dgi) * smi, ge1, gi1, R[j] > 0)
        oe[j] = ge1
        ode[j] = dge * pe
        oi[j] = gi1
        odi[j] = dgi * pi
        ok[j] = 1.0 if good else 0.0
        rejected += 0 if good else 1
    return rejected


@njit(cache=True, inline="always")
def _taylor_v(v, h, c0, c1, c2, c3, c4, c5, b0, b1, b2, b3, b4, b5):
    """V after h by the Taylor series to h^6 of dV/dt = a(t) - b(t) V, from c_k = a_k - b_k v
    and b_k (k-th time derivatives of a and b at the start); returns the new V and the
    size of its h^6 term (the error of the series to h^5: the error estimate)."""
    # y_{k+1} = c_k - sum_{j<k} binom(k, j) b_j y_{k-j}: the derivatives of V
    y1 = c0
    y2 = c1 - b0 * y1
    y3 = c2 - 2.0 * b1 * y1 - b0 * y2
    y4 = c3 - 3.0 * (b2 * y1 + b1 * y2) - b0 * y3
    y5 = c4 - 4.0 * (b3 * y1 + b1 * y3) - 6.0 * b2 * y2 - b0 * y4
    y6 = c5 - 5.0 * (b4 * y1 + b1 * y4) - 10.0 * (b3 * y2 + b2 * y3) - b0 * y5
    t6 = y6 * (1.0 / 720.0)
    v1 = v + h * (y1 + h * (y2 * 0.5 + h * (y3 * (1.0 / 6.0) + h * (
        y4 * (1.0 / 24.0) + h * (y5 * (1.0 / 120.0) + h * t6)))))
    h3 = h * h * h
    return v1, abs(h3 * h3 * t6)


@njit(cache=True, fastmath={"contract"})
def taylor_step_cond_exp(n, dt, V, GE, GI, R, EL, EE, EI, IOFF, II, ITM, ICM, PE, PI, ITE,
                         ITI, ov, oe, oi, ok):
    """The "taylor" step of n IF_cond_exp cells: new V, g_e, g_i to ov/oe/oi; ok[j] = 1
    where the error estimate is within `TAYLOR_TOL` (or the cell is refractory), else 0
    (the caller redoes those cells with adaptive RKF45). Returns the number with ok = 0."""
    rejected = 0
    for j in range(n):
        v = V[j]
        ge = GE[j]
        gi = GI[j]
        icm = ICM[j]
        me = -ITE[j]
        mi = -ITI[j]
        # k-th derivatives of g_e (EE - v)/cm and g_e/cm (g = g0 e^{-t/tau}): factor me^k
        ce = ge * (EE[j] - v) * icm
        ci = gi * (EI[j] - v) * icm
        be = ge * icm
        bi = gi * icm
        c0 = EL[j] * ITM[j] + (IOFF[j] + II[j]) * icm - ITM[j] * v + ce + ci
        b0 = ITM[j] + be + bi
        ce1 = ce * me
        ci1 = ci * mi
        be1 = be * me
        bi1 = bi * mi
        ce2 = ce1 * me
        ci2 = ci1 * mi
        be2 = be1 * me
        bi2 = bi1 * mi
        ce3 = ce2 * me
        ci3 = ci2 * mi
        be3 = be2 * me
        bi3 = bi2 * mi
        ce4 = ce3 * me
        ci4 = ci3 * mi
        be4 = be3 * me
        bi4 = bi3 * mi
        v1, est = _taylor_v(v, dt, c0, ce1 + ci1, ce2 + ci2, ce3 + ci3, ce4 + ci4,
                            ce4 * me + ci4 * mi, b0, be1 + bi1, be2 + bi2, be3 + bi3,
                            be4 + bi4, be4 * me + bi4 * mi)
        clamp = R[j] > 0
        good = clamp | (est <= TAYLOR_TOL)
        ov[j] = v if clamp else v1
        oe[j] = ge * PE[j]
        oi[j] = gi * PI[j]
        ok[j] = 1.0 if good else 0.0
        rejected += 0 if good else 1
    return rejected


@njit(cache=True, inline="always")
def _alpha_ders(g, dg, m):
    """g and its first five time derivatives at t = 0 for g(t) = (g + t dg) e^{m t}."""
    g1 = m * g + dg
    d1 = m * dg
    g2 = m * g1 + d1
    d2 = m * d1
    g3 = m * g2 + d2
    d3 = m * d2
    g4 = m * g3 + d3
    return g1, g2, g3, g4, m * g4 + m * d3


@njit(cache=True, fastmath={"contract"})
def taylor_step_cond_alpha(n, dt, V, GE, DGE, GI, DGI, R, EL, EE, EI, IOFF, II, ITM, ICM,
                           PE, PI, ITE, ITI, ov, oe, ode, oi, odi, ok):
    """The "taylor" integration of n IF_cond_alpha cells (exact alpha-kernel conductances;
    outputs as `rk4_step_cond_alpha`, ok as `taylor_step_cond_exp`). Returns the number
    of cells with ok = 0."""
    rejected = 0
    for j in range(n):
        v = V[j]
        ge = GE[j]
        dge = DGE[j]
        gi = GI[j]
        dgi = DGI[j]
        pe = PE[j]
        pi = PI[j]
        icm = ICM[j]
        ue = (EE[j] - v) * icm
        ui = (EI[j] - v) * icm
        e1, e2, e3, e4, e5 = _alpha_ders(ge, dge, -ITE[j])
        i1, i2, i3, i4, i5 = _alpha_ders(gi, dgi, -ITI[j])
        c0 = EL[j] * ITM[j] + (IOFF[j] + II[j]) * icm - ITM[j] * v + ge * ue + gi * ui
        b0 = ITM[j] + (ge + gi) * icm
        v1, est = _taylor_v(v, dt, c0, e1 * ue + i1 * ui, e2 * ue + i2 * ui,
                            e3 * ue + i3 * ui, e4 * ue + i4 * ui, e5 * ue + i5 * ui, b0,
                            (e1 + i1) * icm, (e2 + i2) * icm, (e3 + i3) * icm,
                            (e4 + i4) * icm, (e5 + i5) * icm)
        clamp = R[j] > 0
        good = clamp | (est <= TAYLOR_TOL)
        ov[j] = v if clamp else v1
        oe[j] = (ge + dt * dge) * pe
        ode[j] = dge * pe
        oi[j] = (gi + dt * dgi) * pi
        odi[j] = dgi * pi
        ok[j] = 1.0 if good else 0.0
        rejected += 0 if good else 1
    return rejected


#: exp(-x) by its Taylor polynomial (degree 13) where x <= _EXP_POLY_MAX: relative error
#: below 1e-15 there, and SIMD-friendly (numba's math.exp is a scalar call here)
_EXP_POLY_MAX = 0.5


@njit(cache=True, inline="always", error_model="numpy")
def _exp_neg_poly(x):
    """exp(-x) for 0 <= x <= `_EXP_POLY_MAX` (Horner form of the Taylor polynomial)."""
    y = -x
    acc = 1.0 / 6227020800.0                      # 1/13!
    acc = acc * y + 1.0 / 479001600.0             # 1/12!
    acc = acc * y + 1.0 / 39916800.0
    acc = acc * y + 1.0 / 3628800.0
    acc = acc * y + 1.0 / 362880.0
    acc = acc * y + 1.0 / 40320.0
    acc = acc * y + 1.0 / 5040.0
    acc = acc * y + 1.0 / 720.0
    acc = acc * y + 1.0 / 120.0
    acc = acc * y + 1.0 / 24.0
    acc = acc * y + 1.0 / 6.0
    acc = acc * y + 0.5
    acc = acc * y + 1.0
    return acc * y + 1.0


@njit(cache=True, inline="always", error_model="numpy")
def _expeuler_cell(v, dt, ge, gi, el, ee, ei, cur, itm, icm, clamp):
    """One cell's "exponential_euler" V where dt B is within the polynomial's range;
    returns the new V (v if `clamp`) and whether it was in range (else the caller uses
    `expeuler_v`)."""
    a0 = el * itm + (cur + ge * ee + gi * ei) * icm
    b0 = itm + (ge + gi) * icm
    x = dt * b0
    inside = x <= _EXP_POLY_MAX
    vinf = a0 / b0
    v1 = vinf + (v - vinf) * _exp_neg_poly(x if inside else 0.0)
    return (v if clamp else v1), inside


@njit(cache=True, error_model="numpy")   # no zero-division check: the loop vectorises
def expeuler_step_cond_exp(n, dt, V, GE, GI, R, EL, EE, EI, IOFF, II, ITM, ICM, PE, PI,
                           ov, oe, oi, ok):
    """The "exponential_euler" step of n IF_cond_exp cells (Brian 2's scheme for V, exact
    conductances); every cell is finished here (ok = 1), returns 0."""
    far = 0
    for j in range(n):
        ge = GE[j]
        gi = GI[j]
        ov[j], inside = _expeuler_cell(V[j], dt, ge, gi, EL[j], EE[j], EI[j], IOFF[j] + II[j],
                                       ITM[j], ICM[j], R[j] > 0)
        oe[j] = ge * PE[j]
        oi[j] = gi * PI[j]
        ok[j] = 1.0 if inside else 0.0
        far += 0 if inside else 1
    if far:    # dt B beyond the polynomial's range: the library exponential
        for j in range(n):
            if ok[j] == 0.0:
                ov[j] = V[j] if R[j] > 0 else expeuler_v(V[j], dt, GE[j], GI[j], EL[j],
                                                         EE[j], EI[j], IOFF[j] + II[j],
                                                         ITM[j], ICM[j])
                ok[j] = 1.0
    return 0


@njit(cache=True, error_model="numpy")
def expeuler_step_cond_alpha(n, dt, V, GE, DGE, GI, DGI, R, EL, EE, EI, IOFF, II, ITM, ICM,
                             PE, PI, ov, oe, ode, oi, odi, ok):
    """The "exponential_euler" integration of n IF_cond_alpha cells (exact alpha-kernel
    conductances; outputs as `rk4_step_cond_alpha`); every cell is finished here."""
    far = 0
    for j in range(n):
        ge = GE[j]
        dge = DGE[j]
        gi = GI[j]
        dgi = DGI[j]
        pe = PE[j]
        pi = PI[j]
        ov[j], inside = _expeuler_cell(V[j], dt, ge, gi, EL[j], EE[j], EI[j], IOFF[j] + II[j],
                                       ITM[j], ICM[j], R[j] > 0)
        oe[j] = (ge + dt * dge) * pe
        ode[j] = dge * pe
        oi[j] = (gi + dt * dgi) * pi
        odi[j] = dgi * pi
        ok[j] = 1.0 if inside else 0.0
        far += 0 if inside else 1
    if far:    # dt B beyond the polynomial's range: the library exponential
        for j in range(n):
            if ok[j] == 0.0:
                ov[j] = V[j] if R[j] > 0 else expeuler_v(V[j], dt, GE[j], GI[j], EL[j],
                                                         EE[j], EI[j], IOFF[j] + II[j],
                                                         ITM[j], ICM[j])
                ok[j] = 1.0
    return 0


@njit(cache=True)
def expeuler_v(v, dt, ge, gi, el, ee, ei, cur, itm, icm):
    """V after one "exponential_euler" step with the library exponential (any dt B)."""
    a0 = el * itm + (cur + ge * ee + gi * ei) * icm
    b0 = itm + (ge + gi) * icm
    vinf = a0 / b0
    return vinf + (v - vinf) * math.exp(-dt * b0)
