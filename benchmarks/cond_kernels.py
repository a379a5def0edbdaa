"""CPU time per cell and step of the IF_cond_exp update under each integration scheme
(`lamina.backends.engine.fixed_step`): integration plus the threshold/reset pass, for 4,000
cells in Vogels-Abbott-like states, in one process (interleaved, medians of 5).

::

    python benchmarks/cond_kernels.py
"""
from __future__ import annotations

import math
import os
import time

import numpy as np
from numba import njit

from lamina.backends.engine import models as m
from lamina.backends.engine.families.lif_cond import _post_cond_exp
from lamina.backends.engine.fixed_step import expeuler_step_cond_exp, rk4_step_cond_exp
from lamina.backends.engine.integrators import full_step_cond_exp

N, DT, STEPS = 4000, 0.1, 1000


@njit
def _loop(scheme, steps, n, dt, state, param, refr, ring, iinj, work, spiked):
    s = 0
    for _ in range(steps):
        if scheme == 0:
            full_step_cond_exp(n, dt, state[m.S_V], state[m.S_SYN_E], state[m.S_SYN_I],
                               state[m.S_H], refr, param[m.P_V_REST], param[m.P_E_REV_E],
                               param[m.P_E_REV_I], param[m.P_I_OFFSET], iinj,
                               param[m.P_INV_TAU_M], param[m.P_INV_CM], param[m.P_INV_TAU_E],
                               param[m.P_INV_TAU_I], work[0], work[1], work[2], work[5])
        elif scheme == 1:
            rk4_step_cond_exp(n, dt, state[m.S_V], state[m.S_SYN_E], state[m.S_SYN_I], refr,
                              param[m.P_V_REST], param[m.P_E_REV_E], param[m.P_E_REV_I],
                              param[m.P_I_OFFSET], iinj, param[m.P_INV_TAU_M],
                              param[m.P_INV_CM], param[m.P_P11E], param[m.P_P11I], work[0],
                              work[1], work[2], work[5])
        else:
            expeuler_step_cond_exp(n, dt, state[m.S_V], state[m.S_SYN_E], state[m.S_SYN_I],
                                   refr, param[m.P_V_REST], param[m.P_E_REV_E],
                                   param[m.P_E_REV_I], param[m.P_I_OFFSET], iinj,
                                   param[m.P_INV_TAU_M], param[m.P_INV_CM], param[m.P_P11E],
                                   param[m.P_P11I], work[0], work[1], work[2], work[5])
        s += _post_cond_exp(0, n, 0, n, dt, state, param, refr, ring, work, spiked, 0)
    return s


def main() -> None:
    rng = np.random.default_rng(1)
    state0 = np.zeros((m.NSTATE, N))
    state0[m.S_V] = rng.uniform(-70.0, -50.0, N)
    state0[m.S_SYN_E] = rng.exponential(0.006, N)   # the network's mean conductances [uS]
    state0[m.S_SYN_I] = rng.exponential(0.04, N)
    state0[m.S_H] = DT
    param = np.zeros((m.NPARAM, N))
    for row, value in ((m.P_V_REST, -60.0), (m.P_E_REV_E, 0.0), (m.P_E_REV_I, -80.0),
                       (m.P_INV_TAU_M, 1 / 20.0), (m.P_INV_CM, 1 / 0.2),
                       (m.P_INV_TAU_E, 1 / 5.0), (m.P_INV_TAU_I, 1 / 10.0),
                       (m.P_P11E, math.exp(-DT / 5.0)), (m.P_P11I, math.exp(-DT / 10.0)),
                       (m.P_V_THRESH, -50.0), (m.P_V_RESET, -60.0), (m.P_REFR_STEPS, 50.0)):
        param[row] = value
    param[m.P_I_OFFSET] = rng.uniform(0.0, 0.3, N)
    names = ("rkf45", "rk4", "exponential_euler")
    times: dict[str, list[float]] = {k: [] for k in names}
    for rep in range(6):
        for scheme, name in enumerate(names):
            state = state0.copy()
            args = (N, DT, state, param, np.zeros(N, np.int64), np.zeros((2, 2 * N)),
                    np.zeros(N), np.zeros((8, N)), np.zeros(N, np.int64))
            t0 = time.process_time()
            _loop(scheme, STEPS if rep else 1, *args)
            if rep:    # the first round compiles
                times[name].append((time.process_time() - t0) / STEPS / N * 1e9)
    print(f"IF_cond_exp update, {N} cells, {STEPS} steps; load average "
          f"{os.getloadavg()[0]:.1f}")
    for name, ts in times.items():
        print(f"  {name:18s} {np.median(ts):6.2f} ns per cell-step (CPU; "
              f"{', '.join(f'{t:.2f}' for t in ts)})")


if __name__ == "__main__":
    main()
