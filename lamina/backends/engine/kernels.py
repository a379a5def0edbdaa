"""Compiled kernels of the engine (numba, ``cache=True``): one call advances many steps.

`run_steps` advances the network from step ``n_begin`` to ``n_end`` (time
``n*dt -> (n+1)*dt`` per step). Per step it

1. sums the current-source amplitudes for the step into ``iinj`` (per-target CSR);
2. delivers spikes of external sources emitted in this step (and stamp-0 spikes at
   step 0) into the ring buffer;
3. updates every group of cells, dispatching on the group's kind code (exact
   propagators for the current-based models, RKF45 with error control for the
   conductance-based ones), reading and clearing ring slot ``n % L``;
4. delivers the spikes emitted in this step in ascending row order (deterministic sums),
   a spike with delay ``D`` steps landing in slot ``(n + D) % L``;
5. records spikes and analog samples (state at ``t_{n+1}``).

The function returns the step it reached; it stops early (before a step) when the spike
record buffer might overflow, and the caller then empties the buffer and calls again.
"""
from __future__ import annotations

import logging

import numpy as np
from numba import njit

from lamina.backends.engine.models import (K_COND_ALPHA, K_COND_EXP, K_CURR_ALPHA,
                                           K_CURR_DELTA, K_CURR_EXP, P_E_REV_E, P_E_REV_I,
                                           P_I_OFFSET, P_INV_CM, P_INV_TAU_E, P_INV_TAU_I,
                                           P_INV_TAU_M, P_P11E, P_P11I, P_P20, P_P21E,
                                           P_P21I, P_P22, P_P31E, P_P31I, P_PSC_INIT_E,
                                           P_PSC_INIT_I, P_REFR_STEPS, P_V_REST,
                                           P_V_RESET, P_V_THRESH, S_DSYN_E, S_DSYN_I, S_H,
                                           S_SYN_E, S_SYN_I, S_V)

logger = logging.getLogger(__name__)

#: absolute error tolerance of the adaptive integrator (mV for V, uS for g)
RK_ATOL = 1e-6

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


@njit(cache=True)
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

    Writes the 5th-order result to ov/oe/oi and ok[j] = 1 where the attempt would be
    accepted by `rk_cond_exp` as its first (and only) step, i.e. where the carried step
    is dt and the error ratio <= 1.1; these cells get bit-identical results to the
    scalar integrator. Other cells must be integrated with `rk_cond_exp`.
    """
    hh = dt
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
        r = max(errv, max(erre, erri)) / RK_ATOL
        ov[j] = v + hh * (_B1 * k1v + _B3 * k3v + _B4 * k4v + _B5 * k5v + _B6 * k6v)
        oe[j] = ge + hh * (_B1 * k1e + _B3 * k3e + _B4 * k4e + _B5 * k5e + _B6 * k6e)
        oi[j] = gi + hh * (_B1 * k1i + _B3 * k3i + _B4 * k4i + _B5 * k5i + _B6 * k6i)
        ok[j] = 1.0 if (r <= 1.1) & (H[j] >= dt) else 0.0


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
        r = max(max(errv, errde), max(max(erre, erri), errdi)) / RK_ATOL
        ov[j] = v + hh * (_B1 * k1v + _B3 * k3v + _B4 * k4v + _B5 * k5v + _B6 * k6v)
        oe[j] = ge + hh * (_B1 * k1e + _B3 * k3e + _B4 * k4e + _B5 * k5e + _B6 * k6e)
        ode[j] = dge + hh * (_B1 * k1de + _B3 * k3de + _B4 * k4de + _B5 * k5de + _B6 * k6de)
        oi[j] = gi + hh * (_B1 * k1i + _B3 * k3i + _B4 * k4i + _B5 * k5i + _B6 * k6i)
        odi[j] = dgi + hh * (_B1 * k1di + _B3 * k3di + _B4 * k4di + _B5 * k5di + _B6 * k6di)
        ok[j] = 1.0 if (r <= 1.1) & (H[j] >= dt) else 0.0


@njit(cache=True)
def _deliver(row, emit_step, L, ring, indptr, syn_tgt, syn_w, syn_d):
    for q in range(indptr[row], indptr[row + 1]):
        ring[(emit_step + syn_d[q]) % L, syn_tgt[q]] += syn_w[q]


@njit(cache=True)
def _update_group(kind, i0, i1, n, N, L, dt, state, param, refr, ring, iinj, spiked, nspk,
                  work):
    """Advance cells i0..i1-1 (one kind) by one step; append spiking rows to `spiked`."""
    slot = n % L
    if kind == K_CURR_EXP:
        for i in range(i0, i1):
            in_e = ring[slot, i]
            in_i = ring[slot, N + i]
            ring[slot, i] = 0.0
            ring[slot, N + i] = 0.0
            v = state[S_V, i]
            ie = state[S_SYN_E, i]
            ii = state[S_SYN_I, i]
            vr = param[P_V_REST, i]
            if refr[i] == 0:
                v = vr + (param[P_P22, i] * (v - vr) + param[P_P21E, i] * ie
                          + param[P_P21I, i] * ii
                          + param[P_P20, i] * (param[P_I_OFFSET, i] + iinj[i]))
            else:
                refr[i] -= 1
            state[S_SYN_E, i] = ie * param[P_P11E, i] + in_e
            state[S_SYN_I, i] = ii * param[P_P11I, i] + in_i
            if v >= param[P_V_THRESH, i]:
                refr[i] = np.int64(param[P_REFR_STEPS, i])
                v = param[P_V_RESET, i]
                spiked[nspk] = i
                nspk += 1
            state[S_V, i] = v
    elif kind == K_CURR_ALPHA:
        for i in range(i0, i1):
            in_e = ring[slot, i]
            in_i = ring[slot, N + i]
            ring[slot, i] = 0.0
            ring[slot, N + i] = 0.0
            v = state[S_V, i]
            ie = state[S_SYN_E, i]
            ii = state[S_SYN_I, i]
            die = state[S_DSYN_E, i]
            dii = state[S_DSYN_I, i]
            vr = param[P_V_REST, i]
            if refr[i] == 0:
                v = vr + (param[P_P20, i] * (param[P_I_OFFSET, i] + iinj[i])
                          + param[P_P31E, i] * die + param[P_P21E, i] * ie
                          + param[P_P31I, i] * dii + param[P_P21I, i] * ii
                          + param[P_P22, i] * (v - vr))
            else:
                refr[i] -= 1
            p11e = param[P_P11E, i]
            p11i = param[P_P11I, i]
            state[S_SYN_E, i] = dt * p11e * die + p11e * ie
            state[S_SYN_I, i] = dt * p11i * dii + p11i * ii
            state[S_DSYN_E, i] = die * p11e + param[P_PSC_INIT_E, i] * in_e
            state[S_DSYN_I, i] = dii * p11i + param[P_PSC_INIT_I, i] * in_i
            if v >= param[P_V_THRESH, i]:
                refr[i] = np.int64(param[P_REFR_STEPS, i])
                v = param[P_V_RESET, i]
                spiked[nspk] = i
                nspk += 1
            state[S_V, i] = v
    elif kind == K_CURR_DELTA:
        for i in range(i0, i1):
            inp = ring[slot, i] + ring[slot, N + i]
            ring[slot, i] = 0.0
            ring[slot, N + i] = 0.0
            v = state[S_V, i]
            vr = param[P_V_REST, i]
            if refr[i] == 0:
                v = vr + (param[P_P22, i] * (v - vr)
                          + param[P_P20, i] * (param[P_I_OFFSET, i] + iinj[i]) + inp)
            else:
                refr[i] -= 1
            if v >= param[P_V_THRESH, i]:
                refr[i] = np.int64(param[P_REFR_STEPS, i])
                v = param[P_V_RESET, i]
                spiked[nspk] = i
                nspk += 1
            state[S_V, i] = v
    elif kind == K_COND_EXP:
        full_step_cond_exp(
            i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_SYN_I, i0:i1],
            state[S_H, i0:i1], refr[i0:i1], param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1],
            param[P_E_REV_I, i0:i1], param[P_I_OFFSET, i0:i1], iinj[i0:i1],
            param[P_INV_TAU_M, i0:i1], param[P_INV_CM, i0:i1], param[P_INV_TAU_E, i0:i1],
            param[P_INV_TAU_I, i0:i1], work[0, i0:i1], work[1, i0:i1], work[2, i0:i1],
            work[5, i0:i1])
        for i in range(i0, i1):
            in_e = ring[slot, i]
            in_i = ring[slot, N + i]
            ring[slot, i] = 0.0
            ring[slot, N + i] = 0.0
            clamp = refr[i] > 0
            if work[5, i] != 0.0:
                v, ge, gi, h = work[0, i], work[1, i], work[2, i], dt
            else:
                v, ge, gi, h = rk_cond_exp(
                    state[S_V, i], state[S_SYN_E, i], state[S_SYN_I, i], state[S_H, i], dt,
                    clamp, param[P_V_REST, i], param[P_E_REV_E, i], param[P_E_REV_I, i],
                    param[P_I_OFFSET, i] + iinj[i], param[P_INV_TAU_M, i],
                    param[P_INV_CM, i], param[P_INV_TAU_E, i], param[P_INV_TAU_I, i])
            if clamp:
                refr[i] -= 1
                v = param[P_V_RESET, i]
            elif v >= param[P_V_THRESH, i]:
                refr[i] = np.int64(param[P_REFR_STEPS, i])
                v = param[P_V_RESET, i]
                spiked[nspk] = i
                nspk += 1
            state[S_V, i] = v
            state[S_SYN_E, i] = ge + in_e
            state[S_SYN_I, i] = gi + in_i
            state[S_H, i] = h
    elif kind == K_COND_ALPHA:
        full_step_cond_alpha(
            i1 - i0, dt, state[S_V, i0:i1], state[S_SYN_E, i0:i1], state[S_DSYN_E, i0:i1],
            state[S_SYN_I, i0:i1], state[S_DSYN_I, i0:i1], state[S_H, i0:i1], refr[i0:i1],
            param[P_V_REST, i0:i1], param[P_E_REV_E, i0:i1], param[P_E_REV_I, i0:i1],
            param[P_I_OFFSET, i0:i1], iinj[i0:i1], param[P_INV_TAU_M, i0:i1],
            param[P_INV_CM, i0:i1], param[P_INV_TAU_E, i0:i1], param[P_INV_TAU_I, i0:i1],
            work[0, i0:i1], work[1, i0:i1], work[3, i0:i1], work[2, i0:i1], work[4, i0:i1],
            work[5, i0:i1])
        for i in range(i0, i1):
            in_e = ring[slot, i]
            in_i = ring[slot, N + i]
            ring[slot, i] = 0.0
            ring[slot, N + i] = 0.0
            clamp = refr[i] > 0
            if work[5, i] != 0.0:
                v, ge, dge, gi, dgi, h = (work[0, i], work[1, i], work[3, i], work[2, i],
                                          work[4, i], dt)
            else:
                v, ge, dge, gi, dgi, h = rk_cond_alpha(
                    state[S_V, i], state[S_SYN_E, i], state[S_DSYN_E, i], state[S_SYN_I, i],
                    state[S_DSYN_I, i], state[S_H, i], dt, clamp,
                    param[P_V_REST, i], param[P_E_REV_E, i], param[P_E_REV_I, i],
                    param[P_I_OFFSET, i] + iinj[i], param[P_INV_TAU_M, i],
                    param[P_INV_CM, i], param[P_INV_TAU_E, i], param[P_INV_TAU_I, i])
            if clamp:
                refr[i] -= 1
                v = param[P_V_RESET, i]
            elif v >= param[P_V_THRESH, i]:
                refr[i] = np.int64(param[P_REFR_STEPS, i])
                v = param[P_V_RESET, i]
                spiked[nspk] = i
                nspk += 1
            state[S_V, i] = v
            state[S_SYN_E, i] = ge
            state[S_SYN_I, i] = gi
            state[S_DSYN_E, i] = dge + param[P_PSC_INIT_E, i] * in_e
            state[S_DSYN_I, i] = dgi + param[P_PSC_INIT_I, i] * in_i
            state[S_H, i] = h
    else:
        # spike sources: nothing to integrate; keep their ring columns clean
        for i in range(i0, i1):
            ring[slot, i] = 0.0
            ring[slot, N + i] = 0.0
    return nspk


@njit(cache=True)
def run_steps(n_begin, n_end, chunk_base, dt,
              g_kind, g_start, g_stop,
              state, param, refr, ring,
              indptr, syn_tgt, syn_w, syn_d,
              ext_ptr, ext_row, ext_emit,
              cs_amp, cs_ptr, cs_tgt, iinj,
              spiked, rec_spk, n_rec_spk, spk_step, spk_row, spk_n,
              ch_int, ch_phase, ch_ptr, ch_row, ch_var, ch_base, ch_count, rbuf, work):
    """Advance steps ``n_begin .. n_end-1``; return the step reached.

    Per-step inputs (``ext_ptr``, ``cs_amp``) are indexed by ``n - chunk_base``. Spikes of
    recorded neurons are appended to ``spk_step`` (time stamp, = n+1) / ``spk_row`` with
    ``spk_n[0]`` the fill level; analog channel ``c`` samples ``state[ch_var, ch_row]``
    (entries ``ch_ptr[c]..ch_ptr[c+1]``) after step n when ``(n + 1 - ch_phase[c])`` is a
    multiple of ``ch_int[c]``, writing sample ``ch_count[c]`` at
    ``rbuf[ch_base[c] + k * width]``.
    """
    N = state.shape[1]
    L = ring.shape[0]
    n_groups = g_kind.shape[0]
    n_src = cs_ptr.shape[0] - 1
    n_ch = ch_int.shape[0]
    cap = spk_step.shape[0]
    for n in range(n_begin, n_end):
        if spk_n[0] + n_rec_spk > cap:
            return n
        k = n - chunk_base
        # 1. injected currents for this step
        for s in range(n_src):
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                iinj[cs_tgt[j]] = 0.0
        for s in range(n_src):
            a = cs_amp[s, k]
            for j in range(cs_ptr[s], cs_ptr[s + 1]):
                iinj[cs_tgt[j]] += a
        # 2. spikes of external sources
        for e in range(ext_ptr[k], ext_ptr[k + 1]):
            _deliver(ext_row[e], ext_emit[e], L, ring, indptr, syn_tgt, syn_w, syn_d)
        # 3. neuron updates
        nspk = 0
        for g in range(n_groups):
            nspk = _update_group(g_kind[g], g_start[g], g_stop[g], n, N, L, dt, state, param,
                                 refr, ring, iinj, spiked, nspk, work)
        # 4. deliver and record spikes
        for s in range(nspk):
            row = spiked[s]
            _deliver(row, n, L, ring, indptr, syn_tgt, syn_w, syn_d)
            if rec_spk[row]:
                c = spk_n[0]
                spk_step[c] = n + 1
                spk_row[c] = row
                spk_n[0] = c + 1
        # 5. analog recording
        for c in range(n_ch):
            if (n + 1 - ch_phase[c]) % ch_int[c] == 0:
                p0 = ch_ptr[c]
                width = ch_ptr[c + 1] - p0
                base = ch_base[c] + ch_count[c] * width
                for j in range(width):
                    rbuf[base + j] = state[ch_var[p0 + j], ch_row[p0 + j]]
                ch_count[c] += 1
    return n_end
