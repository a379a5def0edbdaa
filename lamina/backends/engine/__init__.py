"""lamina's built-in simulation engine: clock-driven, spikes on the time grid,
reproducing NEST's grid-based models.

Integration methods
-------------------
* IF_curr_exp, IF_curr_alpha, IF_curr_delta: exact integration of the linear
  subthreshold dynamics with precomputed propagators (as NEST iaf_psc_exp,
  iaf_psc_alpha, iaf_psc_delta); same update order as NEST, so spike times match to
  the step and V to round-off.
* IF_cond_exp, IF_cond_alpha: adaptive embedded Runge-Kutta-Fehlberg 4(5) per neuron
  and step with absolute error tolerance 1e-6 (mV, uS), the last accepted internal step
  carried across steps (as NEST's GSL rkf45 use); V clamped at v_reset while
  refractory; threshold checked at the end of each step (see `integrators`).
* Synaptic input: ring buffer per target and receptor; a spike emitted in step n with
  delay D steps acts on the state at t_{n+1+D}.
* SpikeSourcePoisson: per block of 1000 steps, Poisson counts per cell and uniform grid
  positions, seeded by (rng_seed, reset segment, block).

Modules: `backend` (bookkeeping), `models` (translation tables), `propagators`
(exact-integration constants), `integrators` and `kernels` (numba, cache=True),
`inputs` (current sources, spike sources), `recording` (stores).

The kernels are serial: results never depend on threads; ``threads`` is accepted
and ignored (numba's OpenMP pool is not started since it clashes with NEST's OpenMP
runtime in one process).
"""
from lamina.backends.engine.backend import EngineBackend

__all__ = ["EngineBackend"]
