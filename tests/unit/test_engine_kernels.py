"""The adaptive RKF45 integrators of the conductance-based models."""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from lamina.backends.engine import integrators as K

DT = 0.1
EL, EE, EI, TAU_M, CM, TAU_E, TAU_I = -65.0, 0.0, -70.0, 20.0, 1.0, 5.0, 10.0


def _args(cur=0.0):
    return (EL, EE, EI, cur, 1 / TAU_M, 1 / CM, 1 / TAU_E, 1 / TAU_I)


def _reference_exp(v0, ge0, gi0, t_end, cur=0.0):
    def f(t, y):
        v, ge, gi = y
        return [(EL - v) / TAU_M + (ge * (EE - v) + gi * (EI - v) + cur) / CM,
                -ge / TAU_E, -gi / TAU_I]
    return solve_ivp(f, (0, t_end), [v0, ge0, gi0], method="DOP853", rtol=1e-12,
                     atol=1e-12).y[:, -1]


def test_rk_cond_exp_accuracy_over_many_steps() -> None:
    for ge0, gi0 in [(0.0, 0.0), (0.05, 0.02), (2.0, 1.0), (50.0, 0.0)]:
        v, ge, gi, h = -60.0, ge0, gi0, DT
        for _ in range(200):
            v, ge, gi, h = K.rk_cond_exp(v, ge, gi, h, DT, False, *_args(0.3))
        ref = _reference_exp(-60.0, ge0, gi0, 200 * DT, 0.3)
        assert abs(v - ref[0]) < 1e-5
        assert abs(ge - ref[1]) < 1e-6 and abs(gi - ref[2]) < 1e-6
        assert 0 < h <= DT


def test_large_conductance_forces_substeps() -> None:
    v, ge, gi, h = K.rk_cond_exp(-60.0, 500.0, 0.0, DT, DT, False, *_args())
    assert h < DT  # the controller shrank the internal step
    ref = _reference_exp(-60.0, 500.0, 0.0, DT)
    assert abs(v - ref[0]) < 1e-5


def test_refractory_clamp_keeps_v_and_decays_g() -> None:
    v, ge, gi, h = K.rk_cond_exp(-70.0, 0.5, 0.2, DT, DT, True, *_args(1.0))
    assert v == -70.0
    assert abs(ge - 0.5 * np.exp(-DT / TAU_E)) < 1e-9
    assert abs(gi - 0.2 * np.exp(-DT / TAU_I)) < 1e-9


def test_vectorised_attempt_is_bit_identical_to_scalar_integrator() -> None:
    rng = np.random.default_rng(0)
    n = 257
    V = rng.uniform(-80, -45, n)
    GE = rng.exponential(0.05, n)
    GE[:5] = 300.0  # these need substeps: not accepted by the vector attempt
    GI = rng.exponential(0.1, n)
    DGE = rng.exponential(0.1, n)
    DGI = rng.exponential(0.1, n)
    H = np.where(rng.random(n) < 0.1, 0.05, DT)
    R = (rng.random(n) < 0.2).astype(np.int64)
    full = lambda a: np.full(n, a)  # noqa: E731
    cur = rng.uniform(0, 0.5, n)
    common = (R, full(EL), full(EE), full(EI), full(0.0), cur, full(1 / TAU_M), full(1 / CM),
              full(1 / TAU_E), full(1 / TAU_I))
    out = [np.empty(n) for _ in range(6)]
    K.full_step_cond_exp(n, DT, V, GE, GI, H, *common, out[0], out[1], out[2], out[5])
    ok = out[5] != 0
    assert 0 < ok.sum() < n and not ok[:5].any()
    for j in np.flatnonzero(ok):
        ref = K.rk_cond_exp(V[j], GE[j], GI[j], H[j], DT, R[j] > 0, EL, EE, EI, cur[j],
                            1 / TAU_M, 1 / CM, 1 / TAU_E, 1 / TAU_I)
        assert (out[0][j], out[1][j], out[2][j], DT) == ref
    K.full_step_cond_alpha(n, DT, V, GE, DGE, GI, DGI, H, *common, out[0], out[1], out[3],
                           out[2], out[4], out[5])
    ok = out[5] != 0
    assert 0 < ok.sum() < n
    for j in np.flatnonzero(ok):
        ref = K.rk_cond_alpha(V[j], GE[j], DGE[j], GI[j], DGI[j], H[j], DT, R[j] > 0, EL, EE,
                              EI, cur[j], 1 / TAU_M, 1 / CM, 1 / TAU_E, 1 / TAU_I)
        assert (out[0][j], out[1][j], out[3][j], out[2][j], out[4][j], DT) == ref
