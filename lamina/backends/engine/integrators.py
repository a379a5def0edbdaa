"""Adaptive Runge-Kutta-Fehlberg 4(5) integrators of the conductance-based models
(numba, ``cache=True``).

Per neuron and time step dt, ``rk_cond_exp``/``rk_cond_alpha`` integrate the ODE of
iaf_cond_exp/iaf_cond_alpha from t to t + dt in internal steps h with the embedded
RKF45 pair (the 5th-order solution is propagated), absolute error control
``max_i |err_i| <= RK_ATOL`` on all components (V [mV], g [uS], dg [uS/ms]); a rejected
step shrinks h by ``max(0.9 r^-1/5, 0.2)``, an accepted one with error ratio r < 0.5
grows it by ``min(0.9 r^-1/5, 5)``; h is capped at dt and carried to the next time step
(state row S_H), as NEST does with GSL's rkf45. While refractory, dV/dt = 0 (V stays at
v_reset) and the conductances keep decaying.

Speed: ``full_step_*`` make one branch-free attempt with h = dt for a whole group (SIMD);
cells whose attempt is accepted by the same rule (the usual case) take it as is; the
others are integrated by the scalar adaptive routine (``fallback_*``). Both paths do the
same floating-point operations, so results equal the purely scalar integrator.
"""
from __future__ import annotations

import logging

import numpy as np
from numba import njit

from lamina.backends.engine.models import (P_E_REV_E, P_E_REV_I, P_I_OFFSET, P_INV_CM,
                                           P_INV_TAU_E, P_INV_TAU_I, P_INV_TAU_M, P_V_REST,
                                           S_DSYN_E, S_DSYN_I, S_H, S_SYN_E, S_SYN_I, S_V)

logger = logging.getLogger(__name__)

#: absolute error tolerance of the adaptive integrator (mV for V, uS for g)
RK_ATOL = 1e-6


def _ratio_limit(atol: float, limit: float) -> float:
    """The largest double x with ``x / atol <= limit`` (IEEE division is monotone): the
    full-step tests ``err <= _ERR_ACCEPT`` then decide exactly as ``err / atol <= limit``
    without a division per cell."""
    a, t = np.float64(atol), np.float64(limit)
    x = t * a
    while x / a > t:
        x = np.nextafter(x, 0.0)
    while np.nextafter(x, np.inf) / a <= t:
        x = np.nextafter(x, np.inf)
    return float(x)


_ERR_ACCEPT = _ratio_limit(RK_ATOL, 1.1)

# Runge-Kutta-Fehlberg 4(5) tableau
_A21 = 1.0 / 4.0
_A31, _A32 = 3.0 / 32.0, 9.0 / 32.0
_A41, _A42, _A43 = 1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0
_A51, _A52, _A53, _A54 = 439.0 / 216.0, -8.0, 3680.0 / 513.0, -845.0 / 4104.0
_A61, _A62, _A63, _A64, _A65 = (-8.0 / 27.0, 2.0, -3544.0 / 2565.0, 1859.0 / 4104.0,
                                -11.0 / 40.0)
_B1, _B3, _B4, _B5, _B6 = (16.0 / 135.0, 6656.0 / 12825.0, 28561.0 / 56430.0, -9.0 / 50.0,
                           2.0 / 55.0)
_E1 = _B1 - 25.0 / 216.0
_E3 = _B3 - 1408.0 / 2565.0
_E4 = _B4 - 2197.0 / 4104.0
_E5 = _B5 + 1.0 / 5.0
_E6 = _B6
_R_GROW_MAX = (0.9 / 5.0) ** 5  # below this error ratio the step grows by the maximum 5x


@njit(cache=True)
def _new_h(hh: float, r: float) -> float:
    """Step size after an accepted step of size hh with error ratio r (<= 1.1)."""
    if r < _R_GROW_MAX:
        return 5.0 * hh
    if r < 0.5:
        f = 0.9 * r ** -0.2
        return hh * (f if f > 1.0 else 1.0)
    return hh


@njit(cache=True)
def _f_v(v, ge, gi, clamp, el, ee, ei, cur, itm, icm):
    if clamp:
        return 0.0
    return (el - v) * itm + (ge * (ee - v) + gi * (ei - v) + cur) * icm


@njit(cache=True, inline="always")
def rk_cond_exp(v, ge, gi, h, dt, clamp, el, ee, ei, cur, itm, icm, ite, iti):
    """Integrate iaf_cond_exp over one step dt with adaptive RKF45. Returns (v, ge, gi, h)."""
    t = 0.0
    while t < dt:
        trunc = t + h >= dt
        hh = dt - t if trunc else h
        k1v = _f_v(v, ge, gi, clamp, el, ee, ei, cur, itm, icm)
        k1e = -ge * ite
        k1i = -gi * iti
        v2 = v + hh * _A21 * k1v
        e2 = ge + hh * _A21 * k1e
        i2 = gi + hh * _A21 * k1i
        k2v = _f_v(v2, e2, i2, clamp, el, ee, ei, cur, itm, icm)
        k2e = -e2 * ite
        k2i = -i2 * iti
        v3 = v + hh * (_A31 * k1v + _A32 * k2v)
        e3 = ge + hh * (_A31 * k1e + _A32 * k2e)
        i3 = gi + hh * (_A31 * k1i + _A32 * k2i)
        k3v = _f_v(v3, e3, i3, clamp, el, ee, ei, cur, itm, icm)
        k3e = -e3 * ite
        k3i = -i3 * iti
        v4 = v + hh * (_A41 * k1v + _A42 * k2v + _A43 * k3v)
        e4 = ge + hh * (_A41 * k1e + _A42 * k2e + _A43 * k3e)
        i4 = gi + hh * (_A41 * k1i + _A42 * k2i + _A43 * k3i)
        k4v = _f_v(v4, e4, i4, clamp, el, ee, ei, cur, itm, icm)
        k4e = -e4 * ite
        k4i = -i4 * iti
        v5 = v + hh * (_A51 * k1v + _A52 * k2v + _A53 * k3v + _A54 * k4v)
        e5 = ge + hh * (_A51 * k1e + _A52 * k2e + _A53 * k3e + _A54 * k4e)
        i5 = gi + hh * (_A51 * k1i + _A52 * k2i + _A53 * k3i + _A54 * k4i)
        k5v = _f_v(v5, e5, i5, clamp, el, ee, ei, cur, itm, icm)
        k5e = -e5 * ite
        k5i = -i5 * iti
        v6 = v + hh * (_A61 * k1v + _A62 * k2v + _A63 * k3v + _A64 * k4v + _A65 * k5v)
        e6 = ge + hh * (_A61 * k1e + _A62 * k2e + _A63 * k3e + _A64 * k4e + _A65 * k5e)
        i6 = gi + hh * (_A61 * k1i + _A62 * k2i + _A63 * k3i + _A64 * k4i + _A65 * k5i)
        k6v = _f_v(v6, e6, i6, clamp, el, ee, ei, cur, itm, icm)
        k6e = -e6 * ite
        k6i = -i6 * iti
        errv = abs(hh * (_E1 * k1v + _E3 * k3v + _E4 * k4v + _E5 * k5v + _E6 * k6v))
        erre = abs(hh * (_E1 * k1e + _E3 * k3e + _E4 * k4e + _E5 * k5e + _E6 * k6e))
        erri = abs(hh * (_E1 * k1i + _E3 * k3i + _E4 * k4i + _E5 * k5i + _E6 * k6i))
        r = max(errv, max(erre, erri)) / RK_ATOL
        if r > 1.1 and hh > 1e-10:
            f = 0.9 * r ** -0.2
            h = hh * (f if f > 0.2 else 0.2)
            continue
        v = v + hh * (_B1 * k1v + _B3 * k3v + _B4 * k4v + _B5 * k5v + _B6 * k6v)
        ge = ge + hh * (_B1 * k1e + _B3 * k3e + _B4 * k4e + _B5 * k5e + _B6 * k6e)
        gi = gi + hh * (_B1 * k1i + _B3 * k3i + _B4 * k4i + _B5 * k5i + _B6 * k6i)
        t += hh
        hn = _new_h(hh, r) if hh < dt else dt  # a full step cannot grow further
        if trunc:
            h = max(h, hn)
        else:
            h = hn
    return v, ge, gi, min(h, dt)


@njit(cache=True)
def full_step_cond_exp(n, dt, V, GE, GI, H, R, EL, EE, EI, IOFF, II, ITM, ICM, ITE, ITI,
                       ov, oe, oi, ok):
    """One RKF45 attempt of size dt for n iaf_cond_exp cells (branch-free, SIMD-friendly).

    Returns the number of rejected cells.
    Writes the 5th-order result to ov/oe/oi and ok[j] = 1 where the attempt would be
    accepted by `rk_cond_exp` as its first (and only) step, i.e. where the carried step
    is dt and the error ratio <= 1.1; these cells get bit-identical results to the
    scalar integrator. Other cells must be integrated with `rk_cond_exp`.
    """
    hh = dt
    rejected = 0
    for j in range(n):
        v = V[j]
        ge = GE[j]
        gi = GI[j]
        clamp = R[j] > 0
        el = EL[j]
        ee = EE[j]
        ei = EI[j]
        cur = IOFF[j] + II[j]
        itm = ITM[j]
        icm = ICM[j]
        ite = ITE[j]
        iti = ITI[j]
        k1v = _f_v(v, ge, gi, clamp, el, ee, ei, cur, itm, icm)
        k1e = -ge * ite
        k1i = -gi * iti
        v2 = v + hh * _A21 * k1v
        e2 = ge + hh * _A21 * k1e
        i2 = gi + hh * _A21 * k1i
        k2v = _f_v(v2, e2, i2, clamp, el, ee, ei, cur, itm, icm)
        k2e = -e2 * ite
        k2i = -i2 * iti
        v3 = v + hh * (_A31 * k1v + _A32 * k2v)
        e3 = ge + hh * (_A31 * k1e + _A32 * k2e)
        i3 = gi + hh * (_A31 * k1i + _A32 * k2i)
        k3v = _f_v(v3, e3, i3, clamp, el, ee, ei, cur, itm, icm)
        k3e = -e3 * ite
        k3i = -i3 * iti
        v4 = v + hh * (_A41 * k1v + _A42 * k2v + _A43 * k3v)
        e4 = ge + hh * (_A41 * k1e + _A42 * k2e + _A43 * k3e)
        i4 = gi + hh * (_A41 * k1i + _A42 * k2i + _A43 * k3i)
        k4v = _f_v(v4, e4, i4, clamp, el, ee, ei, cur, itm, icm)
        k4e = -e4 * ite
        k4i = -i4 * iti
        v5 = v + hh * (_A51 * k1v + _A52 * k2v + _A53 * k3v + _A54 * k4v)
        e5 = ge + hh * (_A51 * k1e + _A52 * k2e + _A53 * k3e + _A54 * k4e)
        i5 = gi + hh * (_A51 * k1i + _A52 * k2i + _A53 * k3i + _A54 * k4i)
        k5v = _f_v(v5, e5, i5, clamp, el, ee, ei, cur, itm, icm)
        k5e = -e5 * ite
        k5i = -i5 * iti
        v6 = v + hh * (_A61 * k1v + _A62 * k2v + _A63 * k3v + _A64 * k4v + _A65 * k5v)
        e6 = ge + hh * (_A61 * k1e + _A62 * k2e + _A63 * k3e + _A64 * k4e + _A65 * k5e)
        i6 = gi + hh * (_A61 * k1i + _A62 * k2i + _A63 * k3i + _A64 * k4i + _A65 * k5i)
        k6v = _f_v(v6, e6, i6, clamp, el, ee, ei, cur, itm, icm)
        k6e = -e6 * ite
        k6i = -i6 * iti
        errv = abs(hh * (_E1 * k1v + _E3 * k3v + _E4 * k4v + _E5 * k5v + _E6 * k6v))
        erre = abs(hh * (_E1 * k1e + _E3 * k3e + _E4 * k4e + _E5 * k5e + _E6 * k6e))
        erri = abs(hh * (_E1 * k1i + _E3 * k3i + _E4 * k4i + _E5 * k5i + _E6 * k6i))
        err = max(errv, max(erre, erri))
        ov[j] = v + hh * (_B1 * k1v + _B3 * k3v + _B4 * k4v + _B5 * k5v + _B6 * k6v)
        oe[j] = ge + hh * (_B1 * k1e + _B3 * k3e + _B4 * k4e + _B5 * k5e + _B6 * k6e)
        oi[j] = gi + hh * (_B1 * k1i + _B3 * k3i + _B4 * k4i + _B5 * k5i + _B6 * k6i)
        good = (err <= _ERR_ACCEPT) & (H[j] >= dt)
        ok[j] = 1.0 if good else 0.0
        rejected += 0 if good else 1
    return rejected


@njit(cache=True)
def rk_cond_alpha(v, ge, dge, gi, dgi, h, dt, clamp, el, ee, ei, cur, itm, icm, ite, iti):
    """Integrate iaf_cond_alpha over one step dt with adaptive RKF45.
    Returns (v, ge, dge, gi, dgi, h)."""
    t = 0.0
    while t < dt:
        trunc = t + h >= dt
        hh = dt - t if trunc else h
        k1v = _f_v(v, ge, gi, clamp, el, ee, ei, cur, itm, icm)
        k1e = dge - ge * ite
        k1de = -dge * ite
        k1i = dgi - gi * iti
        k1di = -dgi * iti
        v2 = v + hh * _A21 * k1v
        e2 = ge + hh * _A21 * k1e
        de2 = dge + hh * _A21 * k1de
        i2 = gi + hh * _A21 * k1i
        di2 = dgi + hh * _A21 * k1di
        k2v = _f_v(v2, e2, i2, clamp, el, ee, ei, cur, itm, icm)
        k2e = de2 - e2 * ite
        k2de = -de2 * ite
        k2i = di2 - i2 * iti
        k2di = -di2 * iti
        v3 = v + hh * (_A31 * k1v + _A32 * k2v)
        e3 = ge + hh * (_A31 * k1e + _A32 * k2e)
        de3 = dge + hh * (_A31 * k1de + _A32 * k2de)
        i3 = gi + hh * (_A31 * k1i + _A32 * k2i)
        di3 = dgi + hh * (_A31 * k1di + _A32 * k2di)
        k3v = _f_v(v3, e3, i3, clamp, el, ee, ei, cur, itm, icm)
        k3e = de3 - e3 * ite
        k3de = -de3 * ite
        k3i = di3 - i3 * iti
        k3di = -di3 * iti
        v4 = v + hh * (_A41 * k1v + _A42 * k2v + _A43 * k3v)
        e4 = ge + hh * (_A41 * k1e + _A42 * k2e + _A43 * k3e)
        de4 = dge + hh * (_A41 * k1de + _A42 * k2de + _A43 * k3de)
        i4 = gi + hh * (_A41 * k1i + _A42 * k2i + _A43 * k3i)
        di4 = dgi + hh * (_A41 * k1di + _A42 * k2di + _A43 * k3di)
        k4v = _f_v(v4, e4, i4, clamp, el, ee, ei, cur, itm, icm)
        k4e = de4 - e4 * ite
        k4de = -de4 * ite
        k4i = di4 - i4 * iti
        k4di = -di4 * iti
        v5 = v + hh * (_A51 * k1v + _A52 * k2v + _A53 * k3v + _A54 * k4v)
        e5 = ge + hh * (_A51 * k1e + _A52 * k2e + _A53 * k3e + _A54 * k4e)
        de5 = dge + hh * (_A51 * k1de + _A52 * k2de + _A53 * k3de + _A54 * k4de)
        i5 = gi + hh * (_A51 * k1i + _A52 * k2i + _A53 * k3i + _A54 * k4i)
        di5 = dgi + hh * (_A51 * k1di + _A52 * k2di + _A53 * k3di + _A54 * k4di)
        k5v = _f_v(v5, e5, i5, clamp, el, ee, ei, cur, itm, icm)
        k5e = de5 - e5 * ite
        k5de = -de5 * ite
        k5i = di5 - i5 * iti
        k5di = -di5 * iti
        v6 = v + hh * (_A61 * k1v + _A62 * k2v + _A63 * k3v + _A64 * k4v + _A65 * k5v)
        e6 = ge + hh * (_A61 * k1e + _A62 * k2e + _A63 * k3e + _A64 * k4e + _A65 * k5e)
        de6 = dge + hh * (_A61 * k1de + _A62 * k2de + _A63 * k3de + _A64 * k4de
                          + _A65 * k5de)
        i6 = gi + hh * (_A61 * k1i + _A62 * k2i + _A63 * k3i + _A64 * k4i + _A65 * k5i)
        di6 = dgi + hh * (_A61 * k1di + _A62 * k2di + _A63 * k3di + _A64 * k4di
                          + _A65 * k5di)
        k6v = _f_v(v6, e6, i6, clamp, el, ee, ei, cur, itm, icm)
        k6e = de6 - e6 * ite
        k6de = -de6 * ite
        k6i = di6 - i6 * iti
        k6di = -di6 * iti
        errv = abs(hh * (_E1 * k1v + _E3 * k3v + _E4 * k4v + _E5 * k5v + _E6 * k6v))
        erre = abs(hh * (_E1 * k1e + _E3 * k3e + _E4 * k4e + _E5 * k5e + _E6 * k6e))
        errde = abs(hh * (_E1 * k1de + _E3 * k3de + _E4 * k4de + _E5 * k5de + _E6 * k6de))
        erri = abs(hh * (_E1 * k1i + _E3 * k3i + _E4 * k4i + _E5 * k5i + _E6 * k6i))
        errdi = abs(hh * (_E1 * k1di + _E3 * k3di + _E4 * k4di + _E5 * k5di + _E6 * k6di))
        r = max(max(errv, errde), max(max(erre, erri), errdi)) / RK_ATOL
        if r > 1.1 and hh > 1e-10:
            f = 0.9 * r ** -0.2
            h = hh * (f if f > 0.2 else 0.2)
            continue
        v = v + hh * (_B1 * k1v + _B3 * k3v + _B4 * k4v + _B5 * k5v + _B6 * k6v)
        ge = ge + hh * (_B1 * k1e + _B3 * k3e + _B4 * k4e + _B5 * k5e + _B6 * k6e)
        dge = dge + hh * (_B1 * k1de + _B3 * k3de + _B4 * k4de + _B5 * k5de + _B6 * k6de)
        gi = gi + hh * (_B1 * k1i + _B3 * k3i + _B4 * k4i + _B5 * k5i + _B6 * k6i)
        dgi = dgi + hh * (_B1 * k1di + _B3 * k3di + _B4 * k4di + _B5 * k5di + _B6 * k6di)
        t += hh
        hn = _new_h(hh, r) if hh < dt else dt  # a full step cannot grow further
        if trunc:
            h = max(h, hn)
        else:
            h = hn
    return v, ge, dge, gi, dgi, min(h, dt)


@njit(cache=True)
def full_step_cond_alpha(n, dt, V, GE, DGE, GI, DGI, H, R, EL, EE, EI, IOFF, II, ITM, ICM,
                         ITE, ITI, ov, oe, ode, oi, odi, ok):
    """One RKF45 attempt of size dt for n iaf_cond_alpha cells (see `full_step_cond_exp`)."""
    hh = dt
    rejected = 0
    for j in range(n):
        v = V[j]
        ge = GE[j]
        dge = DGE[j]
        gi = GI[j]
        dgi = DGI[j]
        clamp = R[j] > 0
        el = EL[j]
        ee = EE[j]
        ei = EI[j]
        cur = IOFF[j] + II[j]
        itm = ITM[j]
        icm = ICM[j]
        ite = ITE[j]
        iti = ITI[j]
        k1v = _f_v(v, ge, gi, clamp, el, ee, ei, cur, itm, icm)
        k1e = dge - ge * ite
        k1de = -dge * ite
        k1i = dgi - gi * iti
        k1di = -dgi * iti
        v2 = v + hh * _A21 * k1v
        e2 = ge + hh * _A21 * k1e
        de2 = dge + hh * _A21 * k1de
        i2 = gi + hh * _A21 * k1i
        di2 = dgi + hh * _A21 * k1di
        k2v = _f_v(v2, e2, i2, clamp, el, ee, ei, cur, itm, icm)
        k2e = de2 - e2 * ite
        k2de = -de2 * ite
        k2i = di2 - i2 * iti
        k2di = -di2 * iti
        v3 = v + hh * (_A31 * k1v + _A32 * k2v)
        e3 = ge + hh * (_A31 * k1e + _A32 * k2e)
        de3 = dge + hh * (_A31 * k1de + _A32 * k2de)
        i3 = gi + hh * (_A31 * k1i + _A32 * k2i)
        di3 = dgi + hh * (_A31 * k1di + _A32 * k2di)
        k3v = _f_v(v3, e3, i3, clamp, el, ee, ei, cur, itm, icm)
        k3e = de3 - e3 * ite
        k3de = -de3 * ite
        k3i = di3 - i3 * iti
        k3di = -di3 * iti
        v4 = v + hh * (_A41 * k1v + _A42 * k2v + _A43 * k3v)
        e4 = ge + hh * (_A41 * k1e + _A42 * k2e + _A43 * k3e)
        de4 = dge + hh * (_A41 * k1de + _A42 * k2de + _A43 * k3de)
        i4 = gi + hh * (_A41 * k1i + _A42 * k2i + _A43 * k3i)
        di4 = dgi + hh * (_A41 * k1di + _A42 * k2di + _A43 * k3di)
        k4v = _f_v(v4, e4, i4, clamp, el, ee, ei, cur, itm, icm)
        k4e = de4 - e4 * ite
        k4de = -de4 * ite
        k4i = di4 - i4 * iti
        k4di = -di4 * iti
        v5 = v + hh * (_A51 * k1v + _A52 * k2v + _A53 * k3v + _A54 * k4v)
        e5 = ge + hh * (_A51 * k1e + _A52 * k2e + _A53 * k3e + _A54 * k4e)
        de5 = dge + hh * (_A51 * k1de + _A52 * k2de + _A53 * k3de + _A54 * k4de)
        i5 = gi + hh * (_A51 * k1i + _A52 * k2i + _A53 * k3i + _A54 * k4i)
        di5 = dgi + hh * (_A51 * k1di + _A52 * k2di + _A53 * k3di + _A54 * k4di)
        k5v = _f_v(v5, e5, i5, clamp, el, ee, ei, cur, itm, icm)
        k5e = de5 - e5 * ite
        k5de = -de5 * ite
        k5i = di5 - i5 * iti
        k5di = -di5 * iti
        v6 = v + hh * (_A61 * k1v + _A62 * k2v + _A63 * k3v + _A64 * k4v + _A65 * k5v)
        e6 = ge + hh * (_A61 * k1e + _A62 * k2e + _A63 * k3e + _A64 * k4e + _A65 * k5e)
        de6 = dge + hh * (_A61 * k1de + _A62 * k2de + _A63 * k3de + _A64 * k4de
                          + _A65 * k5de)
        i6 = gi + hh * (_A61 * k1i + _A62 * k2i + _A63 * k3i + _A64 * k4i + _A65 * k5i)
        di6 = dgi + hh * (_A61 * k1di + _A62 * k2di + _A63 * k3di + _A64 * k4di
                          + _A65 * k5di)
        k6v = _f_v(v6, e6, i6, clamp, el, ee, ei, cur, itm, icm)
        k6e = de6 - e6 * ite
        k6de = -de6 * ite
        k6i = di6 - i6 * iti
        k6di = -di6 * iti
        errv = abs(hh * (_E1 * k1v + _E3 * k3v + _E4 * k4v + _E5 * k5v + _E6 * k6v))
        erre = abs(hh * (_E1 * k1e + _E3 * k3e + _E4 * k4e + _E5 * k5e + _E6 * k6e))
        errde = abs(hh * (_E1 * k1de + _E3 * k3de + _E4 * k4de + _E5 * k5de + _E6 * k6de))
        erri = abs(hh * (_E1 * k1i + _E3 * k3i + _E4 * k4i + _E5 * k5i + _E6 * k6i))
        errdi = abs(hh * (_E1 * k1di + _E3 * k3di + _E4 * k4di + _E5 * k5di + _E6 * k6di))
        err = max(max(errv, errde), max(max(erre, erri), errdi))
        ov[j] = v + hh * (_B1 * k1v + _B3 * k3v + _B4 * k4v + _B5 * k5v + _B6 * k6v)
        oe[j] = ge + hh * (_B1 * k1e + _B3 * k3e + _B4 * k4e + _B5 * k5e + _B6 * k6e)
        ode[j] = dge + hh * (_B1 * k1de + _B3 * k3de + _B4 * k4de + _B5 * k5de + _B6 * k6de)
        oi[j] = gi + hh * (_B1 * k1i + _B3 * k3i + _B4 * k4i + _B5 * k5i + _B6 * k6i)
        odi[j] = dgi + hh * (_B1 * k1di + _B3 * k3di + _B4 * k4di + _B5 * k5di + _B6 * k6di)
        good = (err <= _ERR_ACCEPT) & (H[j] >= dt)
        ok[j] = 1.0 if good else 0.0
        rejected += 0 if good else 1
    return rejected


@njit(cache=True)
def fallback_cond_exp(i0, i1, dt, state, param, refr, iinj, work):
    """Adaptive integration for the cells whose full-step attempt was not accepted;
    results to work rows 0-2, the carried step size to row 6."""
    for i in range(i0, i1):
        if work[5, i] != 0.0:
            continue
        v, ge, gi, h = rk_cond_exp(
            state[S_V, i], state[S_SYN_E, i], state[S_SYN_I, i], state[S_H, i], dt,
            refr[i] > 0, param[P_V_REST, i], param[P_E_REV_E, i], param[P_E_REV_I, i],
            param[P_I_OFFSET, i] + iinj[i], param[P_INV_TAU_M, i], param[P_INV_CM, i],
            param[P_INV_TAU_E, i], param[P_INV_TAU_I, i])
        work[0, i] = v
        work[1, i] = ge
        work[2, i] = gi
        work[6, i] = h


@njit(cache=True)
def fallback_cond_alpha(i0, i1, dt, state, param, refr, iinj, work):
    """As `fallback_cond_exp` for iaf_cond_alpha (dg states in work rows 3, 4)."""
    for i in range(i0, i1):
        if work[5, i] != 0.0:
            continue
        v, ge, dge, gi, dgi, h = rk_cond_alpha(
            state[S_V, i], state[S_SYN_E, i], state[S_DSYN_E, i], state[S_SYN_I, i],
            state[S_DSYN_I, i], state[S_H, i], dt, refr[i] > 0,
            param[P_V_REST, i], param[P_E_REV_E, i], param[P_E_REV_I, i],
            param[P_I_OFFSET, i] + iinj[i], param[P_INV_TAU_M, i], param[P_INV_CM, i],
            param[P_INV_TAU_E, i], param[P_INV_TAU_I, i])
        work[0, i] = v
        work[1, i] = ge
        work[3, i] = dge
        work[2, i] = gi
        work[4, i] = dgi
        work[6, i] = h


# ---------------------------------------------------------------------------------------
# Generic adaptive RKF45 for the further models (right-hand sides in `rhs`)
# ---------------------------------------------------------------------------------------
from lamina.backends.engine.rhs import after_substep, rhs  # noqa: E402


@njit(cache=True)
def _stage(y, ny, hh, k, c1, c2, c3, c4, c5, n_used, yt):
    for j in range(ny):
        acc = c1 * k[0, j]
        if n_used > 1:
            acc += c2 * k[1, j]
        if n_used > 2:
            acc += c3 * k[2, j]
        if n_used > 3:
            acc += c4 * k[3, j]
        if n_used > 4:
            acc += c5 * k[4, j]
        yt[j] = y[j] + hh * acc


@njit(cache=True)
def rkf45_attempt(kind, y, ny, hh, p, i, cur, st, k, yt):
    """One embedded RKF45 step of size hh from y: the 5th-order result goes to yt, the
    return value is max_j |error estimate_j|. `k` is a (6, NY_MAX) scratch array."""
    rhs(kind, y, k[0], p, i, cur, st)
    _stage(y, ny, hh, k, _A21, 0.0, 0.0, 0.0, 0.0, 1, yt)
    rhs(kind, yt, k[1], p, i, cur, st)
    _stage(y, ny, hh, k, _A31, _A32, 0.0, 0.0, 0.0, 2, yt)
    rhs(kind, yt, k[2], p, i, cur, st)
    _stage(y, ny, hh, k, _A41, _A42, _A43, 0.0, 0.0, 3, yt)
    rhs(kind, yt, k[3], p, i, cur, st)
    _stage(y, ny, hh, k, _A51, _A52, _A53, _A54, 0.0, 4, yt)
    rhs(kind, yt, k[4], p, i, cur, st)
    _stage(y, ny, hh, k, _A61, _A62, _A63, _A64, _A65, 5, yt)
    rhs(kind, yt, k[5], p, i, cur, st)
    err = 0.0
    for j in range(ny):
        e = abs(hh * (_E1 * k[0, j] + _E3 * k[2, j] + _E4 * k[3, j] + _E5 * k[4, j]
                      + _E6 * k[5, j]))
        if not (e <= err):   # NaN propagates as an error
            err = e
        yt[j] = y[j] + hh * (_B1 * k[0, j] + _B3 * k[2, j] + _B4 * k[3, j] + _B5 * k[4, j]
                             + _B6 * k[5, j])
    return err


@njit(cache=True)
def rk_ext(kind, y, ny, dt, h, p, i, cur, st, atol, k, yt):
    """Integrate cell i of `kind` over one time step dt with adaptive RKF45 (the rules of
    `rk_cond_exp`: absolute tolerance `atol` on every component, step carried across
    steps); `after_substep` handles events after each accepted internal step. y is
    updated in place; returns the step size to carry."""
    t = 0.0
    while t < dt:
        trunc = t + h >= dt
        hh = dt - t if trunc else h
        err = rkf45_attempt(kind, y, ny, hh, p, i, cur, st, k, yt)
        r = err / atol
        if not (r <= 1.1) and hh > 1e-10:
            f = 0.9 * r ** -0.2 if r == r else 0.2
            h = hh * (f if f > 0.2 else 0.2)
            continue
        for j in range(ny):
            y[j] = yt[j]
        if not (r <= 1e300):
            return dt   # non-finite state: stop here; the backend raises NumericalError
        t += hh
        hn = _new_h(hh, r) if hh < dt else dt
        if trunc:
            h = max(h, hn)
        else:
            h = hn
        after_substep(kind, y, p, i, st)
    return min(h, dt)


@njit(cache=True)
def rk_fixed(kind, y, ny, h, nsteps, p, i, cur, st, k, yt):
    """`nsteps` fixed RKF45 steps of size h (5th-order solution), no events; for
    convergence tests of the right-hand sides."""
    for _ in range(nsteps):
        rkf45_attempt(kind, y, ny, h, p, i, cur, st, k, yt)
        for j in range(ny):
            y[j] = yt[j]
