"""Exact-integration propagators for the current-based LIF models (vectorised numpy).

With V' = V - v_rest, a membrane (tau_m, cm) driven by a synaptic current that decays
with tau_s obeys a linear ODE whose solution over one step h is a matrix exponential.
The entries used by the kernels are

* ``P22 = exp(-h/tau_m)``,  ``P11 = exp(-h/tau_s)``
* ``P20 = tau_m/cm (1 - exp(-h/tau_m))``                           [mV/nA]
* ``P21 = 1/cm int_0^h exp(-(h-s)/tau_m) exp(-s/tau_s) ds``        [mV/nA]
* ``P31 = 1/cm int_0^h exp(-(h-s)/tau_m) s exp(-s/tau_s) ds``      [mV ms/nA]

Writing ``a = 1/tau_s - 1/tau_m`` and ``x = a h``:

* ``P21 = h/cm exp(-h/tau_m) phi1(x)`` with ``phi1(x) = (1 - e^-x)/x``
* ``P31 = h^2/cm exp(-h/tau_m) phi2(x)`` with ``phi2(x) = (1 - e^-x (1 + x))/x^2``

``phi1`` is evaluated with ``expm1`` (exact limit 1 at x = 0); ``phi2`` by its Taylor
series ``sum_{k>=2} (-1)^k (k-1)/k! x^(k-2)`` for |x| < 0.5 (limit 1/2), so both stay
accurate when tau_s is (nearly) equal to tau_m.
"""
from __future__ import annotations

import logging
import math

import numpy as np

from lamina.backends.engine import models as m

logger = logging.getLogger(__name__)


def phi1(x: np.ndarray) -> np.ndarray:
    """(1 - exp(-x))/x, with value 1 at x = 0."""
    x = np.asarray(x, dtype=float)
    out = np.ones_like(x)
    nz = x != 0.0
    out[nz] = -np.expm1(-x[nz]) / x[nz]
    return out


def phi2(x: np.ndarray) -> np.ndarray:
    """(1 - exp(-x)(1 + x))/x**2, with value 1/2 at x = 0 (series near 0)."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    small = np.abs(x) < 0.5
    xs = x[small]
    acc = np.zeros_like(xs)
    for k in range(22, 1, -1):  # Horner, highest term first
        acc = acc * xs + ((-1.0) ** k) * (k - 1) / math.factorial(k)
    out[small] = acc
    xl = x[~small]
    out[~small] = (-np.expm1(-xl) - xl * np.exp(-xl)) / (xl * xl)
    return out


def p21(cm: np.ndarray, tau_m: np.ndarray, tau_s: np.ndarray, h: float) -> np.ndarray:
    """Effect [mV/nA] of an exponentially decaying current (tau_s) on V' over one step."""
    x = (1.0 / tau_s - 1.0 / tau_m) * h
    return h / cm * np.exp(-h / tau_m) * phi1(x)


def p31(cm: np.ndarray, tau_m: np.ndarray, tau_s: np.ndarray, h: float) -> np.ndarray:
    """Effect [mV ms/nA] of the alpha-kernel derivative state dI on V' over one step."""
    x = (1.0 / tau_s - 1.0 / tau_m) * h
    return h * h / cm * np.exp(-h / tau_m) * phi2(x)


def p20(cm: np.ndarray, tau_m: np.ndarray, h: float) -> np.ndarray:
    """Effect [mV/nA] of a constant current on V' over one step."""
    return -tau_m / cm * np.expm1(-h / tau_m)


def derive(kind: int, param: np.ndarray, cols: slice | np.ndarray, dt: float) -> None:
    """Fill the derived rows of ``param[:, cols]`` from its PyNN rows, in place."""
    p = param
    if kind in m.SOURCE_KINDS:
        return
    cm, tau_m = p[m.P_CM, cols], p[m.P_TAU_M, cols]
    p[m.P_REFR_STEPS, cols] = np.floor(p[m.P_TAU_REFRAC, cols] / dt + 0.5)
    p[m.P_P22, cols] = np.exp(-dt / tau_m)
    p[m.P_P20, cols] = p20(cm, tau_m, dt)
    if kind == m.K_CURR_DELTA:
        return
    te, ti = p[m.P_TAU_SYN_E, cols], p[m.P_TAU_SYN_I, cols]
    p[m.P_P11E, cols] = np.exp(-dt / te)
    p[m.P_P11I, cols] = np.exp(-dt / ti)
    p[m.P_PSC_INIT_E, cols] = math.e / te
    p[m.P_PSC_INIT_I, cols] = math.e / ti
    p[m.P_INV_TAU_M, cols] = 1.0 / tau_m
    p[m.P_INV_CM, cols] = 1.0 / cm
    p[m.P_INV_TAU_E, cols] = 1.0 / te
    p[m.P_INV_TAU_I, cols] = 1.0 / ti
    if kind in (m.K_CURR_EXP, m.K_CURR_ALPHA):
        p[m.P_P21E, cols] = p21(cm, tau_m, te, dt)
        p[m.P_P21I, cols] = p21(cm, tau_m, ti, dt)
        p[m.P_P31E, cols] = p31(cm, tau_m, te, dt)
        p[m.P_P31I, cols] = p31(cm, tau_m, ti, dt)
