"""Spike sources on Brian 2.

* SpikeSourceArray: a SpikeGeneratorGroup; a spike at lamina time T is sent at T - dt (see
  `cells` for the time convention), times rounded to the grid, one spike per cell and step.
* SpikeSourcePoisson: a NeuronGroup firing in step n with probability
  ``1 - exp(-rate dt)`` (the probability of at least one event of a Poisson process in the
  step; at most one spike per step) while ``round(start/dt) <= n < round((start +
  duration)/dt)``; Brian 2's random numbers, seeded from setup()'s seed, so a realisation
  is deterministic per seed and independent of how a run is split.
* SpikeSourcePoissonRefractory: the same with a dead time of tau_refrac, the rate in the
  free time raised to ``rate/(1 - rate tau_refrac)`` so that the mean rate is `rate`.
* SpikeSourceGamma with an integer shape alpha: every alpha-th event of a Poisson process of
  rate beta (Erlang intervals, mean alpha/beta), counted per cell; the count starts
  uniform in 0 .. alpha-1, so the train starts in equilibrium. Non-integer shapes are
  refused.
* SpikeSourceInhGamma: a SpikeGeneratorGroup that receives the spikes of each run before
  it, drawn in numpy by time rescaling (`inh_gamma`).
"""
from __future__ import annotations

from typing import Any

import brian2 as b2
import numpy as np

from lamina.errors import NoModelAvailableError
from lamina.models import dynamics

KINDS = ("SpikeSourceArray", "SpikeSourcePoisson", "SpikeSourcePoissonRefractory",
         "SpikeSourceGamma", "SpikeSourceInhGamma")

_POISSON_EQS = """
p_spike : 1
start_step : integer
stop_step : integer
"""


def kind_of(celltype: Any) -> str:
    """'neuron' for a model with equations, the source's name for a supported spike source.

    Raises
    ------
    NoModelAvailableError
        for spike sources and cell types Brian 2 cannot run here.
    """
    name = type(celltype).__name__
    if name in KINDS:
        return name
    if dynamics.of(celltype) is not None or name == "GIF_cond_exp":
        return "neuron"
    raise NoModelAvailableError(
        f"{name} is not available on the brian2 backend (supported: the integrate-and-fire, "
        "adaptive exponential, Izhikevich, Hodgkin-Huxley and GIF models, PointNeuron of LIF or "
        "AdExp with CurrExp, CondExp, CondAlpha or CondBeta receptors, SpikeSourceArray, "
        "SpikeSourcePoisson, SpikeSourcePoissonRefractory, SpikeSourceGamma, "
        "SpikeSourceInhGamma)")


def index(rows: np.ndarray) -> Any:
    """`rows` as a Brian 2 index: a slice where they are consecutive (C++ standalone
    accepts index arrays only in few forms)."""
    rows = np.asarray(rows, np.int64)
    if len(rows) and np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
        return slice(int(rows[0]), int(rows[0]) + len(rows))
    return rows


def _generator_spikes(times: list[np.ndarray], dt: float) -> tuple[np.ndarray, np.ndarray]:
    """(indices, Brian 2 step numbers) of a SpikeSourceArray's spikes."""
    idx, steps = [], []
    for k, t in enumerate(times):
        s = np.unique(np.floor(np.asarray(t, float) / dt + 0.5).astype(np.int64) - 1)
        s = s[s >= 0]
        idx.append(np.full(len(s), k, np.int64))
        steps.append(s)
    if not idx:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(idx), np.concatenate(steps)


_GAMMA_EQS = _POISSON_EQS + "alpha_shape : integer\nn_events : integer\n"


def check(kind: str, params: dict[str, Any]) -> None:
    """Refuse parameters the source cannot have on Brian 2 (at creation and set).

    Raises
    ------
    NoModelAvailableError
        for a SpikeSourceGamma with a non-integer shape alpha.
    """
    if kind != "SpikeSourceGamma":
        return
    alpha = np.asarray(params["alpha"], float)
    if np.any(alpha != np.round(alpha)):
        raise NoModelAvailableError(
            "SpikeSourceGamma on the brian2 backend needs an integer shape alpha (Erlang "
            f"intervals); got alpha = {float(alpha[alpha != np.round(alpha)][0]):g}")


def _build_gamma(n: int, params: dict[str, Any], clock: Any, name: str) -> Any:
    check("SpikeSourceGamma", params)
    group = b2.NeuronGroup(
        n, _GAMMA_EQS, threshold="n_events >= alpha_shape", reset="n_events = 0",
        clock=clock, name=name)
    group.run_regularly("n_events += int(t_in_timesteps >= start_step and t_in_timesteps < "
                        "stop_step and rand() < p_spike)", when="before_thresholds",
                        name=name + "_events")
    push("SpikeSourceGamma", group, params, np.arange(n), list(params))
    group.n_events = "int(rand()*alpha_shape)"           # Brian 2's seeded random stream
    return group


def build(kind: str, n: int, params: dict[str, Any], clock: Any, name: str) -> Any:
    """The Brian 2 group of a spike source, on `clock` (lamina's time step)."""
    if kind == "SpikeSourceGamma":
        return _build_gamma(n, params, clock, name)
    if kind == "SpikeSourceInhGamma":           # spikes: `send_window` before each run
        return b2.SpikeGeneratorGroup(n, np.zeros(0, np.int64), np.zeros(0) * b2.ms,
                                      clock=clock, name=name)
    if kind == "SpikeSourceArray":
        dt = float(clock.dt_) * 1e3
        idx, steps = _generator_spikes(params["spike_times"], dt)
        return b2.SpikeGeneratorGroup(n, idx, steps * dt * b2.ms, clock=clock, name=name)
    refractory = "tau_refrac" if kind == "SpikeSourcePoissonRefractory" else False
    eqs = _POISSON_EQS + ("tau_refrac : second\n" if refractory else "")
    group = b2.NeuronGroup(n, eqs, threshold="t_in_timesteps >= start_step and "
                           "t_in_timesteps < stop_step and rand() < p_spike",
                           refractory=refractory, clock=clock, name=name)
    push(kind, group, params, np.arange(n), list(params))
    return group


def push(kind: str, group: Any, params: dict[str, Any], local: np.ndarray,
         names: list[str]) -> None:
    """Send changed parameters of a spike source to its Brian 2 group (a
    SpikeSourceInhGamma's take effect through its trains, see `send_window`)."""
    if kind == "SpikeSourceInhGamma":
        return
    if kind == "SpikeSourceArray":
        dt = float(group.clock.dt_) * 1e3
        idx, steps = _generator_spikes(params["spike_times"], dt)
        group.set_spikes(idx, steps * dt * b2.ms)
        return
    dt = float(group.clock.dt_) * 1e3
    rows = index(local)
    if kind == "SpikeSourceGamma":
        params = {**params, "rate": params["beta"]}
        group.alpha_shape[rows] = np.round(params["alpha"][local]).astype(np.int64)
    rate = params["rate"][local] * 1e-3                              # per ms
    tau = params["tau_refrac"][local] if "tau_refrac" in params else np.zeros(len(local))
    free_rate = rate / np.maximum(1.0 - rate * tau, 1e-12)
    group.p_spike[rows] = -np.expm1(-free_rate * dt)
    start = np.floor(params["start"][local] / dt + 0.5)
    stop = np.floor((params["start"][local] + params["duration"][local]) / dt + 0.5)
    group.start_step[rows] = start.astype(np.int64)
    group.stop_step[rows] = np.minimum(stop, 2**31 - 1).astype(np.int64)
    if "tau_refrac" in params:
        group.tau_refrac_[rows] = params["tau_refrac"][local] * 1e-3


def send_window(group: Any, times: list[np.ndarray]) -> None:
    """Give a SpikeGeneratorGroup the spikes (lamina times [ms], one array per cell) of
    the coming run."""
    idx, steps = _generator_spikes(times, float(group.clock.dt_) * 1e3)
    group.set_spikes(idx, steps * float(group.clock.dt_) * b2.second)
