"""Exact-integration propagators and the model tables of the engine."""
from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
from scipy.integrate import quad

from lamina.backends.engine import models as m
from lamina.backends.engine.families import REGISTRY, family_of
from lamina.backends.engine.propagators import derive, p20, p21, p31, phi1, phi2
from lamina.models import CELL_TYPES


def _p21_quad(cm, tau_m, tau_s, h):
    return quad(lambda s: math.exp(-(h - s) / tau_m) * math.exp(-s / tau_s), 0, h,
                epsabs=0, epsrel=1e-13)[0] / cm


def _p31_quad(cm, tau_m, tau_s, h):
    return quad(lambda s: math.exp(-(h - s) / tau_m) * s * math.exp(-s / tau_s), 0, h,
                epsabs=0, epsrel=1e-13)[0] / cm


@pytest.mark.parametrize("tau_s", [0.1, 0.5, 2.0, 10.0, 20.0, 20.0 + 1e-9, 20.0 - 1e-7,
                                   19.99, 60.0, 1e4])
@pytest.mark.parametrize("h", [0.01, 0.1, 1.0])
def test_propagators_match_quadrature(tau_s: float, h: float) -> None:
    cm, tau_m = 0.7, 20.0
    a = np.array([tau_s])
    assert p21(cm, tau_m, a, h)[0] == pytest.approx(_p21_quad(cm, tau_m, tau_s, h), rel=1e-12)
    assert p31(cm, tau_m, a, h)[0] == pytest.approx(_p31_quad(cm, tau_m, tau_s, h), rel=1e-12)
    assert p20(cm, tau_m, h) == pytest.approx(tau_m / cm * (1 - math.exp(-h / tau_m)),
                                              rel=1e-14)


def test_degenerate_limits() -> None:
    assert phi1(np.array([0.0]))[0] == 1.0
    assert phi2(np.array([0.0]))[0] == 0.5
    x = np.array([1e-300, 1e-8, 0.49, 0.5, 3.0, -2.0])
    with np.errstate(all="ignore"):
        direct = (1 - np.exp(-x) * (1 + x)) / x ** 2
    np.testing.assert_allclose(phi2(x)[3:], direct[3:], rtol=1e-13)
    np.testing.assert_allclose(phi2(x)[:2], 0.5, rtol=1e-7)
    # continuity across the series/closed-form switch
    assert abs(phi2(np.array([0.5 - 1e-12]))[0] - phi2(np.array([0.5]))[0]) < 1e-12
    # tau_syn == tau_m exactly: the limit h/cm exp(-h/tau_m)
    h, cm, tau = 0.1, 1.0, 10.0
    assert p21(cm, tau, np.array([tau]), h)[0] == pytest.approx(h / cm * math.exp(-h / tau),
                                                                rel=1e-15)


def test_tables_cover_the_catalogue_and_rows_are_consistent() -> None:
    for name in ("IF_curr_exp", "IF_curr_alpha", "IF_curr_delta", "IF_cond_exp",
                 "IF_cond_alpha", "SpikeSourceArray", "SpikeSourcePoisson"):
        table = m.TABLES[name]
        cls = CELL_TYPES[name]
        assert set(table.params) == set(cls.default_parameters) - {"spike_times"}
        assert set(table.state) == set(cls.default_initial_values)
        assert all(0 <= r < m.NPARAM for r in table.params.values())
        assert all(0 <= r < m.NSTATE for r in table.state.values())
    # every model kind has a compiled update registered (the step loop dispatches on it)
    assert set(m.KIND_NAMES) <= set(REGISTRY)
    for kind in m.KIND_NAMES:
        module, func = family_of(kind)
        assert callable(getattr(importlib.import_module(module), func))


def test_derive_fills_refractory_counts() -> None:
    param = np.zeros((m.NPARAM, 3))
    param[m.P_CM] = 1.0
    param[m.P_TAU_M] = 20.0
    param[m.P_TAU_SYN_E] = param[m.P_TAU_SYN_I] = 5.0
    param[m.P_TAU_REFRAC] = [0.0, 0.1, 2.04]
    derive(m.K_CURR_EXP, param, slice(0, 3), 0.1)
    np.testing.assert_array_equal(param[m.P_REFR_STEPS], [0, 1, 20])
    assert param[m.P_P11E, 0] == math.exp(-0.1 / 5.0)
