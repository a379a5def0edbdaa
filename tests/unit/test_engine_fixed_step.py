"""The fixed-step schemes of the conductance-based LIF cells (`engine.fixed_step`,
``setup(integrator=...)``) against the exact solution of one step, and their selection."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

import lamina
from lamina.backends.engine import assemble
from lamina.backends.engine import models as m
from lamina.backends.engine.families import VARIANTS, family_of
from lamina.backends.engine.fixed_step import (DEFAULT_INTEGRATOR, INTEGRATORS, RK4_TOL,
                                               TAYLOR_TOL, check_integrator,
                                               expeuler_step_cond_exp,
                                               expeuler_step_cond_alpha, expeuler_v,
                                               rk4_step_cond_exp, rk4_step_cond_alpha,
                                               taylor_step_cond_alpha, taylor_step_cond_exp)
from lamina.errors import InvalidParameterValueError

EL, EE, EI, TM, CM, TE, TI = -60.0, 0.0, -80.0, 20.0, 0.2, 5.0, 10.0


def _g_integral(g0: float, d0: float, tau: float, t: float) -> float:
    """int_0^t (g0 + s d0) exp(-s/tau) ds (exponential synapse: d0 = 0)."""
    e = math.exp(-t / tau)
    return g0 * tau * (1.0 - e) + d0 * (tau * tau * (1.0 - e) - tau * t * e)


def _exact_v(v0: float, ge0: float, dge0: float, gi0: float, dgi0: float, cur: float,
             h: float) -> float:
    """V after h of dV/dt = A(t) - B(t) V with the exact conductances (quadrature of the
    variation-of-constants formula)."""
    def omega(t: float) -> float:
        return t / TM + (_g_integral(ge0, dge0, TE, t) + _g_integral(gi0, dgi0, TI, t)) / CM

    def a(s: float) -> float:
        ge = (ge0 + s * dge0) * math.exp(-s / TE)
        gi = (gi0 + s * dgi0) * math.exp(-s / TI)
        return EL / TM + (ge * EE + gi * EI + cur) / CM

    om = omega(h)
    forced = quad(lambda s: math.exp(-(om - omega(s))) * a(s), 0.0, h, epsabs=1e-14,
                  epsrel=1e-13)[0]
    return math.exp(-om) * v0 + forced


def _cells(n: int, seed: int, dt: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"V": rng.uniform(-80.0, -50.0, n), "GE": rng.exponential(0.01, n),
            "GI": rng.exponential(0.04, n), "DGE": rng.exponential(0.01, n),
            "DGI": rng.exponential(0.02, n), "R": np.zeros(n, np.int64),
            "EL": np.full(n, EL), "EE": np.full(n, EE), "EI": np.full(n, EI),
            "IOFF": rng.uniform(0.0, 0.3, n), "II": np.zeros(n),
            "ITM": np.full(n, 1.0 / TM), "ICM": np.full(n, 1.0 / CM),
            "PE": np.full(n, math.exp(-dt / TE)), "PI": np.full(n, math.exp(-dt / TI))}


def _run_exp(step, c: dict, dt: float) -> tuple[np.ndarray, ...]:
    """One IF_cond_exp integration step (`step`) of the cells `c`: (V, g_e, g_i, ok)."""
    n = len(c["V"])
    ov, oe, oi, ok = (np.zeros(n) for _ in range(4))
    rejected = step(n, dt, c["V"], c["GE"], c["GI"], c["R"], c["EL"], c["EE"], c["EI"],
                    c["IOFF"], c["II"], c["ITM"], c["ICM"], c["PE"], c["PI"], ov, oe, oi, ok)
    assert rejected == int(np.sum(ok == 0.0))
    return ov, oe, oi, ok


def test_integrator_names_are_checked() -> None:
    for name in INTEGRATORS:
        assert check_integrator(name) == name
    for bad in ("euler", "RK4", None, 4):
        with pytest.raises(InvalidParameterValueError, match="integrator") as info:
            check_integrator(bad)
        assert repr(bad) in str(info.value) and "'rkf45'" in str(info.value)


def test_setup_rejects_an_unknown_integrator() -> None:
    with pytest.raises(InvalidParameterValueError, match="integrator='midpoint'"):
        lamina.setup(timestep=0.1, integrator="midpoint")
    lamina.end()


def test_variants_are_picked_per_scheme() -> None:
    for kind in (m.K_COND_EXP, m.K_COND_ALPHA):
        assert family_of(kind) == family_of(kind, "rkf45")
        for scheme in ("taylor", "rk4", "exponential_euler"):
            assert (kind, scheme) in VARIANTS
            assert family_of(kind, scheme) != family_of(kind)
    # a kind without variants keeps its update under any scheme
    assert family_of(m.K_CURR_EXP, "rk4") == family_of(m.K_CURR_EXP)
    tail = assemble._generated_tail((m.K_COND_EXP,), False, "rk4")
    assert "update_cond_exp_rk4" in tail and "update_cond_exp as" not in tail


@pytest.mark.parametrize("dt", [0.1, 0.05])
def test_rk4_step_within_tolerance_of_the_exact_solution(dt: float) -> None:
    c = _cells(300, 1, dt)
    ov, oe, oi, ok = _run_exp(rk4_step_cond_exp, c, dt)
    exact = np.array([_exact_v(c["V"][j], c["GE"][j], 0.0, c["GI"][j], 0.0,
                               c["IOFF"][j], dt) for j in range(300)])
    acc = ok == 1.0
    assert acc.mean() > 0.9
    assert np.max(np.abs(ov[acc] - exact[acc])) <= RK4_TOL
    np.testing.assert_allclose(oe[acc], c["GE"][acc] * math.exp(-dt / TE), rtol=1e-14)
    np.testing.assert_allclose(oi[acc], c["GI"][acc] * math.exp(-dt / TI), rtol=1e-14)


def test_rk4_alpha_step_within_tolerance_of_the_exact_solution() -> None:
    dt = 0.1
    c = _cells(200, 2, dt)
    n = 200
    ov, oe, ode, oi, odi, ok = (np.zeros(n) for _ in range(6))
    rk4_step_cond_alpha(n, dt, c["V"], c["GE"], c["DGE"], c["GI"], c["DGI"], c["R"], c["EL"],
                        c["EE"], c["EI"], c["IOFF"], c["II"], c["ITM"], c["ICM"], c["PE"],
                        c["PI"], ov, oe, ode, oi, odi, ok)
    exact = np.array([_exact_v(c["V"][j], c["GE"][j], c["DGE"][j], c["GI"][j], c["DGI"][j],
                               c["IOFF"][j], dt) for j in range(n)])
    acc = ok == 1.0
    assert acc.mean() > 0.9
    assert np.max(np.abs(ov[acc] - exact[acc])) <= RK4_TOL
    np.testing.assert_allclose(oe, (c["GE"] + dt * c["DGE"]) * math.exp(-dt / TE), rtol=1e-14)
    np.testing.assert_allclose(ode, c["DGE"] * math.exp(-dt / TE), rtol=1e-14)


def test_rk4_hands_stiff_cells_to_the_adaptive_integrator() -> None:
    dt = 1.0    # a coarse step and strong conductances: the estimate exceeds RK4_TOL
    c = _cells(50, 3, dt)
    c["GI"] = np.full(50, 2.0)
    _, _, _, ok = _run_exp(rk4_step_cond_exp, c, dt)
    assert np.all(ok == 0.0)
    c["R"][:] = 3     # refractory: V is clamped, nothing to integrate
    ov, _, _, ok = _run_exp(rk4_step_cond_exp, c, dt)
    assert np.all(ok == 1.0) and np.array_equal(ov, c["V"])


def test_exponential_euler_exact_for_constant_input_and_first_order_otherwise() -> None:
    dt = 0.1
    c = _cells(20, 4, dt)
    c["GE"][:] = 0.0
    c["GI"][:] = 0.0
    ov, _, _, ok = _run_exp(expeuler_step_cond_exp, c, dt)
    v_inf = EL + c["IOFF"] * TM / CM
    np.testing.assert_allclose(ov, v_inf + (c["V"] - v_inf) * math.exp(-dt / TM), rtol=0,
                               atol=1e-12)
    assert np.all(ok == 1.0)
    # with decaying conductances the local error is O(dt^2): about 4x smaller at dt/2
    errs = []
    for h in (0.1, 0.05):
        c = _cells(20, 5, h)
        ov, _, _, _ = _run_exp(expeuler_step_cond_exp, c, h)
        exact = np.array([_exact_v(c["V"][j], c["GE"][j], 0.0, c["GI"][j], 0.0,
                                   c["IOFF"][j], h) for j in range(20)])
        errs.append(np.max(np.abs(ov - exact)))
    assert 3.0 < errs[0] / errs[1] < 5.0


def test_exponential_euler_alpha_conductances_exact() -> None:
    dt = 0.1
    c = _cells(10, 6, dt)
    n = 10
    ov, oe, ode, oi, odi, ok = (np.zeros(n) for _ in range(6))
    expeuler_step_cond_alpha(n, dt, c["V"], c["GE"], c["DGE"], c["GI"], c["DGI"], c["R"],
                             c["EL"], c["EE"], c["EI"], c["IOFF"], c["II"], c["ITM"],
                             c["ICM"], c["PE"], c["PI"], ov, oe, ode, oi, odi, ok)
    np.testing.assert_allclose(oi, (c["GI"] + dt * c["DGI"]) * math.exp(-dt / TI), rtol=1e-14)
    np.testing.assert_allclose(odi, c["DGI"] * math.exp(-dt / TI), rtol=1e-14)
    b0 = 1.0 / TM + (c["GE"] + c["GI"]) / CM
    a0 = EL / TM + (c["GE"] * EE + c["GI"] * EI + c["IOFF"]) / CM
    np.testing.assert_allclose(ov, a0 / b0 + (c["V"] - a0 / b0) * np.exp(-dt * b0),
                               rtol=1e-13)


def test_exponential_euler_polynomial_and_library_exp_agree() -> None:
    """Where dt B is beyond the polynomial's range (a coarse step) the step uses
    `expeuler_v` (math.exp); inside, the polynomial gives the same V."""
    c = _cells(40, 7, 1.0)
    c["GI"] = np.linspace(0.0, 0.4, 40)      # dt B from 0.05 to 2.05
    for h in (1.0, 0.3):
        c["PE"][:] = math.exp(-h / TE)
        c["PI"][:] = math.exp(-h / TI)
        ov, _, _, ok = _run_exp(expeuler_step_cond_exp, c, h)
        b0 = 1.0 / TM + (c["GE"] + c["GI"]) / CM
        a0 = EL / TM + (c["GE"] * EE + c["GI"] * EI + c["IOFF"]) / CM
        want = a0 / b0 + (c["V"] - a0 / b0) * np.exp(-h * b0)
        inside = h * b0 <= 0.5
        assert np.all(ok == 1.0) and inside.any() and (~inside).any()
        np.testing.assert_allclose(ov, want, rtol=1e-14)
        lib = [expeuler_v(c["V"][j], h, c["GE"][j], c["GI"][j], EL, EE, EI, c["IOFF"][j],
                          1.0 / TM, 1.0 / CM) for j in range(40)]
        np.testing.assert_allclose(lib, want, rtol=1e-14)


def _run_taylor(c: dict, dt: float) -> tuple[np.ndarray, ...]:
    """One "taylor" step of the IF_cond_exp cells `c`: (V, g_e, g_i, ok)."""
    n = len(c["V"])
    ov, oe, oi, ok = (np.zeros(n) for _ in range(4))
    rejected = taylor_step_cond_exp(n, dt, c["V"], c["GE"], c["GI"], c["R"], c["EL"], c["EE"],
                                    c["EI"], c["IOFF"], c["II"], c["ITM"], c["ICM"], c["PE"],
                                    c["PI"], np.full(n, 1.0 / TE), np.full(n, 1.0 / TI), ov,
                                    oe, oi, ok)
    assert rejected == int(np.sum(ok == 0.0))
    return ov, oe, oi, ok


def test_taylor_is_the_default() -> None:
    assert DEFAULT_INTEGRATOR == "taylor" and "taylor" in INTEGRATORS


@pytest.mark.parametrize("dt", [0.1, 0.05])
def test_taylor_step_far_within_tolerance_of_the_exact_solution(dt: float) -> None:
    """The series to h^6 leaves an O(h^7) error: far below TAYLOR_TOL (which bounds its
    h^6 term) and below the rk4 step's error."""
    c = _cells(300, 1, dt)
    ov, oe, oi, ok = _run_taylor(c, dt)
    rk4_v = _run_exp(rk4_step_cond_exp, c, dt)[0]
    exact = np.array([_exact_v(c["V"][j], c["GE"][j], 0.0, c["GI"][j], 0.0,
                               c["IOFF"][j], dt) for j in range(300)])
    acc = ok == 1.0
    assert acc.mean() > 0.95
    err = np.abs(ov - exact)
    assert np.max(err[acc]) <= 0.05 * TAYLOR_TOL
    assert np.median(err) < 0.01 * np.median(np.abs(rk4_v - exact))
    np.testing.assert_allclose(oe, c["GE"] * math.exp(-dt / TE), rtol=1e-14)
    np.testing.assert_allclose(oi, c["GI"] * math.exp(-dt / TI), rtol=1e-14)


def test_taylor_step_is_sixth_order() -> None:
    """Halving the step divides the local error by about 2^7."""
    c = _cells(50, 5, 0.4)
    c["GI"] *= 0.3
    errs = []
    for h in (0.4, 0.2):
        c["PE"][:] = math.exp(-h / TE)
        c["PI"][:] = math.exp(-h / TI)
        ov = _run_taylor(c, h)[0]
        exact = np.array([_exact_v(c["V"][j], c["GE"][j], 0.0, c["GI"][j], 0.0,
                                   c["IOFF"][j], h) for j in range(50)])
        errs.append(np.abs(ov - exact))
    assert 90.0 < np.median(errs[0] / errs[1]) < 180.0


def test_taylor_alpha_step_close_to_the_exact_solution() -> None:
    """Alpha-kernel conductances (the derivatives of (g + t dg) e^{-t/tau}), including
    fast synapses (tau_syn = dt) whose large h^6 term hands the cell to RKF45."""
    dt, n = 0.1, 200
    c = _cells(n, 2, dt)
    ov, oe, ode, oi, odi, ok = (np.zeros(n) for _ in range(6))
    ite, iti = np.full(n, 1.0 / TE), np.full(n, 1.0 / TI)
    taylor_step_cond_alpha(n, dt, c["V"], c["GE"], c["DGE"], c["GI"], c["DGI"], c["R"],
                           c["EL"], c["EE"], c["EI"], c["IOFF"], c["II"], c["ITM"], c["ICM"],
                           c["PE"], c["PI"], ite, iti, ov, oe, ode, oi, odi, ok)
    exact = np.array([_exact_v(c["V"][j], c["GE"][j], c["DGE"][j], c["GI"][j], c["DGI"][j],
                               c["IOFF"][j], dt) for j in range(n)])
    acc = ok == 1.0
    assert acc.mean() > 0.95
    assert np.max(np.abs(ov[acc] - exact[acc])) <= 0.05 * TAYLOR_TOL
    np.testing.assert_allclose(oe, (c["GE"] + dt * c["DGE"]) * math.exp(-dt / TE), rtol=1e-14)
    np.testing.assert_allclose(odi, c["DGI"] * math.exp(-dt / TI), rtol=1e-14)
    # tau_syn = dt: the series converges slowly, every active cell is redone
    fast = np.full(n, 1.0 / dt)
    taylor_step_cond_alpha(n, dt, c["V"], c["GE"], c["DGE"] * 10.0, c["GI"], c["DGI"] * 10.0,
                           c["R"], c["EL"], c["EE"], c["EI"], c["IOFF"], c["II"], c["ITM"],
                           c["ICM"], np.full(n, math.exp(-1.0)), np.full(n, math.exp(-1.0)),
                           fast, fast, ov, oe, ode, oi, odi, ok)
    assert np.mean(ok == 0.0) > 0.9


def test_taylor_hands_stiff_cells_to_the_adaptive_integrator() -> None:
    dt = 1.0    # a coarse step and strong conductances: the h^6 term exceeds TAYLOR_TOL
    c = _cells(50, 3, dt)
    c["GI"] = np.full(50, 2.0)
    _, _, _, ok = _run_taylor(c, dt)
    assert np.all(ok == 0.0)
    c["R"][:] = 3     # refractory: V is clamped, nothing to integrate
    ov, _, _, ok = _run_taylor(c, dt)
    assert np.all(ok == 1.0) and np.array_equal(ov, c["V"])
    c["R"][:] = 0
    c["V"][0] = np.nan    # a non-finite state is never accepted (RKF45 reports it)
    _, _, _, ok = _run_taylor(c, 0.1)
    assert ok[0] == 0.0
